package dev.rollback;

import java.time.Clock;

/**
 * What a {@link Step} or a {@link Check} is given while a rollback runs.
 *
 * <p>Supplied by the engine; used by one thread at a time.
 */
public interface StepContext {

    /** The name of the plan. */
    String plan();

    /** The id of the running rollback. */
    String rollbackId();

    /** The restore point being rolled back to. */
    RestorePoint point();

    /** The phase the step runs in. */
    Phase phase();

    /** The host the plan runs on: run commands and touch files through it, never directly. */
    dev.rollback.host.Host host();

    /** The clock of the plan: use it instead of the system clock so tests control time. */
    Clock clock();

    /** Waits with the plan's {@link Sleeper}: use it between attempts, never {@code Thread.sleep}. */
    void sleep(java.time.Duration duration) throws InterruptedException;

    /** Reports progress of a long step to the plan's listeners. */
    void progress(String message);
}
