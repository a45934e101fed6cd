package dev.rollback.internal.engine;

import dev.rollback.FailurePolicy;
import dev.rollback.RestorePoint;
import dev.rollback.RollbackEvent;
import dev.rollback.RollbackPreview;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.StepStatus;
import dev.rollback.TargetState;
import dev.rollback.error.RollbackException;
import dev.rollback.internal.Logs;
import dev.rollback.internal.engine.Layout.Action;
import dev.rollback.internal.engine.Layout.Kind;
import dev.rollback.spi.Check;
import dev.rollback.spi.CheckAttempt;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Phase;
import dev.rollback.spi.Snapshot;
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
import java.util.Set;

/**
 * One rollback of a plan to a restore point: its steps ({@link Layout}), and all that the run has done so far
 * (step records, target states, errors, the journal, the point it set aside), which its parts share: {@link
 * Preview}, {@link Preflight}, {@link Resumption} (the lock, the journal, a resume), {@link Executor} (the loop
 * and the failure policy), {@link StepActions} (what each kind of step does), {@link Recovery} (halt and put
 * back) and {@link Reports} (the end). Not thread-safe: one run per thread, and the plan lock allows one per plan.
 *
 * <p>An undo ({@link #undoing}) is a run of its own kind, to the point an earlier rollback set aside: its targets
 * restore everything that point recorded ({@code RestoreContext.restoresSetAside()}), each is compared with it
 * instead of the plan's checks (which describe the good state and run only on request, as information), a failed
 * start step is reported without undoing anything (the failed state may not start), and any other failure, or a
 * comparison that fails, puts back the state the undo started from whatever the plan's policy: it never ends
 * between the two.
 */
final class Run {

    final Engine engine;
    final PlanSpec spec;
    final RestorePoint point;
    final List<String> scope;
    final List<Action> actions;
    final Clock clock;
    final boolean undoing;
    final boolean planChecks;
    final FailurePolicy policy;

    String rollbackId;
    Journal journal;
    final Map<Integer, StepRecord> records = new HashMap<>();
    final List<StepRecord> undoRecords = new ArrayList<>();
    final Map<String, TargetState> states = new LinkedHashMap<>();
    final Map<String, String> notes = new HashMap<>();
    final List<CheckResult> checkResults = new ArrayList<>();
    final Map<Integer, Check> begunChecks = new HashMap<>();
    final Map<Integer, Exception> beginFailures = new HashMap<>();
    final List<String> errors = new ArrayList<>();
    final Set<String> skipped = new HashSet<>();
    final Set<String> notSetAside = new HashSet<>();
    final Set<Phase> budgetWarned = EnumSet.noneOf(Phase.class);
    final List<Snapshot> asideSnapshots = new ArrayList<>();
    List<Snapshot> pushBack = List.of();
    String pushedNote = "";
    StoreWriter.Pending asidePending;
    RestorePoint asidePoint;
    /** The first failure to write the journal or the store during the run, if any. */
    RollbackException storeFailure;
    boolean storeFailureApplied;
    boolean asideFailed;
    /** How many of the errors are those of the attempts before this resume. */
    int earlierErrors;

    final Preview preview;
    final Preflight preflight;
    final Resumption resumption;
    final Executor executor;
    final StepActions stepActions;
    final Recovery recovery;
    final Reports reports;

    /**
     * A run to {@code point}; with {@code undoing}, an undo to the set-aside {@code point}, running
     * the plan's checks as information only when {@code planChecks}.
     */
    Run(Engine engine, RestorePoint point, List<String> scope, boolean undoing, boolean planChecks) {
        this.engine = engine;
        this.spec = engine.spec;
        this.point = point;
        this.scope = List.copyOf(scope);
        this.clock = spec.clock();
        this.undoing = undoing;
        this.planChecks = planChecks;
        this.policy = undoing ? FailurePolicy.RESTORE_FAILED_STATE : spec.policy();
        this.actions = Layout.layOut(spec, this.scope, undoing, planChecks);
        for (String t : spec.targets().keySet()) {
            states.put(t, this.scope.contains(t) ? TargetState.UNCHANGED : TargetState.OUT_OF_SCOPE);
        }
        this.preview = new Preview(this);
        this.preflight = new Preflight(this);
        this.resumption = new Resumption(this);
        this.executor = new Executor(this);
        this.stepActions = new StepActions(this);
        this.recovery = new Recovery(this);
        this.reports = new Reports(this);
    }

    /** Every action the run would take, with every problem preflight would raise; changes nothing. */
    RollbackPreview preview() {
        return preview.build();
    }

    /** Runs the rollback: lock, preflight, journal, then every step under the failure policy. */
    RollbackReport run() {
        return resumption.start();
    }

    // ---- the record of the run ------------------------------------------------------------------

    /** Records how a step ended, applies it to its target's state, and writes the journal (but for a verify step). */
    void record(Action a, StepRecord r) {
        if (a.index() < actions.size() && a.kind() != Kind.PUT_BACK && a.kind() != Kind.VERIFY_PUT_BACK) {
            records.put(a.index(), r);
        } else {
            undoRecords.add(r);
        }
        applyState(a, r);
        journal = journal.withStep(r);
        if (a.phase() != Phase.VERIFY && !recordedByTheCommit(a, r)) {
            // a resumed rollback runs its checks again, so a verify step's record need not survive a crash
            writeJournal();
        }
    }

