package dev.rollback.fault;

import dev.rollback.FailurePolicy;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.spi.Step;
import dev.rollback.testing.FileTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The plan of the full-disk tests: two file targets in {@code root/app}, the store in {@code
 * store}, stop and start steps that append to {@code root/service.log}; the stop step also runs
 * {@code duringStop} (which may fill the disk). Built the same way by the test JVM and a child JVM.
 */
public final class FullDiskPlan {

    private FullDiskPlan() {}

    public static RollbackPlan build(Path root, Path store, FailurePolicy policy, Runnable duringStop) {
        Path service = root.resolve("service.log");
        return Rollback.plan("shop").store(store).onFailure(policy)
                .stop(Step.of("stop shop", ctx -> {
                    Files.writeString(service, "stop\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    duringStop.run();
                }))
                .target(new FileTarget("a", root.resolve("app/a.txt")))
                .target(new FileTarget("b", root.resolve("app/b.txt")))
                .start(Step.of("start shop", ctx -> Files.writeString(service, "start\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)))
                .build();
    }

    /** Run in a child JVM: captures a point of the plan; exits 0 when it is stored. */
    public static void main(String[] args) {
        build(Path.of(args[0]), Path.of(args[1]), FailurePolicy.HALT, () -> { }).capture("from another JVM");
        System.exit(0);
    }
}
