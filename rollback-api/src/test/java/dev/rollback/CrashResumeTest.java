package dev.rollback;

import dev.rollback.store.RollbackInProgressException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.support.BrokenDeploy;
import dev.rollback.support.CrashPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    BrokenDeploy deploy;
    Path app;
    RestorePoint v1;
    byte[][] good;
    byte[][] bad;

    @BeforeEach
    void deployThenBreak() throws IOException {
        deploy = BrokenDeploy.under(root);
        app = deploy.app();
        v1 = deploy.v1();
        good = deploy.good();
        bad = deploy.bad();
    }

    Path file(int i) {
        return deploy.file(i);
    }

    int crashWhileRestoringB(FailurePolicy policy) throws Exception {
        Files.createFile(app.resolve("b.crash"));
        int exit = deploy.rollBackInChild(policy);
        Files.delete(app.resolve("b.crash"));
        return exit;
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
