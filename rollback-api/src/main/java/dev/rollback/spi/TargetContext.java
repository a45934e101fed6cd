package dev.rollback.spi;

import dev.rollback.host.Host;
import java.time.Clock;

/**
 * What every context the engine hands a target, a step or a check has in common: the plan, the
 * host, the clock and a way to report progress. The phase contexts ({@link CaptureContext}, {@link
 * RestoreContext}, {@link ReleaseContext}, {@link StepContext}) extend it.
 *
 * <p>Implementations are supplied by the engine and used by one thread at a time.
 */
public interface TargetContext {

    /** The name of the plan. */
    String plan();

    /** The host the plan runs on: run commands and touch files through it, never directly. */
    Host host();

    /** The clock of the plan: use it instead of the system clock so tests control time. */
    Clock clock();

    /** Reports progress of long work to the plan's listeners and log. */
    void progress(String message);
}
