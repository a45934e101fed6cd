package dev.rollback.spi;

import java.util.concurrent.Callable;

/**
 * A check that proves recovery, run in the {@link Phase#VERIFY} phase after every target has
 * verified itself: an HTTP health endpoint, a TCP port, a command's exit status, a log scan.
 *
 * <p>Implementations must be thread-safe or immutable.
 *
 * <pre>{@code
 * Check rows = Check.of("orders table is not empty", () -> countOrders() > 0);
 * }</pre>
 */
public interface Check {

    /** The name shown in reports. */
    String name();

    /** Runs the check. An exception counts as a failed check with the exception's message. */
    CheckResult run(StepContext ctx) throws Exception;

    /**
     * How many attempts one {@link #run} makes before it answers: 1 by default. A check that retries on its own
     * (a health check with {@code attempts(5)}) says so, so that a caller that counts failures itself (the
     * watchdog) can refuse it instead of multiplying the attempts.
     *
     * @return the attempts per run, at least 1
     */
    default int attemptsPerRun() {
        return 1;
    }

    /**
     * Notes what the check needs to know of the moment a rollback begins, and returns the check to
     * run later in {@link Phase#VERIFY}: a log scan records how long the log is, so that it reads
     * only the lines written since. The engine calls it once per rollback, after preflight and
     * before the first step changes anything (on a resumed rollback: when the resume starts). By
     * default the check needs nothing and returns itself.
     *
     * @return the check to run; this one, or a copy that remembers what it saw
     * @throws Exception if what the check needs cannot be read; the check then fails with it
     */
    default Check begin(StepContext ctx) throws Exception {
        return this;
    }

    /** A check that passes when {@code condition} returns true. */
    static Check of(String name, Callable<Boolean> condition) {
        String checked = Names.requireText(name, "check name");
        java.util.Objects.requireNonNull(condition, "condition");
        return new Check() {
            @Override
            public String name() {
                return checked;
            }

            @Override
            public CheckResult run(StepContext ctx) throws Exception {
                boolean ok = Boolean.TRUE.equals(condition.call());
                return ok ? CheckResult.passed(checked, "condition holds")
                        : CheckResult.failed(checked, "condition does not hold");
            }

            @Override
            public String toString() {
                return "Check[" + checked + "]";
            }
        };
    }
}
