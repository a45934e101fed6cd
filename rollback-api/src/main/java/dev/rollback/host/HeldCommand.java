package dev.rollback.host;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A command kept running by {@link Host#hold(Command)}, its standard input open, until this handle
 * is closed. It is meant for a process whose life is the holder's: a lock taken with {@code flock}
 * that the command keeps while it reads its standard input ({@code exec cat}) ends, and frees the
 * lock, as soon as its input ends, which happens when this handle is closed, when the holder's
 * process or machine dies, or when the connection to the server is lost.
 *
 * <p>Thread-safe: one thread may wait for lines while another checks {@link #isAlive()} or closes
 * it. Lines are handed out once each, in order, to whichever caller asks first.
 *
 * <pre>{@code
 * Command lock = Command.of("flock", "-n", "-E", "75", "/var/lock/app.deploy",
 *         "sh", "-c", "echo held; exec cat");
 * try (HeldCommand held = host.hold(lock)) {
 *     if (!held.awaitLine(Duration.ofSeconds(10)).equals(Optional.of("held"))) {
 *         throw new IllegalStateException("the lock is taken: " + held.exitStatus() + " " + held.stderr());
 *     }
 *     // ... work while the lock is held; check held.isAlive() before each step
 * }
 * }</pre>
 */
public interface HeldCommand extends AutoCloseable {

    /** How long {@link #close()} waits for the command to end by itself before it kills it. */
    Duration GRACE = Duration.ofSeconds(2);

    /**
     * The next line the command printed on standard output (without its line end), waiting up to
     * {@code timeout}; empty if none came in time or the command ended (or its connection was
     * lost) without printing another. Lines printed before it ended are still handed out after it
     * ended.
     */
    Optional<String> awaitLine(Duration timeout);

    /**
     * Whether the command still runs, as far as this side knows: false once it ended, was closed,
     * or its connection to the server was lost (then whatever it held must be taken as lost too).
     */
    boolean isAlive();

    /**
     * The exit status once it ended: its exit code, or 128 plus the number of the signal that
     * killed it; empty while it runs, and when its connection was lost before the status came.
     */
    OptionalInt exitStatus();

    /** What it printed on standard error so far, at most the last 64 KiB of it, as UTF-8. */
    String stderr();

    /**
     * Closes the command's standard input and, if it has not ended within {@link #GRACE}, kills it
     * and every process below it. Idempotent; never throws (a command that cannot be reached any
     * more is left to the end of its connection).
     */
    @Override
    void close();
}
