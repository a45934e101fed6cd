package dev.rollback.micrometer;

import dev.rollback.DrillReport;
import dev.rollback.Outcome;
import dev.rollback.PhaseTiming;
import dev.rollback.RollbackEvent;
import dev.rollback.RollbackListener;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.StepStatus;
import dev.rollback.TargetStatus;
import dev.rollback.WatchReport;
import dev.rollback.spi.Phase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A plan's rollbacks, watches and drills as Micrometer meters: add it to a plan as a listener and every
 * registry Micrometer writes to (Prometheus, OTLP, JMX, a {@code SimpleMeterRegistry}) shows how long each
 * phase and each kind of target took, how long recovery and detection took, how rollbacks, watches and
 * drills ended, and how a watchdog's probes answered.
 *
 * <pre>{@code
 * RollbackMetrics metrics = RollbackMetrics.of(meterRegistry);
 * RollbackPlan plan = Rollback.plan("shop")
 *     .target(ConfigFiles.of(Path.of("/srv/shop/.env")))
 *     .listener(metrics)
 *     .build();
 * }</pre>
 *
 * <h2>Meters</h2>
 *
 * <table>
 *   <caption>The meters, their types and tags</caption>
 *   <tr><th>Name</th><th>Type</th><th>Tags</th><th>Recorded</th></tr>
 *   <tr><td>{@code rollback.phase}</td><td>timer</td><td>plan, phase, outcome</td>
 *       <td>when a rollback ends: once per phase in which a step ran, its steps' total time</td></tr>
 *   <tr><td>{@code rollback.step}</td><td>timer</td><td>plan, phase, target.kind, status</td>
 *       <td>when a rollback ends: once per step that ran (succeeded or failed)</td></tr>
 *   <tr><td>{@code rollback.time.to.recover}</td><td>timer, percentile histogram</td><td>plan, outcome</td>
 *       <td>when a rollback ends: from its start to its end</td></tr>
 *   <tr><td>{@code rollback.outcomes}</td><td>counter</td><td>plan, outcome, successful</td>
 *       <td>when a rollback ends</td></tr>
 *   <tr><td>{@code rollback.time.to.detect}</td><td>timer, percentile histogram</td><td>plan</td>
 *       <td>when a watch whose trigger fired ends: from the first bad probe to the trigger</td></tr>
 *   <tr><td>{@code rollback.time.to.repair}</td><td>timer, percentile histogram</td><td>plan</td>
 *       <td>when a watch whose rollback ran ends: time to detect plus time to recover</td></tr>
 *   <tr><td>{@code rollback.watches}</td><td>counter</td><td>plan, outcome</td><td>when a watch ends</td></tr>
 *   <tr><td>{@code rollback.watch.probe}</td><td>timer</td><td>plan, check, passed</td>
 *       <td>when a watch ends: once per probe its report keeps (the latest
 *       {@link dev.rollback.Trigger#MAX_WINDOW} per check)</td></tr>
 *   <tr><td>{@code rollback.watch.probe.failures}</td><td>counter</td><td>plan</td>
 *       <td>at once, at every failed probe, while the watch runs</td></tr>
 *   <tr><td>{@code rollback.drills}</td><td>counter</td><td>plan, outcome, failed.stage</td>
 *       <td>when a drill ends</td></tr>
 * </table>
 *
 * <p>Tag values are few and fixed, so the number of series stays bounded: {@code plan} is the plan's name,
 * {@code check} a check's name as the watchdog was given it, and every other value is an enum's name in lower
 * case: {@code phase} a {@link Phase} ({@code restore}), {@code outcome} an {@link Outcome} ({@code succeeded},
 * {@code verification_failed}), a {@link WatchReport.Outcome} ({@code rolled_back}) or a {@link
 * DrillReport.Outcome} ({@code passed}), {@code target.kind} a {@link dev.rollback.spi.TargetKind} or {@code
 * none} for a step of no target (a check, a hook, a service step), {@code status} a {@link StepStatus}, {@code
 * failed.stage} a {@link DrillReport.Stage} or {@code none}; {@code successful} and {@code passed} are {@code
 * true} or {@code false}. No id, path or message ever becomes a tag. Prometheus shows the names with
 * underscores and units: {@code rollback_phase_seconds_count}, {@code rollback_outcomes_total}, {@code
 * rollback_time_to_recover_seconds_bucket}.
 *
 * <p>A rollback run inside a watch or a drill is counted as every rollback is, in {@code rollback.outcomes} and
 * the timers; the watch and the drill add their own counters. Times are the plan's clock, as in the reports.
 *
 * <p>Thread-safe: one instance may serve many plans, and plans running at the same time. Recording never
 * throws for a report the library made; a listener that throws would in any case be logged and skipped, never
 * breaking a rollback.
 */
public final class RollbackMetrics implements RollbackListener {

    /** Timer of the phases of rollbacks. */
    public static final String PHASE = "rollback.phase";
    /** Timer of the steps of rollbacks, by phase and target kind. */
    public static final String STEP = "rollback.step";
    /** Timer (with a percentile histogram) of rollbacks from start to end. */
    public static final String TIME_TO_RECOVER = "rollback.time.to.recover";
    /** Counter of ended rollbacks by outcome. */
    public static final String OUTCOMES = "rollback.outcomes";
    /** Timer (with a percentile histogram) of watches from the first bad probe to the trigger. */
    public static final String TIME_TO_DETECT = "rollback.time.to.detect";
    /** Timer (with a percentile histogram) of watches from the first bad probe to the end of the rollback. */
    public static final String TIME_TO_REPAIR = "rollback.time.to.repair";
    /** Counter of ended watches by outcome. */
    public static final String WATCHES = "rollback.watches";
    /** Timer of a watchdog's probes, by check and result. */
    public static final String WATCH_PROBE = "rollback.watch.probe";
    /** Counter of a watchdog's failed probes, counted as they fail. */
    public static final String WATCH_PROBE_FAILURES = "rollback.watch.probe.failures";
    /** Counter of ended drills by outcome. */
    public static final String DRILLS = "rollback.drills";

    /** The {@code target.kind} of a step that acts on no target: a check, a hook, a service step. */
    public static final String NO_TARGET = "none";

    private final MeterRegistry registry;

    private RollbackMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Metrics written to {@code registry}; add the result to a plan with {@code .listener(metrics)}.
     *
     * @param registry where the meters go, such as a {@code PrometheusMeterRegistry}
     * @return a listener that records every rollback, watch and drill of the plans it is added to
     * @throws IllegalArgumentException if the registry is null
     */
    public static RollbackMetrics of(MeterRegistry registry) {
        if (registry == null) {
            throw new IllegalArgumentException("rollback metrics: expected a Micrometer MeterRegistry, found null; "
                    + "give the application's registry, such as RollbackMetrics.of(new SimpleMeterRegistry())");
        }
        return new RollbackMetrics(registry);
    }

    /** The registry the meters are written to. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Records the phases, steps, time to recover and outcome of an ended rollback. */
    @Override
    public void onRollbackFinished(RollbackReport report) {
        if (report == null) {
            return;
        }
        String plan = report.plan();
        String outcome = tag(report.outcome());
        Map<String, String> kinds = new HashMap<>();
        for (TargetStatus t : nonNull(report.targets())) {
            if (t != null) {
                kinds.put(t.name(), tag(t.kind()));
            }
        }
        Set<Phase> ran = new HashSet<>();
        for (StepRecord s : nonNull(report.steps())) {
            if (s == null || (s.status() != StepStatus.SUCCEEDED && s.status() != StepStatus.FAILED)) {
                continue; // a step skipped or never run took no time
            }
            ran.add(s.phase());
            String kind = s.target() == null ? NO_TARGET : kinds.getOrDefault(s.target(), NO_TARGET);
            Timer.builder(STEP)
                    .description("How long the steps of rollbacks took, by phase and kind of target")
                    .tag("plan", plan).tag("phase", tag(s.phase())).tag("target.kind", kind)
                    .tag("status", tag(s.status()))
                    .register(registry)
                    .record(positive(s.duration()));
        }
        for (PhaseTiming p : nonNull(report.phases())) {
            if (p == null || !ran.contains(p.phase())) {
                continue;
            }
            Timer.builder(PHASE)
                    .description("How long the phases of rollbacks took: the sum of their steps")
                    .tag("plan", plan).tag("phase", tag(p.phase())).tag("outcome", outcome)
                    .register(registry)
                    .record(positive(p.took()));
        }
        if (report.startedAt() != null && report.finishedAt() != null) {
            Timer.builder(TIME_TO_RECOVER)
                    .description("How long rollbacks took from their start to their end")
                    .tag("plan", plan).tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(positive(report.timeToRecover()));
        }
        Counter.builder(OUTCOMES)
                .description("Rollbacks ended, by outcome")
                .tag("plan", plan).tag("outcome", outcome)
                .tag("successful", Boolean.toString(report.outcome() != null && report.outcome().isSuccessful()))
                .register(registry)
                .increment();
    }

    /** Counts a watchdog's failed probe at once, while the watch goes on. */
    @Override
    public void onProbeFailed(RollbackEvent event) {
        if (event == null) {
            return;
        }
        Counter.builder(WATCH_PROBE_FAILURES)
                .description("Failed probes of watchdogs, counted as they fail")
                .tag("plan", event.plan())
                .register(registry)
                .increment();
    }

    /** Records the probes, time to detect, time to repair and outcome of an ended watch. */
    @Override
    public void onWatchFinished(WatchReport report) {
        if (report == null) {
            return;
        }
        String plan = report.plan();
        for (WatchReport.Probe p : nonNull(report.probes())) {
            if (p == null) {
                continue;
            }
            Timer.builder(WATCH_PROBE)
                    .description("How long the probes of watchdogs took, by check and result")
                    .tag("plan", plan).tag("check", p.check()).tag("passed", Boolean.toString(p.passed()))
                    .register(registry)
                    .record(positive(p.took()));
        }
        if (report.timeToDetect() != null) {
            Timer.builder(TIME_TO_DETECT)
                    .description("How long watchdogs took from the first bad probe to the trigger")
                    .tag("plan", plan)
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(positive(report.timeToDetect()));
        }
        if (report.mttr() != null) {
            Timer.builder(TIME_TO_REPAIR)
                    .description("How long from the first bad probe of a watch to the end of its rollback")
                    .tag("plan", plan)
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(positive(report.mttr()));
        }
        Counter.builder(WATCHES)
                .description("Watches ended, by outcome")
                .tag("plan", plan).tag("outcome", tag(report.outcome()))
                .register(registry)
                .increment();
    }

    /** Counts an ended drill by its outcome and the stage that failed. */
    @Override
    public void onDrillFinished(DrillReport report) {
        if (report == null) {
            return;
        }
        Counter.builder(DRILLS)
                .description("Drills ended, by outcome and the stage that failed")
                .tag("plan", report.plan()).tag("outcome", tag(report.outcome()))
                .tag("failed.stage", report.failedStage() == null ? "none" : tag(report.failedStage()))
                .register(registry)
                .increment();
    }

    private static String tag(Enum<?> value) {
        return value == null ? "unknown" : value.name().toLowerCase(Locale.ROOT);
    }

    private static Duration positive(Duration d) {
        return d == null || d.isNegative() ? Duration.ZERO : d;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    @Override
    public String toString() {
        return "RollbackMetrics[" + registry.getClass().getSimpleName() + "]";
    }
}
