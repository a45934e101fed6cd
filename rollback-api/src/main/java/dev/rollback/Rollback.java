package dev.rollback;

import dev.rollback.spi.Check;

import dev.rollback.spi.Step;

import dev.rollback.spi.Names;

/**
 * The entry point: {@code Rollback.plan(name)} starts the fluent builder of a {@link RollbackPlan}.
 *
 * <pre>{@code
 * RollbackPlan plan = Rollback.plan("gestima")
 *     .store(Path.of("/var/lib/rollback"))
 *     .stop(Step.of("stop gestima", ctx -> service.stop()))
 *     .target(database)
 *     .target(code)
 *     .afterRestoring("code", Step.of("rebuild front-end", ctx -> frontend.build()))
 *     .start(Step.of("start gestima", ctx -> service.start()))
 *     .verify(Check.of("health endpoint answers", () -> health.ok()))
 *     .onFailure(FailurePolicy.RESTORE_FAILED_STATE)
 *     .build();
 *
 * RestorePoint before = plan.capture("v2.0.0");   // before the deploy
 * // ... the deploy runs and goes bad ...
 * RollbackReport report = plan.rollback(before);
 * System.out.println(report.toMarkdown());
 * }</pre>
 */
public final class Rollback {

    private Rollback() {}

    /**
     * Starts a plan with the given name: 1 to 64 letters, digits, {@code . _ -}. The name keys the
     * plan's restore points, journal and lock in the store.
     */
    public static RollbackPlanBuilder plan(String name) {
        return new RollbackPlanBuilder(Names.requireName(name, "plan name"));
    }
}
