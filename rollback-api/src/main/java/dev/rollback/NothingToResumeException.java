package dev.rollback;

import dev.rollback.error.RollbackException;

/** {@link RollbackPlan#resume()} found no unfinished rollback of the plan. Nothing was changed. */
public class NothingToResumeException extends RollbackException {

    private static final long serialVersionUID = 1L;

    /** An exception with the given message. */
    public NothingToResumeException(String message) {
        super(message);
    }
}
