package dev.rollback;

import dev.rollback.error.RollbackException;

/** A target could not capture its state; no restore point was stored. */
public class CaptureFailedException extends RollbackException {

    private static final long serialVersionUID = 1L;

    /** An exception naming the target that failed. */
    public CaptureFailedException(String message, Throwable cause, String target) {
        super(message, cause, target, "capture " + target);
    }
}
