package dev.rollback;

/** How a rollback ended. */
public enum Outcome {
    /** Every step ran and every check passed. */
    SUCCEEDED,
    /** Every target was restored but at least one check failed: the restored state was kept. */
    VERIFICATION_FAILED,
    /** A step failed under {@link FailurePolicy#HALT}; the rollback is open and can be resumed. */
    HALTED,
    /** Steps failed under {@link FailurePolicy#CONTINUE}; every other step ran. */
    COMPLETED_WITH_ERRORS,
    /** A step failed and everything already changed was put back to the state set aside. */
    PUT_BACK,
    /** A step failed and putting the state back failed too: a person must look at the targets. */
    FAILED,
    /** An unfinished rollback was given up by the operator; nothing more was changed. */
    ABANDONED,
    /**
     * An undo ({@link RollbackPlan#undo}) put every target back to the state its rollback set aside,
     * and each target's comparison with that state passed: the failed state is restored exactly.
     */
    FAILED_STATE_RESTORED;

    /**
     * Whether the system is back at the restore point and proved so: for an undo, back at the state
     * set aside, proved by comparing each target with it.
     */
    public boolean isSuccessful() {
        return this == SUCCEEDED || this == FAILED_STATE_RESTORED;
    }
}
