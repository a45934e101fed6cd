package dev.rollback.internal.engine;

import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.StepStatus;
import dev.rollback.TargetState;
import dev.rollback.internal.IoCount;
import dev.rollback.internal.engine.Layout.Action;
import dev.rollback.internal.engine.Layout.Kind;
import dev.rollback.spi.Check;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The loop of a run: each step in order, the failure policy when one fails or the store cannot keep up, the
 * checks begun before anything changes.
 *
 * <p>Part of one {@link Run}, whose state it reads and changes; not thread-safe.
 */
final class Executor {

    private final Run run;
    private final PlanSpec spec;

    Executor(Run run) {
        this.run = run;
        this.spec = run.spec;
    }

    /** Runs every step not yet done, in order, under the run's failure policy, and ends the run. */
    RollbackReport runFrom() {
        beginChecks();
        for (Action a : run.actions) {
            StepRecord done = run.records.get(a.index());
            if (done != null && done.status().isSuccessful()) {
                continue;
            }
            if (a.phase().compareTo(Phase.RESTORE) >= 0 && !commitAside() && !run.storeFailureApplied) {
                // the state set aside is not in the store: nothing may be overwritten
                run.storeFailureApplied = true;
                switch (run.policy) {
                    case HALT:
                        return run.recovery.halt();
                    case RESTORE_FAILED_STATE:
                        return run.recovery.putBack(false);
                    default:
                        // no restore ran (they wait for the commit), and none will: the half-stored state goes
                        spec.writer().abort(run.asidePending);
                        run.notSetAside.addAll(run.scope);
                }
            }
            String blocked = blocked(a);
            if (blocked != null) {
                StepStatus status = a.target() != null && run.skipped.contains(a.target()) ? StepStatus.SKIPPED : StepStatus.NOT_RUN;
                StepRecord r = new StepRecord(a.index(), a.phase(), a.name(), a.target(), null, Duration.ZERO, status, blocked);
                try (IoCount.Scope counted = IoCount.during(label(a.phase()))) {
                    run.record(a, r);
                }
                if (run.storeFailure != null && !run.storeFailureApplied && run.policy != FailurePolicy.CONTINUE) {
                    run.storeFailureApplied = true;
                    return run.policy == FailurePolicy.HALT ? run.recovery.halt() : run.recovery.putBack(false);
                }
                continue;
            }
            StepRecord r = execute(a);
            // a journal that cannot be written fails the run like a failed step: the policy decides
            boolean journalLost = run.storeFailure != null && !run.storeFailureApplied;
            run.storeFailureApplied |= journalLost;
            if ((r.status() == StepStatus.FAILED && stopsTheRun(a)) || journalLost) {
                switch (run.policy) {
                    case HALT:
                        return run.recovery.halt();
                    case RESTORE_FAILED_STATE:
                        return run.recovery.putBack(false);
                    case CONTINUE:
                        if (a.kind() == Kind.SET_ASIDE && r.status() == StepStatus.FAILED) {
                            run.notSetAside.add(a.target());
                        }
                        break;
                    default:
                        throw new IllegalStateException("unknown policy " + run.policy);
                }
            }
        }
        if (run.undoing) {
            // every restore and every comparison passed: a failed start or check was reported as such
            return run.reports.finish(Outcome.FAILED_STATE_RESTORED, true);
        }
        boolean stepFailed = run.allRecords().stream().anyMatch(r -> r.status() == StepStatus.FAILED && r.phase() != Phase.VERIFY);
        boolean checkFailed = run.allRecords().stream().anyMatch(r -> r.status() == StepStatus.FAILED && r.phase() == Phase.VERIFY);
        Outcome outcome = stepFailed ? Outcome.COMPLETED_WITH_ERRORS : checkFailed ? Outcome.VERIFICATION_FAILED : Outcome.SUCCEEDED;
        return run.reports.finish(outcome, true);
    }

    /** Commits the set-aside point, counted as work of the set-aside phase. */
    private boolean commitAside() {
        try (IoCount.Scope counted = IoCount.during(label(Phase.SET_ASIDE))) {
            return run.stepActions.commitAside();
        }
    }

