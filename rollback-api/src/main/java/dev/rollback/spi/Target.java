package dev.rollback.spi;

import java.util.List;
import java.util.Set;

/**
 * One thing that can be captured and put back: a git working tree, a database, a set of config
 * files, a container service, a directory. Every module adds its targets through this interface,
 * and so can a user: a CDN, a feature-flag service.
 *
 * <p>The engine calls a target in this order during a rollback: {@link #preflight} and {@link
 * #plan} (no changes), {@link #setAside} (save the current state), {@link #restore}, then {@link
 * #verify}. A restore must be repeatable: after a crash the engine runs it again from the start.
 * When a restore point is deleted, the engine calls {@link #release} for each snapshot it holds.
 *
 * <p>Implementations must be immutable or thread-safe: one target may serve several plans. Methods
 * may throw any exception; the engine records it against the target and applies the plan's failure
 * policy. Messages should name what was expected, what was found, and what to do.
 *
 * <pre>{@code
 * final class FlagTarget implements Target {
 *     public String name() { return "flags"; }
 *     public TargetKind kind() { return TargetKind.CONFIG; }
 *     public Snapshot capture(CaptureContext ctx) { return Snapshot.of(Map.of("version", flags.version())); }
 *     public List<String> plan(Snapshot s, RestoreContext ctx) {
 *         return List.of("set flag version " + flags.version() + " -> " + s.require("version"));
 *     }
 *     public void restore(Snapshot s, RestoreContext ctx) { flags.activate(s.require("version")); }
 * }
 * }</pre>
 */
public interface Target {

    /**
     * The name of the target, unique in its plan: letters, digits, {@code . _ -}, at most 64
     * characters, starting with a letter or digit.
     */
    String name();

    /** What kind of thing this target puts back. */
    TargetKind kind();

    /**
     * Records the current state. Data goes into the returned snapshot; files go into {@link
     * CaptureContext#artifactDir()}.
     */
    Snapshot capture(CaptureContext ctx) throws Exception;

    /**
     * Saves the current (failed) state before a rollback overwrites it. By default the same as
     * {@link #capture}; a target may do something cheaper, such as moving a directory aside, as long
     * as restoring the returned snapshot brings the state back.
     */
    default Snapshot setAside(CaptureContext ctx) throws Exception {
        return capture(ctx);
    }

    /**
     * Everything that would stop a restore of {@code snapshot}, without changing anything: a tool
     * that is missing, a host that does not answer, a commit that does not exist. The engine has
     * already checked the artifacts' checksums.
     */
    default List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) throws Exception {
        return List.of();
    }

    /**
     * The data a restore of {@code snapshot} would destroy that was written after it (rows inserted
     * or changed, a new column's values), each marked accepted when the target or the plan ({@link
     * RestoreContext#dataLossAccepted()}) accepts losing it; no changes. The preview gathers every
     * target's into one list ({@link dev.rollback.RollbackPreview#dataAtRisk()}). By default none: a
     * target that cannot tell says nothing.
     */
    default List<dev.rollback.spi.DataAtRisk> dataAtRisk(Snapshot snapshot, RestoreContext ctx) throws Exception {
        return List.of();
    }

    /** The actions a restore of {@code snapshot} would take, as sentences a person can read; no changes. */
    List<String> plan(Snapshot snapshot, RestoreContext ctx) throws Exception;

    /** Puts the state recorded in {@code snapshot} back. Must be safe to run again after a crash. */
    void restore(Snapshot snapshot, RestoreContext ctx) throws Exception;

    /**
     * Checks that the restore worked. By default it passes with a note that the target has no check
     * of its own.
     */
    default CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws Exception {
        return CheckResult.passed("verify " + name(), "restored; the target has no check of its own");
    }

    /**
     * Releases what this target keeps outside the store for {@code snapshot}, whose restore point is
     * being deleted by {@link dev.rollback.RollbackPlan#delete} or by the plan's retention ({@link
     * dev.rollback.RollbackPlanBuilder#keepLast}): a clone database, a cloud snapshot. The store
     * deletes the point's own artifacts itself; by default there is nothing else to release.
     *
     * <p>Called once the point may be deleted (no unfinished rollback uses it) and before its folder
     * is removed. A failure is logged and reported (by {@code delete}'s result, and to the listeners
     * as {@link dev.rollback.RollbackEvent.Type#RELEASE_FAILED}) but never keeps the point, or any
     * other target's release, from going ahead: the message should say what is left and how to
     * remove it by hand. Must tolerate what is already gone (a clone a restore consumed) and must
     * touch only what {@code snapshot} names and this target made.
     */
    default void release(Snapshot snapshot, ReleaseContext ctx) throws Exception {
        // nothing outside the store
    }

    /**
     * Values that must never appear in logs or reports, such as passwords the target was given.
     * The engine masks them in every message it writes.
     */
    default Set<String> secrets() {
        return Set.of();
    }
}
