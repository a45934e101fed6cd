package dev.rollback.check;

import dev.rollback.Phase;
import dev.rollback.RestorePoint;
import dev.rollback.StepContext;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.support.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The context a check gets in a plan, for running checks directly: the local host, a test clock,
 * and a sleeper that advances the clock (and may do one more thing, such as start a server), so
 * retries take clock time and no real time.
 */
final class CheckContext implements StepContext {

    final TestClock clock = new TestClock();
    final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
    final List<String> progress = Collections.synchronizedList(new ArrayList<>());
    final Host host = Hosts.local();
    volatile Runnable whileSleeping = () -> {};

    @Override
    public String plan() {
        return "checks";
    }

    @Override
    public String rollbackId() {
        return "rb-test";
    }

    /** Checks do not look at the point; there is none outside a plan. */
    @Override
    public RestorePoint point() {
        return null;
    }

    @Override
    public Phase phase() {
        return Phase.VERIFY;
    }

    @Override
    public Host host() {
        return host;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public void sleep(Duration duration) {
        sleeps.add(duration);
        clock.advance(duration);
        whileSleeping.run();
    }

    @Override
    public void progress(String message) {
        progress.add(message);
    }
}
