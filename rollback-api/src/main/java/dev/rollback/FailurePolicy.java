package dev.rollback;

/**
 * What a rollback does when one of its steps fails. Preflight problems never reach the policy: they
 * refuse the rollback before anything changes.
 */
public enum FailurePolicy {
    /**
     * Stop at the failed step and report. The rollback stays open: fix the cause and call {@link
     * RollbackPlan#resume()}, or skip the target with {@link Resume#skipping(String...)}.
     */
    HALT,
    /** Record the failure, run every remaining step, and report all errors. */
    CONTINUE,
    /**
     * Put back what this rollback already changed, from the state it set aside, then start the
     * services again. The system returns to where it was before the rollback began.
     */
    RESTORE_FAILED_STATE
}
