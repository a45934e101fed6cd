package dev.rollback.internal.engine;

import dev.rollback.Outcome;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.StepStatus;
import dev.rollback.internal.engine.Layout.Action;
import dev.rollback.internal.engine.Layout.Kind;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Phase;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a run does when it cannot go on: halt (the journal kept for a resume), put back every target already
 * changed from the state set aside, start the stopped services again, and end with a report whatever escapes.
 *
 * <p>Part of one {@link Run}, whose state it reads and changes; not thread-safe.
 */
final class Recovery {

    private final Run run;
    private final PlanSpec spec;

    Recovery(Run run) {
        this.run = run;
        this.spec = run.spec;
    }

    /** Runs the plan's start steps again if a stop step ran and no start step did. */
    void startAgainIfStopped(int next) {
        boolean stopRan = run.actions.stream().filter(a -> a.kind() == Kind.STOP).map(a -> run.records.get(a.index()))
                .anyMatch(r -> r != null && r.status() != StepStatus.NOT_RUN && r.status() != StepStatus.SKIPPED);
        boolean startRan = run.actions.stream().filter(a -> a.kind() == Kind.START).map(a -> run.records.get(a.index()))
                .anyMatch(r -> r != null && r.status() == StepStatus.SUCCEEDED);
        if (!stopRan || startRan) {
            return;
        }
        for (Step s : spec.starts()) {
            StepRecord r = run.executor.execute(new Action(next++, Phase.START, Kind.START, "start again: " + s.name(),
                    null, s, null));
            if (r.status() == StepStatus.FAILED) {
                break;
            }
        }
    }

    /**
     * Runs the rest of the rollback; whatever escapes it (a fault the policy could not handle) ends
     * the run as halted with a report, after starting again the services its stop steps stopped.
     */
    RollbackReport guarded(java.util.function.Supplier<RollbackReport> rest) {
        try {
            return rest.get();
        } catch (RuntimeException e) {
            if (run.journal == null) {
                throw e;
            }
            run.errors.add("the rollback stopped early: " + spec.redactor().describe(e));
            startAgainIfStopped(run.actions.size() + run.undoRecords.size());
            for (Action a : run.actions) {
                run.records.computeIfAbsent(a.index(), i -> new StepRecord(a.index(), a.phase(), a.name(), a.target(), null,
                        Duration.ZERO, StepStatus.NOT_RUN, "not run: the rollback stopped early"));
            }
            run.journal = run.journal.with(Journal.Status.HALTED, run.errors, run.journal.resumed());
            run.writeJournal();
            return run.reports.finish(Outcome.HALTED, false);
        }
    }

    /** Halts: the steps left are not run, the journal stays for a resume. */
    RollbackReport halt() {
        for (Action a : run.actions) {
            if (!run.records.containsKey(a.index())) {
                run.records.put(a.index(), new StepRecord(a.index(), a.phase(), a.name(), a.target(), null, Duration.ZERO,
                        StepStatus.NOT_RUN, "not run: the rollback halted"));
            }
        }
        run.journal = run.journal.with(Journal.Status.HALTED, run.errors, run.journal.resumed());
        run.writeJournal();
        return run.reports.finish(Outcome.HALTED, false);
    }

