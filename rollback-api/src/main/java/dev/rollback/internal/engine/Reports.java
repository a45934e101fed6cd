package dev.rollback.internal.engine;

import dev.rollback.Outcome;
import dev.rollback.PhaseTiming;
import dev.rollback.RollbackEvent;
import dev.rollback.RollbackReport;
import dev.rollback.SetAside;
import dev.rollback.StepRecord;
import dev.rollback.StepStatus;
import dev.rollback.TargetState;
import dev.rollback.TargetStatus;
import dev.rollback.error.RollbackException;
import dev.rollback.internal.IoCount;
import dev.rollback.internal.Logs;
import dev.rollback.internal.engine.Layout.Action;
import dev.rollback.spi.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The end of a run: every step's record, the phase timings, the targets' states and where each was set aside,
 * the errors; the report saved in the history, the journal closed, the listeners told. Also the phase budgets.
 *
 * <p>Part of one {@link Run}, whose state it reads and changes; not thread-safe.
 */
final class Reports {

    private final Run run;
    private final PlanSpec spec;

    Reports(Run run) {
        this.run = run;
        this.spec = run.spec;
    }

    /**
     * Ends the run with {@code outcome}: the report saved and handed to the listeners, the journal deleted when
     * {@code closeJournal}.
     */
    RollbackReport finish(Outcome outcome, boolean closeJournal) {
        try (IoCount.Scope counted = IoCount.during("finish")) {
            return finishCounted(outcome, closeJournal);
        }
    }

    private RollbackReport finishCounted(Outcome outcome, boolean closeJournal) {
        for (Action a : run.actions) {
            run.records.computeIfAbsent(a.index(), i -> new StepRecord(a.index(), a.phase(), a.name(), a.target(), null,
                    Duration.ZERO, StepStatus.NOT_RUN, "not run"));
        }
        Instant finished = run.clock.instant();
        List<StepRecord> steps = run.allRecords();
        List<PhaseTiming> phases = new ArrayList<>();
        for (Phase p : Phase.values()) {
            Duration took = steps.stream().filter(s -> s.phase() == p).map(StepRecord::duration).reduce(Duration.ZERO, Duration::plus);
            phases.add(new PhaseTiming(p, took, spec.budgets().get(p)));
        }
        List<TargetStatus> targets = new ArrayList<>();
        List<SetAside> aside = new ArrayList<>();
        for (Map.Entry<String, TargetState> e : run.states.entrySet()) {
            String t = e.getKey();
            String note = run.notes.getOrDefault(t, "");
            if (run.asidePoint != null && run.asidePoint.snapshot(t).isPresent()) {
                String where = run.engine.artifacts.describe(run.asidePoint, run.asidePoint.snapshot(t).orElseThrow());
                aside.add(new SetAside(t, run.asidePoint.id(), where));
                note = note.isEmpty() ? "state before the " + (run.undoing ? "undo" : "rollback") + " kept in "
                        + run.asidePoint.id() : note;
            }
            targets.add(new TargetStatus(t, spec.targets().get(t).kind(), e.getValue(), note));
        }
        RollbackReport report = new RollbackReport(run.rollbackId, spec.name(), run.point.id(), run.point.label(),
                run.scope, run.policy,
                outcome, run.journal.startedAt(), finished, spec.recoveryBudget(), steps, phases, run.checkResults, targets,
                run.asidePoint == null ? null : run.asidePoint.id(), aside, reportedErrors(outcome), run.journal.resumed(),
                run.undoing ? run.point.rollbackId() : null);
        // the rollback itself is over: its report is returned even if the history cannot be written
        spec.writer().keepReport(report, spec.redactor());
        try {
            spec.writer().activity().record(spec.name(), run.undoing ? "undo" : "rollback", run.point.id(),
                    run.rollbackId, outcome.name() + (closeJournal ? "" : " (unfinished: resume it)"));
        } catch (RollbackException e) {
            Logs.of(Run.class).error("plan '{}': the history entry of rollback {} could not be written: {}",
                    spec.name(), run.rollbackId, spec.redactor().redact(e.getMessage()));
        }
        if (closeJournal) {
            try {
                spec.writer().deleteJournal(spec.name());
            } catch (RollbackException e) {
                Logs.of(Run.class).error("plan '{}': the journal of the finished "
                        + "rollback {} could not be deleted: {}; abandon it with plan.resume(Resume.abandoning())",
                        spec.name(), run.rollbackId, spec.redactor().redact(e.getMessage()));
            }
        }
        spec.listeners().finished(report);
        return report;
    }

    /** The errors for the report: those of the attempts before a resume say whether the resume overcame them. */
    List<String> reportedErrors(Outcome outcome) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < run.errors.size(); i++) {
            String e = spec.redactor().redact(run.errors.get(i));
            if (i < run.earlierErrors) {
                e = (outcome.isSuccessful() ? "overcome on resume " + run.journal.resumed() + ": " : "before resume "
                        + run.journal.resumed() + ": ") + e;
            }
            out.add(e);
        }
        return out;
    }

    /** Tells the listeners, once, when {@code phase} has taken longer than its budget. */
    void checkBudget(Phase phase) {
        Duration budget = spec.budgets().get(phase);
        if (budget == null || run.budgetWarned.contains(phase)) {
            return;
        }
        Duration took = run.allRecords().stream().filter(s -> s.phase() == phase).map(StepRecord::duration)
                .reduce(Duration.ZERO, Duration::plus);
        if (took.compareTo(budget) > 0) {
            run.budgetWarned.add(phase);
            spec.listeners().emit(RollbackEvent.budgetExceeded(spec.name(), run.rollbackId, run.clock.instant(), took,
                    spec.redactor().redact("phase " + phase + " has taken " + took + ", over its budget of " + budget)));
        }
    }
}
