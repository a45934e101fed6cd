package dev.rollback.junit;

import dev.rollback.spi.CheckResult;
import dev.rollback.RollbackReport;
import dev.rollback.SetAside;
import dev.rollback.StepRecord;
import dev.rollback.TargetState;
import dev.rollback.TargetStatus;
import java.time.Duration;
import java.util.Optional;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * AssertJ assertions on a {@link RollbackReport}; made by {@link RollbackAssertions#assertThat(RollbackReport)}.
 * A failure's message says what was expected and found, then shows the report as Markdown.
 *
 * <p>Not thread-safe: one assertion chain per thread, as with every AssertJ assert.
 *
 * <pre>{@code
 * assertThat(plan.rollback(before)).succeeded().recoveredWithin(Duration.ofMinutes(5))
 *     .hasTarget("database", TargetState.VERIFIED).setAside("database").passedCheck("GET http://127.0.0.1:8080/");
 * }</pre>
 */
public final class RollbackReportAssert extends AbstractObjectAssert<RollbackReportAssert, RollbackReport> {

    RollbackReportAssert(RollbackReport actual) {
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
        Reports.requirePositive(budget, "recoveredWithin");
        isNotNull();
        if (actual.timeToRecover().compareTo(budget) > 0) {
            fail("Expected rollback " + actual.rollbackId() + " of plan '" + actual.plan() + "' to recover within "
                    + Reports.human(budget) + ", but it took " + Reports.human(actual.timeToRecover()));
        }
        return this;
    }

    /** Verifies that the plan has target {@code name} and that it ended in {@code state}. */
    public RollbackReportAssert hasTarget(String name, TargetState state) {
        if (name == null || state == null) {
            throw new IllegalArgumentException("hasTarget: expected a target name and a state, found " + name + " and "
                    + state + "; give one such as hasTarget(\"database\", TargetState.VERIFIED)");
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
        failWithMessage("%s", Reports.withReport(message, actual.toMarkdown()));
    }
}
