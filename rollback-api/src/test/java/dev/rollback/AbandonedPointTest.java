package dev.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.support.CrashCapture;
import dev.rollback.support.CrashPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unfinished restore points that a killed process left in the store (a real second JVM, killed in
 * the middle of a capture or a rollback): the next capture of the plan removes those no rollback
 * will resume, and keeps the rest.
 */
class AbandonedPointTest {

    @TempDir
    Path root;

    Path app;

    @BeforeEach
    void deploy() throws IOException {
        app = Files.createDirectories(root.resolve("app"));
        for (String f : List.of("a", "b", "c")) {
            Files.writeString(app.resolve(f + ".txt"), ("release v1 of " + f + "\n").repeat(100));
        }
    }

    int runChild(Class<?> main, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                main.getName(), root.toString()));
        argv.addAll(List.of(args));
        Process child = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(root.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child JVM ended").isTrue();
        return child.exitValue();
    }

    List<String> pending() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("store/points"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".pending-")).sorted().toList();
        }
    }

    @Test
    void shouldRemoveWhatAKilledCaptureLeftWhenThePlanCapturesAgain() throws Exception {
        Files.createFile(app.resolve("b.capture-crash"));
        assertThat(runChild(CrashCapture.class)).as(Files.readString(root.resolve("child.log"))).isEqualTo(137);
        Files.delete(app.resolve("b.capture-crash"));
        assertThat(pending()).hasSize(1);
        Path left = root.resolve("store/points").resolve(pending().get(0));
        assertThat(left.resolve("artifacts/a/content")).exists();
        // another plan's unfinished point in the same store is not this plan's to remove
        Path other = Files.createDirectories(root.resolve("store/points/.pending-20261121T000000Z-abcdef/artifacts"));
        Files.writeString(other.getParent().resolve(".plan"), "another-plan");
        RollbackPlan plan = CrashPlan.build(root, FailurePolicy.HALT);
        assertThat(plan.restorePoints()).isEmpty();

        RestorePoint point = plan.capture("v1");

        assertThat(left).doesNotExist();
        assertThat(pending()).containsExactly(".pending-20261121T000000Z-abcdef");
        assertThat(plan.restorePoints()).extracting(RestorePoint::id).containsExactly(point.id());
        assertThat(root.resolve("store/points").resolve(point.id()).resolve(".plan")).hasContent("crashy");
        assertThat(plan.store().verify(point)).isEmpty();
    }

    @Test
    void shouldKeepTheSetAsidePointOfARollbackThatWillBeResumed() throws Exception {
        RestorePoint v1 = CrashPlan.build(root, FailurePolicy.HALT).capture("v1");
        for (String f : List.of("a", "b", "c")) {
            Files.writeString(app.resolve(f + ".txt"), ("release v2 of " + f + "\n").repeat(80));
        }
        byte[] v2OfA = Files.readAllBytes(app.resolve("a.txt"));
        // dies while setting b aside: a's state is in the unfinished set-aside point, which the journal names
        Files.createFile(app.resolve("b.capture-crash"));
        assertThat(runChild(CrashPlan.class, v1.id(), "HALT")).as(Files.readString(root.resolve("child.log")))
                .isEqualTo(137);
        Files.delete(app.resolve("b.capture-crash"));
        List<String> before = pending();
        assertThat(before).hasSize(1);
        RollbackPlan plan = CrashPlan.build(root, FailurePolicy.HALT);

        plan.capture("while a rollback waits to be resumed");

        assertThat(pending()).isEqualTo(before);
        RollbackReport report = plan.resume();
        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        RestorePoint aside = plan.store().get(report.setAsidePointId());
        assertThat(".pending-" + aside.id()).isEqualTo(before.get(0));
        assertThat(Files.readAllBytes(plan.store().artifactDir(aside, "a").resolve("content"))).isEqualTo(v2OfA);
    }
}
