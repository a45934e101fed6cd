package dev.rollback.internal.engine;

import dev.rollback.InvalidPlanException;
import dev.rollback.NothingToResumeException;
import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Resume;
import dev.rollback.store.RollbackInProgressException;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.StepStatus;
import dev.rollback.internal.LocalMachine;
import dev.rollback.internal.engine.Layout.Action;
import dev.rollback.spi.Check;
import dev.rollback.spi.Phase;
import dev.rollback.spi.Plural;
import dev.rollback.spi.Problem;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The start of a run under the plan's lock, with its journal (which makes it resumable), and the resume of an
 * unfinished one: finish, skip targets, undo or abandon.
 *
 * <p>Part of one {@link Run}, whose state it reads and changes; not thread-safe.
 */
final class Resumption {

    private final Run run;
    private final PlanSpec spec;

    Resumption(Run run) {
        this.run = run;
        this.spec = run.spec;
    }

    @SuppressWarnings("try") // the lock is held for the body's duration, never referenced
    /** Starts the run: lock, no unfinished rollback, preflight (which may push artifacts back), journal. */
    RollbackReport start() {
        Instant started = run.clock.instant();
        run.rollbackId = "rb-" + spec.writer().newId();
        try (StoreWriter.Held lock = spec.writer().lock(spec.name(), run.rollbackId, run.point.id(), started)) {
            Optional<Journal> open = spec.writer().readJournal(spec.name());
            if (open.isPresent()) {
                Journal j = open.get();
                throw new RollbackInProgressException("plan '" + spec.name() + "': expected no unfinished rollback, found "
                        + j.rollbackId() + " to restore point " + j.pointId() + " (" + j.status().name().toLowerCase()
                        + ", started " + j.startedAt() + "); finish it with plan.resume(), skip a target with "
                        + "plan.resume(Resume.skipping(\"name\")), put it back with plan.resume(Resume.undoing()), "
                        + "or give it up with plan.resume(Resume.abandoning())");
            }
            List<Problem> problems = run.preflight.problems(run.rollbackId, true);
            if (!problems.isEmpty()) {
                throw new PreflightFailedException(spec.name(), run.point.id(), problems);
            }
            String pushed = run.pushedNote;
            StepRecord pre = new StepRecord(0, Phase.PREFLIGHT, "preflight", null, started,
                    Duration.between(started, run.clock.instant()), StepStatus.SUCCEEDED,
                    "restore point " + run.point.id() + " and " + Plural.of(run.scope.size(), "target") + " checked" + pushed);
            run.records.put(0, pre);
            // the journal names the point the set-aside will write from the start, so that the set-aside needs no
            // durable write of its own before it begins: a crash leaves that point in use, and a resume goes on in it
            boolean setsAside = run.actions.stream().anyMatch(a -> a.kind() == Layout.Kind.SET_ASIDE);
            run.journal = new Journal(run.rollbackId, spec.name(), run.point.id(), run.scope, run.policy, started,
                    Journal.Status.RUNNING, run.actions.stream().map(Action::name).toList(), List.of(pre),
                    setsAside ? spec.writer().newId() : null, List.of(), false, List.of(), 0);
            spec.writer().writeJournal(run.journal);
            spec.writer().activity().record(spec.name(), run.undoing ? "undo" : "rollback", run.point.id(),
                    run.rollbackId, "started");
            run.started((run.undoing ? "undo of rollback "
                    + run.point.rollbackId() + ": restore the failed state set aside in " + run.point.id() + ", "
                    : "to " + run.point.label() + " (" + run.point.id() + "), ") + (run.scope.equals(spec.targetNames()) ? "all targets"
                            : "only " + String.join(", ", run.scope)) + ", policy " + run.policy);
            return run.recovery.guarded(() -> run.executor.runFrom());
        }
    }

