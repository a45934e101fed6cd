package dev.rollback.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.Drill;
import dev.rollback.DrillReport;
import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.PhaseTiming;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.StepStatus;
import dev.rollback.TargetState;
import dev.rollback.TargetStatus;
import dev.rollback.Trigger;
import dev.rollback.WatchReport;
import dev.rollback.Watchdog;
import dev.rollback.check.HealthCheck;
import dev.rollback.spi.Phase;
import dev.rollback.spi.TargetKind;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.DirectoryBackup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters a real plan's rollbacks, watches and drills leave in Micrometer's {@link SimpleMeterRegistry}. */
class RollbackMetricsTest {

    static final Duration EVERY = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final RollbackMetrics metrics = RollbackMetrics.of(registry);
    Shop shop;
    RollbackPlan plan;

    @BeforeEach
    void start() throws IOException {
        shop = new Shop(dir);
        plan = shop.plan(dir.resolve("store"), metrics);
    }

    @AfterEach
    void stop() {
        shop.close();
        registry.close();
    }

    Timer timer(String name, String... tags) {
        return registry.find(name).tags(tags).timer();
    }

    Counter counter(String name, String... tags) {
        return registry.find(name).tags(tags).counter();
    }

    static Duration total(Timer t) {
        return Duration.ofNanos((long) t.totalTime(TimeUnit.NANOSECONDS));
    }

