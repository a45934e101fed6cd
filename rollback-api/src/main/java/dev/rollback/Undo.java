package dev.rollback;

/**
 * How {@link RollbackPlan#undo(RollbackReport, Undo)} undoes a rollback: always by restoring
 * exactly the state it set aside and comparing each target with it; the plan's own checks, which
 * describe the good state, run only when asked, and then as information that never decides the
 * outcome.
 *
 * <pre>{@code
 * plan.undo(report);                          // compare with the state set aside, nothing more
 * plan.undo(report, Undo.withPlanChecks());   // and see how the plan's checks fare on that state
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param planChecks whether the plan's checks run after the comparisons, as information
 */
public record Undo(boolean planChecks) {

    /** Restore the set-aside state and compare each target with it; the plan's checks do not run. */
    public static Undo exactly() {
        return new Undo(false);
    }

    /**
     * Like {@link #exactly()}, then run the plan's checks as information: their results are in the
     * report, and a failed one (as expected of a failed state) does not change the outcome.
     */
    public static Undo withPlanChecks() {
        return new Undo(true);
    }
}
