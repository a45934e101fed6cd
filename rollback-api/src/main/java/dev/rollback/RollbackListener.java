package dev.rollback;

/**
 * Receives events while a plan captures and rolls back: to show progress, to page someone, to feed
 * a dashboard. Every method has an empty default, so implement only what you need. A listener that
 * throws is logged and ignored: it never breaks a rollback.
 *
 * <p>Listeners are called on the thread running the rollback, one event at a time; they need not
 * be thread-safe unless shared between plans that run at the same time.
 */
public interface RollbackListener {

    /** A rollback began, or resumed. */
    default void onRollbackStarted(RollbackEvent event) {}

    /** A step began. */
    default void onStepStarted(RollbackEvent event) {}

    /** A step ended well. */
    default void onStepFinished(RollbackEvent event) {}

    /** A step failed; the failure policy decides what comes next. */
    default void onStepFailed(RollbackEvent event) {}

    /** A long step reported progress. */
    default void onProgress(RollbackEvent event) {}

    /** A phase took longer than its budget. */
    default void onBudgetExceeded(RollbackEvent event) {}

    /** A restore point was captured. */
    default void onCaptured(RollbackEvent event) {}

    /**
     * A target could not release what it keeps outside the store for a deleted restore point; the
     * message says what is left and how to remove it.
     */
    default void onReleaseFailed(RollbackEvent event) {}

    /** A {@link Watchdog}'s probe failed; the message says which check and what it saw. */
    default void onProbeFailed(RollbackEvent event) {}

    /** A {@link Watchdog}'s trigger fired; the message says why. The rollback's own events follow. */
    default void onTriggerFired(RollbackEvent event) {}

    /** A rollback ended (whatever its outcome), with its report. */
    default void onRollbackFinished(RollbackReport report) {}

    /** A {@link Drill} ended, passed or failed; its report says which and why. */
    default void onDrillFinished(DrillReport report) {}

    /**
     * A {@link Watchdog}'s watch ended (healthy, rolled back, rollback failed or stopped), with its report: the
     * time to detect, the latest probes and, when a trigger fired, the rollback's report (already sent to
     * {@link #onRollbackFinished}).
     */
    default void onWatchFinished(WatchReport report) {}
}
