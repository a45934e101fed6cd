package dev.rollback;

import dev.rollback.internal.Journal;
import dev.rollback.internal.LocalMachine;
import dev.rollback.internal.PlanLock;
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
 */
final class RollbackRun {

    /** What a step does. */
    enum Kind { PREFLIGHT, HOOK, STOP, SET_ASIDE, RESTORE, START, VERIFY_TARGET, CHECK, PUT_BACK }

    /** One step of the run, with what it acts on. */
    record Action(int index, Phase phase, Kind kind, String name, String target, Step step, Check check) {}

    private final RollbackPlan plan;
    private final RestorePoint point;
    private final List<String> scope;
    private final List<Action> actions;
    private final Clock clock;

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

    RollbackRun(RollbackPlan plan, RestorePoint point, List<String> scope) {
        this.plan = plan;
        this.point = point;
        this.scope = List.copyOf(scope);
        this.clock = plan.clock;
        this.actions = layOut(plan, this.scope);
        for (String t : plan.targets.keySet()) {
            states.put(t, this.scope.contains(t) ? TargetState.UNCHANGED : TargetState.OUT_OF_SCOPE);
        }
    }

    // ---- the steps ------------------------------------------------------------------------------

    private static List<Action> layOut(RollbackPlan plan, List<String> scope) {
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
            add(out, Phase.RESTORE, Kind.RESTORE, "restore " + t, t, null, null);
            plan.afterTarget.getOrDefault(t, List.of()).forEach(s -> add(out, Phase.RESTORE, Kind.HOOK, s.name(), t, s, null));
        }
        hooks(out, plan, Phase.RESTORE, plan.after);
        hooks(out, plan, Phase.START, plan.before);
        plan.starts.forEach(s -> add(out, Phase.START, Kind.START, s.name(), null, s, null));
        hooks(out, plan, Phase.START, plan.after);
        hooks(out, plan, Phase.VERIFY, plan.before);
        scope.forEach(t -> add(out, Phase.VERIFY, Kind.VERIFY_TARGET, "verify " + t, t, null, null));
        plan.checks.forEach(c -> add(out, Phase.VERIFY, Kind.CHECK, "check " + c.name(), null, null, c));
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
        return new RollbackPreview(plan.name, point.id(), point.label(), scope, steps, problems);
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
            case VERIFY_TARGET -> List.of("verify that '" + a.target() + "' is back at " + point.label());
            case CHECK -> List.of("check: " + a.check().name());
            case PUT_BACK -> List.of();
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
            emit(RollbackEvent.Type.PROGRESS, actions.get(0), clock.instant(), Duration.ZERO, "the artifacts of '"
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
                    "restore point " + point.id() + " and " + scope.size() + " targets checked" + pushed);
            records.put(0, pre);
            journal = new Journal(rollbackId, plan.name, point.id(), scope, plan.policy, started, Journal.Status.RUNNING,
                    actions.stream().map(Action::name).toList(), List.of(pre), null, List.of(), false, List.of(), 0);
            journal.write(plan.store.journals());
            emit(RollbackEvent.Type.ROLLBACK_STARTED, null, null, Duration.ZERO,
                    "to " + point.label() + " (" + point.id() + "), " + (scope.equals(plan.targets()) ? "all targets"
                            : "only " + String.join(", ", scope)) + ", policy " + plan.policy);
            return runFrom(plan.policy);
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
            List<String> names = run.actions.stream().map(Action::name).toList();
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

    private RollbackReport continueFrom(Journal j, Resume how) {
        rollbackId = j.rollbackId();
        journal = j.with(Journal.Status.RUNNING, j.errors(), j.resumed() + 1);
        errors.addAll(j.errors());
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
        emit(RollbackEvent.Type.ROLLBACK_STARTED, null, null, Duration.ZERO, "resumed (" + how.mode().name().toLowerCase()
                + (how.skip().isEmpty() ? "" : ", skipping " + how.skip()) + ") to " + point.label());
        if (how.mode() == Resume.Mode.UNDO || j.status() == Journal.Status.UNDOING) {
            return undo(j.status() == Journal.Status.RUNNING);
        }
        skipped.addAll(how.skip());
        return runFrom(plan.policy);
    }

