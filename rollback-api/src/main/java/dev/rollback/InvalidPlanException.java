package dev.rollback;

import dev.rollback.error.RollbackException;

/** A plan, or a call on it, does not make sense: a duplicate or unknown target name, a missing part. */
public class InvalidPlanException extends RollbackException {

    private static final long serialVersionUID = 1L;

    /** An exception with the given message. */
    public InvalidPlanException(String message) {
        super(message);
    }
}
