package dev.rollback.junit;

import dev.rollback.PhaseTiming;
import dev.rollback.RollbackReport;
import dev.rollback.SetAside;
import dev.rollback.StepRecord;
import dev.rollback.TargetState;
import dev.rollback.TargetStatus;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Phase;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * AssertJ assertions on a {@link RollbackReport}; made by {@link RollbackAssertions#assertThat(RollbackReport)}.
 * A failure's message says what was expected and found, then shows the report as Markdown.
 *
 * <p>Not thread-safe: one assertion chain per thread, as with every AssertJ assert. Open to
 * subclasses only so that {@link RollbackSoftAssertions} can collect its failures.
 *
 * <pre>{@code
 * assertThat(plan.rollback(before)).succeeded().recoveredWithin(Duration.ofMinutes(5))
 *     .phaseWithin(Phase.RESTORE, Duration.ofMinutes(2)).withinBudgets()
 *     .targetState("database", TargetState.VERIFIED).setAside("database").passedCheck("GET http://127.0.0.1:8080/");
 * }</pre>
 */
public class RollbackReportAssert extends AbstractObjectAssert<RollbackReportAssert, RollbackReport> {

    /** Assertions on {@code actual}; tests call {@link RollbackAssertions#assertThat(RollbackReport)} instead. */
    public RollbackReportAssert(RollbackReport actual) {
        super(actual, RollbackReportAssert.class);
    }

    /** Verifies that the rollback succeeded: every step ran and every check passed. */
    public RollbackReportAssert succeeded() {
        isNotNull();
        if (!actual.isSuccessful()) {
            fail("Expected rollback " + actual.rollbackId() + " of plan '" + actual.plan() + "' to succeed, but it "
                    + "ended " + actual.outcome() + failedSteps());
        }
        return this;
    }

    /** Verifies that the rollback took at most {@code budget}, from its start to its end. */
    public RollbackReportAssert recoveredWithin(Duration budget) {
        Texts.requirePositive(budget, "recoveredWithin");
        isNotNull();
        if (actual.timeToRecover().compareTo(budget) > 0) {
            fail("Expected rollback " + actual.rollbackId() + " of plan '" + actual.plan() + "' to recover within "
                    + Texts.human(budget) + ", but it took " + Texts.human(actual.timeToRecover()));
        }
        return this;
    }

    /** Verifies that the plan has target {@code name} and that it ended in {@code state}. */
    public RollbackReportAssert targetState(String name, TargetState state) {
        if (name == null || state == null) {
            throw new IllegalArgumentException("targetState: expected a target name and a state, found " + name
                    + " and " + state + "; give one such as targetState(\"database\", TargetState.VERIFIED)");
        }
        isNotNull();
        Optional<TargetStatus> target = actual.target(name);
        if (target.isEmpty()) {
            fail("Expected rollback " + actual.rollbackId() + " to have target '" + name + "', but its targets are "
                    + actual.targets().stream().map(TargetStatus::name).toList());
        } else if (target.get().state() != state) {
            fail("Expected target '" + name + "' of rollback " + actual.rollbackId() + " to end " + state
                    + ", but it ended " + target.get().state()
                    + (target.get().detail().isEmpty() ? "" : " (" + target.get().detail() + ")"));
        }
        return this;
    }

    /**
     * Verifies that the plan has target {@code name} and that it ended in {@code state}.
     *
     * @deprecated renamed {@link #targetState(String, TargetState)}, which does the same
     */
    @Deprecated(forRemoval = true)
    public RollbackReportAssert hasTarget(String name, TargetState state) {
        return targetState(name, state);
    }

    /**
     * Verifies that {@code phase} took at most {@code limit}: the sum of its steps' durations, hooks
     * included, as the report's phase timing has it.
     */
    public RollbackReportAssert phaseWithin(Phase phase, Duration limit) {
        if (phase == null) {
            throw new IllegalArgumentException("phaseWithin: expected a phase, found null; give one such as "
                    + "phaseWithin(Phase.RESTORE, Duration.ofMinutes(2))");
        }
        Texts.requirePositive(limit, "phaseWithin");
        isNotNull();
        Duration took = actual.phases().stream().filter(p -> p.phase() == phase).map(PhaseTiming::took).findFirst()
                .orElse(Duration.ZERO);
        if (took.compareTo(limit) > 0) {
            fail("Expected phase " + phase + " of rollback " + actual.rollbackId() + " of plan '" + actual.plan()
                    + "' to take at most " + Texts.human(limit) + ", but it took " + Texts.human(took));
        }
        return this;
    }

    /**
     * Verifies that no phase took longer than the budget the plan set for it ({@code budget(phase, ..)})
     * and that the rollback met the plan's recovery budget, if it set one.
     */
    public RollbackReportAssert withinBudgets() {
        isNotNull();
        List<String> over = new java.util.ArrayList<>();
        for (PhaseTiming p : actual.phases()) {
            if (p.overBudget()) {
                over.add("phase " + p.phase() + " took " + Texts.human(p.took()) + " of a budget of "
                        + Texts.human(p.budget()));
            }
        }
        if (actual.overRecoveryBudget()) {
            over.add("the rollback took " + Texts.human(actual.timeToRecover()) + " of a recovery budget of "
                    + Texts.human(actual.recoveryBudget()));
        }
        if (!over.isEmpty()) {
            fail("Expected rollback " + actual.rollbackId() + " of plan '" + actual.plan() + "' within the plan's "
                    + "budgets, but " + String.join("; ", over));
        }
        return this;
    }

    /** Verifies that the state of target {@code name} was set aside before the rollback overwrote it. */
    public RollbackReportAssert setAside(String name) {
        if (name == null) {
            throw new IllegalArgumentException("setAside: expected a target name, found null; give one such as "
                    + "setAside(\"database\")");
        }
        isNotNull();
        if (actual.setAside().stream().map(SetAside::target).noneMatch(name::equals)) {
            fail("Expected the state of target '" + name + "' to be set aside by rollback " + actual.rollbackId()
                    + ", but it was not; set aside were " + actual.setAside().stream().map(SetAside::target).toList());
        }
        return this;
    }

    /** Verifies that a check named {@code name} ran in the verify phase and passed. */
    public RollbackReportAssert passedCheck(String name) {
        if (name == null) {
            throw new IllegalArgumentException("passedCheck: expected a check name, found null; give one such as "
                    + "passedCheck(\"orders table is not empty\")");
        }
        isNotNull();
        Optional<CheckResult> check = actual.checks().stream().filter(c -> c.name().equals(name)).findFirst();
        if (check.isEmpty()) {
            fail("Expected rollback " + actual.rollbackId() + " to pass check '" + name + "', but no check of that "
                    + "name ran; the checks were " + actual.checks().stream().map(CheckResult::name).toList());
        } else if (!check.get().passed()) {
            fail("Expected rollback " + actual.rollbackId() + " to pass check '" + name + "', but it failed: "
                    + check.get().detail());
        }
        return this;
    }

    private String failedSteps() {
        return actual.failedSteps().isEmpty() ? "" : "; failed steps: " + String.join("; ", actual.failedSteps()
                .stream().map((StepRecord s) -> s.name() + ": " + s.detail()).toList());
    }

    private void fail(String message) {
        failWithMessage("%s", Texts.withReport(message, actual.toMarkdown()));
    }
}