    private RollbackReport runFrom(FailurePolicy policy) {
        beginChecks();
        for (Action a : actions) {
            StepRecord done = records.get(a.index());
            if (done != null && done.status().isSuccessful()) {
                continue;
            }
            if (a.phase().compareTo(Phase.RESTORE) >= 0) {
                commitAside();
            }
            String blocked = blocked(a);
            if (blocked != null) {
                StepStatus status = a.target() != null && skipped.contains(a.target()) ? StepStatus.SKIPPED : StepStatus.NOT_RUN;
                StepRecord r = new StepRecord(a.index(), a.phase(), a.name(), a.target(), null, Duration.ZERO, status, blocked);
                record(a, r);
                continue;
            }
            StepRecord r = execute(a);
            if (r.status() == StepStatus.FAILED && a.phase() != Phase.VERIFY) {
                switch (policy) {
                    case HALT:
                        return halt();
                    case RESTORE_FAILED_STATE:
                        return undo(false);
                    case CONTINUE:
                        if (a.kind() == Kind.SET_ASIDE) {
                            notSetAside.add(a.target());
                        }
                        break;
                    default:
                        throw new IllegalStateException("unknown policy " + policy);
                }
            }
        }
        boolean stepFailed = allRecords().stream().anyMatch(r -> r.status() == StepStatus.FAILED && r.phase() != Phase.VERIFY);
        boolean checkFailed = allRecords().stream().anyMatch(r -> r.status() == StepStatus.FAILED && r.phase() == Phase.VERIFY);
        Outcome outcome = stepFailed ? Outcome.COMPLETED_WITH_ERRORS : checkFailed ? Outcome.VERIFICATION_FAILED : Outcome.SUCCEEDED;
        return finish(outcome, true);
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
        emit(RollbackEvent.Type.STEP_STARTED, a, start, Duration.ZERO, "");
        StepStatus status;
        String detail;
        try {
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
            errors.add(a.name() + ": " + r.detail());
        }
        record(a, r);
        emit(status == StepStatus.FAILED ? RollbackEvent.Type.STEP_FAILED : RollbackEvent.Type.STEP_FINISHED, a, end,
                r.duration(), r.detail());
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
                return "restored to " + point.label() + " (" + point.id() + ")";
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

    private void commitAside() {
        if (asidePending == null || asidePoint != null) {
            return;
        }
        List<Snapshot> ordered = new ArrayList<>();
        for (String t : scope) {
            asideSnapshots.stream().filter(s -> s.target().equals(t)).findFirst().ifPresent(ordered::add);
        }
        asidePoint = plan.store.commit(asidePending, new RestorePoint(asidePending.id(), plan.name, asideLabel(),
                clock.instant(), LocalMachine.name(), RestorePoint.Origin.SET_ASIDE, rollbackId, ordered, null));
        journal = journal.withAside(ordered, true);
        journal.write(plan.store.journals());
    }

    private void record(Action a, StepRecord r) {
        if (a.index() < actions.size() && a.kind() != Kind.PUT_BACK) {
            records.put(a.index(), r);
        } else {
            undoRecords.add(r);
        }
        applyState(a, r);
        journal = journal.withStep(r);
        if (a.phase() != Phase.VERIFY) {
            // a resumed rollback runs its checks again, so a verify step's record need not survive a crash
            journal.write(plan.store.journals());
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
                }
            }
            case PUT_BACK -> {
                states.put(t, ok ? TargetState.PUT_BACK : TargetState.NEEDS_ATTENTION);
                if (!ok) {
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
        journal.write(plan.store.journals());
        return finish(Outcome.HALTED, false);
    }

    /**
     * Puts back every target whose restore started, in reverse order, from the state set aside, then
     * runs the start steps again if any stop step ran.
     */
    private RollbackReport undo(boolean resumedAfterCrash) {
        journal = journal.with(Journal.Status.UNDOING, errors, journal.resumed());
        journal.write(plan.store.journals());
        commitAside();
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
            emit(RollbackEvent.Type.STEP_STARTED, put, start, Duration.ZERO, "");
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
            emit(status == StepStatus.FAILED ? RollbackEvent.Type.STEP_FAILED : RollbackEvent.Type.STEP_FINISHED, put,
                    clock.instant(), r.duration(), detail);
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
        boolean undoFailed = undoRecords.stream().anyMatch(r -> r.status() == StepStatus.FAILED);
        return finish(undoFailed ? Outcome.FAILED : Outcome.PUT_BACK, true);
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
                note = note.isEmpty() ? "state before the rollback kept in " + asidePoint.id() : note;
            }
            targets.add(new TargetStatus(t, plan.targets.get(t).kind(), e.getValue(), note));
        }
        RollbackReport report = new RollbackReport(rollbackId, plan.name, point.id(), point.label(), scope, plan.policy,
                outcome, journal.startedAt(), finished, plan.recoveryBudget, steps, phases, checkResults, targets,
                asidePoint == null ? null : asidePoint.id(), aside, errors.stream().map(plan.redactor::redact).toList(),
                journal.resumed());
        try {
            plan.store.saveReport(report);
        } catch (RollbackException e) {
            // the rollback itself is over: its report is returned even if the history cannot be written
            org.slf4j.LoggerFactory.getLogger(RollbackRun.class).error("plan '{}': the report of rollback {} could not "
                    + "be saved in the history: {}", plan.name, rollbackId, plan.redactor.redact(e.getMessage()));
        }
        if (closeJournal) {
            Journal.delete(plan.store.journals(), plan.name);
        }
        plan.listeners.finished(report);
        return report;
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
            emit(RollbackEvent.Type.BUDGET_EXCEEDED, null, clock.instant(), took, "phase " + phase + " has taken "
                    + took + ", over its budget of " + budget);
        }
    }

    // ---- contexts and events ---------------------------------------------------------------------

    private void emit(RollbackEvent.Type type, Action a, Instant at, Duration d, String message) {
        plan.listeners.emit(new RollbackEvent(type, plan.name, rollbackId, at == null ? clock.instant() : at,
                a == null ? null : a.phase(), a == null ? null : a.name(), a == null ? null : a.target(), d,
                plan.redactor.redact(message)));
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
                emit(RollbackEvent.Type.PROGRESS, a, clock.instant(), Duration.ZERO, message);
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
                boolean aside = asidePoint != null && from != asidePoint && !from.snapshots().contains(snapshot)
                        && asidePoint.snapshots().contains(snapshot);
                return plan.artifacts.dirOf(aside ? asidePoint : from, snapshot);
            }

            @Override
            public Optional<Snapshot> setAside(String target) {
                return "preview".equals(id) || phase == Phase.PREFLIGHT || asidePoint == null ? Optional.empty()
                        : asidePoint.snapshot(target);
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
                plan.listeners.emit(new RollbackEvent(RollbackEvent.Type.PROGRESS, plan.name, id, clock.instant(), phase,
                        stepName, null, Duration.ZERO, plan.redactor.redact(message)));
            }
        };
    }
}
