package dev.rollback.host;

import dev.rollback.error.RollbackException;

/** A command exited non-zero, or was killed at its timeout. */
public class CommandFailedException extends RollbackException {

    private static final long serialVersionUID = 1L;

    private final transient CommandResult result;

    /** An exception for the given result. */
    public CommandFailedException(CommandResult result) {
        super(result.describe() + "; expected exit 0"
                + (result.timedOut() ? "; raise the command's timeout or find why it hangs" : "; fix the cause and retry"));
        this.result = result;
    }

    /** The result of the command. */
    public CommandResult result() {
        return result;
    }
}