    /**
     * Puts back every target whose restore started, in reverse order, from the state set aside, then
     * runs the start steps again if any stop step ran.
     */
    RollbackReport putBack(boolean resumedAfterCrash) {
        run.journal = run.journal.with(Journal.Status.UNDOING, run.errors, run.journal.resumed());
        run.writeJournal();
        if (!run.stepActions.commitAside()) {
            // no restore ran (they wait for the commit): the half-stored state set aside only takes up space
            spec.writer().abort(run.asidePending);
        }
        List<Action> touched = new ArrayList<>();
        Integer frontier = resumedAfterCrash ? run.actions.stream().map(Action::index)
                .filter(i -> !run.records.containsKey(i)).findFirst().orElse(null) : null;
        for (Action a : run.actions) {
            StepRecord r = run.records.get(a.index());
            boolean started = r != null && (r.status() == StepStatus.SUCCEEDED || r.status() == StepStatus.FAILED);
            if (a.kind() == Kind.RESTORE && (started || (frontier != null && frontier == a.index()))) {
                touched.add(a);
            }
        }
        run.undoRecords.clear();
        int next = run.actions.size();
        for (int i = touched.size() - 1; i >= 0; i--) {
            String t = touched.get(i).target();
            Action put = new Action(next++, Phase.RESTORE, Kind.PUT_BACK, "put back " + t, t, null, null);
            Optional<Snapshot> saved = run.asidePoint == null ? Optional.empty() : run.asidePoint.snapshot(t);
            if (saved.isEmpty()) {
                run.record(put, new StepRecord(put.index(), put.phase(), put.name(), t, run.clock.instant(), Duration.ZERO,
                        StepStatus.FAILED, "no set-aside state of '" + t + "' was found; restore it by hand"));
                continue;
            }
            Instant start = run.clock.instant();
            run.stepStarted(put, start);
            StepStatus status = StepStatus.SUCCEEDED;
            String detail = "put back the state set aside in restore point " + run.asidePoint.id();
            try {
                spec.targets().get(t).restore(saved.get(),
                        run.restoreContext(run.rollbackId, run.asidePoint, Phase.RESTORE, put.name()));
            } catch (Exception e) {
                status = StepStatus.FAILED;
                detail = spec.redactor().describe(e);
                run.errors.add(put.name() + ": " + detail);
            }
            StepRecord r = new StepRecord(put.index(), put.phase(), put.name(), t, start,
                    Duration.between(start, run.clock.instant()), status, detail);
            run.record(put, r);
            run.stepEnded(put, status, run.clock.instant(), r.duration(), detail);
            if (run.undoing && status == StepStatus.SUCCEEDED) {
                next = comparePutBack(next, t, saved.get());
            }
        }
        boolean stopRan = run.actions.stream().filter(a -> a.kind() == Kind.STOP)
                .anyMatch(a -> run.records.containsKey(a.index()) || (frontier != null && frontier == a.index()));
        if (stopRan) {
            for (Step s : spec.starts()) {
                Action again = new Action(next++, Phase.START, Kind.START, "start again: " + s.name(), null, s, null);
                StepRecord r = run.executor.execute(again);
                if (r.status() == StepStatus.FAILED) {
                    break;
                }
            }
        }
        for (Action a : run.actions) {
            run.records.computeIfAbsent(a.index(), i -> new StepRecord(a.index(), a.phase(), a.name(), a.target(), null,
                    Duration.ZERO, StepStatus.NOT_RUN, "not run: the rollback was put back"));
        }
        boolean undoFailed = run.undoRecords.stream().anyMatch(r -> r.status() == StepStatus.FAILED
                && !r.name().startsWith("start again: "));
        return run.reports.finish(undoFailed ? Outcome.FAILED : Outcome.PUT_BACK, true);
    }

    /**
     * In an undo that failed, compares a target just put back with the state the undo started from,
     * so that the report proves where it ended; returns the next step index.
     */
    int comparePutBack(int next, String t, Snapshot saved) {
        Action check = new Action(next, Phase.VERIFY, Kind.VERIFY_PUT_BACK, "compare " + t + " with the state the undo "
                + "started from", t, null, null);
        Instant start = run.clock.instant();
        CheckResult c;
        try {
            c = spec.targets().get(t).verify(saved, run.restoreContext(run.rollbackId, run.asidePoint, Phase.VERIFY, check.name()));
            if (c == null) {
                c = CheckResult.failed(check.name(), "the target returned no result from verify()");
            }
        } catch (Exception e) {
            c = CheckResult.failed(check.name(), spec.redactor().describe(e));
        }
        c = run.redact(c.named(check.name(), Duration.between(start, run.clock.instant())));
        run.checkResults.add(c);
        StepStatus status = c.passed() ? StepStatus.SUCCEEDED : StepStatus.FAILED;
        if (!c.passed()) {
            run.errors.add(check.name() + ": " + c.detail());
        }
        StepRecord r = new StepRecord(check.index(), check.phase(), check.name(), t, start,
                Duration.between(start, run.clock.instant()), status, c.detail());
        run.record(check, r);
        return next + 1;
    }
}
