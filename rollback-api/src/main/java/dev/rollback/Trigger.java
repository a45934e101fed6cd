package dev.rollback;

import dev.rollback.spi.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A condition on a {@link Watchdog}'s probes that rolls the plan back when it holds: failures in a
 * row, answers slower than a bound, a failure rate above a bound, or no passing probe for longer
 * than a bound. Made by the factories here; each validates its arguments at once and throws {@link
 * IllegalArgumentException} naming what was expected.
 *
 * <p>A trigger looks at the probes of one check at a time (a watchdog with two checks keeps two
 * series) and at most at the last {@link #MAX_WINDOW} of them.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * Trigger.consecutiveFailures(3)                         // 3 failed health checks in a row
 * Trigger.slowerThan(Duration.ofSeconds(1), 3)           // 3 answers in a row slower than 1 s
 * Trigger.failureRateAbove(0.05, 20)                     // more than 5% of the last 20 probes failed
 * Trigger.downFor(Duration.ofMinutes(5))                 // failing, without a pass, for 5 minutes
 * }</pre>
 */
public final class Trigger {

    /** The most probes a trigger may look back over; the watchdog keeps this many per check. */
    public static final int MAX_WINDOW = 1_000;

    private enum Kind { CONSECUTIVE_FAILURES, SLOWER_THAN, FAILURE_RATE_ABOVE, DOWN_FOR }

    private final Kind kind;
    private final int count;
    private final Duration bound;
    private final double rate;

    private Trigger(Kind kind, int count, Duration bound, double rate) {
        this.kind = kind;
        this.count = count;
        this.bound = bound;
        this.rate = rate;
    }

    /**
     * Fires when {@code n} probes in a row failed; a passing probe starts the count again.
     *
     * @throws IllegalArgumentException if {@code n} is not 1 to {@link #MAX_WINDOW}
     */
    public static Trigger consecutiveFailures(int n) {
        requireCount(n, "consecutiveFailures", "failures in a row, such as consecutiveFailures(3)");
        return new Trigger(Kind.CONSECUTIVE_FAILURES, n, null, 0);
    }

    /**
     * Fires when {@code n} probes in a row took longer than {@code latency}, whether they passed
     * or failed (a timed-out request is slow too). Latency is measured on the plan's clock.
     *
     * @throws IllegalArgumentException if the latency is not positive or {@code n} is not 1 to
     *     {@link #MAX_WINDOW}
     */
    public static Trigger slowerThan(Duration latency, int n) {
        requirePositive(latency, "slowerThan", "the slowest acceptable answer, such as Duration.ofSeconds(1)");
        requireCount(n, "slowerThan", "slow answers in a row, such as slowerThan(Duration.ofSeconds(1), 3)");
        return new Trigger(Kind.SLOWER_THAN, n, latency, 0);
    }

