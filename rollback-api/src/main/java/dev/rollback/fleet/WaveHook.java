package dev.rollback.fleet;

import dev.rollback.host.Host;
import java.util.List;

/**
 * Work of the caller's run around a wave of a fleet rollback, such as taking the wave's hosts out of the load
 * balancer before it and putting them back after it. An exception thrown by a hook stops the fleet rollback: no
 * later wave starts, and the report says why.
 *
 * <p>Called from the thread that runs {@link Fleet#rollback}; one call at a time.
 */
@FunctionalInterface
public interface WaveHook {

    /**
     * Runs around one wave.
     *
     * @param wave the wave's number, 1 for the canary
     * @param hosts the wave's hosts, in fleet order
     * @throws Exception to stop the fleet rollback
     */
    void run(int wave, List<Host> hosts) throws Exception;
}
