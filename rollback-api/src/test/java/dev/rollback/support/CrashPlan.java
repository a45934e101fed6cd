package dev.rollback.support;

import dev.rollback.FailurePolicy;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.spi.Step;
import dev.rollback.testing.FileTarget;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The plan of the crash tests, built the same way by the test JVM and by the child JVM that dies in
 * the middle of a rollback. Targets a, b and c are files in {@code root/app}; the stop and start
 * steps append to {@code root/service.log}.
 */
public final class CrashPlan {

    private CrashPlan() {}

    public static RollbackPlan build(Path root, FailurePolicy policy) {
        Path app = root.resolve("app");
        Path service = root.resolve("service.log");
        return Rollback.plan("crashy").store(root.resolve("store")).onFailure(policy)
                .stop(Step.of("stop app", ctx -> Files.writeString(service, "stop\n", CREATE_APPEND)))
                .target(new FileTarget("a", app.resolve("a.txt")))
                .target(new FileTarget("b", app.resolve("b.txt")))
                .target(new FileTarget("c", app.resolve("c.txt")))
                .start(Step.of("start app", ctx -> Files.writeString(service, "start\n", CREATE_APPEND)))
                .build();
    }

    private static final java.nio.file.OpenOption[] CREATE_APPEND = {
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND
    };

    /** Run in a child JVM: rolls back to the given point; target b's restore kills the process. */
    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        RollbackPlan plan = build(root, FailurePolicy.valueOf(args[2]));
        plan.rollback(plan.store().get(args[1]));
        System.exit(0);
    }
}
