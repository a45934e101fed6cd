package dev.rollback;

import dev.rollback.spi.Names;

import dev.rollback.spi.Phase;

import dev.rollback.spi.Problem;

import dev.rollback.spi.Snapshot;

import dev.rollback.spi.StepContext;

import dev.rollback.spi.Check;

import dev.rollback.spi.Step;

import dev.rollback.internal.Heartbeat;
import dev.rollback.internal.Listeners;
import dev.rollback.internal.LocalMachine;
import dev.rollback.internal.PlanLock;
import dev.rollback.internal.Redactor;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Plural;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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

    final String name;
    final RestorePointStore store;
    final dev.rollback.host.Host host;
    final Map<String, Target> targets;
    final List<Step> stops;
    final List<Step> starts;
    final List<Check> checks;
    final Map<Phase, List<Step>> before;
    final Map<Phase, List<Step>> after;
    final Map<String, List<Step>> beforeTarget;
    final Map<String, List<Step>> afterTarget;
    final FailurePolicy policy;
    final Map<Phase, Duration> budgets;
    final Duration recoveryBudget;
    final int keepLast;
    final Path hostStore;
    final boolean copyArtifactsToStore;
    final ArtifactPlace artifacts;
    final Clock clock;
    final Sleeper sleeper;
    final Listeners listeners;
    final Redactor redactor;
    /** Progress of long steps, every two seconds. */
    final Heartbeat heartbeat = new Heartbeat();
    final boolean acceptDataLoss;

    RollbackPlan(RollbackPlanBuilder b) {
        this.name = b.name;
        this.store = b.store;
        this.host = b.host;
        this.targets = Collections.unmodifiableMap(new LinkedHashMap<>(b.targets));
        this.stops = List.copyOf(b.stops);
        this.starts = List.copyOf(b.starts);
        this.checks = List.copyOf(b.checks);
        this.before = copy(b.before);
        this.after = copy(b.after);
        this.beforeTarget = copyByName(b.beforeTarget);
        this.afterTarget = copyByName(b.afterTarget);
        this.policy = b.policy;
        this.budgets = Collections.unmodifiableMap(new EnumMap<>(b.budgets));
        this.recoveryBudget = b.recoveryBudget;
        this.keepLast = b.keepLast;
        this.hostStore = b.hostStore;
        this.copyArtifactsToStore = b.copyArtifactsToStore;
        this.artifacts = new ArtifactPlace(this);
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        this.listeners = new Listeners(b.listeners);
        Set<String> secrets = new LinkedHashSet<>(b.secrets);
        b.targets.values().forEach(t -> secrets.addAll(t.secrets()));
        this.redactor = new Redactor(secrets);
        this.acceptDataLoss = b.acceptDataLoss;
    }

    /** The plan's name. */
    public String name() {
        return name;
    }

    /** The names of the plan's targets, in the order they are restored. */
    public List<String> targets() {
        return List.copyOf(targets.keySet());
    }

    /** The store that keeps the plan's restore points, journals and reports. */
    public RestorePointStore store() {
        return store;
    }

    /** The host the plan works on. */
    public dev.rollback.host.Host host() {
        return host;
    }

    /** The failure policy in force. */
    public FailurePolicy failurePolicy() {
        return policy;
    }

    /** The plan's restore points, oldest first. */
    public List<RestorePoint> restorePoints() {
        return store.list(name);
    }

    /** The reports of the plan's past rollbacks, oldest first. */
    public List<RollbackReport> history() {
        return store.history(name);
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
    @SuppressWarnings("try") // the lock is held for the body's duration, never referenced
    public RestorePoint capture(String label) {
        Names.requireText(label, "restore point label");
        String id = store.newId();
        try (PlanLock lock = PlanLock.acquire(store.locks(), name,
                new PlanLock.Owner(LocalMachine.pid(), LocalMachine.name(), "capture", null, clock.instant()))) {
            for (String abandoned : store.removeAbandoned(name)) {
                artifacts.abandon(abandoned);
            }
            Optional<RestorePoint> previous = store.latest(name);
            RestorePointStore.Pending pending = store.begin(name, id);
            List<Snapshot> snapshots = new ArrayList<>();
            RestorePoint point;
            try {
                for (Target t : targets.values()) {
                    snapshots.add(captureTarget(t, pending, label, previous, Optional.empty()));
                }
                // a manifest that cannot be written (a full disk) leaves nothing half-stored either
                point = store.commit(pending, new RestorePoint(id, name, label, clock.instant(),
                        LocalMachine.name(), RestorePoint.Origin.CAPTURE, null, snapshots, null));
            } catch (RuntimeException e) {
                artifacts.abort(pending);
                store.abort(pending);
                throw e;
            }
            listeners.emit(RollbackEvent.captured(name, id, clock.instant(),
                    "captured restore point " + id + " '" + label + "' of " + Plural.of(snapshots.size(), "target")));
            if (keepLast > 0) {
                store.retainLocked(name, keepLast, p -> {
                    artifacts.deleteOnHost(p);
                    release(p);
                });
            }
            return point;
        }
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
        Objects.requireNonNull(point, "restore point");
        if (!point.plan().equals(name)) {
            throw new InvalidPlanException("delete restore point " + point.id() + ": expected a point of plan '" + name
                    + "', found one of plan '" + point.plan() + "'; delete it with that plan");
        }
        List<Problem> problems = new ArrayList<>();
        store.delete(point.id(), p -> {
            artifacts.deleteOnHost(p);
            problems.addAll(release(p));
        });
        return List.copyOf(problems);
    }

    /**
     * Asks each target of the plan that has a snapshot in {@code point} to release what it keeps
     * outside the store; a failure is logged and emitted, never thrown, so the others still run.
     */
    private List<Problem> release(RestorePoint point) {
        List<Problem> problems = new ArrayList<>();
        for (Snapshot s : point.snapshots()) {
            Target t = targets.get(s.target());
            if (t == null) {
                continue; // the plan no longer has this target: nothing knows what it kept
            }
            dev.rollback.spi.ReleaseContext ctx = new dev.rollback.spi.ReleaseContext() {
                @Override
                public String plan() {
                    return name;
                }

                @Override
                public RestorePoint point() {
                    return point;
                }

                @Override
                public dev.rollback.host.Host host() {
                    return host;
                }

                @Override
                public Clock clock() {
                    return clock;
                }

                @Override
                public void progress(String message) {
                    listeners.emit(RollbackEvent.progress(name, point.id(), clock.instant(), null, "release " + t.name(),
                            t.name(), redactor.redact(message)));
                }
            };
            try {
                t.release(s, ctx);
            } catch (Exception e) {
                Problem p = Problem.of(t.name(), "what it keeps outside the store for restore point " + point.id()
                        + " released", redactor.describe(e), "the point was deleted all the same; remove what is left "
                        + "by hand as the message says");
                problems.add(p);
                listeners.emit(RollbackEvent.releaseFailed(name, point.id(), clock.instant(), t.name(),
                        "target '" + t.name() + "': expected " + p.expected()
                        + ", found " + p.found() + "; " + p.action()));
            }
        }
        return problems;
    }

    /** Captures one target into a pending point; used by capture and by the set-aside phase. */
    Snapshot captureTarget(Target t, RestorePointStore.Pending pending, String label,
            Optional<RestorePoint> previous, Optional<String> rollbackId) {
        boolean setAside = rollbackId.isPresent();
        Path dir = artifacts.prepare(pending, t.name());
        Optional<Snapshot> prevSnapshot = previous.flatMap(p -> p.snapshot(t.name()));
        CaptureContext ctx = new CaptureContext() {
            @Override
            public String plan() {
                return name;
            }

            @Override
            public String label() {
                return label;
            }

            @Override
            public Path artifactDir() {
                return dir;
            }

            @Override
            public String pointId() {
                return pending.id();
            }

            @Override
            public Optional<String> rollbackId() {
                return rollbackId;
            }

            @Override
            public dev.rollback.host.Host host() {
                return host;
            }

            @Override
            public Optional<Snapshot> previousSnapshot() {
                return prevSnapshot;
            }

            @Override
            public Optional<Path> previousArtifactDir() {
                return artifacts.previousDir(previous, t.name());
            }

            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public void progress(String message) {
                listeners.emit(RollbackEvent.progress(name, pending.id(), clock.instant(),
                        setAside ? Phase.SET_ASIDE : null, (setAside ? "set aside " : "capture ") + t.name(), t.name(),
                        redactor.redact(message)));
            }
        };
        Snapshot data;
        try (Heartbeat.Watch watch = heartbeat.watch(ctx::progress)) {
            data = setAside ? t.setAside(ctx) : t.capture(ctx);
        } catch (Exception e) {
            throw new CaptureFailedException((setAside ? "set-aside" : "capture") + " of target '" + t.name()
                    + "' of plan '" + name + "' failed: " + redactor.describe(e) + "; "
                    + (setAside ? "the target was not changed" : "no restore point was stored")
                    + "; fix the cause and try again", e, t.name());
        }
        if (data == null) {
            throw new CaptureFailedException("target '" + t.name() + "': expected a snapshot from "
                    + (setAside ? "setAside" : "capture") + ", found null; the target must return Snapshot.of(...)",
                    null, t.name());
        }
        try {
            return artifacts.complete(data, t.name(), t.kind(), pending, dir, previous);
        } catch (dev.rollback.host.HostException e) {
            throw new CaptureFailedException("capture of target '" + t.name() + "' of plan '" + name + "': its artifacts "
                    + "could not be recorded: " + redactor.describe(e) + "; fix the cause and try again", e, t.name());
        }
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
        return new RollbackRun(this, point, names).preview();
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
        return new RollbackRun(this, point, names).run();
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
        if (!report.plan().equals(name)) {
            throw new InvalidPlanException("undo: expected a report of plan '" + name + "', found one of plan '"
                    + report.plan() + "'; undo it with that plan");
        }
        if (report.setAsidePointId() == null) {
            throw new InvalidPlanException("undo of rollback " + report.rollbackId() + ": expected a set-aside "
                    + "restore point, found none because the rollback changed nothing; there is nothing to undo");
        }
        RestorePoint aside = store.get(report.setAsidePointId());
        String[] held = aside.snapshots().stream().map(Snapshot::target).toArray(String[]::new);
        return new RollbackRun(this, aside, resolve(Scope.only(held)), true, how.planChecks()).run();
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
        return RollbackRun.resume(this, how);
    }

    /**
     * The context of a check run outside a rollback, by a watch or a drill ({@code source}): the
     * plan's host, clock and sleeper, phase VERIFY, its progress sent to the plan's listeners under
     * {@code runId}.
     */
    StepContext checkContext(String runId, String source, RestorePoint point) {
        return new StepContext() {
            @Override
            public String plan() {
                return name;
            }

            @Override
            public String rollbackId() {
                return runId;
            }

            @Override
            public RestorePoint point() {
                return point;
            }

            @Override
            public Phase phase() {
                return Phase.VERIFY;
            }

            @Override
            public dev.rollback.host.Host host() {
                return host;
            }

            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                sleeper.sleep(duration);
            }

            @Override
            public void progress(String message) {
                listeners.emit(RollbackEvent.progress(name, runId, clock.instant(), Phase.VERIFY, source, null,
                        redactor.redact(message)));
            }
        };
    }

    /** Checks that every name of the scope is a target of the plan, and returns them in plan order. */
    List<String> resolve(Scope scope) {
        Objects.requireNonNull(scope, "scope");
        if (scope.isAll()) {
            return targets();
        }
        List<String> unknown = scope.targets().stream().filter(t -> !targets.containsKey(t)).toList();
        if (!unknown.isEmpty()) {
            throw new InvalidPlanException("plan '" + name + "': expected target names among " + targets.keySet()
                    + ", found unknown " + unknown + "; nothing was changed, correct the names in only(...)");
        }
        return targets.keySet().stream().filter(scope.targets()::contains).toList();
    }

    private static Map<Phase, List<Step>> copy(Map<Phase, List<Step>> in) {
        Map<Phase, List<Step>> out = new EnumMap<>(Phase.class);
        in.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, List<Step>> copyByName(Map<String, List<Step>> in) {
        Map<String, List<Step>> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return "RollbackPlan[" + name + ", targets " + targets.keySet() + ", " + policy + ", " + store + "]";
    }
}
