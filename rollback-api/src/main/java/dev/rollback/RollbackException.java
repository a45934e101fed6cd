package dev.rollback;

import java.util.Optional;

/**
 * The root of every exception the library throws. Subclasses are named for what happened; each
 * carries what is known of the context (the target, the step, the report so far) and a message that
 * says what was expected, what was found, and what to do.
 */
public class RollbackException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String target;
    private final String step;
    private final transient RollbackReport report;

    /** An exception with a message and no context. */
    public RollbackException(String message) {
        this(message, null, null, null, null);
    }

    /** An exception with a message and a cause. */
    public RollbackException(String message, Throwable cause) {
        this(message, cause, null, null, null);
    }

    /**
     * An exception with its full context.
     *
     * @param message what happened, what was expected, what to do
     * @param cause the cause, or null
     * @param target the target involved, or null
     * @param step the step involved, or null
     * @param report the report so far, or null
     */
    public RollbackException(String message, Throwable cause, String target, String step, RollbackReport report) {
        super(message, cause);
        this.target = target;
        this.step = step;
        this.report = report;
    }

    /** The target involved, if any. */
    public Optional<String> target() {
        return Optional.ofNullable(target);
    }

    /** The step involved, if any. */
    public Optional<String> step() {
        return Optional.ofNullable(step);
    }

    /** The report of the rollback so far, if one was running. */
    public Optional<RollbackReport> report() {
        return Optional.ofNullable(report);
    }
}
