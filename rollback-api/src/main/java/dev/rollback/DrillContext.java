package dev.rollback;

import dev.rollback.spi.TargetContext;
import java.time.Duration;

/**
 * What the change of a {@link Drill} is given while it runs: the drill's id (to make the change
 * recognisable, such as a banner reading {@code DRILL <id>}), the restore point captured before it,
 * the plan's host, clock and sleeper.
 *
 * <p>Supplied by the drill; used by one thread at a time.
 */
public interface DrillContext extends TargetContext {

    /** The drill's id, also in its restore point's label ({@code drill <id>}) and its report. */
    String drillId();

    /** The restore point captured before the change, which the drill rolls back to. */
    RestorePoint point();

    /** Waits with the plan's {@link Sleeper}: use it between attempts, never {@code Thread.sleep}. */
    void sleep(Duration duration) throws InterruptedException;
}
