package dev.rollback;

import dev.rollback.store.RollbackInProgressException;

import dev.rollback.internal.engine.Engine;
import dev.rollback.internal.engine.PlanSpec;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.Target;
import java.util.List;
import java.util.Objects;

/**
 * A rollback runbook as code: the targets, the order, the checks that prove recovery, the failure
 * policy and the time budget. Built with {@link Rollback#plan(String)}; see {@link
 * RollbackPlanBuilder} for the order in which a rollback runs.
 *
 * <pre>{@code
 * RestorePoint before = plan.capture("v2.0.0");       // before the deploy
 * RollbackPreview preview = plan.preview(before);      // what a rollback would do; changes nothing
 * RollbackReport report = plan.rollback(before);       // or plan.rollback(before, only("backend"))
 * if (!report.isSuccessful()) { page(report.toMarkdown()); }
 * plan.undo(report);                                   // a rollback is itself reversible
 * }</pre>
 *
 * <p>Immutable and thread-safe. Captures, rollbacks and deletions of one plan never run at the
 * same time: a lock in the store refuses a second one, in this process or another.
 */
public final class RollbackPlan {

    /** What the plan says, as its builder made it; the engine reads only this. */
    final PlanSpec spec;
    final Engine engine;

    RollbackPlan(PlanSpec spec) {
        this.spec = spec;
        this.engine = new Engine(spec);
    }

    /** The plan's name. */
    public String name() {
        return spec.name();
    }

    /** The names of the plan's targets, in the order they are restored. */
    public List<String> targets() {
        return spec.targetNames();
    }

    /** The store that keeps the plan's restore points, journals and reports. */
    public RestorePointStore store() {
        return spec.store();
    }

    /** The host the plan works on. */
    public dev.rollback.host.Host host() {
        return spec.host();
    }

    /** The failure policy in force. */
    public FailurePolicy failurePolicy() {
        return spec.policy();
    }

    /** The plan's restore points, oldest first. */
    public List<RestorePoint> restorePoints() {
        return spec.store().list(spec.name());
    }

    /**
     * What happened to the plan, as every operator sees it, oldest first: each capture, rollback, undo, resume,
     * point marked bad or deleted, and lock broken, with who (user@machine) and when. In a store shared with the
     * team ({@link RestorePointStore#sharedWith}) it is the team's history, read from any machine.
     */
    public List<HistoryEntry> activity() {
        return spec.store().activity(spec.name());
    }

    /**
     * Takes the plan's lock away from a holder that cannot give it back (its machine is gone, its connection hangs),
     * deliberately: the holder's hold is ended where the store can end it (its process on the server, its database
     * session) and the break is recorded in {@link #activity()} with {@code why}. A lock on this machine is never
     * stale (the kernel frees it when its holder ends), so a live holder here is refused.
     *
     * @param why why, recorded in the history
     * @return the holder that was removed, or empty if the lock was free
     * @throws RollbackInProgressException if the holder is a live process on this machine, or cannot be ended
     */
    public java.util.Optional<dev.rollback.store.LockOwner> breakLock(String why) {
        return spec.writer().breakLock(spec.name(), why);
    }

    /**
     * The plan's reports, newest first: every rollback and undo, every watch ({@link Watchdog}) and every drill
     * ({@link Drill}), each with its outcome and time to recover; {@link Report#summary()} reads as one line, {@link
     * Report#table} as a Markdown table. In a store shared with the team ({@link RestorePointStore#sharedWith}) it is
     * the team's, read from any machine.
     */
    public List<Report> history() {
        return spec.store().history(spec.name());
    }

    /**
     * Keeps the last {@code keep} of the plan's {@link #history()} (by the plan's clock) and deletes the reports that
     * finished before it, with {@link RestorePointStore#pruneHistory}: the newest rollback's report stays whatever
     * its age. For example {@code plan.pruneHistory(Duration.ofDays(90))} after each deploy.
     *
     * @return the reports deleted, newest first
     * @throws IllegalArgumentException if {@code keep} is negative
     */
    public List<Report> pruneHistory(java.time.Duration keep) {
        Objects.requireNonNull(keep, "keep");
        if (keep.isNegative()) {
            throw new IllegalArgumentException("pruneHistory of plan '" + spec.name() + "': expected how long to "
                    + "keep the history (zero or more), found " + keep + "; give for example Duration.ofDays(90)");
        }
        return spec.store().pruneHistory(spec.name(), spec.clock().instant().minus(keep));
    }

    /** The reports of the plan's rollbacks and undoes alone, newest first: the rollbacks of {@link #history()}. */
    public List<RollbackReport> rollbacks() {
        return spec.store().rollbacks(spec.name());
    }

    /**
     * Captures the state of every target into a new restore point, before a deploy. The point is
     * stored complete or not at all; if one target fails, nothing is stored. An unfinished point a
     * killed capture of this plan left behind (its artifacts in the store, and on the plan's host)
     * is removed first, unless an interrupted rollback will resume with it. What a target keeps
     * outside the store for such a point (a clone database) is not known to the engine and stays.
     *
     * @param label the release or reason, such as {@code v2.0.0}
     * @throws CaptureFailedException naming the target that failed
     * @throws RollbackInProgressException if a rollback of the plan is running
     */
    public RestorePoint capture(String label) {
        return engine.capture(label);
    }

    /**
     * Deletes a restore point of the plan: its manifest and artifacts in the store, its artifact
     * folders on the plan's host when it keeps them there, and what its targets keep outside the
     * store for it ({@link Target#release}, such as a clone database). A target that cannot release
     * does not keep the point: its failure is logged, sent to the listeners as {@link
     * RollbackEvent.Type#RELEASE_FAILED} and returned.
     *
     * @return one problem per target that could not release what it keeps; empty when all did
     * @throws InvalidPlanException if the point belongs to another plan
     * @throws RollbackInProgressException if an unfinished rollback uses the point
     */
    public List<Problem> delete(RestorePoint point) {
        return engine.delete(point);
    }

