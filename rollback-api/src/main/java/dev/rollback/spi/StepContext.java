package dev.rollback.spi;

import java.time.Duration;

/**
 * What a {@link Step} or a {@link Check} is given while a rollback runs.
 *
 * <p>Supplied by the engine; used by one thread at a time.
 */
public interface StepContext extends TargetContext {

    /** The id of the running rollback. */
    String rollbackId();

    /** The restore point being rolled back to. */
    PointInfo point();

    /** The phase the step runs in. */
    Phase phase();

    /** Waits with the plan's sleeper: use it between attempts, never {@code Thread.sleep}. */
    void sleep(Duration duration) throws InterruptedException;
}
