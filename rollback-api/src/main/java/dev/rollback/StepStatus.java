package dev.rollback;

/** How one step of a rollback ended. */
public enum StepStatus {
    /** The step did its work. */
    SUCCEEDED,
    /** The step threw or its check failed. */
    FAILED,
    /** The operator skipped it (see {@link Resume#skipping(String...)}). */
    SKIPPED,
    /** The step never ran because the rollback stopped before it. */
    NOT_RUN;

    /** Whether the step counts as done. */
    public boolean isSuccessful() {
        return this == SUCCEEDED || this == SKIPPED;
    }
}
