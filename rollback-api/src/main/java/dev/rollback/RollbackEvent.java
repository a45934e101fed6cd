package dev.rollback;

import dev.rollback.spi.Phase;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened while a plan captured or rolled back, sent to {@link RollbackListener}s.
 *
 * <p>Immutable and thread-safe. Build one with the factory that names what happened, such as
 * {@link #stepStarted(String, String, Instant, Phase, String, String)} or
 * {@link #rollbackStarted(String, String, Instant, String)}: each takes exactly what that event carries and leaves
 * the rest empty. The canonical constructor stays for code that needs every part.
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

    /** The step name of a {@link Watchdog}'s events. */
    private static final String WATCH_STEP = "watch";

    /**
     * Validates the parts; a null duration is zero and a null message is empty. Prefer the factories named for
     * what happened ({@link #rollbackStarted}, {@link #stepStarted}, {@link #stepFinished}, {@link #stepFailed},
     * {@link #progress}, {@link #budgetExceeded}, {@link #captured}, {@link #releaseFailed}, {@link #probeFailed},
     * {@link #triggerFired}): they leave out what an event of that type does not carry.
     */
    public RollbackEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(at, "at");
        duration = duration == null ? Duration.ZERO : duration;
        message = message == null ? "" : message;
    }

    /**
     * A rollback began, or resumed: {@link Type#ROLLBACK_STARTED}, with no phase, step or target.
     *
     * @param plan the plan's name
     * @param rollbackId the rollback's id
     * @param at when, by the plan's clock
     * @param message where it goes and how (the point, the scope, the policy); secrets masked
     */
    public static RollbackEvent rollbackStarted(String plan, String rollbackId, Instant at, String message) {
        return new RollbackEvent(Type.ROLLBACK_STARTED, plan, rollbackId, at, null, null, null, Duration.ZERO, message);
    }

    /**
     * A step began: {@link Type#STEP_STARTED}, with no duration and no message.
     *
     * @param plan the plan's name
     * @param rollbackId the rollback's id
     * @param at when the step began, by the plan's clock
     * @param phase the step's phase
     * @param step the step's name
     * @param target the step's target, or null for a step of no target (a check, a user's step)
     */
    public static RollbackEvent stepStarted(String plan, String rollbackId, Instant at, Phase phase, String step,
            String target) {
        return new RollbackEvent(Type.STEP_STARTED, plan, rollbackId, at, phase, step, target, Duration.ZERO, "");
    }

    /**
     * A step ended well: {@link Type#STEP_FINISHED}.
     *
     * @param plan the plan's name
     * @param rollbackId the rollback's id
     * @param at when the step ended, by the plan's clock
     * @param phase the step's phase
     * @param step the step's name
     * @param target the step's target, or null for a step of no target
     * @param took how long the step took
     * @param detail what the step did; secrets masked
     */
    public static RollbackEvent stepFinished(String plan, String rollbackId, Instant at, Phase phase, String step,
            String target, Duration took, String detail) {
        return new RollbackEvent(Type.STEP_FINISHED, plan, rollbackId, at, phase, step, target, took, detail);
    }

    /**
     * A step failed: {@link Type#STEP_FAILED}.
     *
     * @param plan the plan's name
     * @param rollbackId the rollback's id
     * @param at when the step ended, by the plan's clock
     * @param phase the step's phase
     * @param step the step's name
     * @param target the step's target, or null for a step of no target
     * @param took how long the step ran before it failed
     * @param failure what went wrong; secrets masked
     */
    public static RollbackEvent stepFailed(String plan, String rollbackId, Instant at, Phase phase, String step,
            String target, Duration took, String failure) {
        return new RollbackEvent(Type.STEP_FAILED, plan, rollbackId, at, phase, step, target, took, failure);
    }

    /**
     * A long step, a capture or a release reported progress: {@link Type#PROGRESS}, with no duration.
     *
     * @param plan the plan's name
     * @param id the rollback's id, or the restore point's id for a capture or a release
     * @param at when, by the plan's clock
     * @param phase the phase, or null outside a rollback's phases (a capture, a release)
     * @param step the step's name, or null for progress of the rollback as a whole
     * @param target the target, or null
     * @param message the progress; secrets masked
     */
    public static RollbackEvent progress(String plan, String id, Instant at, Phase phase, String step, String target,
            String message) {
        return new RollbackEvent(Type.PROGRESS, plan, id, at, phase, step, target, Duration.ZERO, message);
    }

    /**
     * A phase took longer than its budget: {@link Type#BUDGET_EXCEEDED}; the message names the phase.
     *
     * @param plan the plan's name
     * @param rollbackId the rollback's id
     * @param at when the overrun was seen, by the plan's clock
     * @param took how long the phase's steps have taken so far
     * @param message the phase, what it took and its budget
     */
    public static RollbackEvent budgetExceeded(String plan, String rollbackId, Instant at, Duration took,
            String message) {
        return new RollbackEvent(Type.BUDGET_EXCEEDED, plan, rollbackId, at, null, null, null, took, message);
    }

    /**
     * A restore point was captured: {@link Type#CAPTURED}, with no phase, step or target.
     *
     * @param plan the plan's name
     * @param pointId the new restore point's id
     * @param at when, by the plan's clock
     * @param message what was captured (the point, its label, how many targets)
     */
    public static RollbackEvent captured(String plan, String pointId, Instant at, String message) {
        return new RollbackEvent(Type.CAPTURED, plan, pointId, at, null, null, null, Duration.ZERO, message);
    }

    /**
     * A target could not release what it keeps outside the store for a deleted restore point:
     * {@link Type#RELEASE_FAILED}. The step is named {@code "release <target>"}, as the release's progress is.
     *
     * @param plan the plan's name
     * @param pointId the deleted restore point's id
     * @param at when, by the plan's clock
     * @param target the target whose release failed
     * @param message what was expected, what was found and what to do; secrets masked
     */
    public static RollbackEvent releaseFailed(String plan, String pointId, Instant at, String target, String message) {
        Objects.requireNonNull(target, "target");
        return new RollbackEvent(Type.RELEASE_FAILED, plan, pointId, at, null, "release " + target, target,
                Duration.ZERO, message);
    }

    /**
     * A {@link Watchdog}'s probe failed: {@link Type#PROBE_FAILED}, in phase {@link Phase#VERIFY}, step
     * {@code "watch"}.
     *
     * @param plan the plan's name
     * @param watchId the watch's id
     * @param at when the probe ran, by the plan's clock
     * @param took how long the probe took
     * @param message what the probe saw; secrets masked
     */
    public static RollbackEvent probeFailed(String plan, String watchId, Instant at, Duration took, String message) {
        return new RollbackEvent(Type.PROBE_FAILED, plan, watchId, at, Phase.VERIFY, WATCH_STEP, null, took, message);
    }

    /**
     * A {@link Watchdog}'s trigger fired and the rollback follows: {@link Type#TRIGGER_FIRED}, in phase
     * {@link Phase#VERIFY}, step {@code "watch"}.
     *
     * @param plan the plan's name
     * @param watchId the watch's id
     * @param at when the trigger fired, by the plan's clock
     * @param watched how long the watch had run when it fired
     * @param message why it fired and where the rollback goes; secrets masked
     */
    public static RollbackEvent triggerFired(String plan, String watchId, Instant at, Duration watched,
            String message) {
        return new RollbackEvent(Type.TRIGGER_FIRED, plan, watchId, at, Phase.VERIFY, WATCH_STEP, null, watched,
                message);
    }
}
