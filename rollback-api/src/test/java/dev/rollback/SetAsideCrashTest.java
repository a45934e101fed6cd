package dev.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.support.BrokenDeploy;
import dev.rollback.support.CrashPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rollback whose process dies while it sets a target aside (a real second JVM, killed once that target's
 * artifact is written): the journal written at the start names the set-aside point, and no set-aside step
 * changes a target, so a resume sets aside again what has no record (the last target's record is the commit of
 * the point, which never came) and finishes, with the failed state kept byte for byte and no half-written point
 * left in the store.
 */
class SetAsideCrashTest {

    @org.junit.jupiter.api.io.TempDir
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

    @ParameterizedTest(name = "dies setting aside {0}")
    @ValueSource(strings = {"b", "c"})
    void shouldFinishARollbackThatDiedInItsSetAside(String target) throws Exception {
        Path marker = Files.createFile(app.resolve(target + ".capture-crash"));
        int exit = deploy.rollBackInChild(FailurePolicy.HALT);
        assertThat(exit).as(Files.readString(root.resolve("child.log"))).isEqualTo(137);
        Files.delete(marker);
        for (int i = 0; i < 3; i++) {
            assertThat(Files.readAllBytes(file(i))).as("file " + i + " untouched by the set-aside").isEqualTo(bad[i]);
        }
        assertThat(root.resolve("store/journals/crashy.json")).exists();
        assertThat(pending()).as("the point being set aside, named by the journal").hasSize(1);

        RollbackPlan plan = CrashPlan.build(root, FailurePolicy.HALT);
        RollbackReport report = plan.resume();

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        for (int i = 0; i < 3; i++) {
            assertThat(Files.readAllBytes(file(i))).as("file " + i).isEqualTo(good[i]);
        }
        assertThat(Files.readAllLines(root.resolve("service.log"))).containsExactly("stop", "start");
        RestorePoint aside = plan.store().get(report.setAsidePointId());
        assertThat(plan.store().verify(aside)).isEmpty();
        for (int i = 0; i < 3; i++) {
            String t = String.valueOf("abc".charAt(i));
            assertThat(Files.readAllBytes(plan.store().artifactDir(aside, t).resolve("content"))).as("set-aside " + t)
                    .isEqualTo(bad[i]);
        }
        assertThat(report.setAside()).extracting(SetAside::target).isEqualTo(List.of("a", "b", "c"));
        assertThat(pending()).as("nothing half-written left").isEmpty();
        assertThat(root.resolve("store/journals/crashy.json")).doesNotExist();
    }

    /** The folders of points still being written. */
    List<String> pending() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("store/points"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".pending-")).toList();
        }
    }
}
