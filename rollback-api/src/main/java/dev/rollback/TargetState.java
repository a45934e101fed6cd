package dev.rollback;

/** Where a target stands at the end of a rollback. */
public enum TargetState {
    /** Not part of this rollback ({@code only(..)} left it out). */
    OUT_OF_SCOPE,
    /** Not touched: the rollback stopped before it. */
    UNCHANGED,
    /** Its current state was saved; it was not restored. */
    SET_ASIDE,
    /** Restored to the restore point, verification not run or not passed yet. */
    RESTORED,
    /** Restored and its own verification passed. */
    VERIFIED,
    /** Restored, but its own verification failed. */
    VERIFY_FAILED,
    /** The restore failed: the target may be partly restored; see the step's detail. */
    RESTORE_FAILED,
    /** It was restored and then put back to the state set aside. */
    PUT_BACK,
    /** Putting it back failed: a person must look at it. */
    NEEDS_ATTENTION,
    /** The operator skipped it; it was left as it was. */
    SKIPPED
}