    /**
     * Fires when more than {@code rate} of the last {@code window} probes failed; it waits until
     * {@code window} probes were made, so that one early failure is not a rate of 100%.
     *
     * @param rate a fraction from 0 (any failure fires) to below 1, such as 0.05 for 5%
     * @param window how many of the latest probes to count, 1 to {@link #MAX_WINDOW}
     * @throws IllegalArgumentException if the rate is not in [0, 1) or the window is out of range
     */
    public static Trigger failureRateAbove(double rate, int window) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("failureRateAbove: expected a rate from 0 to below 1, found " + rate
                    + "; give a fraction, such as 0.05 for 5%");
        }
        requireCount(window, "failureRateAbove", "the number of latest probes to count, such as failureRateAbove(0.05, 20)");
        return new Trigger(Kind.FAILURE_RATE_ABOVE, window, null, rate);
    }

    /**
     * Fires when probes have failed without a pass for at least {@code duration}, counted from the
     * start of the first failing probe to the start of the latest.
     *
     * @throws IllegalArgumentException if the duration is not positive
     */
    public static Trigger downFor(Duration duration) {
        requirePositive(duration, "downFor", "how long the system may be down, such as Duration.ofMinutes(5)");
        return new Trigger(Kind.DOWN_FOR, 0, duration, 0);
    }

    /** What the trigger watches for, in words, such as {@code 3 consecutive failures}. */
    public String describe() {
        return switch (kind) {
            case CONSECUTIVE_FAILURES -> count + " consecutive failure" + (count == 1 ? "" : "s");
            case SLOWER_THAN -> count + " probe" + (count == 1 ? "" : "s") + " in a row slower than "
                    + Durations.compact(bound);
            case FAILURE_RATE_ABOVE -> "more than " + percent(rate) + " of the last " + count + " probes failed";
            case DOWN_FOR -> "down for " + Durations.compact(bound);
        };
    }

    @Override
    public String toString() {
        return "Trigger[" + describe() + "]";
    }

    /** The fewest probes after which this trigger can fire, and the shortest time it needs. */
    int probesNeeded() {
        return kind == Kind.DOWN_FOR ? 2 : count;
    }

    /** How long the probes must span before this trigger can fire; zero but for {@link #downFor}. */
    Duration timeNeeded() {
        return kind == Kind.DOWN_FOR ? bound : Duration.ZERO;
    }

    /** Why the trigger fires, and from when the problem was seen. */
    record Firing(Trigger trigger, String reason, Instant since) {}

    /**
     * Whether the trigger fires on these probes of one check, oldest first; the last is the one just
     * made. {@code failingSince} is the start of the first probe of the current run of failures,
     * or null if the last probe passed.
     */
    Firing fires(List<WatchReport.Probe> probes, Instant failingSince) {
        int size = probes.size();
        WatchReport.Probe last = probes.get(size - 1);
        switch (kind) {
            case CONSECUTIVE_FAILURES -> {
                if (size < count) {
                    return null;
                }
                List<WatchReport.Probe> tail = probes.subList(size - count, size);
                if (tail.stream().allMatch(p -> !p.passed())) {
                    return new Firing(this, describe() + ": " + last.observed(), tail.get(0).at());
                }
                return null;
            }
            case SLOWER_THAN -> {
                if (size < count) {
                    return null;
                }
                List<WatchReport.Probe> tail = probes.subList(size - count, size);
                if (tail.stream().allMatch(p -> p.took().compareTo(bound) > 0)) {
                    return new Firing(this, describe() + ": the last took " + Durations.compact(last.took()) + " ("
                            + last.observed() + ")", tail.get(0).at());
                }
                return null;
            }
            case FAILURE_RATE_ABOVE -> {
                if (size < count) {
                    return null;
                }
                List<WatchReport.Probe> tail = probes.subList(size - count, size);
                List<WatchReport.Probe> failed = tail.stream().filter(p -> !p.passed()).toList();
                if (failed.size() > rate * count) {
                    return new Firing(this, describe() + ": " + failed.size() + " of " + count + " failed ("
                            + percent((double) failed.size() / count) + "); last failure: "
                            + failed.get(failed.size() - 1).observed(), failed.get(0).at());
                }
                return null;
            }
            case DOWN_FOR -> {
                if (failingSince == null || last.passed()) {
                    return null;
                }
                Duration down = Duration.between(failingSince, last.at());
                if (down.compareTo(bound) >= 0) {
                    return new Firing(this, describe() + ": failing without a pass for " + Durations.compact(down)
                            + " since " + failingSince + ": " + last.observed(), failingSince);
                }
                return null;
            }
            default -> throw new IllegalStateException("unknown trigger " + kind);
        }
    }

    private static String percent(double fraction) {
        double p = fraction * 100;
        return (p == Math.rint(p) ? Long.toString(Math.round(p)) : String.format(java.util.Locale.ROOT, "%.1f", p)) + "%";
    }

    private static void requireCount(int n, String what, String hint) {
        if (n < 1 || n > MAX_WINDOW) {
            throw new IllegalArgumentException(what + ": expected a count from 1 to " + MAX_WINDOW + ", found " + n
                    + "; give " + hint);
        }
    }

    private static void requirePositive(Duration d, String what, String hint) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + ": expected a positive duration, found " + d + "; give " + hint);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Trigger t && t.kind == kind && t.count == count && Objects.equals(t.bound, bound)
                && Double.compare(t.rate, rate) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, count, bound, rate);
    }
}