    /**
     * Whether a failure of {@code a} calls for the failure policy. In a rollback, every step but
     * the checks of the verify phase. In an undo, every step but those of the start phase (the
     * failed state may well not start or answer; that is reported, not undone) and the plan's
     * checks (information only); a target's comparison with the state set aside does: a target
     * that is not that state exactly must not stay so.
     */
    boolean stopsTheRun(Action a) {
        if (!run.undoing) {
            return a.phase() != Phase.VERIFY;
        }
        return a.phase() != Phase.START && a.kind() != Kind.CHECK;
    }

    /** Why the action must not run, or null if it may. */
    String blocked(Action a) {
        String t = a.target();
        if (t == null) {
            return null;
        }
        if (a.kind() != Kind.SET_ASIDE && run.skipped.contains(t)) {
            return "skipped by the operator: '" + t + "' was left as it was";
        }
        if (a.kind() != Kind.SET_ASIDE && run.notSetAside.contains(t)) {
            return "not run: the state of '" + t + "' could not be set aside, so it was not overwritten";
        }
        if (a.kind() == Kind.VERIFY_TARGET && run.states.get(t) != TargetState.RESTORED) {
            return "not run: '" + t + "' was not restored";
        }
        return null;
    }

    /** Runs one step, timed and watched by the heartbeat, and records how it ended. */
    StepRecord execute(Action a) {
        try (IoCount.Scope counted = IoCount.during(label(a.phase()))) {
            return executeCounted(a);
        }
    }

    /** The label under which {@link IoCount} counts the work of a step of {@code phase}. */
    static String label(Phase phase) {
        return phase.name().toLowerCase(java.util.Locale.ROOT);
    }

    private StepRecord executeCounted(Action a) {
        Instant start = run.clock.instant();
        run.stepStarted(a, start);
        StepStatus status;
        String detail;
        try (Heartbeat.Watch watch = run.engine.heartbeat.watch(line -> run.reportProgress(a, line))) {
            detail = run.stepActions.perform(a);
            status = StepStatus.SUCCEEDED;
            if (a.kind() == Kind.VERIFY_TARGET || a.kind() == Kind.CHECK) {
                CheckResult last = run.checkResults.get(run.checkResults.size() - 1);
                status = last.passed() ? StepStatus.SUCCEEDED : StepStatus.FAILED;
            }
        } catch (Exception e) {
            status = StepStatus.FAILED;
            detail = spec.redactor().describe(e);
            if (a.kind() == Kind.CHECK || a.kind() == Kind.VERIFY_TARGET) {
                run.checkResults.add(new CheckResult(a.kind() == Kind.CHECK ? a.check().name() : a.name(), false,
                        detail, 1, Duration.between(start, run.clock.instant()), List.of()));
            }
        }
        Instant end = run.clock.instant();
        StepRecord r = new StepRecord(a.index(), a.phase(), a.name(), a.target(), start, Duration.between(start, end),
                status, spec.redactor().redact(detail));
        if (status == StepStatus.FAILED) {
            run.errors.add(a.name() + ": " + r.detail() + (run.undoing && !stopsTheRun(a) ? " (reported only: "
                    + (a.kind() == Kind.CHECK ? "the plan's checks are information in an undo" : "the failed state was "
                    + "restored all the same") + ")" : ""));
        }
        run.record(a, r);
        run.stepEnded(a, status, end, r.duration(), r.detail());
        run.reports.checkBudget(a.phase());
        return r;
    }

    /** Lets every check note what it needs of the moment the rollback begins ({@link Check#begin}). */
    void beginChecks() {
        for (Action a : run.actions) {
            if (a.kind() == Kind.CHECK) {
                try {
                    Check begun = a.check().begin(run.stepContext(a));
                    run.begunChecks.put(a.index(), begun == null ? a.check() : begun);
                } catch (Exception e) {
                    run.beginFailures.put(a.index(), e);
                }
            }
        }
    }
}
