package dev.rollback.store;

import dev.rollback.error.RollbackException;

/**
 * Another rollback of the same plan is running (its lock is held by a live process), or a rollback
 * of this plan is unfinished and must be resumed first. Nothing was changed.
 */
public class RollbackInProgressException extends RollbackException {

    private static final long serialVersionUID = 1L;

    /** An exception with the given message. */
    public RollbackInProgressException(String message) {
        super(message);
    }
}
