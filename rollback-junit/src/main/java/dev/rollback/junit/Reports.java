package dev.rollback.junit;

import java.time.Duration;
import java.util.Locale;

/** Texts shared by the assertions: durations as people write them, and the report appended to a message. */
final class Reports {

    private Reports() {}

    /** A duration as people write it: {@code 850 ms}, {@code 1.5 s}, {@code 3 min 5 s}. */
    static String human(Duration d) {
        if (d == null) {
            return "no time";
        }
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return (ms % 1000 == 0 ? String.valueOf(ms / 1000) : String.format(Locale.ROOT, "%.1f", ms / 1000.0))
                    + " s";
        }
        long s = d.toSeconds();
        return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
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
