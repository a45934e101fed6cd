package dev.rollback.error;

import java.util.Optional;

/**
 * The root of every exception the library throws. Subclasses are named for what happened; each
 * carries what is known of the context (the target and the step involved) and a message that
 * says what was expected, what was found, and what to do.
 */
public class RollbackException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String target;
    private final String step;

    /** An exception with a message and no context. */
    public RollbackException(String message) {
        this(message, null, null, null);
    }

    /** An exception with a message and a cause. */
    public RollbackException(String message, Throwable cause) {
        this(message, cause, null, null);
    }

    /**
     * An exception with its full context.
     *
     * @param message what happened, what was expected, what to do
     * @param cause the cause, or null
     * @param target the target involved, or null
     * @param step the step involved, or null
     */
    public RollbackException(String message, Throwable cause, String target, String step) {
        super(message, cause);
        this.target = target;
        this.step = step;
    }

    /** The target involved, if any. */
    public Optional<String> target() {
        return Optional.ofNullable(target);
    }

    /** The step involved, if any. */
    public Optional<String> step() {
        return Optional.ofNullable(step);
    }
}