    /**
     * Every action a rollback to {@code point} would take, in order, with every problem preflight
     * would raise. Changes nothing.
     */
    public RollbackPreview preview(RestorePoint point) {
        return preview(point, Scope.all());
    }

    /** Like {@link #preview(RestorePoint)}, for a partial rollback. */
    public RollbackPreview preview(RestorePoint point, Scope scope) {
        Objects.requireNonNull(point, "restore point");
        List<String> names = resolve(scope);
        return engine.preview(point, names);
    }

    /**
     * Rolls every target back to {@code point}. Preflight problems throw before anything changes;
     * failures after that are reported, not thrown.
     *
     * @throws PreflightFailedException listing every problem found before any change
     * @throws RollbackInProgressException if a rollback of the plan is running or unfinished
     */
    public RollbackReport rollback(RestorePoint point) {
        return rollback(point, Scope.all());
    }

    /**
     * Rolls the targets in {@code scope} back to {@code point}; the others are left as they are.
     *
     * @throws InvalidPlanException if the scope names a target the plan does not have
     */
    public RollbackReport rollback(RestorePoint point, Scope scope) {
        Objects.requireNonNull(point, "restore point");
        List<String> names = resolve(scope);
        return engine.rollback(point, names);
    }

    /**
     * Undoes a rollback: brings back exactly the state it set aside (the failed state), for a
     * post-mortem or to retry the deploy. Like {@link #undo(RollbackReport, Undo)} with {@link
     * Undo#exactly()}: the plan's checks do not run.
     *
     * @throws InvalidPlanException if the rollback set nothing aside (it changed nothing)
     */
    public RollbackReport undo(RollbackReport report) {
        return undo(report, Undo.exactly());
    }

    /**
     * Undoes a rollback, an operation of its own: every target the rollback set aside restores
     * <i>everything</i> its set-aside recorded, whatever part the rollback restored (the whole
     * database with its data after {@code schemaOnly} or {@code onlyTables}, every file of a tree
     * after {@code onlyPaths}, every service of a stack after {@code services(..)}); then each
     * target is compared with that state (its own verify: checksums, row counts, revisions)
     * instead of running the plan's checks, which describe the good state and would fail on the
     * failed one. The report's outcome is {@link Outcome#FAILED_STATE_RESTORED} when every
     * comparison passed; {@link Undo#withPlanChecks()} runs the plan's checks as well, as
     * information only.
     *
     * <p>The order is a rollback's: stop steps, set-aside of the current (good) state, restores,
     * start steps, comparisons. A start step that fails is reported and nothing is undone (a failed
     * state may not start: that is what it was). Any other failure, or a comparison that fails,
     * puts every target already changed back to the state the undo started from, whatever the
     * plan's failure policy, compares it with that state, and ends {@link Outcome#PUT_BACK}: an
     * undo never ends between the two states.
     *
     * <pre>{@code
     * RollbackReport rollback = plan.rollback(before, only("db"));
     * RollbackReport undo = plan.undo(rollback);   // the failed state, exactly, for the post-mortem
     * assert undo.outcome() == Outcome.FAILED_STATE_RESTORED;
     * }</pre>
     *
     * @throws InvalidPlanException if the rollback set nothing aside (it changed nothing)
     * @throws PreflightFailedException listing every problem found before any change
     */
    public RollbackReport undo(RollbackReport report, Undo how) {
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(how, "how");
        if (!report.plan().equals(spec.name())) {
            throw new InvalidPlanException("undo: expected a report of plan '" + spec.name() + "', found one of plan '"
                    + report.plan() + "'; undo it with that plan");
        }
        if (report.setAsidePointId() == null) {
            throw new InvalidPlanException("undo of rollback " + report.rollbackId() + ": expected a set-aside "
                    + "restore point, found none because the rollback changed nothing; there is nothing to undo");
        }
        RestorePoint aside = spec.store().get(report.setAsidePointId());
        String[] held = aside.snapshots().stream().map(Snapshot::target).toArray(String[]::new);
        return engine.undo(aside, resolve(Scope.only(held)), how.planChecks());
    }

    /**
     * Finishes the plan's unfinished rollback: one left by a process that died, or halted by {@link
     * FailurePolicy#HALT}. Steps that ended are not run again; the step that was running is.
     *
     * @throws NothingToResumeException if the plan has no unfinished rollback
     */
    public RollbackReport resume() {
        return resume(Resume.finishing());
    }

    /** Resumes the plan's unfinished rollback as {@code how} says: finish, skip targets, undo, or abandon. */
    public RollbackReport resume(Resume how) {
        Objects.requireNonNull(how, "how");
        return engine.resume(how);
    }

    /** Checks that every name of the scope is a target of the plan, and returns them in plan order. */
    List<String> resolve(Scope scope) {
        Objects.requireNonNull(scope, "scope");
        if (scope.isAll()) {
            return targets();
        }
        List<String> unknown = scope.targets().stream().filter(t -> !spec.targets().containsKey(t)).toList();
        if (!unknown.isEmpty()) {
            throw new InvalidPlanException("plan '" + spec.name() + "': expected target names among " + spec.targets().keySet()
                    + ", found unknown " + unknown + "; nothing was changed, correct the names in only(...)");
        }
        return spec.targets().keySet().stream().filter(scope.targets()::contains).toList();
    }

    @Override
    public String toString() {
        return "RollbackPlan[" + spec.name() + ", targets " + spec.targets().keySet() + ", " + spec.policy() + ", "
                + spec.store() + "]";
    }
}
