package dev.rollback.check;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.StepContext;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.spi.Durations;
import java.time.Duration;
import java.util.Arrays;

/**
 * A health check that a command exits 0: each attempt runs the command through the plan's {@link
 * dev.rollback.host.Host} (an argv list, never a shell string), so it runs on a remote host as well
 * as on this one. Each run may take {@link #attemptTimeout} (default 60 s), less when the overall
 * timeout is nearer; a command still running then is killed with its children.
 *
 * <p>An attempt records the exit code, and on failure the end of standard error (or of standard
 * output when standard error is empty). A program that cannot be started fails the attempt.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * HealthCheck.command("systemctl", "is-active", "rosey-bot").attempts(3).every(Duration.ofSeconds(2))
 * }</pre>
 */
public final class CommandCheck implements HealthCheck {

    /** The run timeout of a check that does not set one. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Command command;
    private final Retry retry;

    private CommandCheck(String name, Command command, Retry retry) {
        this.name = name;
        this.command = command;
        this.retry = retry;
    }

    static CommandCheck of(String... argv) {
        if (argv == null) {
            throw new IllegalArgumentException("command check: expected a program and its arguments, found null; give "
                    + "them such as HealthCheck.command(\"systemctl\", \"is-active\", \"app\")");
        }
        return new CommandCheck(null, Command.of(Arrays.asList(argv)).timeout(DEFAULT_ATTEMPT_TIMEOUT), Retry.ONCE);
    }

    /** The check's name: by default {@code command} and the argv. */
    @Override
    public String name() {
        return name != null ? name : "command " + command.display();
    }

    @Override
    public Retry retry() {
        return retry;
    }

    /** This check giving each run at most {@code limit} (positive); 60 s by default. */
    public CommandCheck attemptTimeout(Duration limit) {
        return new CommandCheck(name, command.timeout(Texts.requirePositive(limit,
                "command check '" + name() + "': attemptTimeout")), retry);
    }

    @Override
    public CommandCheck named(String newName) {
        return new CommandCheck(Texts.requireName(newName), command, retry);
    }

    @Override
    public CommandCheck attempts(int n) {
        return new CommandCheck(name, command, retry.withAttempts(n));
    }

    @Override
    public CommandCheck every(Duration interval) {
        return new CommandCheck(name, command, retry.withInterval(interval));
    }

    @Override
    public CommandCheck timeout(Duration timeout) {
        return new CommandCheck(name, command, retry.withTimeout(timeout));
    }

    /** Runs the command up to the given number of times on the plan's host, recording each exit. */
    @Override
    public CheckResult run(StepContext ctx) throws Exception {
        return Attempts.run(ctx, name(), retry, command.timeout(), limit -> {
            CommandResult r = ctx.host().run(command.timeout(limit));
            if (r.timedOut()) {
                return Attempts.Seen.fail("killed after its timeout of " + Durations.compact(limit) + tail(r));
            }
            if (r.exitCode() == 0) {
                return Attempts.Seen.pass("exit 0" + (r.stdout().isBlank() ? "" : ": " + Texts.tail(r.stdout())));
            }
            return Attempts.Seen.fail("exit " + r.exitCode() + tail(r) + "; expected exit 0");
        });
    }

    private static String tail(CommandResult r) {
        String text = r.stderr().isBlank() ? r.stdout() : r.stderr();
        return text.isBlank() ? "" : ": " + Texts.tail(text);
    }

    /** The check in one line. */
    @Override
    public String toString() {
        return "CommandCheck[" + name() + ", " + retry + "]";
    }
}
