package dev.rollback.spi;

import dev.rollback.RestorePoint;
import java.time.Clock;

/**
 * What the engine gives a {@link Target} when a restore point holding one of its snapshots is
 * deleted, by {@link dev.rollback.RollbackPlan#delete} or by the plan's retention, so that the
 * target can release what it keeps outside the store for that snapshot (a clone database, a cloud
 * snapshot).
 *
 * <p>Implementations are supplied by the engine; they are used by one thread at a time.
 */
public interface ReleaseContext {

    /** The name of the plan whose restore point is being deleted. */
    String plan();

    /** The restore point being deleted. */
    RestorePoint point();

    /** The host the plan runs on: run commands and touch files through it, never directly. */
    dev.rollback.host.Host host();

    /** The clock of the plan. */
    Clock clock();

    /** Reports what the release did to the plan's listeners and log. */
    void progress(String message);
}
