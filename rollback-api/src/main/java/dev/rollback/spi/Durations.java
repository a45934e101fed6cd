package dev.rollback.spi;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Durations in words for reports and messages, the one way the library writes them: the reports
 * ({@link dev.rollback.RollbackReport}, {@link dev.rollback.DrillReport}, {@link dev.rollback.WatchReport}) use
 * {@link #format(Duration)}, and sentences (failure messages, check details, trigger descriptions, the assertions of
 * {@code rollback-junit}) use {@link #compact(Duration)}. Adapters that write durations into their progress or their
 * failures use the same, so that a report reads the same whichever module wrote a line of it. Stateless and
 * thread-safe.
 *
 * <p>Both forms follow one rule: below a second in milliseconds, below a minute in seconds with one decimal, above
 * that in minutes and whole seconds; the decimal point is always a point, whatever the default locale. They differ
 * only in what they leave out:
 *
 * <table>
 *   <caption>The two forms</caption>
 *   <tr><th>duration</th><th>{@code format}</th><th>{@code compact}</th></tr>
 *   <tr><td>450 µs</td><td>{@code 0.45 ms}</td><td>{@code 0 ms}</td></tr>
 *   <tr><td>850 ms</td><td>{@code 850 ms}</td><td>{@code 850 ms}</td></tr>
 *   <tr><td>3 s</td><td>{@code 3.0 s}</td><td>{@code 3 s}</td></tr>
 *   <tr><td>12.4 s</td><td>{@code 12.4 s}</td><td>{@code 12.4 s}</td></tr>
 *   <tr><td>1 min</td><td>{@code 1 min 0 s}</td><td>{@code 1 min}</td></tr>
 *   <tr><td>185 s</td><td>{@code 3 min 5 s}</td><td>{@code 3 min 5 s}</td></tr>
 * </table>
 *
 * <p>{@code format} keeps every part so that the times in a report's tables and headers line up and compare at a
 * glance; {@code compact} drops the parts that are zero, as a person writes a limit in a sentence ("within 1 min").
 *
 * <pre>{@code
 * Durations.format(report.timeToRecover());   // "12.4 s"
 * Durations.compact(Duration.ofMinutes(5));   // "5 min"
 * }</pre>
 */
public final class Durations {

    private Durations() {}

    /**
     * A duration as the reports write it, every part kept: {@code 0.45 ms}, {@code 850 ms}, {@code 3.0 s},
     * {@code 12.4 s}, {@code 1 min 0 s}, {@code 3 min 5 s}.
     *
     * @param d the duration, not null
     * @return the duration in words
     */
    public static String format(Duration d) {
        Objects.requireNonNull(d, "duration");
        long ms = d.toMillis();
        if (ms < 1000) {
            long micros = d.toNanos() / 1000;
            return ms == 0 && micros > 0 ? String.format(Locale.ROOT, "%.2f ms", micros / 1000.0) : ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = d.toSeconds();
        return (s / 60) + " min " + (s % 60) + " s";
    }

    /**
     * A duration as a sentence writes it, the parts that are zero left out: {@code 0 ms}, {@code 850 ms},
     * {@code 3 s}, {@code 12.4 s}, {@code 1 min}, {@code 3 min 5 s}.
     *
     * @param d the duration, not null
     * @return the duration in words
     */
    public static String compact(Duration d) {
        Objects.requireNonNull(d, "duration");
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
}
