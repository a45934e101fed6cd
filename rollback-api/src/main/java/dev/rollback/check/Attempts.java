package dev.rollback.check;

import dev.rollback.spi.CheckAttempt;
import dev.rollback.spi.CheckResult;
import dev.rollback.error.RollbackException;
import dev.rollback.spi.StepContext;
import dev.rollback.internal.Redactor;
import dev.rollback.spi.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Runs the attempts of a health check on the context's clock and sleeper; not API. */
final class Attempts {

    /** What one attempt saw. */
    record Seen(boolean passed, String observed) {

        static Seen pass(String observed) {
            return new Seen(true, observed);
        }

        static Seen fail(String observed) {
            return new Seen(false, observed);
        }
    }

    /** One attempt; {@code limit} is how long it may take, the overall time left included. */
    @FunctionalInterface
    interface Attempt {
        Seen run(Duration limit) throws Exception;
    }

    private Attempts() {}

    /**
     * Makes attempts until one passes, the attempts are used up, or the next would start past the
     * timeout. An I/O or host failure is a failed attempt; any other exception ends the check.
     */
    static CheckResult run(StepContext ctx, String name, Retry retry, Duration attemptTimeout, Attempt attempt)
            throws Exception {
        Clock clock = ctx.clock();
        Instant start = clock.instant();
        List<CheckAttempt> history = new ArrayList<>();
        String stopped = null;
        for (int n = 1; ; n++) {
            Instant at = clock.instant();
            Duration left = retry.timeout().minus(Duration.between(start, at));
            Duration limit = attemptTimeout.compareTo(left) <= 0 ? attemptTimeout : left;
            if (limit.toMillis() < 1) {
                limit = Duration.ofMillis(1);
            }
            Seen seen;
            try {
                seen = attempt.run(limit);
            } catch (IOException | UncheckedIOException | RollbackException e) {
                seen = Seen.fail(describe(e));
            }
            Instant end = clock.instant();
            history.add(new CheckAttempt(n, at, seen.passed(), seen.observed(), Duration.between(at, end)));
            if (seen.passed()) {
                break;
            }
            if (n >= retry.attempts()) {
                stopped = retry.attempts() == 1 ? null : "all " + n + " attempts failed";
                break;
            }
            Duration elapsed = Duration.between(start, end);
            if (elapsed.plus(retry.interval()).compareTo(retry.timeout()) >= 0) {
                stopped = "gave up after " + n + " of " + retry.attempts() + " attempts: another would start past "
                        + "the timeout of " + Durations.compact(retry.timeout());
                break;
            }
            ctx.progress(name + ": attempt " + n + " of " + retry.attempts() + " failed (" + seen.observed()
                    + "); next in " + Durations.compact(retry.interval()));
            ctx.sleep(retry.interval());
        }
        CheckResult result = CheckResult.of(name, history, Duration.between(start, clock.instant()));
        if (stopped == null) {
            return result;
        }
        return new CheckResult(result.name(), false, stopped + "; last: " + result.detail(), result.attempts(),
                result.took(), result.history());
    }

    /** An exception and its causes in one line. */
    static String describe(Throwable error) {
        return Redactor.chain(error, 4);
    }
}
