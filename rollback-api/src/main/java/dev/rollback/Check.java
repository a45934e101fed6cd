package dev.rollback;

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
