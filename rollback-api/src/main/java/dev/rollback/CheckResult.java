package dev.rollback;

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
 */
public record CheckResult(String name, boolean passed, String detail, int attempts, Duration took) {

    /** Validates the parts. */
    public CheckResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(took, "took");
    }

    /** A passed check, one attempt, no measured time. */
    public static CheckResult passed(String name, String detail) {
        return new CheckResult(name, true, detail, 1, Duration.ZERO);
    }

    /** A failed check, one attempt, no measured time. */
    public static CheckResult failed(String name, String detail) {
        return new CheckResult(name, false, detail, 1, Duration.ZERO);
    }

    /** This result under another name and with the time measured by the engine. */
    public CheckResult named(String newName, Duration measured) {
        return new CheckResult(newName, passed, detail, attempts, took.isZero() ? measured : took);
    }
}
