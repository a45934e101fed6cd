package dev.rollback.git;

import dev.rollback.error.RollbackException;

/**
 * A git working tree could not be captured or put back: the repository is missing or in the middle
 * of a merge, a commit does not exist, the tree has uncommitted changes a capture may not take, git
 * itself failed. The message names the target, what was expected, what was found, and what to do.
 */
public class GitException extends RollbackException {

    private static final long serialVersionUID = 1L;

    /** An exception with the given message about the named target. */
    public GitException(String target, String message) {
        super(message, null, target, null);
    }

    /** An exception with the given message and cause about the named target. */
    public GitException(String target, String message, Throwable cause) {
        super(message, cause, target, null);
    }
}
