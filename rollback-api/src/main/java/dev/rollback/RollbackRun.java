package dev.rollback;

import dev.rollback.spi.InvalidSnapshotException;

import dev.rollback.spi.DataAtRisk;

import dev.rollback.spi.Phase;

import dev.rollback.spi.CheckAttempt;

import dev.rollback.spi.CheckResult;

import dev.rollback.spi.Problem;

import dev.rollback.spi.Artifact;

import dev.rollback.spi.Snapshot;

import dev.rollback.spi.StepContext;

import dev.rollback.spi.Check;

import dev.rollback.spi.Step;

import dev.rollback.error.RollbackException;

import dev.rollback.internal.Heartbeat;
import dev.rollback.internal.Journal;
import dev.rollback.internal.LocalMachine;
import dev.rollback.internal.PlanLock;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One rollback of a plan to a restore point: lays out its steps, runs them in order with the
 * journal, applies the failure policy, and writes the report. Not API; not thread-safe (one run per
 * thread, and the plan lock allows one per plan).
 *
 * <p>An undo ({@link #undoing}) is a run of its own kind, to the point an earlier rollback set
 * aside: its targets restore everything that point recorded ({@link RestoreContext#restoresSetAside}),
 * each is compared with it instead of the plan's checks (which describe the good state and run
 * only on request, as information), a failed start step is reported without undoing anything (the
 * failed state may not start), and any other failure, or a comparison that fails, puts back the
 * state the undo started from whatever the plan's policy: it never ends between the two.
 */
final class RollbackRun {

    /** What a step does. */
    enum Kind { PREFLIGHT, HOOK, STOP, SET_ASIDE, RESTORE, START, VERIFY_TARGET, CHECK, PUT_BACK, VERIFY_PUT_BACK }

    /** One step of the run, with what it acts on. */
    record Action(int index, Phase phase, Kind kind, String name, String target, Step step, Check check) {}

    private final RollbackPlan plan;
    private final RestorePoint point;
    private final List<String> scope;
    private final List<Action> actions;
    private final Clock clock;
    private final boolean undoing;
    private final boolean planChecks;
    private final FailurePolicy policy;

    private String rollbackId;
    private Journal journal;
    private final Map<Integer, StepRecord> records = new HashMap<>();
    private final List<StepRecord> undoRecords = new ArrayList<>();
    private final Map<String, TargetState> states = new LinkedHashMap<>();
    private final Map<String, String> notes = new HashMap<>();
    private final List<CheckResult> checkResults = new ArrayList<>();
    private final Map<Integer, Check> begunChecks = new HashMap<>();
    private final Map<Integer, Exception> beginFailures = new HashMap<>();
    private final List<String> errors = new ArrayList<>();
    private final Set<String> skipped = new HashSet<>();
    private final Set<String> notSetAside = new HashSet<>();
    private final Set<Phase> budgetWarned = EnumSet.noneOf(Phase.class);
    private final List<Snapshot> asideSnapshots = new ArrayList<>();
    private List<Snapshot> pushBack = List.of();
    private String pushedNote = "";
    private RestorePointStore.Pending asidePending;
    private RestorePoint asidePoint;
    /** The first failure to write the journal or the store during the run, if any. */
    private RollbackException storeFailure;
    private boolean storeFailureApplied;
    private boolean asideFailed;
    /** How many of the errors are those of the attempts before this resume. */
    private int earlierErrors;

    RollbackRun(RollbackPlan plan, RestorePoint point, List<String> scope) {
        this(plan, point, scope, false, true);
    }

    /**
     * A run to {@code point}; with {@code undoing}, an undo to the set-aside {@code point}, running
     * the plan's checks as information only when {@code planChecks}.
     */
    RollbackRun(RollbackPlan plan, RestorePoint point, List<String> scope, boolean undoing, boolean planChecks) {
        this.plan = plan;
        this.point = point;
        this.scope = List.copyOf(scope);
        this.clock = plan.clock;
        this.undoing = undoing;
        this.planChecks = planChecks;
        this.policy = undoing ? FailurePolicy.RESTORE_FAILED_STATE : plan.policy;
        this.actions = layOut(plan, this.scope, undoing, planChecks);
        for (String t : plan.targets.keySet()) {
            states.put(t, this.scope.contains(t) ? TargetState.UNCHANGED : TargetState.OUT_OF_SCOPE);
        }
    }

    // ---- the steps ------------------------------------------------------------------------------

    private static List<Action> layOut(RollbackPlan plan, List<String> scope, boolean undoing, boolean planChecks) {
        List<Action> out = new ArrayList<>();
        add(out, Phase.PREFLIGHT, Kind.PREFLIGHT, "preflight", null, null, null);
        hooks(out, plan, Phase.STOP, plan.before);
        plan.stops.forEach(s -> add(out, Phase.STOP, Kind.STOP, s.name(), null, s, null));
        hooks(out, plan, Phase.STOP, plan.after);
        hooks(out, plan, Phase.SET_ASIDE, plan.before);
        scope.forEach(t -> add(out, Phase.SET_ASIDE, Kind.SET_ASIDE, "set aside " + t, t, null, null));
        hooks(out, plan, Phase.SET_ASIDE, plan.after);
        hooks(out, plan, Phase.RESTORE, plan.before);
        for (String t : scope) {
            plan.beforeTarget.getOrDefault(t, List.of()).forEach(s -> add(out, Phase.RESTORE, Kind.HOOK, s.name(), t, s, null));
            add(out, Phase.RESTORE, Kind.RESTORE, (undoing ? "restore the failed state of " : "restore ") + t, t, null, null);
            plan.afterTarget.getOrDefault(t, List.of()).forEach(s -> add(out, Phase.RESTORE, Kind.HOOK, s.name(), t, s, null));
        }
        hooks(out, plan, Phase.RESTORE, plan.after);
        hooks(out, plan, Phase.START, plan.before);
        plan.starts.forEach(s -> add(out, Phase.START, Kind.START, s.name(), null, s, null));
        hooks(out, plan, Phase.START, plan.after);
        hooks(out, plan, Phase.VERIFY, plan.before);
        scope.forEach(t -> add(out, Phase.VERIFY, Kind.VERIFY_TARGET, (undoing ? "compare " + t + " with the state set aside"
                : "verify " + t), t, null, null));
        if (planChecks) {
            plan.checks.forEach(c -> add(out, Phase.VERIFY, Kind.CHECK, (undoing ? "check (information) " : "check ")
                    + c.name(), null, null, c));
        }
        hooks(out, plan, Phase.VERIFY, plan.after);
        return List.copyOf(out);
    }

    private static void hooks(List<Action> out, RollbackPlan plan, Phase phase, Map<Phase, List<Step>> hooks) {
        hooks.getOrDefault(phase, List.of()).forEach(s -> add(out, phase, Kind.HOOK, s.name(), null, s, null));
    }

    private static void add(List<Action> out, Phase phase, Kind kind, String name, String target, Step step, Check check) {
        out.add(new Action(out.size(), phase, kind, name, target, step, check));
    }

    // ---- preview and preflight -------------------------------------------------------------------

    RollbackPreview preview() {
        List<Problem> problems = new ArrayList<>(preflight("preview", false));
        RestoreContext ctx = restoreContext("preview", point, Phase.PREFLIGHT, "preview");
        List<PlannedStep> steps = new ArrayList<>();
        for (Action a : actions) {
            steps.add(new PlannedStep(a.index(), a.phase(), a.name(), a.target(), describe(a, ctx, problems)));
        }
        List<DataAtRisk> risk = new ArrayList<>();
        for (String t : scope) {
            Optional<Snapshot> s = point.snapshot(t);
            if (s.isEmpty() || pushBack.stream().anyMatch(x -> x.target().equals(t))) {
                continue;
            }
            try {
                List<DataAtRisk> own = plan.targets.get(t).dataAtRisk(s.get(), ctx);
                if (own != null) {
                    own.forEach(d -> risk.add(new DataAtRisk(d.target(), plan.redactor.redact(d.what()), d.accepted())));
                }
            } catch (Exception e) {
                problems.add(Problem.of(t, "to tell what data a restore would destroy", plan.redactor.describe(e),
                        "fix the target's state, then preview again"));
            }
        }
        return new RollbackPreview(plan.name, point.id(), point.label(), scope, steps, problems, risk);
    }

    private List<String> describe(Action a, RestoreContext ctx, List<Problem> problems) {
        return switch (a.kind()) {
            case PREFLIGHT -> pushBack.isEmpty()
                    ? List.of("check the restore point, its artifacts' checksums and every target")
                    : List.of("check the restore point, its artifacts' checksums and every target",
                            "push the local copy of the artifacts of " + pushBack.stream().map(Snapshot::target).toList()
                                    + " back to host " + plan.host.name() + ", where they are missing or damaged");
            case HOOK, STOP, START -> a.step().describe();
            case SET_ASIDE -> List.of("save the current state of '" + a.target() + "' into a new restore point");
            case RESTORE -> {
                Optional<Snapshot> s = point.snapshot(a.target());
                if (s.isEmpty()) {
                    yield List.of("(no snapshot of '" + a.target() + "' in this restore point)");
                }
                if (pushBack.stream().anyMatch(x -> x.target().equals(a.target()))) {
                    yield List.of("restore '" + a.target() + "' from its artifacts, once the local copy is pushed back "
                            + "to host " + plan.host.name());
                }
                try {
                    yield plan.targets.get(a.target()).plan(s.get(), ctx).stream().map(plan.redactor::redact).toList();
                } catch (Exception e) {
                    problems.add(Problem.of(a.target(), "a readable restore plan", plan.redactor.describe(e),
                            "fix the target's state, then preview again"));
                    yield List.of("(cannot plan: " + plan.redactor.describe(e) + ")");
                }
            }
            case VERIFY_TARGET -> undoing
                    ? List.of("compare '" + a.target() + "' with the state set aside in " + point.id() + " (its own "
                            + "comparison: checksums, row counts, revisions), all of it whatever part the undone "
                            + "rollback restored")
                    : List.of("verify that '" + a.target() + "' is back at " + point.label());
            case CHECK -> undoing
                    ? List.of("check: " + a.check().name() + " (information only: the plan's checks describe the good "
                            + "state, the outcome does not depend on them)")
                    : List.of("check: " + a.check().name());
            case PUT_BACK, VERIFY_PUT_BACK -> List.of();
        };
    }

    /**
     * Every problem that refuses a rollback. Changes nothing, except that with {@code repair} the
     * local copies of host artifacts found missing or damaged are pushed back to the host (into the
     * plan's host store, never the live system) once nothing else refuses the rollback, so that the
     * targets' own preflight reads them there; without it, those targets are not asked.
     */
    private List<Problem> preflight(String id, boolean repair) {
        List<Problem> problems = new ArrayList<>();
        String pointName = "restore point " + point.id();
        if (!point.plan().equals(plan.name)) {
            problems.add(Problem.of(pointName, "a point of plan '" + plan.name + "'", "a point of plan '" + point.plan() + "'",
                    "roll back with plan '" + point.plan() + "', or choose a point from plan.restorePoints()"));
        }
        if (point.isBad()) {
            problems.add(Problem.of(pointName, "a point not marked bad", "marked bad by " + point.bad().by() + " at "
                    + point.bad().at() + ": " + point.bad().reason(), "choose another point, such as store.latestGood(plan)"));
        }
        if (!Files.isDirectory(plan.store.pointDir(point.id()))) {
            problems.add(Problem.of(pointName, "its folder in store " + plan.store.root(), "none",
                    "use a point read from this plan's store"));
        } else {
            // the point in hand must be the one its sealed manifest records now
            try {
                RestorePoint stored = plan.store.get(point.id());
                if (!stored.snapshots().equals(point.snapshots()) || !stored.plan().equals(point.plan())) {
                    problems.add(Problem.of(pointName, "the snapshots its manifest "
                            + plan.store.pointDir(point.id()).resolve("manifest.json") + " records",
                            "a point in hand whose snapshots differ from them", "read the point again with "
                                    + "store.get(\"" + point.id() + "\") and check it before rolling back"));
                }
            } catch (RollbackException e) {
                problems.add(Problem.of(pointName, "an intact manifest", e.getMessage(),
                        "roll back to another restore point"));
            }
        }
        for (String t : scope) {
            Target target = plan.targets.get(t);
            Optional<Snapshot> s = point.snapshot(t);
            if (s.isEmpty()) {
                problems.add(Problem.of(t, "a snapshot of it in " + pointName, "snapshots of "
                        + point.snapshots().stream().map(Snapshot::target).toList() + " only",
                        "roll back only the targets the point holds with only(...), or capture a new point"));
                continue;
            }
            if (s.get().kind() != target.kind()) {
                problems.add(Problem.of(t, "a snapshot of kind " + target.kind(), "kind " + s.get().kind(),
                        "the plan's target changed since the capture; capture a new point"));
            }
        }
        ArtifactPlace.Check artifacts = plan.artifacts.verify(pointInScope());
        problems.addAll(artifacts.problems());
        pushBack = artifacts.pushBack();
        if (repair && problems.isEmpty()) {
            pushedNote = pushBack(pushBack);
        }
        if (problems.stream().noneMatch(p -> p.action().contains("corrupted") || p.found().startsWith("no such file"))) {
            RestoreContext ctx = restoreContext(id, point, Phase.PREFLIGHT, "preflight");
            for (String t : scope) {
                Optional<Snapshot> s = point.snapshot(t);
                if (s.isEmpty() || (!repair && pushBack.stream().anyMatch(x -> x.target().equals(t)))) {
                    continue;
                }
                try {
                    List<Problem> own = plan.targets.get(t).preflight(s.get(), ctx);
                    if (own != null) {
                        problems.addAll(own);
                    }
                } catch (InvalidSnapshotException e) {
                    problems.add(Problem.of(t, "field '" + e.field() + "' of its snapshot in "
                            + plan.store.pointDir(point.id()).resolve("manifest.json") + " to be usable",
                            e.getMessage(), "roll back to another restore point, or capture a new one"));
                } catch (Exception e) {
                    problems.add(Problem.of(t, "its preflight to pass", plan.redactor.describe(e),
                            "fix the cause, then try again"));
                }
            }
        }
        return problems.stream().map(p -> Problem.of(p.target(), plan.redactor.redact(p.expected()),
                plan.redactor.redact(p.found()), plan.redactor.redact(p.action()))).toList();
    }

    /**
     * Puts the local copies of damaged or missing host artifacts back on the host, before anything
     * else changes; returns a note for the preflight record.
     */
    private String pushBack(List<Snapshot> snapshots) {
        for (Snapshot s : snapshots) {
            plan.artifacts.pushBack(point, s, rollbackId);
            reportProgress(actions.get(0), "the artifacts of '"
                    + s.target() + "' on host " + plan.host.name() + " were missing or damaged: pushed back the copy "
                    + "kept in the local store");
        }
        return snapshots.isEmpty() ? "" : "; pushed the local copy of the artifacts of "
                + snapshots.stream().map(Snapshot::target).toList() + " back to host " + plan.host.name();
    }

    /** The restore point with only the snapshots of the targets in scope, for checksum checks. */
    private RestorePoint pointInScope() {
        return new RestorePoint(point.id(), point.plan(), point.label(), point.createdAt(), point.host(), point.origin(),
                point.rollbackId(), point.snapshots().stream().filter(s -> scope.contains(s.target())).toList(), null);
    }

    // ---- running ---------------------------------------------------------------------------------

    @SuppressWarnings("try") // the lock is held for the body's duration, never referenced
    RollbackReport run() {
        Instant started = clock.instant();
        rollbackId = "rb-" + plan.store.newId();
        try (PlanLock lock = PlanLock.acquire(plan.store.locks(), plan.name,
                new PlanLock.Owner(LocalMachine.pid(), LocalMachine.name(), rollbackId, point.id(), started))) {
            Optional<Journal> open = Journal.read(plan.store.journals(), plan.name);
            if (open.isPresent()) {
                Journal j = open.get();
                throw new RollbackInProgressException("plan '" + plan.name + "': expected no unfinished rollback, found "
                        + j.rollbackId() + " to restore point " + j.pointId() + " (" + j.status().name().toLowerCase()
                        + ", started " + j.startedAt() + "); finish it with plan.resume(), skip a target with "
                        + "plan.resume(Resume.skipping(\"name\")), put it back with plan.resume(Resume.undoing()), "
                        + "or give it up with plan.resume(Resume.abandoning())");
            }
            List<Problem> problems = preflight(rollbackId, true);
            if (!problems.isEmpty()) {
                throw new PreflightFailedException(plan.name, point.id(), problems);
            }
            String pushed = pushedNote;
            StepRecord pre = new StepRecord(0, Phase.PREFLIGHT, "preflight", null, started,
                    Duration.between(started, clock.instant()), StepStatus.SUCCEEDED,
                    "restore point " + point.id() + " and " + Plural.of(scope.size(), "target") + " checked" + pushed);
            records.put(0, pre);
            journal = new Journal(rollbackId, plan.name, point.id(), scope, policy, started, Journal.Status.RUNNING,
                    actions.stream().map(Action::name).toList(), List.of(pre), null, List.of(), false, List.of(), 0);
            journal.write(plan.store.journals());
            started((undoing ? "undo of rollback "
                    + point.rollbackId() + ": restore the failed state set aside in " + point.id() + ", "
                    : "to " + point.label() + " (" + point.id() + "), ") + (scope.equals(plan.targets()) ? "all targets"
                            : "only " + String.join(", ", scope)) + ", policy " + policy);
            return guarded(() -> runFrom(policy));
        }
    }

    @SuppressWarnings("try") // the lock is held for the body's duration, never referenced
    static RollbackReport resume(RollbackPlan plan, Resume how) {
        Instant now = plan.clock.instant();
        Journal j0 = Journal.read(plan.store.journals(), plan.name).orElseThrow(() -> new NothingToResumeException(
                "plan '" + plan.name + "': expected an unfinished rollback to resume, found none in "
                        + plan.store.root() + "; start a new one with plan.rollback(point)"));
        try (PlanLock lock = PlanLock.acquire(plan.store.locks(), plan.name,
                new PlanLock.Owner(LocalMachine.pid(), LocalMachine.name(), j0.rollbackId(), j0.pointId(), now))) {
            Journal j = Journal.read(plan.store.journals(), plan.name).orElseThrow(() -> new NothingToResumeException(
                    "plan '" + plan.name + "': the unfinished rollback " + j0.rollbackId() + " was finished meanwhile"));
            RestorePoint point = plan.store.get(j.pointId());
            for (String t : j.scope()) {
                if (!plan.targets.containsKey(t)) {
                    throw new InvalidPlanException("resume of rollback " + j.rollbackId() + ": expected the plan to have "
                            + "target '" + t + "', found only " + plan.targets.keySet()
                            + "; resume with the plan as it was when the rollback started");
                }
            }
            RollbackRun run = new RollbackRun(plan, point, j.scope());
            if (point.origin() == RestorePoint.Origin.SET_ASIDE && !run.stepNames().equals(j.stepNames())) {
                // an undo: its steps say whether it ran the plan's checks
                for (boolean checks : new boolean[] {false, true}) {
                    RollbackRun undo = new RollbackRun(plan, point, j.scope(), true, checks);
                    if (undo.stepNames().equals(j.stepNames())) {
                        run = undo;
                    }
                }
            }
            List<String> names = run.stepNames();
            if (!names.equals(j.stepNames())) {
                throw new InvalidPlanException("resume of rollback " + j.rollbackId() + ": expected the steps "
                        + j.stepNames() + ", found " + names + "; the plan changed since the rollback started; resume "
                        + "with the plan as it was, or give it up with Resume.abandoning()");
            }
            for (String t : how.skip()) {
                if (!j.scope().contains(t)) {
                    throw new InvalidPlanException("resume of rollback " + j.rollbackId() + ": expected skipped targets "
                            + "among " + j.scope() + ", found '" + t + "'; nothing was changed");
                }
            }
            return run.continueFrom(j, how);
        }
    }

    private List<String> stepNames() {
        return actions.stream().map(Action::name).toList();
    }

    private RollbackReport continueFrom(Journal j, Resume how) {
        rollbackId = j.rollbackId();
        journal = j.with(Journal.Status.RUNNING, j.errors(), j.resumed() + 1);
        errors.addAll(j.errors());
        earlierErrors = j.errors().size();
        for (StepRecord r : j.steps()) {
            if (r.index() < actions.size()) {
                Action a = actions.get(r.index());
                if (a.phase() != Phase.VERIFY || how.mode() == Resume.Mode.ABANDON) {
                    records.put(r.index(), r);
                    applyState(a, r);
                }
            } else {
                undoRecords.add(r);
            }
        }
        asideSnapshots.addAll(j.asideSnapshots());
        if (j.asidePointId() != null) {
            Optional<RestorePoint> committed = plan.store.find(j.asidePointId());
            if (committed.isPresent()) {
                asidePoint = committed.get();
                journal = journal.withAside(asideSnapshots, true);
            } else {
                asidePending = plan.store.reopen(plan.name, j.asidePointId());
            }
        }
        if (how.mode() == Resume.Mode.ABANDON) {
            errors.add("abandoned by the operator; nothing more was changed");
            return finish(Outcome.ABANDONED, true);
        }
        // an artifact this very rollback consumed before the crash is in place already, not missing
        ArtifactPlace.Check artifacts = plan.artifacts.verify(pointInScope(), rollbackId);
        if (!artifacts.problems().isEmpty()) {
            throw new PreflightFailedException(plan.name, point.id(), artifacts.problems());
        }
        pushBack(artifacts.pushBack());
        journal.write(plan.store.journals());
        started("resumed (" + how.mode().name().toLowerCase()
                + (how.skip().isEmpty() ? "" : ", skipping " + how.skip()) + ") to " + point.label());
        if (how.mode() == Resume.Mode.UNDO || j.status() == Journal.Status.UNDOING) {
            return guarded(() -> undo(j.status() == Journal.Status.RUNNING));
        }
        skipped.addAll(how.skip());
        return guarded(() -> runFrom(policy));
    }

    private RollbackReport runFrom(FailurePolicy policy) {
        beginChecks();
        for (Action a : actions) {
            StepRecord done = records.get(a.index());
            if (done != null && done.status().isSuccessful()) {
                continue;
            }
            if (a.phase().compareTo(Phase.RESTORE) >= 0 && !commitAside() && !storeFailureApplied) {
                // the state set aside is not in the store: nothing may be overwritten
                storeFailureApplied = true;
                switch (policy) {
                    case HALT:
                        return halt();
                    case RESTORE_FAILED_STATE:
                        return undo(false);
                    default:
                        // no restore ran (they wait for the commit), and none will: the half-stored state goes
                        plan.store.abort(asidePending);
                        notSetAside.addAll(scope);
                }
            }
            String blocked = blocked(a);
            if (blocked != null) {
                StepStatus status = a.target() != null && skipped.contains(a.target()) ? StepStatus.SKIPPED : StepStatus.NOT_RUN;
                StepRecord r = new StepRecord(a.index(), a.phase(), a.name(), a.target(), null, Duration.ZERO, status, blocked);
                record(a, r);
                if (storeFailure != null && !storeFailureApplied && policy != FailurePolicy.CONTINUE) {
                    storeFailureApplied = true;
                    return policy == FailurePolicy.HALT ? halt() : undo(false);
                }
                continue;
            }
            StepRecord r = execute(a);
            // a journal that cannot be written fails the run like a failed step: the policy decides
            boolean journalLost = storeFailure != null && !storeFailureApplied;
            storeFailureApplied |= journalLost;
            if ((r.status() == StepStatus.FAILED && stopsTheRun(a)) || journalLost) {
                switch (policy) {
                    case HALT:
                        return halt();
                    case RESTORE_FAILED_STATE:
                        return undo(false);
                    case CONTINUE:
                        if (a.kind() == Kind.SET_ASIDE && r.status() == StepStatus.FAILED) {
                            notSetAside.add(a.target());
                        }
                        break;
                    default:
                        throw new IllegalStateException("unknown policy " + policy);
                }
            }
        }
        if (undoing) {
            // every restore and every comparison passed: a failed start or check was reported as such
            return finish(Outcome.FAILED_STATE_RESTORED, true);
        }
        boolean stepFailed = allRecords().stream().anyMatch(r -> r.status() == StepStatus.FAILED && r.phase() != Phase.VERIFY);
        boolean checkFailed = allRecords().stream().anyMatch(r -> r.status() == StepStatus.FAILED && r.phase() == Phase.VERIFY);
        Outcome outcome = stepFailed ? Outcome.COMPLETED_WITH_ERRORS : checkFailed ? Outcome.VERIFICATION_FAILED : Outcome.SUCCEEDED;
        return finish(outcome, true);
    }

    /**
     * Whether a failure of {@code a} calls for the failure policy. In a rollback, every step but
     * the checks of the verify phase. In an undo, every step but those of the start phase (the
     * failed state may well not start or answer; that is reported, not undone) and the plan's
     * checks (information only); a target's comparison with the state set aside does: a target
     * that is not that state exactly must not stay so.
     */
    private boolean stopsTheRun(Action a) {
        if (!undoing) {
            return a.phase() != Phase.VERIFY;
        }
        return a.phase() != Phase.START && a.kind() != Kind.CHECK;
    }

    /** Why the action must not run, or null if it may. */
    private String blocked(Action a) {
        String t = a.target();
        if (t == null) {
            return null;
        }
        if (a.kind() != Kind.SET_ASIDE && skipped.contains(t)) {
            return "skipped by the operator: '" + t + "' was left as it was";
        }
        if (a.kind() != Kind.SET_ASIDE && notSetAside.contains(t)) {
            return "not run: the state of '" + t + "' could not be set aside, so it was not overwritten";
        }
        if (a.kind() == Kind.VERIFY_TARGET && states.get(t) != TargetState.RESTORED) {
            return "not run: '" + t + "' was not restored";
        }
        return null;
    }

    private StepRecord execute(Action a) {
        Instant start = clock.instant();
        stepStarted(a, start);
        StepStatus status;
        String detail;
        try (Heartbeat.Watch watch = plan.heartbeat.watch(line -> reportProgress(a, line))) {
            detail = perform(a);
            status = StepStatus.SUCCEEDED;
            if (a.kind() == Kind.VERIFY_TARGET || a.kind() == Kind.CHECK) {
                CheckResult last = checkResults.get(checkResults.size() - 1);
                status = last.passed() ? StepStatus.SUCCEEDED : StepStatus.FAILED;
            }
        } catch (Exception e) {
            status = StepStatus.FAILED;
            detail = plan.redactor.describe(e);
            if (a.kind() == Kind.CHECK || a.kind() == Kind.VERIFY_TARGET) {
                checkResults.add(new CheckResult(a.kind() == Kind.CHECK ? a.check().name() : a.name(), false,
                        detail, 1, Duration.between(start, clock.instant()), List.of()));
            }
        }
        Instant end = clock.instant();
        StepRecord r = new StepRecord(a.index(), a.phase(), a.name(), a.target(), start, Duration.between(start, end),
                status, plan.redactor.redact(detail));
        if (status == StepStatus.FAILED) {
            errors.add(a.name() + ": " + r.detail() + (undoing && !stopsTheRun(a) ? " (reported only: "
                    + (a.kind() == Kind.CHECK ? "the plan's checks are information in an undo" : "the failed state was "
                    + "restored all the same") + ")" : ""));
        }
        record(a, r);
        stepEnded(a, status, end, r.duration(), r.detail());
        checkBudget(a.phase());
        return r;
    }

    /** Lets every check note what it needs of the moment the rollback begins ({@link Check#begin}). */
    private void beginChecks() {
        for (Action a : actions) {
            if (a.kind() == Kind.CHECK) {
                try {
                    Check begun = a.check().begin(stepContext(a));
                    begunChecks.put(a.index(), begun == null ? a.check() : begun);
                } catch (Exception e) {
                    beginFailures.put(a.index(), e);
                }
            }
        }
    }

    /** Does the work of one action; returns the detail for the report. */
    private String perform(Action a) throws Exception {
        switch (a.kind()) {
            case HOOK, STOP, START -> {
                a.step().run(stepContext(a));
                return String.join("; ", a.step().describe());
            }
            case SET_ASIDE -> {
                if (asidePending == null) {
                    String id = plan.store.newId();
                    asidePending = plan.store.begin(plan.name, id);
                    journal = new Journal(journal.rollbackId(), journal.plan(), journal.pointId(), journal.scope(),
                            journal.policy(), journal.startedAt(), journal.status(), journal.stepNames(), journal.steps(),
                            id, asideSnapshots, false, journal.errors(), journal.resumed());
                    journal.write(plan.store.journals());
                }
                Target t = plan.targets.get(a.target());
                Snapshot s = plan.captureTarget(t, asidePending, asideLabel(), Optional.of(point), Optional.of(rollbackId));
                asideSnapshots.removeIf(x -> x.target().equals(t.name()));
                asideSnapshots.add(s);
                journal = journal.withAside(asideSnapshots, false);
                return "current state saved in restore point " + asidePending.id();
            }
            case RESTORE -> {
                Target t = plan.targets.get(a.target());
                t.restore(point.snapshot(t.name()).orElseThrow(), restoreContext(rollbackId, point, a.phase(), a.name()));
                return undoing ? "restored everything set aside in " + point.id() + " by rollback " + point.rollbackId()
                        : "restored to " + point.label() + " (" + point.id() + ")";
            }
            case VERIFY_TARGET -> {
                Target t = plan.targets.get(a.target());
                Instant start = clock.instant();
                CheckResult c = t.verify(point.snapshot(t.name()).orElseThrow(),
                        restoreContext(rollbackId, point, a.phase(), a.name()));
                if (c == null) {
                    c = CheckResult.failed(a.name(), "the target returned no result from verify()");
                }
                c = c.named(a.name(), Duration.between(start, clock.instant()));
                checkResults.add(redact(c));
                return c.detail();
            }
            case CHECK -> {
                Instant start = clock.instant();
                Exception notBegun = beginFailures.get(a.index());
                if (notBegun != null) {
                    throw notBegun;
                }
                CheckResult c = begunChecks.getOrDefault(a.index(), a.check()).run(stepContext(a));
                if (c == null) {
                    c = CheckResult.failed(a.check().name(), "the check returned no result");
                }
                c = c.named(a.check().name(), Duration.between(start, clock.instant()));
                checkResults.add(redact(c));
                return c.detail();
            }
            default -> throw new IllegalStateException("not a runnable step: " + a);
        }
    }

    /** The result with every text masked: checks echo bodies and output, which may hold secrets. */
    private CheckResult redact(CheckResult c) {
        List<CheckAttempt> history = c.history().stream().map(h -> new CheckAttempt(h.number(), h.at(), h.passed(),
                plan.redactor.redact(h.observed()), h.took())).toList();
        return new CheckResult(plan.redactor.redact(c.name()), c.passed(), plan.redactor.redact(c.detail()), c.attempts(),
                c.took(), history);
    }

    private String asideLabel() {
        return "state before rollback " + rollbackId + " to " + point.label();
    }

    /**
     * Stores the set-aside point, once, before the first restore. Returns false, the failure noted,
     * when the store cannot take it (a full disk): then nothing may be overwritten.
     */
    private boolean commitAside() {
        if (asidePending == null || asidePoint != null) {
            return true;
        }
        if (asideFailed) {
            return false;
        }
        List<Snapshot> ordered = new ArrayList<>();
        for (String t : scope) {
            asideSnapshots.stream().filter(s -> s.target().equals(t)).findFirst().ifPresent(ordered::add);
        }
        try {
            asidePoint = plan.store.commit(asidePending, new RestorePoint(asidePending.id(), plan.name, asideLabel(),
                    clock.instant(), LocalMachine.name(), RestorePoint.Origin.SET_ASIDE, rollbackId, ordered, null));
        } catch (RollbackException e) {
            asideFailed = true;
            storeFailed("store the state set aside in restore point " + asidePending.id(), e);
            return false;
        }
        journal = journal.withAside(ordered, true);
        writeJournal();
        return true;
    }

    /** Writes the journal; a failure (a full disk) is noted once and goes through the failure policy. */
    private void writeJournal() {
        try {
            journal.write(plan.store.journals());
        } catch (RollbackException e) {
            storeFailed("write the journal", e);
        }
    }

    private void storeFailed(String what, RollbackException e) {
        if (storeFailure == null) {
            storeFailure = e;
            errors.add("store: cannot " + what + ": " + plan.redactor.describe(e));
            reportProgress(null, "the store failed: cannot " + what
                    + ": " + e.getMessage() + "; the failure policy " + plan.policy + " decides what happens next");
        } else {
            org.slf4j.LoggerFactory.getLogger(RollbackRun.class).warn("plan '{}': rollback {}: cannot {} either: {}",
                    plan.name, rollbackId, what, plan.redactor.redact(e.getMessage()));
        }
    }

    /** Runs the plan's start steps again if a stop step ran and no start step did. */
    private void startAgainIfStopped(int next) {
        boolean stopRan = actions.stream().filter(a -> a.kind() == Kind.STOP).map(a -> records.get(a.index()))
                .anyMatch(r -> r != null && r.status() != StepStatus.NOT_RUN && r.status() != StepStatus.SKIPPED);
        boolean startRan = actions.stream().filter(a -> a.kind() == Kind.START).map(a -> records.get(a.index()))
                .anyMatch(r -> r != null && r.status() == StepStatus.SUCCEEDED);
        if (!stopRan || startRan) {
            return;
        }
        for (Step s : plan.starts) {
            StepRecord r = execute(new Action(next++, Phase.START, Kind.START, "start again: " + s.name(), null, s, null));
            if (r.status() == StepStatus.FAILED) {
                break;
            }
        }
    }

    /**
     * Runs the rest of the rollback; whatever escapes it (a fault the policy could not handle) ends
     * the run as halted with a report, after starting again the services its stop steps stopped.
     */
    private RollbackReport guarded(java.util.function.Supplier<RollbackReport> rest) {
        try {
            return rest.get();
        } catch (RuntimeException e) {
            if (journal == null) {
                throw e;
            }
            errors.add("the rollback stopped early: " + plan.redactor.describe(e));
            startAgainIfStopped(actions.size() + undoRecords.size());
            for (Action a : actions) {
                records.computeIfAbsent(a.index(), i -> new StepRecord(a.index(), a.phase(), a.name(), a.target(), null,
                        Duration.ZERO, StepStatus.NOT_RUN, "not run: the rollback stopped early"));
            }
            journal = journal.with(Journal.Status.HALTED, errors, journal.resumed());
            writeJournal();
            return finish(Outcome.HALTED, false);
        }
    }

    private void record(Action a, StepRecord r) {
        if (a.index() < actions.size() && a.kind() != Kind.PUT_BACK && a.kind() != Kind.VERIFY_PUT_BACK) {
            records.put(a.index(), r);
        } else {
            undoRecords.add(r);
        }
        applyState(a, r);
        journal = journal.withStep(r);
        if (a.phase() != Phase.VERIFY) {
            // a resumed rollback runs its checks again, so a verify step's record need not survive a crash
            writeJournal();
        }
    }

    private void applyState(Action a, StepRecord r) {
        String t = a.target();
        if (t == null) {
            return;
        }
        boolean ok = r.status() == StepStatus.SUCCEEDED;
        switch (a.kind()) {
            case SET_ASIDE -> {
                if (ok) {
                    states.put(t, TargetState.SET_ASIDE);
                }
            }
            case RESTORE -> {
                if (r.status() == StepStatus.SKIPPED) {
                    states.put(t, TargetState.SKIPPED);
                } else if (r.status() != StepStatus.NOT_RUN) {
                    states.put(t, ok ? TargetState.RESTORED : TargetState.RESTORE_FAILED);
                }
                if (!ok && r.status() != StepStatus.NOT_RUN) {
                    notes.put(t, r.detail());
                }
            }
            case VERIFY_TARGET -> {
                if (r.status() == StepStatus.SUCCEEDED || r.status() == StepStatus.FAILED) {
                    states.put(t, ok ? TargetState.VERIFIED : TargetState.VERIFY_FAILED);
                    if (undoing) {
                        notes.put(t, (ok ? "failed state restored, equal to the state set aside: "
                                : "not equal to the state set aside: ") + r.detail());
                    }
                }
            }
            case PUT_BACK -> {
                states.put(t, ok ? TargetState.PUT_BACK : TargetState.NEEDS_ATTENTION);
                if (!ok) {
                    notes.put(t, r.detail());
                } else if (undoing) {
                    notes.put(t, "the undo failed; put back to the state it started from (that of rollback "
                            + point.rollbackId() + "), set aside in " + (asidePoint == null ? "?" : asidePoint.id()));
                }
            }
            case VERIFY_PUT_BACK -> {
                if (!ok) {
                    states.put(t, TargetState.NEEDS_ATTENTION);
                    notes.put(t, r.detail());
                }
            }
            default -> {
                // hooks do not change a target's state
            }
        }
    }

    // ---- failure ---------------------------------------------------------------------------------

    private RollbackReport halt() {
        for (Action a : actions) {
            if (!records.containsKey(a.index())) {
                records.put(a.index(), new StepRecord(a.index(), a.phase(), a.name(), a.target(), null, Duration.ZERO,
                        StepStatus.NOT_RUN, "not run: the rollback halted"));
            }
        }
        journal = journal.with(Journal.Status.HALTED, errors, journal.resumed());
        writeJournal();
        return finish(Outcome.HALTED, false);
    }

    /**
     * Puts back every target whose restore started, in reverse order, from the state set aside, then
     * runs the start steps again if any stop step ran.
     */
    private RollbackReport undo(boolean resumedAfterCrash) {
        journal = journal.with(Journal.Status.UNDOING, errors, journal.resumed());
        writeJournal();
        if (!commitAside()) {
            // no restore ran (they wait for the commit): the half-stored state set aside only takes up space
            plan.store.abort(asidePending);
        }
        List<Action> touched = new ArrayList<>();
        Integer frontier = resumedAfterCrash ? actions.stream().map(Action::index)
                .filter(i -> !records.containsKey(i)).findFirst().orElse(null) : null;
        for (Action a : actions) {
            StepRecord r = records.get(a.index());
            boolean started = r != null && (r.status() == StepStatus.SUCCEEDED || r.status() == StepStatus.FAILED);
            if (a.kind() == Kind.RESTORE && (started || (frontier != null && frontier == a.index()))) {
                touched.add(a);
            }
        }
        undoRecords.clear();
        int next = actions.size();
        for (int i = touched.size() - 1; i >= 0; i--) {
            String t = touched.get(i).target();
            Action put = new Action(next++, Phase.RESTORE, Kind.PUT_BACK, "put back " + t, t, null, null);
            Optional<Snapshot> saved = asidePoint == null ? Optional.empty() : asidePoint.snapshot(t);
            if (saved.isEmpty()) {
                record(put, new StepRecord(put.index(), put.phase(), put.name(), t, clock.instant(), Duration.ZERO,
                        StepStatus.FAILED, "no set-aside state of '" + t + "' was found; restore it by hand"));
                continue;
            }
            Instant start = clock.instant();
            stepStarted(put, start);
            StepStatus status = StepStatus.SUCCEEDED;
            String detail = "put back the state set aside in restore point " + asidePoint.id();
            try {
                plan.targets.get(t).restore(saved.get(), restoreContext(rollbackId, asidePoint, Phase.RESTORE, put.name()));
            } catch (Exception e) {
                status = StepStatus.FAILED;
                detail = plan.redactor.describe(e);
                errors.add(put.name() + ": " + detail);
            }
            StepRecord r = new StepRecord(put.index(), put.phase(), put.name(), t, start,
                    Duration.between(start, clock.instant()), status, detail);
            record(put, r);
            stepEnded(put, status, clock.instant(), r.duration(), detail);
            if (undoing && status == StepStatus.SUCCEEDED) {
                next = comparePutBack(next, t, saved.get());
            }
        }
        boolean stopRan = actions.stream().filter(a -> a.kind() == Kind.STOP)
                .anyMatch(a -> records.containsKey(a.index()) || (frontier != null && frontier == a.index()));
        if (stopRan) {
            for (Step s : plan.starts) {
                Action again = new Action(next++, Phase.START, Kind.START, "start again: " + s.name(), null, s, null);
                StepRecord r = execute(again);
                if (r.status() == StepStatus.FAILED) {
                    break;
                }
            }
        }
        for (Action a : actions) {
            records.computeIfAbsent(a.index(), i -> new StepRecord(a.index(), a.phase(), a.name(), a.target(), null,
                    Duration.ZERO, StepStatus.NOT_RUN, "not run: the rollback was put back"));
        }
        boolean undoFailed = undoRecords.stream().anyMatch(r -> r.status() == StepStatus.FAILED
                && !r.name().startsWith("start again: "));
        return finish(undoFailed ? Outcome.FAILED : Outcome.PUT_BACK, true);
    }

    /**
     * In an undo that failed, compares a target just put back with the state the undo started from,
     * so that the report proves where it ended; returns the next step index.
     */
    private int comparePutBack(int next, String t, Snapshot saved) {
        Action check = new Action(next, Phase.VERIFY, Kind.VERIFY_PUT_BACK, "compare " + t + " with the state the undo "
                + "started from", t, null, null);
        Instant start = clock.instant();
        CheckResult c;
        try {
            c = plan.targets.get(t).verify(saved, restoreContext(rollbackId, asidePoint, Phase.VERIFY, check.name()));
            if (c == null) {
                c = CheckResult.failed(check.name(), "the target returned no result from verify()");
            }
        } catch (Exception e) {
            c = CheckResult.failed(check.name(), plan.redactor.describe(e));
        }
        c = redact(c.named(check.name(), Duration.between(start, clock.instant())));
        checkResults.add(c);
        StepStatus status = c.passed() ? StepStatus.SUCCEEDED : StepStatus.FAILED;
        if (!c.passed()) {
            errors.add(check.name() + ": " + c.detail());
        }
        StepRecord r = new StepRecord(check.index(), check.phase(), check.name(), t, start,
                Duration.between(start, clock.instant()), status, c.detail());
        record(check, r);
        return next + 1;
    }

    // ---- the end ---------------------------------------------------------------------------------

    private RollbackReport finish(Outcome outcome, boolean closeJournal) {
        for (Action a : actions) {
            records.computeIfAbsent(a.index(), i -> new StepRecord(a.index(), a.phase(), a.name(), a.target(), null,
                    Duration.ZERO, StepStatus.NOT_RUN, "not run"));
        }
        Instant finished = clock.instant();
        List<StepRecord> steps = allRecords();
        List<PhaseTiming> phases = new ArrayList<>();
        for (Phase p : Phase.values()) {
            Duration took = steps.stream().filter(s -> s.phase() == p).map(StepRecord::duration).reduce(Duration.ZERO, Duration::plus);
            phases.add(new PhaseTiming(p, took, plan.budgets.get(p)));
        }
        List<TargetStatus> targets = new ArrayList<>();
        List<SetAside> aside = new ArrayList<>();
        for (Map.Entry<String, TargetState> e : states.entrySet()) {
            String t = e.getKey();
            String note = notes.getOrDefault(t, "");
            if (asidePoint != null && asidePoint.snapshot(t).isPresent()) {
                String where = plan.artifacts.describe(asidePoint, asidePoint.snapshot(t).orElseThrow());
                aside.add(new SetAside(t, asidePoint.id(), where));
                note = note.isEmpty() ? "state before the " + (undoing ? "undo" : "rollback") + " kept in "
                        + asidePoint.id() : note;
            }
            targets.add(new TargetStatus(t, plan.targets.get(t).kind(), e.getValue(), note));
        }
        RollbackReport report = new RollbackReport(rollbackId, plan.name, point.id(), point.label(), scope, policy,
                outcome, journal.startedAt(), finished, plan.recoveryBudget, steps, phases, checkResults, targets,
                asidePoint == null ? null : asidePoint.id(), aside, reportedErrors(outcome), journal.resumed(),
                undoing ? point.rollbackId() : null);
        try {
            plan.store.saveReport(report);
        } catch (RollbackException e) {
            // the rollback itself is over: its report is returned even if the history cannot be written
            dev.rollback.internal.Logs.of(RollbackRun.class).error("plan '{}': the report of rollback {} could not "
                    + "be saved in the history: {}", plan.name, rollbackId, plan.redactor.redact(e.getMessage()));
        }
        if (closeJournal) {
            try {
                Journal.delete(plan.store.journals(), plan.name);
            } catch (RollbackException e) {
                org.slf4j.LoggerFactory.getLogger(RollbackRun.class).error("plan '{}': the journal of the finished "
                        + "rollback {} could not be deleted: {}; abandon it with plan.resume(Resume.abandoning())",
                        plan.name, rollbackId, plan.redactor.redact(e.getMessage()));
            }
        }
        plan.listeners.finished(report);
        return report;
    }

    /** The errors for the report: those of the attempts before a resume say whether the resume overcame them. */
    private List<String> reportedErrors(Outcome outcome) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < errors.size(); i++) {
            String e = plan.redactor.redact(errors.get(i));
            if (i < earlierErrors) {
                e = (outcome.isSuccessful() ? "overcome on resume " + journal.resumed() + ": " : "before resume "
                        + journal.resumed() + ": ") + e;
            }
            out.add(e);
        }
        return out;
    }

    private List<StepRecord> allRecords() {
        List<StepRecord> all = new ArrayList<>();
        for (Action a : actions) {
            StepRecord r = records.get(a.index());
            if (r != null) {
                all.add(r);
            }
        }
        all.addAll(undoRecords);
        return all;
    }

    private void checkBudget(Phase phase) {
        Duration budget = plan.budgets.get(phase);
        if (budget == null || budgetWarned.contains(phase)) {
            return;
        }
        Duration took = allRecords().stream().filter(s -> s.phase() == phase).map(StepRecord::duration)
                .reduce(Duration.ZERO, Duration::plus);
        if (took.compareTo(budget) > 0) {
            budgetWarned.add(phase);
            plan.listeners.emit(RollbackEvent.budgetExceeded(plan.name, rollbackId, clock.instant(), took,
                    plan.redactor.redact("phase " + phase + " has taken " + took + ", over its budget of " + budget)));
        }
    }

    // ---- contexts and events ---------------------------------------------------------------------

    /** Tells the listeners the rollback began or resumed. */
    private void started(String message) {
        plan.listeners.emit(RollbackEvent.rollbackStarted(plan.name, rollbackId, clock.instant(),
                plan.redactor.redact(message)));
    }

    /** Tells the listeners a step began. */
    private void stepStarted(Action a, Instant at) {
        plan.listeners.emit(RollbackEvent.stepStarted(plan.name, rollbackId, at, a.phase(), a.name(), a.target()));
    }

    /** Tells the listeners a step ended, well or not. */
    private void stepEnded(Action a, StepStatus status, Instant at, Duration took, String detail) {
        String masked = plan.redactor.redact(detail);
        plan.listeners.emit(status == StepStatus.FAILED
                ? RollbackEvent.stepFailed(plan.name, rollbackId, at, a.phase(), a.name(), a.target(), took, masked)
                : RollbackEvent.stepFinished(plan.name, rollbackId, at, a.phase(), a.name(), a.target(), took, masked));
    }

    /** Tells the listeners of progress in a step, or of the rollback as a whole when {@code a} is null. */
    private void reportProgress(Action a, String message) {
        plan.listeners.emit(RollbackEvent.progress(plan.name, rollbackId, clock.instant(), a == null ? null : a.phase(),
                a == null ? null : a.name(), a == null ? null : a.target(), plan.redactor.redact(message)));
    }

    private StepContext stepContext(Action a) {
        return new StepContext() {
            @Override
            public String plan() {
                return plan.name;
            }

            @Override
            public String rollbackId() {
                return rollbackId;
            }

            @Override
            public RestorePoint point() {
                return point;
            }

            @Override
            public Phase phase() {
                return a.phase();
            }

            @Override
            public dev.rollback.host.Host host() {
                return plan.host;
            }

            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                plan.sleeper.sleep(duration);
            }

            @Override
            public void progress(String message) {
                reportProgress(a, message);
            }
        };
    }

    private RestoreContext restoreContext(String id, RestorePoint from, Phase phase, String stepName) {
        return new RestoreContext() {
            @Override
            public String plan() {
                return plan.name;
            }

            @Override
            public String rollbackId() {
                return id;
            }

            @Override
            public RestorePoint point() {
                return from;
            }

            @Override
            public Path artifact(Snapshot snapshot, String path) {
                if (snapshot.artifact(path).isEmpty()) {
                    throw new IllegalArgumentException("snapshot of target '" + snapshot.target() + "': expected an "
                            + "artifact '" + path + "', found only " + snapshot.artifacts().stream().map(Artifact::path).toList());
                }
                return artifactDir(snapshot).resolve(path);
            }

            @Override
            public Path artifactDir(Snapshot snapshot) {
                return plan.artifacts.dirOf(ownerOf(snapshot), snapshot);
            }

            /** The point {@code snapshot} belongs to: this run's set-aside point for a snapshot {@link #setAside} gave. */
            private RestorePoint ownerOf(Snapshot snapshot) {
                return from != asidePoint && asidePoint != null && asidePoint.snapshots().contains(snapshot)
                        && !from.snapshots().contains(snapshot) ? asidePoint : from;
            }

            @Override
            public boolean dataLossAccepted() {
                return plan.acceptDataLoss;
            }

            @Override
            public Optional<Snapshot> setAside(String target) {
                if ("preview".equals(id) || phase == Phase.PREFLIGHT || asidePoint == null || from == asidePoint) {
                    return Optional.empty();
                }
                return asidePoint.snapshot(target);
            }

            @Override
            public Path consume(Snapshot snapshot, String path) {
                Path file = artifact(snapshot, path);
                if (phase != Phase.RESTORE) {
                    throw new IllegalStateException("target '" + snapshot.target() + "': expected to consume artifact '"
                            + path + "' during the restore, found phase " + phase + "; consume it in restore() only");
                }
                String note = plan.artifacts.consumedNoteOf(snapshot, file);
                boolean there = snapshot.location() == null ? Files.exists(file) : plan.host.exists(file);
                if (note != null && !there) {
                    if (id.equals(ArtifactPlace.consumer(note))) {
                        return file; // this rollback moved it before a crash: the target finds its work done
                    }
                    throw new IllegalStateException("target '" + snapshot.target() + "': expected artifact '" + path
                            + "' of restore point " + from.id() + ", found it consumed: " + note
                            + "; roll back to another restore point");
                }
                plan.artifacts.markConsumed(from, snapshot, file, "rollback " + id + " of plan '" + plan.name + "' at "
                        + clock.instant() + " moved it into place as the restore of target '" + snapshot.target() + "'");
                return file;
            }

            @Override
            public Phase phase() {
                return phase;
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                plan.sleeper.sleep(duration);
            }

            @Override
            public dev.rollback.host.Host host() {
                return plan.host;
            }

            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public void progress(String message) {
                plan.listeners.emit(RollbackEvent.progress(plan.name, id, clock.instant(), phase, stepName, null,
                        plan.redactor.redact(message)));
            }
        };
    }
}
