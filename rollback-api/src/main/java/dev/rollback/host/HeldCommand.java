package dev.rollback.host;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/** A command a host keeps running, its stdin open, until closed ({@link Host#hold}). */
public interface HeldCommand extends AutoCloseable {

    /** The next line the command printed on stdout, waiting up to timeout; empty if none came in time or it ended. */
    Optional<String> awaitLine(Duration timeout);

    /** Whether it still runs. */
    boolean isAlive();

    /** The exit status once it ended. */
    OptionalInt exitStatus();

    /** What it printed on stderr so far. */
    String stderr();

    /** Closes its stdin and ends it; idempotent. */
    @Override
    void close();
}
