package dev.rollback;

import dev.rollback.spi.TargetKind;

import dev.rollback.spi.CheckResult;

import dev.rollback.spi.Snapshot;

import dev.rollback.spi.Check;

import dev.rollback.spi.Step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import dev.rollback.testing.MemoryTarget;
import dev.rollback.testing.TestClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UndoTest {

    @TempDir
    Path dir;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final TestClock clock = new TestClock();

    final MemoryTarget db = new MemoryTarget("db", "schema-1", log);
    final MemoryTarget code = new MemoryTarget("code", "v1", log);

    /** A plan whose check passes on the good state only, as a real health check does. */
    RollbackPlanBuilder plan() {
        return Rollback.plan("app").store(dir.resolve("store")).clock(clock)
                .stop(Step.of("stop app", ctx -> log.add("stop app")))
                .target(db)
                .target(code)
                .start(Step.of("start app", ctx -> log.add("start app")))
                .verify(Check.of("health", () -> {
                    log.add("check health");
                    return code.value.equals("v1");
                }));
    }

    RollbackReport rolledBackFromBadDeploy(RollbackPlan plan) {
        RestorePoint before = plan.capture("v1");
        db.value = "schema-2";
        code.value = "v2";
        RollbackReport rollback = plan.rollback(before);
        assertThat(rollback.outcome()).as(rollback.toString()).isEqualTo(Outcome.SUCCEEDED);
        log.clear();
        return rollback;
    }

    @Test
    void shouldRestoreTheFailedStateAndCompareItWithTheSetAsideInsteadOfRunningThePlansChecks() {
        RollbackPlan plan = plan().build();
        RollbackReport rollback = rolledBackFromBadDeploy(plan);

        RollbackReport undo = plan.undo(rollback);

        assertThat(undo.outcome()).as(undo.toString()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(undo.isSuccessful()).isTrue();
        assertThat(undo.isUndo()).isTrue();
        assertThat(undo.undoes()).isEqualTo(rollback.rollbackId());
        assertThat(db.value).isEqualTo("schema-2");
        assertThat(code.value).isEqualTo("v2");
        assertThat(log).containsExactly("stop app", "set aside db", "set aside code", "restore db", "restore code",
                "start app", "verify db", "verify code");
        assertThat(undo.checks()).extracting(CheckResult::name).containsExactly("compare db with the state set aside",
                "compare code with the state set aside");
        assertThat(undo.target("code").orElseThrow().state()).isEqualTo(TargetState.VERIFIED);
        assertThat(undo.target("code").orElseThrow().detail()).startsWith("failed state restored, equal to the state set "
                + "aside: value is v2");
        assertThat(undo.toMarkdown()).contains("# Undo report: app", "- **Undoes:** rollback " + rollback.rollbackId(),
                "Failed state restored: every target holds again exactly the state set aside",
                "## Comparisons with the state set aside", "the plan's checks, which describe the good state, did not run");
        // the undo set the good state aside in turn: undoing the undo brings it back
        RollbackReport again = plan.undo(undo);
        assertThat(again.outcome()).as(again.toString()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(code.value).isEqualTo("v1");
        assertThat(RollbackReport.fromJson(undo.toJson())).isEqualTo(undo);
    }

    @Test
    void shouldRunThePlansChecksOnRequestAsInformationThatDoesNotDecideTheOutcome() {
        RollbackPlan plan = plan().build();
        RollbackReport rollback = rolledBackFromBadDeploy(plan);

        RollbackReport undo = plan.undo(rollback, Undo.withPlanChecks());

        assertThat(undo.outcome()).as(undo.toString()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(log).endsWith("check health");
        assertThat(undo.checks()).filteredOn(c -> !c.passed()).extracting(CheckResult::name).containsExactly("health");
        assertThat(undo.errors()).singleElement().asString().contains("check (information) health",
                "reported only: the plan's checks are information in an undo");
        assertThat(code.value).isEqualTo("v2");
        assertThat(undo.toMarkdown()).contains("ran as information only");
    }

    @Test
    void shouldPutBackTheStateItStartedFromWhenARestoreFailsWhateverThePlansPolicy() {
        RollbackPlan plan = plan().onFailure(FailurePolicy.HALT).build();
        RollbackReport rollback = rolledBackFromBadDeploy(plan);
        code.failRestore = true;
        int[] restores = {0};
        code.duringRestore = () -> code.failRestore = ++restores[0] == 1; // the restore fails, its put-back works

        RollbackReport undo = plan.undo(rollback);

        assertThat(undo.outcome()).as(undo.toString()).isEqualTo(Outcome.PUT_BACK);
        assertThat(undo.isSuccessful()).isFalse();
        assertThat(db.value).isEqualTo("schema-1");
        assertThat(code.value).isEqualTo("v1");
        assertThat(undo.steps()).filteredOn(s -> s.status() == StepStatus.SUCCEEDED).extracting(StepRecord::name)
                .contains("put back code", "put back db", "compare db with the state the undo started from",
                        "compare code with the state the undo started from", "start again: start app");
        assertThat(undo.target("db").orElseThrow().state()).isEqualTo(TargetState.PUT_BACK);
        assertThat(undo.target("db").orElseThrow().detail()).startsWith("the undo failed; put back to the state it "
                + "started from (that of rollback " + rollback.rollbackId() + ")");
        assertThat(undo.toMarkdown()).contains("The undo failed: every target it had changed was put back to the state "
                + "it started from");
        assertThatThrownBy(plan::resume).isInstanceOf(NothingToResumeException.class);
    }

    @Test
    void shouldPutBackTheStateItStartedFromWhenATargetIsNotEqualToTheSetAside() {
        RollbackPlan plan = plan().build();
        RollbackReport rollback = rolledBackFromBadDeploy(plan);
        code.failVerify = true;

        RollbackReport undo = plan.undo(rollback);

        assertThat(undo.outcome()).as(undo.toString()).isEqualTo(Outcome.FAILED);
        code.failVerify = false;
        assertThat(db.value).isEqualTo("schema-1");
        assertThat(code.value).isEqualTo("v1");
        assertThat(undo.steps()).filteredOn(s -> s.status() == StepStatus.FAILED).extracting(StepRecord::name)
                .containsExactly("compare code with the state set aside", "compare code with the state the undo started from");
        assertThat(undo.target("code").orElseThrow().state()).isEqualTo(TargetState.NEEDS_ATTENTION);
    }

    @Test
    void shouldReportAStartStepThatFailsOnTheFailedStateWithoutUndoingIt() {
        RollbackPlan plan = plan().start(Step.of("wait until ready", ctx -> {
            if (code.value.equals("v2")) {
                throw new IllegalStateException("not ready: v2 crashes on start");
            }
        })).build();
        RollbackReport rollback = rolledBackFromBadDeploy(plan);

        RollbackReport undo = plan.undo(rollback);

        assertThat(undo.outcome()).as(undo.toString()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(code.value).isEqualTo("v2");
        assertThat(db.value).isEqualTo("schema-2");
        assertThat(undo.errors()).singleElement().asString().contains("wait until ready", "v2 crashes on start",
                "reported only: the failed state was restored all the same");
    }

    @Test
    void shouldTellTheTargetWhenItRestoresASetAsideStateAndGiveARestoreTheSetAsideOfItsRollback() {
        Recording t = new Recording();
        RollbackPlan plan = Rollback.plan("rec").store(dir.resolve("store")).clock(clock).target(t).build();
        RestorePoint before = plan.capture("v1");
        t.value = "bad";

        RollbackReport rollback = plan.rollback(before);
        RollbackReport undo = plan.undo(rollback);

        assertThat(undo.outcome()).as(undo.toString()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(t.calls).containsExactly("restore good: set-aside false, own set-aside bad",
                "restore bad: set-aside true, own set-aside good");
        t.fail = true;
        RollbackReport failed = plan.undo(undo);
        assertThat(failed.outcome()).as(failed.toString()).isEqualTo(Outcome.PUT_BACK);
        assertThat(t.calls).endsWith("restore good: set-aside true, own set-aside bad",
                "put back bad: set-aside true, own set-aside none");
    }

    /** A target that records what the engine tells its restores. */
    static final class Recording implements Target {
        volatile String value = "good";
        volatile boolean fail;
        final List<String> calls = new ArrayList<>();

        @Override
        public String name() {
            return "rec";
        }

        @Override
        public TargetKind kind() {
            return TargetKind.CONFIG;
        }

        @Override
        public Snapshot capture(CaptureContext ctx) {
            return Snapshot.of(Map.of("value", value));
        }

        @Override
        public List<String> plan(Snapshot s, RestoreContext ctx) {
            return List.of("set " + s.require("value"));
        }

        @Override
        public void restore(Snapshot s, RestoreContext ctx) {
            boolean putBack = ctx.rollbackId().equals(lastRollback) && fail;
            lastRollback = ctx.rollbackId();
            calls.add((putBack ? "put back " : "restore ") + s.require("value") + ": set-aside " + ctx.restoresSetAside()
                    + ", own set-aside " + ctx.setAside(name()).map(x -> x.require("value")).orElse("none"));
            if (fail && !putBack) {
                throw new IllegalStateException("cannot set " + s.require("value"));
            }
            value = s.require("value");
        }

        private String lastRollback = "";

        @Override
        public CheckResult verify(Snapshot s, RestoreContext ctx) {
            return value.equals(s.require("value")) ? CheckResult.passed("rec", value) : CheckResult.failed("rec", value);
        }
    }
}
