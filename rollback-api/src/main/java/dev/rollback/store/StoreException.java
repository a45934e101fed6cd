package dev.rollback.store;

import dev.rollback.error.RollbackException;

/** The restore point store could not be read or written: a file system error, a damaged manifest. */
public class StoreException extends RollbackException {

    private static final long serialVersionUID = 1L;

    /** An exception with the given message and cause. */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
