package dev.rollback;

import dev.rollback.store.RollbackInProgressException;

import dev.rollback.spi.Phase;

import dev.rollback.spi.TargetKind;

import dev.rollback.spi.CheckAttempt;

import dev.rollback.spi.CheckResult;

import dev.rollback.spi.Problem;

import dev.rollback.spi.Snapshot;

import dev.rollback.spi.StepContext;

import dev.rollback.spi.Check;

import dev.rollback.spi.Step;

import static dev.rollback.Scope.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.testing.FileTarget;
import dev.rollback.testing.MemoryTarget;
import dev.rollback.testing.TestClock;
import dev.rollback.testing.Trees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackPlanTest {

    @TempDir
    Path dir;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final TestClock clock = new TestClock();

    MemoryTarget db = new MemoryTarget("db", "schema-1", log);
    MemoryTarget code = new MemoryTarget("code", "v1", log);

    RollbackPlanBuilder plan() {
        return Rollback.plan("app").store(dir.resolve("store")).clock(clock)
                .stop(Step.of("stop app", ctx -> log.add("stop app")))
                .target(db)
                .target(code)
                .afterRestoring("code", Step.of("rebuild assets", ctx -> log.add("rebuild assets")))
                .start(Step.of("start app", ctx -> log.add("start app")))
                .verify(Check.of("health", () -> {
                    log.add("check health");
                    return true;
                }));
    }

    void badDeploy() {
        db.value = "schema-2";
        code.value = "v2";
    }

    @Test
    void shouldRunPhasesInTheirFixedOrderAndTargetsInDeclarationOrder() {
        RollbackPlan plan = plan().before(Phase.RESTORE, Step.of("notify", ctx -> log.add("notify"))).build();
        RestorePoint before = plan.capture("v1");
        badDeploy();
        log.clear();

        RollbackReport report = plan.rollback(before);

        assertThat(log).containsExactly("stop app", "set aside db", "set aside code", "notify", "restore db",
                "restore code", "rebuild assets", "start app", "verify db", "verify code", "check health");
        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.isSuccessful()).isTrue();
        assertThat(report.steps()).extracting(StepRecord::name).containsExactly("preflight", "stop app", "set aside db",
                "set aside code", "notify", "restore db", "restore code", "rebuild assets", "start app", "verify db",
                "verify code", "check health");
        assertThat(report.steps()).extracting(StepRecord::phase).isSorted();
        assertThat(db.value).isEqualTo("schema-1");
        assertThat(code.value).isEqualTo("v1");
        assertThat(report.target("db").orElseThrow().state()).isEqualTo(TargetState.VERIFIED);
        assertThat(report.checks()).extracting(CheckResult::name).containsExactly("verify db", "verify code", "health");
    }

    @Test
    void shouldRestoreOnlyTheNamedTargetsInAPartialRollback() {
        RollbackPlan plan = plan().build();
        RestorePoint before = plan.capture("v1");
        badDeploy();
        log.clear();

        RollbackReport report = plan.rollback(before, only("code"));

        assertThat(code.value).isEqualTo("v1");
        assertThat(db.value).isEqualTo("schema-2");
        assertThat(log).doesNotContain("restore db", "set aside db", "verify db");
        assertThat(report.scope()).containsExactly("code");
        assertThat(report.target("db").orElseThrow().state()).isEqualTo(TargetState.OUT_OF_SCOPE);
        assertThat(report.target("code").orElseThrow().state()).isEqualTo(TargetState.VERIFIED);
    }

    @Test
    void shouldRefuseUnknownTargetNamesBeforeAnythingRuns() throws Exception {
        RollbackPlan plan = plan().build();
        RestorePoint before = plan.capture("v1");
        badDeploy();
        log.clear();
        var storeBefore = Trees.fingerprint(dir.resolve("store"));

        assertThatThrownBy(() -> plan.rollback(before, only("code", "frontend")))
                .isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("frontend").hasMessageContaining("[db, code]").hasMessageContaining("nothing was changed");

        assertThat(log).isEmpty();
        assertThat(code.value).isEqualTo("v2");
        assertThat(Trees.fingerprint(dir.resolve("store"))).isEqualTo(storeBefore);
    }

    @Test
    void shouldPreviewEveryActionInOrderWithoutChangingAnything() throws Exception {
        Path app = Files.createDirectories(dir.resolve("app"));
        Path config = Files.writeString(app.resolve("config.json"), "{\"v\":1}");
        RollbackPlan plan = Rollback.plan("files").store(dir.resolve("store")).clock(clock)
                .target(new FileTarget("config", config))
                .stop(Step.of("stop app", ctx -> { throw new AssertionError("preview must not run steps"); }))
                .build();
        RestorePoint before = plan.capture("v1");
        Files.writeString(config, "{\"v\":2, \"broken\":true}");
        var fingerprint = Trees.fingerprint(dir);

        RollbackPreview preview = plan.preview(before);

        assertThat(Trees.fingerprint(dir)).isEqualTo(fingerprint);
        assertThat(preview.isReady()).isTrue();
        assertThat(preview.steps()).extracting(PlannedStep::name)
                .containsExactly("preflight", "stop app", "set aside config", "restore config", "verify config");
        assertThat(preview.stepsOf("config").get(1).actions()).singleElement().asString()
                .contains("replace " + config).contains("(22 bytes)").contains("7 bytes captured");
        assertThat(preview.toString()).contains("1. [PREFLIGHT] preflight").contains("4. [RESTORE] restore config");
    }

    @Test
    void shouldListEveryPreflightProblemInOneErrorAndChangeNothing() throws Exception {
        RollbackPlan plan = plan().build();
        RestorePoint before = plan.capture("v1");
        badDeploy();
        db.problems.add(Problem.of("db", "pg_restore installed", "no pg_restore on PATH", "install postgresql-client"));
        code.problems.add(Problem.of("code", "commit abc123 present", "no such commit", "fetch the repository"));
        log.clear();
        var storeBefore = Trees.fingerprint(dir.resolve("store"));

        assertThatThrownBy(() -> plan.rollback(before))
                .isInstanceOfSatisfying(PreflightFailedException.class, e -> {
                    assertThat(e.problems()).hasSize(2);
                    assertThat(e.getMessage()).contains("refused before any change: 2 problems")
                            .contains("no pg_restore on PATH").contains("no such commit");
                });

        assertThat(log).isEmpty();
        assertThat(db.value).isEqualTo("schema-2");
        assertThat(Trees.fingerprint(dir.resolve("store"))).isEqualTo(storeBefore);
        assertThat(plan.history()).isEmpty();
    }

    @Test
    void shouldRefuseACorruptedArtifactBeforeAnyChange() throws Exception {
        Path app = Files.createDirectories(dir.resolve("app"));
        Path config = Files.writeString(app.resolve("app.env"), "MODE=good\n");
        Path data = Files.writeString(app.resolve("data.txt"), "rows\n");
        RollbackPlan plan = Rollback.plan("files").store(dir.resolve("store")).clock(clock)
                .target(new FileTarget("config", config))
                .target(new FileTarget("data", data))
                .build();
        RestorePoint before = plan.capture("v1");
        Files.writeString(config, "MODE=bad\n");
        Files.writeString(data, "more rows\n");
        Path artifact = plan.store().artifactDir(before, "config").resolve("content");
        Files.writeString(artifact, "MODE=evil\n");
        var appBefore = Trees.fingerprint(app);

        assertThatThrownBy(() -> plan.rollback(before))
                .isInstanceOfSatisfying(PreflightFailedException.class, e -> assertThat(e.problems())
                        .singleElement().satisfies(p -> {
                            assertThat(p.target()).isEqualTo("config");
                            assertThat(p.message()).contains("sha256").contains("corrupted");
                        }));

        assertThat(Trees.fingerprint(app)).isEqualTo(appBefore);
    }

    @Test
    void shouldHaltAtTheFirstFailureAndFinishOnResumeOnceTheCauseIsFixed() {
        RollbackPlan plan = plan().onFailure(FailurePolicy.HALT).build();
        RestorePoint before = plan.capture("v1");
        badDeploy();
        db.failRestore = true;
        log.clear();

        RollbackReport halted = plan.rollback(before);

        assertThat(halted.outcome()).isEqualTo(Outcome.HALTED);
        assertThat(log).containsExactly("stop app", "set aside db", "set aside code", "restore db");
        assertThat(halted.failedSteps()).extracting(StepRecord::name).containsExactly("restore db");
        assertThat(halted.steps()).filteredOn(s -> s.status() == StepStatus.NOT_RUN).extracting(StepRecord::name)
                .contains("restore code", "start app", "check health");
        assertThat(halted.target("db").orElseThrow().state()).isEqualTo(TargetState.RESTORE_FAILED);
        assertThat(halted.target("code").orElseThrow().state()).isEqualTo(TargetState.SET_ASIDE);
        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(RollbackInProgressException.class)
                .hasMessageContaining("plan.resume()");

        db.failRestore = false;
        log.clear();
        RollbackReport finished = plan.resume();

        assertThat(log).containsExactly("restore db", "restore code", "rebuild assets", "start app", "verify db",
                "verify code", "check health");
        assertThat(finished.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(finished.rollbackId()).isEqualTo(halted.rollbackId());
        assertThat(finished.resumed()).isEqualTo(1);
        assertThat(db.value).isEqualTo("schema-1");
        assertThatThrownBy(plan::resume).isInstanceOf(NothingToResumeException.class);
    }

    @Test
    void shouldSkipATargetOnResumeWhenTheOperatorSaysSo() {
        RollbackPlan plan = plan().build();
        RestorePoint before = plan.capture("v1");
        badDeploy();
        db.failRestore = true;
        plan.rollback(before);

        assertThatThrownBy(() -> plan.resume(Resume.skipping("cache")))
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("cache");
        RollbackReport report = plan.resume(Resume.skipping("db"));

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.target("db").orElseThrow().state()).isEqualTo(TargetState.SKIPPED);
        assertThat(report.steps()).filteredOn(s -> "db".equals(s.target()) && s.phase() != Phase.SET_ASIDE)
                .extracting(StepRecord::status).containsOnly(StepStatus.SKIPPED);
        assertThat(db.value).isEqualTo("schema-2");
        assertThat(code.value).isEqualTo("v1");
    }

    @Test
    void shouldRunEveryOtherStepAndReportAllErrorsUnderContinue() {
        RollbackPlan plan = plan().onFailure(FailurePolicy.CONTINUE).build();
        RestorePoint before = plan.capture("v1");
        badDeploy();
        db.failRestore = true;
        log.clear();

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).isEqualTo(Outcome.COMPLETED_WITH_ERRORS);
        assertThat(log).contains("restore code", "rebuild assets", "start app", "verify code", "check health")
                .doesNotContain("verify db");
        assertThat(code.value).isEqualTo("v1");
        assertThat(report.errors()).singleElement().asString().contains("restore db").contains("restore failed");
        assertThat(report.target("db").orElseThrow().state()).isEqualTo(TargetState.RESTORE_FAILED);
        assertThatThrownBy(plan::resume).isInstanceOf(NothingToResumeException.class);
    }

    @Test
    void shouldNeverOverwriteATargetWhoseStateCouldNotBeSetAside() {
        RollbackPlan plan = plan().onFailure(FailurePolicy.CONTINUE).build();
        RestorePoint before = plan.capture("v1");
        badDeploy();
        db.failSetAside = true;
        log.clear();

        RollbackReport report = plan.rollback(before);

        assertThat(log).doesNotContain("restore db").contains("restore code");
        assertThat(db.value).isEqualTo("schema-2");
        assertThat(report.target("db").orElseThrow().state()).isEqualTo(TargetState.UNCHANGED);
        assertThat(report.steps()).filteredOn(s -> s.name().equals("restore db")).singleElement()
                .satisfies(s -> assertThat(s.detail()).contains("could not be set aside"));
    }

    @Test
    void shouldPutBackWhatItChangedWhenAStepFailsUnderRestoreFailedState() throws Exception {
        Path app = Files.createDirectories(dir.resolve("app"));
        Path env = Files.writeString(app.resolve("app.env"), "MODE=good\n");
        Path data = Files.writeString(app.resolve("data.txt"), "v1 rows\n");
        List<String> steps = new ArrayList<>();
        RollbackPlan plan = Rollback.plan("files").store(dir.resolve("store")).clock(clock)
                .onFailure(FailurePolicy.RESTORE_FAILED_STATE)
                .stop(Step.of("stop app", ctx -> steps.add("stop")))
                .target(new FileTarget("env", env))
                .target(new FileTarget("data", data))
                .start(Step.of("start app", ctx -> steps.add("start")))
                .build();
        RestorePoint before = plan.capture("v1");
        byte[] badEnv = "MODE=bad\nNEW_FLAG=1\n".getBytes(StandardCharsets.UTF_8);
        byte[] newData = "v1 rows\nrows written after the deploy\n".getBytes(StandardCharsets.UTF_8);
        Files.write(env, badEnv);
        Files.write(data, newData);
        Files.createFile(app.resolve("data.fail"));

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).isEqualTo(Outcome.PUT_BACK);
        assertThat(Files.readAllBytes(env)).isEqualTo(badEnv);
        assertThat(Files.readAllBytes(data)).isEqualTo(newData);
        assertThat(steps).containsExactly("stop", "start");
        assertThat(report.steps()).extracting(StepRecord::name).endsWith("put back data", "put back env", "start again: start app");
        assertThat(report.target("env").orElseThrow().state()).isEqualTo(TargetState.PUT_BACK);
        assertThat(report.setAsidePointId()).isNotNull();
        assertThatThrownBy(plan::resume).isInstanceOf(NothingToResumeException.class);
    }

    @Test
    void shouldKeepTheRestoredStateAndSaySoWhenAVerificationFails() {
        RollbackPlan plan = plan().onFailure(FailurePolicy.RESTORE_FAILED_STATE)
                .verify(Check.of("orders page", () -> false)).build();
        RestorePoint before = plan.capture("v1");
        badDeploy();

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).isEqualTo(Outcome.VERIFICATION_FAILED);
        assertThat(report.checks()).filteredOn(c -> !c.passed()).extracting(CheckResult::name).containsExactly("orders page");
        assertThat(code.value).isEqualTo("v1");
    }

    @Test
    void shouldUndoARollbackWithTheStateItSetAside() throws Exception {
        Path app = Files.createDirectories(dir.resolve("app"));
        Path env = Files.writeString(app.resolve("app.env"), "MODE=good\n");
        RollbackPlan plan = Rollback.plan("files").store(dir.resolve("store")).clock(clock)
                .target(new FileTarget("env", env)).build();
        RestorePoint before = plan.capture("v1");
        Files.writeString(env, "MODE=new\n");
        RollbackReport rollback = plan.rollback(before);
        assertThat(Files.readString(env)).isEqualTo("MODE=good\n");

        RollbackReport undo = plan.undo(rollback);

        assertThat(undo.isSuccessful()).isTrue();
        assertThat(Files.readString(env)).isEqualTo("MODE=new\n");
        RestorePoint aside = plan.store().get(rollback.setAsidePointId());
        assertThat(aside.origin()).isEqualTo(RestorePoint.Origin.SET_ASIDE);
        assertThat(aside.rollbackId()).isEqualTo(rollback.rollbackId());
        assertThat(rollback.setAside()).singleElement().satisfies(s -> assertThat(Path.of(s.location())).isDirectory());
    }

    @Test
    void shouldRefuseARestorePointMarkedBad() {
        RollbackPlan plan = plan().build();
        RestorePoint v2 = plan.capture("v2");
        plan.store().markBad(v2.id(), "ops", "500s on /orders");

        assertThatThrownBy(() -> plan.rollback(plan.store().get(v2.id())))
                .isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("marked bad by ops").hasMessageContaining("500s on /orders");
    }

    @Test
    void shouldRefuseARestorePointOfAnotherPlan() {
        RollbackPlan plan = plan().build();
        RollbackPlan other = Rollback.plan("other").store(dir.resolve("store")).target(new MemoryTarget("db", "x", log)).build();
        RestorePoint foreign = other.capture("v1");

        assertThatThrownBy(() -> plan.rollback(foreign)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("a point of plan 'app'").hasMessageContaining("found snapshots of [db] only");
    }

    @Test
    void shouldKeepGoingWhenAListenerThrows() {
        List<RollbackEvent> seen = new ArrayList<>();
        RollbackPlan plan = plan()
                .listener(new RollbackListener() {
                    @Override
                    public void onStepStarted(RollbackEvent event) {
                        throw new IllegalStateException("dashboard is down");
                    }

                    @Override
                    public void onRollbackFinished(RollbackReport report) {
                        throw new IllegalStateException("pager is down");
                    }
                })
                .listener(new RollbackListener() {
                    @Override
                    public void onStepFinished(RollbackEvent event) {
                        seen.add(event);
                    }
                })
                .build();
        RestorePoint before = plan.capture("v1");
        badDeploy();

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).isTrue();
        assertThat(seen).extracting(RollbackEvent::step).contains("restore db", "restore code", "check health");
        assertThat(seen).allSatisfy(e -> {
            assertThat(e.plan()).isEqualTo("app");
            assertThat(e.rollbackId()).isEqualTo(report.rollbackId());
            assertThat(e.type()).isEqualTo(RollbackEvent.Type.STEP_FINISHED);
        });
    }

    @Test
    void shouldTimeEveryStepWithTheInjectedClockAndFlagPhasesOverBudget() {
        db.duringRestore = () -> clock.advance(Duration.ofSeconds(90));
        List<RollbackEvent> overruns = new ArrayList<>();
        RollbackPlan plan = plan().budget(Phase.RESTORE, Duration.ofMinutes(1)).recoveryBudget(Duration.ofMinutes(5))
                .listener(new RollbackListener() {
                    @Override
                    public void onBudgetExceeded(RollbackEvent event) {
                        overruns.add(event);
                    }
                }).build();
        RestorePoint before = plan.capture("v1");
        badDeploy();

        RollbackReport report = plan.rollback(before);

        assertThat(report.steps()).filteredOn(s -> s.name().equals("restore db")).singleElement()
                .satisfies(s -> assertThat(s.duration()).isEqualTo(Duration.ofSeconds(90)));
        assertThat(report.phases()).filteredOn(p -> p.phase() == Phase.RESTORE).singleElement()
                .satisfies(p -> assertThat(p.overBudget()).isTrue());
        assertThat(report.timeToRecover()).isEqualTo(Duration.ofSeconds(90));
        assertThat(report.overRecoveryBudget()).isFalse();
        assertThat(overruns).singleElement().satisfies(e -> assertThat(e.message()).contains("RESTORE"));
        assertThat(report.toMarkdown()).contains("| 1 min 30 s | 1 min 0 s **exceeded** |").doesNotContain("PT");
    }

    @Test
    void shouldMaskSecretsInReportsEventsAndErrors() {
        MemoryTarget vault = new MemoryTarget("vault", "k1", log, "hunter2-token");
        vault.failRestore = true;
        vault.restoreError = "login with password hunter2-token refused";
        List<String> messages = new ArrayList<>();
        RollbackPlan plan = Rollback.plan("secret").store(dir.resolve("store")).clock(clock)
                .target(vault).secret("s3cr3t-db-pass")
                .stop(Step.of("stop", ctx -> { throw new IllegalStateException("db pass s3cr3t-db-pass rejected"); }))
                .onFailure(FailurePolicy.CONTINUE)
                .listener(new RollbackListener() {
                    @Override
                    public void onStepFailed(RollbackEvent event) {
                        messages.add(event.message());
                    }
                })
                .build();
        RestorePoint before = plan.capture("v1");

        RollbackReport report = plan.rollback(before);

        assertThat(messages).hasSize(2).noneMatch(m -> m.contains("hunter2") || m.contains("s3cr3t"));
        assertThat(report.toJson()).doesNotContain("hunter2-token").doesNotContain("s3cr3t-db-pass").contains("****");
        assertThat(report.toMarkdown()).doesNotContain("hunter2-token").doesNotContain("s3cr3t-db-pass");
    }

    @Test
    void shouldMaskSecretsThatAChecksObservationsEcho() {
        RollbackPlan plan = plan().secret("s3cr3t-db-pass").verify(new Check() {
            public String name() {
                return "config endpoint";
            }

            public CheckResult run(StepContext ctx) {
                CheckAttempt first = new CheckAttempt(1, ctx.clock().instant(), false, "body: {\"db\":\"s3cr3t-db-pass\"}",
                        Duration.ZERO);
                return CheckResult.of("config endpoint", List.of(first), Duration.ZERO);
            }
        }).build();
        RestorePoint before = plan.capture("v1");

        RollbackReport report = plan.rollback(before);

        assertThat(report.checks()).filteredOn(c -> c.name().equals("config endpoint")).singleElement()
                .satisfies(c -> assertThat(c.history()).singleElement()
                        .satisfies(h -> assertThat(h.observed()).isEqualTo("body: {\"db\":\"****\"}")));
        assertThat(report.toJson()).doesNotContain("s3cr3t-db-pass");
    }

    @Test
    void shouldRoundTripTheReportThroughJson() {
        RollbackPlan plan = plan().build();
        RestorePoint before = plan.capture("v1");
        badDeploy();
        db.failRestore = true;
        RollbackReport report = plan.rollback(before);

        RollbackReport back = RollbackReport.fromJson(report.toJson());

        assertThat(back).isEqualTo(report);
        assertThat(report.toJson()).contains("\"outcome\" : \"HALTED\"").doesNotContain("\"successful\"");
        assertThat(plan.history()).containsExactly(report);
        assertThat(plan.rollbacks()).containsExactly(report);
    }

    @Test
    void shouldWriteAMarkdownIncidentReport() {
        RollbackPlan plan = plan().build();
        RestorePoint before = plan.capture("v1");
        badDeploy();

        String md = plan.rollback(before).toMarkdown();

        assertThat(md).startsWith("# Rollback incident report: app")
                .contains("**Outcome:** SUCCEEDED (recovered)")
                .contains("## Actions taken").contains("| 5 | RESTORE | restore db | SUCCEEDED |")
                .contains("## Validation results").contains("- [x] health")
                .contains("## Targets affected").contains("| db | CONFIG | VERIFIED |")
                .contains("## State set aside");
    }

    @Test
    void shouldStoreNothingWhenOneTargetFailsToCapture() {
        RollbackPlan plan = Rollback.plan("cap").store(dir.resolve("store")).clock(clock)
                .target(db)
                .target(new dev.rollback.spi.Target() {
                    public String name() { return "remote"; }
                    public TargetKind kind() { return TargetKind.TRAFFIC; }
                    public Snapshot capture(dev.rollback.spi.CaptureContext ctx) { throw new IllegalStateException("host unreachable"); }
                    public List<String> plan(Snapshot s, dev.rollback.spi.RestoreContext ctx) { return List.of(); }
                    public void restore(Snapshot s, dev.rollback.spi.RestoreContext ctx) {}
                })
                .build();

        assertThatThrownBy(() -> plan.capture("v1")).isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("'remote'").hasMessageContaining("host unreachable")
                .hasMessageContaining("no restore point was stored");
        assertThat(plan.restorePoints()).isEmpty();
        assertThat(log).containsExactly("capture db");
        assertThat(dir.resolve("store/points")).isEmptyDirectory();
    }

    @Test
    void shouldRejectPlansThatDoNotMakeSense() {
        assertThatThrownBy(() -> Rollback.plan("bad name/../x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plan name");
        assertThatThrownBy(() -> Rollback.plan("p").build()).isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("at least one target");
        assertThatThrownBy(() -> Rollback.plan("p").target(db).target(new MemoryTarget("db", "y", log)))
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("'db' twice");
        assertThatThrownBy(() -> Rollback.plan("p").target(db).afterRestoring("code", Step.of("x", c -> {})).build())
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("afterRestoring('code')");
        assertThatThrownBy(() -> Rollback.plan("p").before(Phase.PREFLIGHT, Step.of("x", c -> {})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("preflight changes nothing");
        assertThatThrownBy(() -> Rollback.plan("p").budget(Phase.RESTORE, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> plan().build().capture(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label");
    }
}
