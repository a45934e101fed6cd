package dev.rollback;

import dev.rollback.error.RollbackException;

/** No restore point with the given id or label exists in the store. */
public class RestorePointNotFoundException extends RollbackException {

    private static final long serialVersionUID = 1L;

    /** An exception with the given message. */
    public RestorePointNotFoundException(String message) {
        super(message);
    }
}
