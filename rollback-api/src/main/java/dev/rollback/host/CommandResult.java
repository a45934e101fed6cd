package dev.rollback.host;

import java.time.Duration;
import java.util.Objects;

/**
 * How a command ended on a host: its exit code, what it printed, how long it took, and whether it
 * was killed for running past its timeout.
 *
 * <p>Immutable and thread-safe.
 *
 * @param command the command as displayed (argv only, never the environment)
 * @param host the host's name
 * @param exitCode the exit code; meaningless when {@code timedOut}
 * @param stdout standard output, UTF-8
 * @param stderr standard error, UTF-8
 * @param duration how long it ran
 * @param timedOut whether it was killed, with its children, at its timeout
 */
public record CommandResult(String command, String host, int exitCode, String stdout, String stderr, Duration duration,
        boolean timedOut) {

    /** Validates the parts. */
    public CommandResult {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(host, "host");
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
        Objects.requireNonNull(duration, "duration");
    }

    /** Whether the command exited 0 within its timeout. */
    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }

    /**
     * This result, if the command succeeded.
     *
     * @throws CommandFailedException naming the command, the host, the exit code and the end of
     *     standard error
     */
    public CommandResult requireSuccess() {
        if (!succeeded()) {
            throw new CommandFailedException(this);
        }
        return this;
    }

    /** A one-line account: the command, and how it ended. */
    public String describe() {
        String how = timedOut ? "was killed after its timeout of " + duration.toSeconds() + " s"
                : "exited " + exitCode;
        String err = tail(stderr.isBlank() ? stdout : stderr);
        return "'" + command + "' on " + host + " " + how + (err.isEmpty() ? "" : ": " + err);
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() <= 500 ? t : "..." + t.substring(t.length() - 500);
    }
}