    /**
     * Resumes the plan's unfinished rollback as {@code how} says, under the plan's lock; the run is laid out
     * again from the plan and must have the journal's steps.
     */
    @SuppressWarnings("try") // the lock is held for the body's duration, never referenced
    static RollbackReport resume(Engine engine, Resume how) {
        PlanSpec spec = engine.spec;
        Instant now = spec.clock().instant();
        Journal j0 = spec.writer().readJournal(spec.name()).orElseThrow(() -> new NothingToResumeException(
                "plan '" + spec.name() + "': expected an unfinished rollback to resume, found none in "
                        + spec.store().root() + "; start a new one with plan.rollback(point)"));
        try (StoreWriter.Held lock = spec.writer().lock(spec.name(), j0.rollbackId(), j0.pointId(), now)) {
            Journal j = spec.writer().readJournal(spec.name()).orElseThrow(() -> new NothingToResumeException(
                    "plan '" + spec.name() + "': the unfinished rollback " + j0.rollbackId() + " was finished meanwhile"));
            RestorePoint point = spec.store().get(j.pointId());
            for (String t : j.scope()) {
                if (!spec.targets().containsKey(t)) {
                    throw new InvalidPlanException("resume of rollback " + j.rollbackId() + ": expected the plan to have "
                            + "target '" + t + "', found only " + spec.targets().keySet()
                            + "; resume with the plan as it was when the rollback started");
                }
            }
            Run run = new Run(engine, point, j.scope(), false, true);
            if (point.origin() == RestorePoint.Origin.SET_ASIDE && !run.stepNames().equals(j.stepNames())) {
                // an undo: its steps say whether it ran the plan's checks
                for (boolean checks : new boolean[] {false, true}) {
                    Run undo = new Run(engine, point, j.scope(), true, checks);
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
            return run.resumption.continueFrom(j, how);
        }
    }

    /** Goes on from journal {@code j}: its records taken back, the artifacts checked again, then as {@code how} says. */
    RollbackReport continueFrom(Journal j, Resume how) {
        run.rollbackId = j.rollbackId();
        run.journal = j.with(Journal.Status.RUNNING, j.errors(), j.resumed() + 1);
        run.errors.addAll(j.errors());
        run.earlierErrors = j.errors().size();
        for (StepRecord r : j.steps()) {
            if (r.index() < run.actions.size()) {
                Action a = run.actions.get(r.index());
                if (a.phase() != Phase.VERIFY || how.mode() == Resume.Mode.ABANDON) {
                    run.records.put(r.index(), r);
                    run.applyState(a, r);
                }
            } else {
                run.undoRecords.add(r);
            }
        }
        run.asideSnapshots.addAll(j.asideSnapshots());
        if (j.asidePointId() != null) {
            Optional<RestorePoint> committed = spec.store().find(j.asidePointId());
            if (committed.isPresent()) {
                run.asidePoint = committed.get();
                run.asideSnapshots.clear();
                run.asideSnapshots.addAll(committed.get().snapshots());
                run.journal = run.journal.withAside(run.asideSnapshots, true);
                run.setAsideDoneIn(committed.get());
            } else if (spec.writer().pendingExists(j.asidePointId())) {
                run.asidePending = spec.writer().reopen(spec.name(), j.asidePointId());
            }
            // else the set-aside had not begun: its first step begins the point the journal names
        }
        if (how.mode() == Resume.Mode.ABANDON) {
            run.errors.add("abandoned by the operator; nothing more was changed");
            return run.reports.finish(Outcome.ABANDONED, true);
        }
        // an artifact this very rollback consumed before the crash is in place already, not missing
        ArtifactChecks.Check artifacts = run.engine.checks.verify(run.pointInScope(), run.rollbackId);
        if (!artifacts.problems().isEmpty()) {
            throw new PreflightFailedException(spec.name(), run.point.id(), artifacts.problems());
        }
        run.preflight.pushBack(artifacts.pushBack());
        spec.writer().writeJournal(run.journal);
        spec.writer().activity().record(spec.name(), "resume", run.point.id(), run.rollbackId,
                how.mode().name().toLowerCase() + (how.skip().isEmpty() ? "" : ", skipping " + how.skip()));
        run.started("resumed (" + how.mode().name().toLowerCase()
                + (how.skip().isEmpty() ? "" : ", skipping " + how.skip()) + ") to " + run.point.label());
        if (how.mode() == Resume.Mode.UNDO || j.status() == Journal.Status.UNDOING) {
            return run.recovery.guarded(() -> run.recovery.putBack(j.status() == Journal.Status.RUNNING));
        }
        run.skipped.addAll(how.skip());
        return run.recovery.guarded(() -> run.executor.runFrom());
    }
}
