package dev.rollback;

import java.time.Duration;

/**
 * How a plan waits between attempts of a check or while a service stops. Real plans sleep; tests
 * pass a sleeper that advances their clock, so time-based behaviour is tested without sleeping.
 *
 * <pre>{@code
 * TestClock clock = new TestClock();
 * Rollback.plan("app").clock(clock).sleeper(clock::advance)...
 * }</pre>
 */
@FunctionalInterface
public interface Sleeper {

    /** Waits for {@code duration}. */
    void sleep(Duration duration) throws InterruptedException;

    /** The sleeper that really sleeps. */
    static Sleeper system() {
        return d -> Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
    }
}
