package dev.rollback.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * The result of one check that proves recovery.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the check's name
 * @param passed whether it passed
 * @param detail what was observed
 * @param attempts how many attempts were made
 * @param took how long the check took, all attempts included
 * @param history every attempt, in order; empty when the check does not record them
 */
public record CheckResult(String name, boolean passed, String detail, int attempts, Duration took,
        java.util.List<CheckAttempt> history) {

    /** Validates the parts and copies the history. */
    public CheckResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(took, "took");
        history = java.util.List.copyOf(history == null ? java.util.List.of() : history);
    }

    /** A result of the given attempts: passed if the last one passed, with its observation as detail. */
    public static CheckResult of(String name, java.util.List<CheckAttempt> history, Duration took) {
        if (history.isEmpty()) {
            return new CheckResult(name, false, "no attempt was made", 0, took, history);
        }
        CheckAttempt last = history.get(history.size() - 1);
        return new CheckResult(name, last.passed(), last.observed(), history.size(), took, history);
    }

    /** A passed check, one attempt, no measured time. */
    public static CheckResult passed(String name, String detail) {
        return new CheckResult(name, true, detail, 1, Duration.ZERO, java.util.List.of());
    }

    /** A failed check, one attempt, no measured time. */
    public static CheckResult failed(String name, String detail) {
        return new CheckResult(name, false, detail, 1, Duration.ZERO, java.util.List.of());
    }

    /** This result under another name and with the time measured by the engine. */
    public CheckResult named(String newName, Duration measured) {
        return new CheckResult(newName, passed, detail, attempts, took.isZero() ? measured : took, history);
    }
}
