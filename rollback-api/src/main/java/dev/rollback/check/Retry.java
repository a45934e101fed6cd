package dev.rollback.check;

import java.time.Duration;

/**
 * How a health check retries: how many attempts it makes at most, how long it waits after a failed
 * attempt, and the overall time after which it makes no new attempt.
 *
 * <p>A failed attempt is followed by another after {@code interval}, until one passes, {@code
 * attempts} have been made, or the next one would start after {@code timeout} (counted from the
 * start of the first attempt). Time is the plan's clock and waiting is the plan's sleeper, so tests
 * drive retries without sleeping.
 *
 * <p>Immutable and thread-safe.
 *
 * @param attempts the most attempts, at least 1
 * @param interval the wait after a failed attempt, zero or more
 * @param timeout the overall time budget of all attempts, positive
 */
public record Retry(int attempts, Duration interval, Duration timeout) {

    /** One attempt, 1 s between attempts, at most 5 minutes in all. */
    public static final Retry ONCE = new Retry(1, Duration.ofSeconds(1), Duration.ofMinutes(5));

    /** Validates the parts. */
    public Retry {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts: expected at least 1, found " + attempts
                    + "; give the number of tries, such as attempts(10)");
        }
        if (interval == null || interval.isNegative()) {
            throw new IllegalArgumentException("interval: expected zero or a positive duration, found " + interval
                    + "; give the wait between attempts, such as every(Duration.ofSeconds(1))");
        }
        Texts.requirePositive(timeout, "timeout");
    }

    /** This retry with at most {@code n} attempts. */
    public Retry withAttempts(int n) {
        return new Retry(n, interval, timeout);
    }

    /** This retry waiting {@code wait} after a failed attempt. */
    public Retry withInterval(Duration wait) {
        return new Retry(attempts, wait, timeout);
    }

    /** This retry with an overall time budget of {@code limit}. */
    public Retry withTimeout(Duration limit) {
        return new Retry(attempts, interval, limit);
    }
}
