package dev.rollback.spi;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What the engine gives a {@link Target} while it captures its state, before a deploy or when a
 * rollback sets the current state aside.
 *
 * <p>Implementations are supplied by the engine; they are used by one thread at a time.
 */
public interface CaptureContext extends TargetContext {

    /**
     * The id of the restore point being made: a target that keeps something outside the store (an
     * image tag, a clone) can name it after the point, and release it in {@link Target#release}.
     */
    String pointId();

    /**
     * The id of the rollback whose set-aside this capture is ({@link Target#setAside}); empty for a
     * capture before a deploy. The same rollback's restore and undo see it as {@link
     * RestoreContext#rollbackId()}, also after a resume, so a target can name now what its restore
     * will set aside later (the live database a restore renames away).
     */
    default Optional<String> rollbackId() {
        return Optional.empty();
    }

    /** The label of the restore point being made. */
    String label();

    /**
     * A folder, readable by the owner only, that belongs to this target inside the restore point
     * being written. Every regular file the target leaves in it becomes an {@link dev.rollback.spi.Artifact},
     * with its SHA-256 recorded when the capture ends.
     *
     * <p>The folder is on the plan's {@link #host()}: in the local store when the host shares this
     * process's files, in the plan's host store on a remote server (so a restore moves no data
     * between machines). Write into it through {@link #host()}, never with java.nio.
     */
    Path artifactDir();

    /**
     * The snapshot this target made in the plan's newest earlier restore point, if there is one: a
     * target may link unchanged files to that capture instead of copying them again.
     */
    Optional<Snapshot> previousSnapshot();

    /**
     * The artifact folder of {@link #previousSnapshot()} on the plan's host, if there is one there (a
     * snapshot kept on another host, or in the local store while the plan now runs on a remote
     * host, has none that a target could link to).
     */
    Optional<Path> previousArtifactDir();
}