    /**
     * Whether the durable record of a step is the commit of the set-aside point that follows it, so the journal
     * need not be written for it: a set-aside that succeeded and is the last of its phase. It changed no target, so
     * a crash before the commit makes a resume only set that target aside again; after the commit, the point in the
     * store holds its snapshot, and a resume takes the record from there ({@link #setAsideDoneIn}).
     */
    private boolean recordedByTheCommit(Action a, StepRecord r) {
        if (a.kind() != Kind.SET_ASIDE || r.status() != StepStatus.SUCCEEDED || asidePoint != null) {
            return false;
        }
        for (int i = a.index() + 1; i < actions.size(); i++) {
            if (actions.get(i).kind() == Kind.SET_ASIDE) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes the records of the set-aside steps from the committed set-aside point {@code aside}: a step whose
     * record the journal lacks ({@link #recordedByTheCommit}) succeeded if the point holds its target's snapshot.
     */
    void setAsideDoneIn(RestorePoint aside) {
        for (Action a : actions) {
            if (a.kind() == Kind.SET_ASIDE && !records.containsKey(a.index()) && aside.snapshot(a.target()).isPresent()) {
                StepRecord r = new StepRecord(a.index(), a.phase(), a.name(), a.target(), aside.createdAt(),
                        Duration.ZERO, StepStatus.SUCCEEDED, "current state saved in restore point " + aside.id());
                records.put(a.index(), r);
                applyState(a, r);
                journal = journal.withStep(r);
            }
        }
    }

    /** What a step's end means for the state of its target, and the note the report gives it. */
    void applyState(Action a, StepRecord r) {
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

    /** Writes the journal; a failure (a full disk) is noted once and goes through the failure policy. */
    void writeJournal() {
        try {
            spec.writer().writeJournal(journal);
        } catch (RollbackException e) {
            storeFailed("write the journal", e);
        }
    }

    /** Notes the first failure of the store in the errors and tells the listeners; a later one is only logged. */
    void storeFailed(String what, RollbackException e) {
        if (storeFailure == null) {
            storeFailure = e;
            errors.add("store: cannot " + what + ": " + spec.redactor().describe(e));
            reportProgress(null, "the store failed: cannot " + what
                    + ": " + e.getMessage() + "; the failure policy " + spec.policy() + " decides what happens next");
        } else {
            Logs.of(Run.class).warn("plan '{}': rollback {}: cannot {} either: {}",
                    spec.name(), rollbackId, what, spec.redactor().redact(e.getMessage()));
        }
    }

    /** The records of the laid-out steps that have one, in order, then those of putting back. */
    List<StepRecord> allRecords() {
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

    /** Tells the listeners the rollback began or resumed. */
    void started(String message) {
        spec.listeners().emit(RollbackEvent.rollbackStarted(spec.name(), rollbackId, clock.instant(),
                spec.redactor().redact(message)));
    }

    /** Tells the listeners a step began. */
    void stepStarted(Action a, Instant at) {
        spec.listeners().emit(RollbackEvent.stepStarted(spec.name(), rollbackId, at, a.phase(), a.name(), a.target()));
    }

    /** Tells the listeners a step ended, well or not. */
    void stepEnded(Action a, StepStatus status, Instant at, Duration took, String detail) {
        String masked = spec.redactor().redact(detail);
        spec.listeners().emit(status == StepStatus.FAILED
                ? RollbackEvent.stepFailed(spec.name(), rollbackId, at, a.phase(), a.name(), a.target(), took, masked)
                : RollbackEvent.stepFinished(spec.name(), rollbackId, at, a.phase(), a.name(), a.target(), took, masked));
    }

    /** Tells the listeners of progress in a step, or of the rollback as a whole when {@code a} is null. */
    void reportProgress(Action a, String message) {
        spec.listeners().emit(RollbackEvent.progress(spec.name(), rollbackId, clock.instant(), a == null ? null : a.phase(),
                a == null ? null : a.name(), a == null ? null : a.target(), spec.redactor().redact(message)));
    }

    /** The context of a step or check: progress names the step and its target. */
    EngineContext stepContext(Action a) {
        return EngineContext.of(spec, rollbackId, point, a.phase(), a.name(), a.target());
    }

    /**
     * The context of a target's preflight, restore or verify in run {@code id}, to the point {@code from}; a
     * snapshot of this run's set-aside point has its artifacts found there.
     */
    EngineContext restoreContext(String id, RestorePoint from, Phase phase, String stepName) {
        return EngineContext.of(spec, id, from, phase, stepName, null).restoring(engine.artifacts, () -> asidePoint);
    }

    /** The result with every text masked: checks echo bodies and output, which may hold secrets. */
    CheckResult redact(CheckResult c) {
        List<CheckAttempt> history = c.history().stream().map(h -> new CheckAttempt(h.number(), h.at(), h.passed(),
                spec.redactor().redact(h.observed()), h.took())).toList();
        return new CheckResult(spec.redactor().redact(c.name()), c.passed(), spec.redactor().redact(c.detail()), c.attempts(),
                c.took(), history);
    }

    /** The label of the point this run sets aside. */
    String asideLabel() {
        return "state before rollback " + rollbackId + " to " + point.label();
    }

    /** The restore point with only the snapshots of the targets in scope, for checksum checks. */
    RestorePoint pointInScope() {
        return new RestorePoint(point.id(), point.plan(), point.label(), point.createdAt(), point.host(), point.origin(),
                point.rollbackId(), point.snapshots().stream().filter(s -> scope.contains(s.target())).toList(), null);
    }

    /** The names of the laid-out steps, which a resume compares with its journal's. */
    List<String> stepNames() {
        return actions.stream().map(Action::name).toList();
    }
}
