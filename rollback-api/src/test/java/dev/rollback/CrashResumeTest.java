package dev.rollback;

import dev.rollback.store.RollbackInProgressException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.support.CrashPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollback whose process dies in the middle (a real second JVM, killed while restoring target b
 * after target a was restored), then resumed by a new engine in this JVM from the journal.
 */
class CrashResumeTest {

    @TempDir
    Path root;

    Path app;
    RestorePoint v1;
    final byte[][] good = new byte[3][];
    final byte[][] bad = new byte[3][];

    @BeforeEach
    void deployThenBreak() throws IOException {
        app = Files.createDirectories(root.resolve("app"));
        for (int i = 0; i < 3; i++) {
            good[i] = ("release v1 of " + "abc".charAt(i) + "\n").repeat(200).getBytes(StandardCharsets.UTF_8);
            Files.write(file(i), good[i]);
        }
        v1 = CrashPlan.build(root, FailurePolicy.HALT).capture("v1");
        for (int i = 0; i < 3; i++) {
            bad[i] = ("release v2 of " + "abc".charAt(i) + ", with rows users wrote since\n").repeat(150)
                    .getBytes(StandardCharsets.UTF_8);
            Files.write(file(i), bad[i]);
        }
    }

    Path file(int i) {
        return app.resolve("abc".charAt(i) + ".txt");
    }

    int crashWhileRestoringB(FailurePolicy policy) throws Exception {
        Files.createFile(app.resolve("b.crash"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashPlan.class.getName(), root.toString(), v1.id(), policy.name())
                .redirectErrorStream(true).redirectOutput(root.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child JVM ended").isTrue();
        Files.delete(app.resolve("b.crash"));
        return child.exitValue();
    }

    @Test
    void shouldFinishACrashedRollbackFromItsJournal() throws Exception {
        assertThat(crashWhileRestoringB(FailurePolicy.HALT)).as(Files.readString(root.resolve("child.log"))).isEqualTo(137);
        assertThat(Files.readAllBytes(file(0))).isEqualTo(good[0]);
        assertThat(Files.readAllBytes(file(1))).isNotEqualTo(good[1]).isNotEqualTo(bad[1]);
        assertThat(Files.readAllBytes(file(2))).isEqualTo(bad[2]);
        assertThat(root.resolve("store/journals/crashy.json")).exists();

        RollbackPlan plan = CrashPlan.build(root, FailurePolicy.HALT);
        assertThatThrownBy(() -> plan.rollback(v1)).isInstanceOf(RollbackInProgressException.class)
                .hasMessageContaining("unfinished rollback");
        RollbackReport report = plan.resume();

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.resumed()).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(Files.readAllBytes(file(i))).as("file " + i).isEqualTo(good[i]);
        }
        assertThat(Files.readAllLines(root.resolve("service.log"))).containsExactly("stop", "start");
        assertThat(report.steps()).extracting(StepRecord::name, StepRecord::status).contains(
                org.assertj.core.groups.Tuple.tuple("restore a", StepStatus.SUCCEEDED),
                org.assertj.core.groups.Tuple.tuple("restore b", StepStatus.SUCCEEDED));
        assertNothingLost(plan, report);
        assertThat(root.resolve("store/journals/crashy.json")).doesNotExist();
    }

    @Test
    void shouldPutEverythingBackWhenTheResumedRollbackFailsUnderRestoreFailedState() throws Exception {
        assertThat(crashWhileRestoringB(FailurePolicy.RESTORE_FAILED_STATE)).isEqualTo(137);
        Files.createFile(app.resolve("b.fail"));

        RollbackPlan plan = CrashPlan.build(root, FailurePolicy.RESTORE_FAILED_STATE);
        RollbackReport report = plan.resume();

        assertThat(report.outcome()).isEqualTo(Outcome.PUT_BACK);
        for (int i = 0; i < 3; i++) {
            assertThat(Files.readAllBytes(file(i))).as("file " + i).isEqualTo(bad[i]);
        }
        assertThat(report.target("a").orElseThrow().state()).isEqualTo(TargetState.PUT_BACK);
        assertThat(report.target("b").orElseThrow().state()).isEqualTo(TargetState.PUT_BACK);
        assertThat(report.target("c").orElseThrow().state()).isEqualTo(TargetState.SET_ASIDE);
        assertThat(Files.readAllLines(root.resolve("service.log"))).containsExactly("stop", "start");
    }

    @Test
    void shouldUndoACrashedRollbackWhenTheOperatorAsks() throws Exception {
        assertThat(crashWhileRestoringB(FailurePolicy.HALT)).isEqualTo(137);

        RollbackReport report = CrashPlan.build(root, FailurePolicy.HALT).resume(Resume.undoing());

        assertThat(report.outcome()).isEqualTo(Outcome.PUT_BACK);
        assertThat(report.steps()).extracting(StepRecord::name).endsWith("put back b", "put back a", "start again: start app");
        for (int i = 0; i < 3; i++) {
            assertThat(Files.readAllBytes(file(i))).as("file " + i).isEqualTo(bad[i]);
        }
    }

    /** The failed state, set aside before the rollback overwrote it, is intact byte for byte. */
    void assertNothingLost(RollbackPlan plan, RollbackReport report) throws IOException {
        RestorePoint aside = plan.store().get(report.setAsidePointId());
        assertThat(plan.store().verify(aside)).isEmpty();
        for (int i = 0; i < 3; i++) {
            String target = String.valueOf("abc".charAt(i));
            Path saved = plan.store().artifactDir(aside, target).resolve("content");
            assertThat(Files.readAllBytes(saved)).as("set-aside " + target).isEqualTo(bad[i]);
        }
        assertThat(report.setAside()).extracting(SetAside::target).isEqualTo(List.of("a", "b", "c"));
    }
}
