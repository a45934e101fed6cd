package dev.rollback.support;

import dev.rollback.FailurePolicy;
import java.nio.file.Path;

/** Run in a child JVM: captures the {@link CrashPlan}; a marker file makes a target's capture kill the process. */
public final class CrashCapture {

    private CrashCapture() {}

    public static void main(String[] args) {
        CrashPlan.build(Path.of(args[0]), FailurePolicy.HALT).capture("dies while capturing");
        System.exit(0);
    }
}
