package dev.rollback.host;

import dev.rollback.error.RollbackException;

/**
 * A host could not do what was asked: a file is missing or unreadable, a folder is not writable, a
 * program is not installed, the host does not answer. The message names the host and the path.
 */
public class HostException extends RollbackException {

    private static final long serialVersionUID = 1L;

    /** An exception with the given message and cause. */
    public HostException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An exception with the given message. */
    public HostException(String message) {
        super(message);
    }
}