    @Test
    void shouldTimeEveryPhaseAndTargetKindOfASucceededRollbackAndCountItsOutcome() throws IOException {
        RestorePoint before = shop.deploy(plan);

        RollbackReport r = plan.rollback(before);

        assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(shop.env)).isEqualTo("RELEASE=v1\nWORKERS=4\n");
        assertThat(Files.readString(shop.page)).isEqualTo("<h1>shop v1</h1>\n");
        assertThat(counter(RollbackMetrics.OUTCOMES, "plan", "shop", "outcome", "succeeded", "successful", "true")
                .count()).isEqualTo(1.0);
        assertThat(timer(RollbackMetrics.STEP, "plan", "shop", "phase", "restore", "target.kind", "config",
                "status", "succeeded").count()).isEqualTo(1);
        assertThat(timer(RollbackMetrics.STEP, "plan", "shop", "phase", "restore", "target.kind", "files",
                "status", "succeeded").count()).isEqualTo(1);
        // the plan's check of /health: a step of no target, one answer long
        Timer check = timer(RollbackMetrics.STEP, "plan", "shop", "phase", "verify", "target.kind", "none",
                "status", "succeeded");
        assertThat(check.count()).isEqualTo(1);
        assertThat(total(check)).isEqualTo(Shop.LATENCY);
        // one sample per step that ran, none for a step that did not
        long ran = r.steps().stream().filter(s -> s.status() == StepStatus.SUCCEEDED).count();
        assertThat(registry.find(RollbackMetrics.STEP).timers().stream().mapToLong(Timer::count).sum()).isEqualTo(ran);
        for (PhaseTiming p : r.phases()) {
            Timer t = timer(RollbackMetrics.PHASE, "plan", "shop", "phase", p.phase().name().toLowerCase(),
                    "outcome", "succeeded");
            if (r.steps().stream().anyMatch(s -> s.phase() == p.phase() && s.status() == StepStatus.SUCCEEDED)) {
                assertThat(t.count()).as(p.phase().name()).isEqualTo(1);
                assertThat(total(t)).as(p.phase().name()).isEqualTo(p.took());
            } else {
                assertThat(t).as(p.phase().name()).isNull();
            }
        }
        Timer recover = timer(RollbackMetrics.TIME_TO_RECOVER, "plan", "shop", "outcome", "succeeded");
        assertThat(recover.count()).isEqualTo(1);
        assertThat(total(recover)).isEqualTo(r.timeToRecover()).isGreaterThanOrEqualTo(Shop.LATENCY);
    }

    @Test
    void shouldCountARollbackWhoseVerificationFailedAsNotSuccessful() throws IOException {
        RestorePoint before = shop.deploy(plan);
        shop.health(503);

        RollbackReport r = plan.rollback(before);

        assertThat(r.outcome()).isEqualTo(Outcome.VERIFICATION_FAILED);
        assertThat(counter(RollbackMetrics.OUTCOMES, "plan", "shop", "outcome", "verification_failed",
                "successful", "false").count()).isEqualTo(1.0);
        assertThat(counter(RollbackMetrics.OUTCOMES, "outcome", "succeeded")).isNull();
        assertThat(timer(RollbackMetrics.STEP, "phase", "verify", "target.kind", "none", "status", "failed").count())
                .isEqualTo(1);
        assertThat(timer(RollbackMetrics.PHASE, "phase", "restore", "outcome", "verification_failed").count())
                .isEqualTo(1);
        assertThat(timer(RollbackMetrics.TIME_TO_RECOVER, "outcome", "verification_failed").count()).isEqualTo(1);
    }

    @Test
    void shouldCountAHaltedRollbackAndTimeItsFailedStepUnderItsTargetKind() throws IOException {
        // the config's validation command says invalid once the flag file exists: after the restore, not before
        Path flag = dir.resolve("config-broken");
        RollbackPlan halting = Rollback.plan("shop").store(dir.resolve("store")).clock(shop.clock)
                .sleeper(shop.clock::advance)
                .target(ConfigFiles.of(shop.env).validatedBy(List.of("sh", "-c", "! test -e " + flag)))
                .target(DirectoryBackup.of(shop.site))
                .listener(metrics)
                .build();
        RestorePoint before = shop.deploy(halting);
        Files.writeString(flag, "");

        RollbackReport r = halting.rollback(before);

        assertThat(r.outcome()).isEqualTo(Outcome.HALTED);
        assertThat(Files.readString(shop.env)).isEqualTo("RELEASE=v2\nWORKERS=4\n"); // the target undid its restore
        assertThat(counter(RollbackMetrics.OUTCOMES, "plan", "shop", "outcome", "halted", "successful", "false")
                .count()).isEqualTo(1.0);
        assertThat(counter(RollbackMetrics.OUTCOMES, "successful", "true")).isNull();
        assertThat(timer(RollbackMetrics.STEP, "phase", "restore", "target.kind", "config", "status", "failed").count())
                .isEqualTo(1);
        assertThat(timer(RollbackMetrics.STEP, "phase", "restore", "target.kind", "files")).isNull(); // never ran
        assertThat(timer(RollbackMetrics.PHASE, "phase", "restore", "outcome", "halted").count()).isEqualTo(1);
        assertThat(timer(RollbackMetrics.PHASE, "phase", "verify")).isNull();
    }

    @Test
    void shouldRecordTheProbesTimeToDetectAndOutcomeOfAWatchThatRolledBack() throws IOException {
        RestorePoint before = shop.deploy(plan);
        shop.ready(200, 200, 503, 503);

        WatchReport w = Watchdog.of(plan, before)
                .probe(HealthCheck.http(shop.uri("/ready")).expectStatus(200).named("ready"))
                .every(EVERY).rollBackWhen(Trigger.consecutiveFailures(2)).watchFor(Duration.ofMinutes(10)).run();

        assertThat(w.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(Files.readString(shop.env)).isEqualTo("RELEASE=v1\nWORKERS=4\n");
        Timer passed = timer(RollbackMetrics.WATCH_PROBE, "plan", "shop", "check", "ready", "passed", "true");
        Timer failed = timer(RollbackMetrics.WATCH_PROBE, "plan", "shop", "check", "ready", "passed", "false");
        assertThat(passed.count()).isEqualTo(2);
        assertThat(total(passed)).isEqualTo(Shop.LATENCY.multipliedBy(2));
        assertThat(failed.count()).isEqualTo(2);
        assertThat(total(failed)).isEqualTo(Shop.LATENCY.multipliedBy(2));
        assertThat(counter(RollbackMetrics.WATCH_PROBE_FAILURES, "plan", "shop").count()).isEqualTo(2.0);
        Timer detect = timer(RollbackMetrics.TIME_TO_DETECT, "plan", "shop");
        assertThat(detect.count()).isEqualTo(1);
        assertThat(total(detect)).isEqualTo(w.timeToDetect()).isEqualTo(EVERY.plus(Shop.LATENCY));
        Timer repair = timer(RollbackMetrics.TIME_TO_REPAIR, "plan", "shop");
        assertThat(total(repair)).isEqualTo(w.mttr()).isEqualTo(w.timeToDetect().plus(w.rollback().timeToRecover()));
        assertThat(counter(RollbackMetrics.WATCHES, "plan", "shop", "outcome", "rolled_back").count()).isEqualTo(1.0);
        // the watch's rollback is counted as every rollback is
        assertThat(counter(RollbackMetrics.OUTCOMES, "outcome", "succeeded").count()).isEqualTo(1.0);
        assertThat(total(timer(RollbackMetrics.TIME_TO_RECOVER, "outcome", "succeeded")))
                .isEqualTo(w.rollback().timeToRecover());
    }

    @Test
    void shouldCountAHealthyWatchAndRecordNoTimeToDetect() throws IOException {
        RestorePoint before = shop.deploy(plan);
        shop.ready(200);

        WatchReport w = Watchdog.of(plan, before)
                .probe(HealthCheck.http(shop.uri("/ready")).expectStatus(200).named("ready"))
                .every(EVERY).rollBackWhen(Trigger.consecutiveFailures(2)).watchFor(Duration.ofMinutes(2)).run();

        assertThat(w.outcome()).isEqualTo(WatchReport.Outcome.HEALTHY);
        assertThat(Files.readString(shop.env)).isEqualTo("RELEASE=v2\nWORKERS=4\n"); // nothing rolled back
        assertThat(counter(RollbackMetrics.WATCHES, "outcome", "healthy").count()).isEqualTo(1.0);
        assertThat(timer(RollbackMetrics.WATCH_PROBE, "check", "ready", "passed", "true").count())
                .isEqualTo(w.probesMade()).isEqualTo(5);
        assertThat(timer(RollbackMetrics.WATCH_PROBE, "passed", "false")).isNull();
        assertThat(counter(RollbackMetrics.WATCH_PROBE_FAILURES)).isNull();
        assertThat(timer(RollbackMetrics.TIME_TO_DETECT)).isNull();
        assertThat(timer(RollbackMetrics.TIME_TO_REPAIR)).isNull();
        assertThat(counter(RollbackMetrics.OUTCOMES)).isNull();
    }

    @Test
    void shouldCountPassedAndFailedDrillsByTheStageThatFailed() throws IOException {
        DrillReport passed = Drill.of(plan)
                .change("deploy the test banner", ctx -> Files.writeString(shop.page, "<h1>DRILL</h1>\n"))
                .shows(HealthCheck.http(shop.uri("/")).bodyContains("DRILL"))
                .thenGone(HealthCheck.http(shop.uri("/")).bodyContains("shop v1"))
                .run();
        DrillReport failed = Drill.of(plan)
                .change("deploy the test banner", ctx -> Files.writeString(shop.page, "<h1>DRILL</h1>\n"))
                .shows(HealthCheck.http(shop.uri("/")).bodyContains("MAINTENANCE"))
                .run();

        assertThat(passed.passed()).isTrue();
        assertThat(failed.failedStage()).isEqualTo(DrillReport.Stage.SHOWS);
        assertThat(Files.readString(shop.page)).isEqualTo("<h1>shop v1</h1>\n");
        assertThat(counter(RollbackMetrics.DRILLS, "plan", "shop", "outcome", "passed", "failed.stage", "none")
                .count()).isEqualTo(1.0);
        assertThat(counter(RollbackMetrics.DRILLS, "plan", "shop", "outcome", "failed", "failed.stage", "shows")
                .count()).isEqualTo(1.0);
    }

    @Test
    void shouldRecordOddReportsWithoutThrowing() {
        Instant t = Instant.parse("2026-12-02T08:00:00Z");
        // ended before it started, a step of a target the report does not list, a step never run, no phases
        RollbackReport odd = new RollbackReport("rb-1", "odd", "p-1", "v1", List.of(), FailurePolicy.HALT,
                Outcome.ABANDONED, t, t.minusSeconds(5), null,
                List.of(new StepRecord(0, Phase.RESTORE, "restore ghost", "ghost", t, Duration.ofSeconds(-1),
                                StepStatus.FAILED, null),
                        new StepRecord(1, Phase.VERIFY, "check", null, null, Duration.ZERO, StepStatus.NOT_RUN, null)),
                List.of(), List.of(), List.of(new TargetStatus("db", TargetKind.DATABASE, TargetState.UNCHANGED, "")),
                null, List.of(), List.of(), 0, null);
        WatchReport watch = new WatchReport("w-1", "odd", "p-1", null, WatchReport.Outcome.STOPPED, List.of(), t, t, 7,
                List.of(new WatchReport.Probe("ready", 1, t, false, null, Duration.ofMillis(-3))), null, null, null,
                null, Duration.ofSeconds(1), null, null, null, null, null);
        DrillReport drill = new DrillReport("d-1", "odd", "change", DrillReport.Outcome.FAILED, null, null, null, null,
                t, t, null, null, null, null, null, null, null, null);

        assertThatCode(() -> {
            metrics.onRollbackFinished(odd);
            metrics.onWatchFinished(watch);
            metrics.onDrillFinished(drill);
            metrics.onRollbackFinished(null);
            metrics.onWatchFinished(null);
            metrics.onDrillFinished(null);
            metrics.onProbeFailed(null);
        }).doesNotThrowAnyException();

        assertThat(counter(RollbackMetrics.OUTCOMES, "plan", "odd", "outcome", "abandoned", "successful", "false")
                .count()).isEqualTo(1.0);
        Timer ghost = timer(RollbackMetrics.STEP, "plan", "odd", "target.kind", "none", "status", "failed");
        assertThat(ghost.count()).isEqualTo(1);
        assertThat(ghost.totalTime(TimeUnit.NANOSECONDS)).isZero();
        assertThat(timer(RollbackMetrics.STEP, "status", "not_run")).isNull();
        assertThat(timer(RollbackMetrics.TIME_TO_RECOVER, "plan", "odd").totalTime(TimeUnit.NANOSECONDS)).isZero();
        assertThat(timer(RollbackMetrics.TIME_TO_DETECT, "plan", "odd").count()).isEqualTo(1);
        assertThat(timer(RollbackMetrics.TIME_TO_REPAIR, "plan", "odd")).isNull();
        assertThat(counter(RollbackMetrics.WATCHES, "plan", "odd", "outcome", "stopped").count()).isEqualTo(1.0);
        assertThat(counter(RollbackMetrics.DRILLS, "plan", "odd", "outcome", "failed", "failed.stage", "none").count())
                .isEqualTo(1.0);
    }

    @Test
    void shouldNeverBreakARollbackWhenTheRegistryThrows() throws IOException {
        SimpleMeterRegistry failing = new SimpleMeterRegistry();
        failing.config().onMeterAdded(m -> {
            throw new IllegalStateException("meter store full");
        });
        RollbackPlan watched = shop.plan(dir.resolve("store"), RollbackMetrics.of(failing));
        RestorePoint before = shop.deploy(watched);

        RollbackReport r = watched.rollback(before);

        assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(shop.env)).isEqualTo("RELEASE=v1\nWORKERS=4\n");
        assertThat(Files.readString(shop.page)).isEqualTo("<h1>shop v1</h1>\n");
        failing.close();
    }

    @Test
    void shouldRefuseANullRegistryWithAMessageSayingWhatToGive() {
        assertThatThrownBy(() -> RollbackMetrics.of(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a Micrometer MeterRegistry, found null")
                .hasMessageContaining("RollbackMetrics.of(new SimpleMeterRegistry())");
        assertThat(metrics.registry()).isSameAs(registry);
    }
}
