package dev.rollback.spi;

/**
 * What the engine gives a {@link Target} when a restore point holding one of its snapshots is
 * deleted, by {@link dev.rollback.RollbackPlan#delete} or by the plan's retention, so that the
 * target can release what it keeps outside the store for that snapshot (a clone database, a cloud
 * snapshot).
 *
 * <p>Implementations are supplied by the engine; they are used by one thread at a time.
 */
public interface ReleaseContext extends TargetContext {

    /** The restore point being deleted. */
    PointInfo point();
}
