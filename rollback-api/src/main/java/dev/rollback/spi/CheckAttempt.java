package dev.rollback.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One attempt of a check: when it ran, what it saw, how long it took.
 *
 * @param number the attempt's number, from 1
 * @param at when it started
 * @param passed whether it passed
 * @param observed what it saw: a status and body excerpt, an exit code, a matching log line
 * @param took how long it took
 */
public record CheckAttempt(int number, Instant at, boolean passed, String observed, Duration took) {

    /** Validates the parts. */
    public CheckAttempt {
        Objects.requireNonNull(at, "at");
        observed = observed == null ? "" : observed;
        Objects.requireNonNull(took, "took");
    }
}
