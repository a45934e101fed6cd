package dev.rollback.spi;

import dev.rollback.RestorePoint;
import dev.rollback.Snapshot;
import java.nio.file.Path;
import java.time.Clock;

/**
 * What the engine gives a {@link Target} while it plans, checks, restores and verifies.
 *
 * <p>Implementations are supplied by the engine; they are used by one thread at a time.
 */
public interface RestoreContext {

    /** The name of the plan. */
    String plan();

    /** The id of the running rollback, or {@code "preview"} while previewing. */
    String rollbackId();

    /** The restore point being rolled back to. */
    RestorePoint point();

    /**
     * The file of an artifact of {@code snapshot}. Its checksum was verified in preflight; the path
     * is inside the store and must be treated as read-only.
     *
     * @throws IllegalArgumentException if the snapshot has no artifact at {@code path}
     */
    Path artifact(Snapshot snapshot, String path);

    /** The folder holding all artifacts of {@code snapshot}: read-only. */
    Path artifactDir(Snapshot snapshot);

    /** The host the plan runs on: run commands and touch files through it, never directly. */
    dev.rollback.host.Host host();

    /** The clock of the plan. */
    Clock clock();

    /** Reports progress of a long step to the plan's listeners. */
    void progress(String message);
}
