package dev.rollback.spi;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What the engine gives a {@link Target} while it plans, checks, restores and verifies: everything
 * a {@link StepContext} has (the host, the clock, the sleeper, progress), so a target can run a
 * {@link dev.rollback.spi.Check} itself, and the artifacts of the restore point. While previewing, the
 * rollback id is {@code "preview"}.
 *
 * <p>Implementations are supplied by the engine; they are used by one thread at a time.
 */
public interface RestoreContext extends StepContext {

    /**
     * The file of an artifact of {@code snapshot}, on the plan's {@link #host()} (read it through the
     * host, never with java.nio). Its checksum was verified in preflight; the path is inside the
     * store (local, or the plan's host store on a remote server) and must be treated as read-only.
     *
     * @throws IllegalArgumentException if the snapshot has no artifact at {@code path}
     */
    Path artifact(Snapshot snapshot, String path);

    /** The folder holding all artifacts of {@code snapshot}, on the plan's host: read-only. */
    Path artifactDir(Snapshot snapshot);

    /**
     * Whether the snapshot being restored is a state set aside by a rollback (a put-back after a
     * failure, or an undo with {@link dev.rollback.RollbackPlan#undo}): then the target must put back
     * everything the snapshot recorded, whatever part it is configured to restore (some tables, the
     * schema only, some paths, some services), and verify it all. A set-aside records the whole
     * current state for this reason. True when {@link #point()} is a set-aside point.
     */
    default boolean restoresSetAside() {
        return point().isSetAside();
    }

    /**
     * What this rollback set aside of {@code target} (its {@link Target#setAside}) before any restore ran, once the
     * set-aside point is written: in restore and verify, also after a resume. A restore that fails after it changed
     * the target (objects dropped, files half written) puts that snapshot back itself, so that the target ends where
     * it started, never in between; a target may also restore with what it kept of the state it replaces (the
     * migration scripts of the release being rolled back). Its artifacts are read through {@link #artifact} and
     * {@link #artifactDir} of this context, as read-only files. Empty in preview and preflight, for a target not set
     * aside, and in a put-back or undo, whose snapshot is that state itself.
     */
    default Optional<Snapshot> setAside(String target) {
        return Optional.empty();
    }

    /**
     * Whether the plan accepts, for all its targets, that a rollback destroys data written after
     * the restore point ({@link dev.rollback.RollbackPlanBuilder#acceptDataLoss()}): a target that
     * refuses such a rollback unless told so goes ahead when either the plan or its own setting
     * says so.
     */
    default boolean dataLossAccepted() {
        return false;
    }

    /**
     * Gives an artifact of {@code snapshot} to a restore that moves it into place instead of copying
     * it (an O(1) rename), consuming the restore point: the engine first records beside it, durably,
     * that this rollback consumed it, then returns its file, which the target may move away (only
     * there, and only during its restore). The target may leave in the artifact's folder, under
     * another name, what its restore replaced, so that freeing it waits until the point is deleted.
     *
     * <p>A restore rerun after a crash calls it again: if this same rollback already moved the
     * artifact away, the returned file no longer exists and the target finds its work done (it
     * should check that the live state is the artifact, such as by its SHA-256). Afterwards the store's checks refuse the point with a
     * message naming this rollback, instead of reporting a missing or corrupted artifact. Only for a
     * target the user configured to consume its restore points: the current state is set aside
     * before, so the rollback stays undoable.
     *
     * @throws IllegalArgumentException if the snapshot has no artifact at {@code path}
     * @throws IllegalStateException outside the restore phase (in preview, preflight or verify), or
     *     if another rollback consumed the artifact
     */
    Path consume(Snapshot snapshot, String path);
}
