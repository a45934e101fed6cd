package dev.rollback.spi;

/**
 * The phases of a rollback, in the order they always run.
 *
 * <ol>
 *   <li>{@link #PREFLIGHT}: every check on the plan and the restore point; nothing changes.
 *   <li>{@link #STOP}: the plan's stop steps, in declaration order.
 *   <li>{@link #SET_ASIDE}: the current (failed) state of every target in scope is captured into a
 *       new restore point, so that the rollback itself can be undone.
 *   <li>{@link #RESTORE}: each target in scope is restored, in declaration order.
 *   <li>{@link #START}: the plan's start steps, in declaration order.
 *   <li>{@link #VERIFY}: each restored target verifies itself, then the plan's checks run.
 * </ol>
 */
public enum Phase {
    /** Validate everything before changing anything. */
    PREFLIGHT,
    /** Stop services. */
    STOP,
    /** Save the current state of every target in scope. */
    SET_ASIDE,
    /** Restore targets in declaration order. */
    RESTORE,
    /** Start services. */
    START,
    /** Prove recovery. */
    VERIFY
}
