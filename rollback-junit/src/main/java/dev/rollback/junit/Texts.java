package dev.rollback.junit;

import dev.rollback.spi.Durations;
import java.time.Duration;

/** Texts shared by the assertions: durations as people write them, and the report appended to a message. */
final class Texts {

    private Texts() {}

    /** A duration as a sentence writes it ({@link Durations#compact}); a missing one is "no time". */
    static String human(Duration d) {
        return d == null ? "no time" : Durations.compact(d);
    }

    /** The message followed by the report, so a failed test shows what happened. */
    static String withReport(String message, String markdown) {
        return message + System.lineSeparator() + System.lineSeparator() + "The report:" + System.lineSeparator()
                + markdown;
    }

    /** Checks a duration given to an assertion. */
    static Duration requirePositive(Duration d, String method) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(method + ": expected a positive duration, found " + d
                    + "; give one such as " + method + "(Duration.ofMinutes(5))");
        }
        return d;
    }
}
