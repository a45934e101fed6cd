package dev.rollback;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened while a plan captured or rolled back, sent to {@link RollbackListener}s.
 *
 * <p>Immutable and thread-safe.
 *
 * @param type what happened
 * @param plan the plan's name
 * @param rollbackId the rollback's id, the restore point's id for a capture, or the watch's id for
 *     a {@link Watchdog}'s events
 * @param at when, by the plan's clock
 * @param phase the phase, or null
 * @param step the step's name, or null
 * @param target the target, or null
 * @param duration how long the step took, for finished steps; else zero
 * @param message a readable note: the failure, the progress, the budget overrun; secrets masked
 */
public record RollbackEvent(
        Type type, String plan, String rollbackId, Instant at, Phase phase, String step, String target,
        Duration duration, String message) {

    /** What happened. */
    public enum Type {
        /** A rollback began (or resumed). */
        ROLLBACK_STARTED,
        /** A step began. */
        STEP_STARTED,
        /** A step ended well. */
        STEP_FINISHED,
        /** A step failed. */
        STEP_FAILED,
        /** A long step reported progress. */
        PROGRESS,
        /** A phase took longer than its budget. */
        BUDGET_EXCEEDED,
        /** A restore point was captured. */
        CAPTURED,
        /**
         * A target could not release what it keeps outside the store for a deleted restore point
         * ({@link dev.rollback.spi.Target#release}); the point was deleted all the same.
         */
        RELEASE_FAILED,
        /** A {@link Watchdog}'s probe failed; the message says what it saw. */
        PROBE_FAILED,
        /** A {@link Watchdog}'s trigger fired; the message says why, and the rollback follows. */
        TRIGGER_FIRED
    }

    /** Validates the parts. */
    public RollbackEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(at, "at");
        duration = duration == null ? Duration.ZERO : duration;
        message = message == null ? "" : message;
    }
}
