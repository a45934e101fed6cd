package dev.rollback.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that moves only when told to, so time-based behaviour (retries, triggers, retention, budgets) is tested
 * without sleeping. Always in UTC. Thread-safe: {@link #advance(Duration)} is seen at once by every thread.
 *
 * <pre>{@code
 * TestClock clock = new TestClock();
 * RollbackPlan plan = Rollback.plan("shop").clock(clock)...build();
 * clock.advance(Duration.ofMinutes(5));
 * }</pre>
 */
public final class TestClock extends Clock {

    private volatile Instant now;

    /** A clock that reads {@code start} until advanced. */
    public TestClock(Instant start) {
        this.now = start;
    }

    /** A clock that reads 2026-11-21T03:00:00Z until advanced. */
    public TestClock() {
        this(Instant.parse("2026-11-21T03:00:00Z"));
    }

    /** Moves the clock forward by {@code d}. */
    public void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
