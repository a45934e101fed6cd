package dev.rollback.spi;

import java.time.Instant;

/**
 * What a target, step or check may know of the restore point a rollback goes back to (or of the
 * point being deleted): enough to name what it keeps outside the store after the point and to say
 * which point a message is about. The plan's user sees the whole point as {@code
 * dev.rollback.RestorePoint}, which implements this.
 */
public interface PointInfo {

    /** The id of the point, unique within its plan. */
    String id();

    /** The name of the plan the point belongs to. */
    String plan();

    /** The label given when the point was made ("before v2.3.0"). */
    String label();

    /** When the point was made. */
    Instant createdAt();

    /**
     * True if the point was made by a rollback to set the then-current state aside (an undo
     * restores it), false for a capture before a deploy.
     */
    boolean isSetAside();
}
