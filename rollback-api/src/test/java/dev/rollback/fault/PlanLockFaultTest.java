package dev.rollback.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.NothingToResumeException;
import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.store.RollbackInProgressException;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan lock across two real JVMs: while one process captures, rolls back, deletes a point or
 * applies retention (and meanwhile works on another plan of the same store, which looks at every
 * lock), every one of those operations of the same plan in another process is refused and changes
 * nothing; once the holder ends, they run.
 */
class PlanLockFaultTest {

    static final List<String> CONTENDERS = List.of("capture", "rollback", "delete", "store-delete", "retain", "resume");

    @TempDir
    Path root;

    RestorePoint v1;
    RestorePoint v2;

    @BeforeEach
    void twoPoints() throws IOException {
        Files.createDirectories(root.resolve("app"));
        Files.writeString(root.resolve("app/a.txt"), "v1\n");
        Files.writeString(root.resolve("app/other.txt"), "other\n");
        RollbackPlan plan = LockChild.plan(root);
        v1 = plan.capture("v1");
        Files.writeString(root.resolve("app/a.txt"), "v2\n");
        v2 = plan.capture("v2");
        Files.writeString(root.resolve("app/a.txt"), "v3, broken\n");
    }

    Process child(String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                LockChild.class.getName(), root.toString()));
        argv.addAll(List.of(args));
        return new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(root.resolve("child-" + args[0] + ".log").toFile()).start();
    }

    String log(String which) throws IOException {
        return Files.readString(root.resolve("child-" + which + ".log"));
    }

    void awaitHolding(Process holder) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(root.resolve("holding"))) {
            assertThat(holder.isAlive()).as("the holder is alive: " + log("hold")).isTrue();
            assertThat(System.nanoTime()).as("the holder reached its gate").isLessThan(deadline);
            holder.waitFor(20, TimeUnit.MILLISECONDS);
        }
    }

    @ParameterizedTest(name = "while another JVM runs {0}")
    @ValueSource(strings = {"capture", "rollback", "delete", "retain"})
    void shouldRefuseEveryOperationOfThePlanWhileAnotherProcessHoldsItsLock(String held) throws Exception {
        Files.createFile(root.resolve("gate"));
        Process holder = child("hold", held, v1.id());
        awaitHolding(holder);
        Map<String, String> before = Fingerprint.of(root.resolve("app"), root.resolve("store/points"),
                root.resolve("store/journals"));
        RollbackPlan plan = LockChild.plan(root);

        int refused = 0;
        try {
            for (String op : CONTENDERS) {
                if (op.equals("resume") && !held.equals("rollback")) {
                    assertThatThrownBy(() -> LockChild.run(plan, op, v2.id())).as(op)
                            .isInstanceOf(NothingToResumeException.class);
                    continue;
                }
                assertThatThrownBy(() -> LockChild.run(plan, op, v2.id())).as(op + " while another JVM runs " + held)
                        .isInstanceOf(RollbackInProgressException.class)
                        .hasMessageContaining("held by process " + holder.pid());
                refused++;
            }
            assertThat(Fingerprint.of(root.resolve("app"), root.resolve("store/points"), root.resolve("store/journals")))
                    .as("nothing changed by the refused operations").isEqualTo(before);
        } finally {
            Files.createFile(root.resolve("go"));
            assertThat(holder.waitFor(60, TimeUnit.SECONDS)).as("holder ended").isTrue();
        }
        assertThat(holder.exitValue()).as(log("hold")).isZero();
        assertThat(refused).isGreaterThanOrEqualTo(5);
        Files.delete(root.resolve("gate"));
        Files.writeString(root.resolve("app/a.txt"), "v4\n");
        RestorePoint after = plan.capture("after the holder ended");
        assertThat(plan.store().get(after.id()).label()).isEqualTo("after the holder ended");
    }

    @Test
    void shouldKeepItsOwnLockWhileItWorksOnAnotherPlanOfTheStore() throws Exception {
        // this JVM rolls back; at the gate it captures and retains plan 'other' of the same store, which used to
        // probe (and so drop) the lock it holds
        RollbackPlan plan = LockChild.plan(root);
        Files.createFile(root.resolve("gate"));
        CompletableFuture<RollbackReport> rollback = CompletableFuture.supplyAsync(() -> plan.rollback(v1));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(root.resolve("holding"))) {
                assertThat(rollback).as("the rollback is at its gate").isNotDone();
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.onSpinWait();
            }
            Map<String, String> before = Fingerprint.of(root.resolve("app"), root.resolve("store/points"));

            Process contender = child("contend", v2.id(), "capture", "rollback", "delete", "store-delete", "retain",
                    "resume");
            assertThat(contender.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(contender.exitValue()).as(log("contend")).isZero();
            assertThat(log("contend")).contains("capture refused", "rollback refused", "retain refused",
                    "held by process " + ProcessHandle.current().pid());
            assertThat(Fingerprint.of(root.resolve("app"), root.resolve("store/points"))).isEqualTo(before);
        } finally {
            Files.createFile(root.resolve("go"));
        }
        RollbackReport report = rollback.get(60, TimeUnit.SECONDS);
        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(root.resolve("app/a.txt"))).isEqualTo("v1\n");
    }
}
