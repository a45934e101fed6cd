package dev.rollback.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.Trigger;
import dev.rollback.WatchReport;
import dev.rollback.Watchdog;
import dev.rollback.check.HealthCheck;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The series a Prometheus server would scrape after a real plan's rollbacks and watch. */
class PrometheusScrapeTest {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    @TempDir
    Path dir;

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Shop shop;
    RollbackPlan plan;

    @BeforeEach
    void start() throws IOException {
        shop = new Shop(dir);
        plan = shop.plan(dir.resolve("store"), RollbackMetrics.of(registry));
    }

    @AfterEach
    void stop() {
        shop.close();
        registry.close();
    }

    /** One sample of the exposition text: its name, labels and value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    static List<Sample> samples(String scrape) {
        return scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> {
            Matcher m = SAMPLE.matcher(l);
            if (!m.matches()) {
                throw new AssertionError("expected a sample line of the exposition format, found: " + l);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher lm = LABEL.matcher(m.group(2));
                while (lm.find()) {
                    labels.put(lm.group(1), lm.group(2));
                }
            }
            return new Sample(m.group(1), labels, Double.parseDouble(m.group(3)));
        }).toList();
    }

    /** The value of the one sample of this name with exactly these labels. */
    static double value(List<Sample> samples, String name, Map<String, String> labels) {
        List<Sample> found = samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels)).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one sample " + name + labels + ", found " + found.size() + " among "
                    + samples.stream().map(Sample::name).distinct().toList());
        }
        return found.get(0).value();
    }

    static long count(List<Sample> samples, String name) {
        return samples.stream().filter(s -> s.name().equals(name)).count();
    }

    @Test
    void shouldScrapeTheDocumentedSeriesWithTheirTagsAndCounts() throws IOException {
        RestorePoint before = shop.deploy(plan);
        RollbackReport ok = plan.rollback(before);
        shop.deploy(plan);
        shop.health(503);
        RollbackReport bad = plan.rollback(before);
        shop.health(200);
        RestorePoint again = shop.deploy(plan);
        shop.ready(200, 503, 503);
        WatchReport watch = Watchdog.of(plan, again)
                .probe(HealthCheck.http(shop.uri("/ready")).expectStatus(200).named("ready"))
                .every(Duration.ofSeconds(30)).rollBackWhen(Trigger.consecutiveFailures(2))
                .watchFor(Duration.ofMinutes(10)).run();

        assertThat(ok.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(bad.outcome()).isEqualTo(Outcome.VERIFICATION_FAILED);
        assertThat(watch.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        String scrape = registry.scrape();
        List<Sample> samples = samples(scrape);

        assertThat(scrape).contains("# TYPE rollback_outcomes_total counter",
                "# TYPE rollback_time_to_recover_seconds histogram", "# TYPE rollback_time_to_detect_seconds histogram",
                "# TYPE rollback_phase_seconds summary", "# TYPE rollback_step_seconds summary",
                "# TYPE rollback_watch_probe_seconds summary", "# TYPE rollback_watches_total counter",
                "# TYPE rollback_watch_probe_failures_total counter");
        // the first rollback and the watch's succeeded; the second failed its verification
        assertThat(value(samples, "rollback_outcomes_total",
                Map.of("plan", "shop", "outcome", "succeeded", "successful", "true"))).isEqualTo(2.0);
        assertThat(value(samples, "rollback_outcomes_total",
                Map.of("plan", "shop", "outcome", "verification_failed", "successful", "false"))).isEqualTo(1.0);
        assertThat(value(samples, "rollback_time_to_recover_seconds_count",
                Map.of("plan", "shop", "outcome", "succeeded"))).isEqualTo(2.0);
        assertThat(value(samples, "rollback_time_to_recover_seconds_sum",
                Map.of("plan", "shop", "outcome", "succeeded")))
                .isEqualTo(seconds(ok.timeToRecover().plus(watch.rollback().timeToRecover())));
        assertThat(value(samples, "rollback_time_to_recover_seconds_bucket",
                Map.of("plan", "shop", "outcome", "verification_failed", "le", "+Inf"))).isEqualTo(1.0);
        assertThat(count(samples, "rollback_time_to_recover_seconds_bucket")).isGreaterThan(10); // a percentile histogram: many buckets, per outcome
        assertThat(value(samples, "rollback_step_seconds_count",
                Map.of("plan", "shop", "phase", "restore", "target_kind", "config", "status", "succeeded")))
                .isEqualTo(3.0);
        assertThat(value(samples, "rollback_step_seconds_count",
                Map.of("plan", "shop", "phase", "verify", "target_kind", "none", "status", "failed"))).isEqualTo(1.0);
        assertThat(value(samples, "rollback_phase_seconds_count",
                Map.of("plan", "shop", "phase", "restore", "outcome", "succeeded"))).isEqualTo(2.0);
        assertThat(value(samples, "rollback_time_to_detect_seconds_count", Map.of("plan", "shop"))).isEqualTo(1.0);
        assertThat(value(samples, "rollback_time_to_detect_seconds_sum", Map.of("plan", "shop")))
                .isEqualTo(seconds(watch.timeToDetect()));
        assertThat(value(samples, "rollback_time_to_repair_seconds_count", Map.of("plan", "shop"))).isEqualTo(1.0);
        assertThat(value(samples, "rollback_watches_total", Map.of("plan", "shop", "outcome", "rolled_back")))
                .isEqualTo(1.0);
        assertThat(value(samples, "rollback_watch_probe_seconds_count",
                Map.of("plan", "shop", "check", "ready", "passed", "true"))).isEqualTo(1.0);
        assertThat(value(samples, "rollback_watch_probe_seconds_count",
                Map.of("plan", "shop", "check", "ready", "passed", "false"))).isEqualTo(2.0);
        assertThat(value(samples, "rollback_watch_probe_seconds_sum",
                Map.of("plan", "shop", "check", "ready", "passed", "false"))).isEqualTo(seconds(Shop.LATENCY) * 2);
        assertThat(value(samples, "rollback_watch_probe_failures_total", Map.of("plan", "shop"))).isEqualTo(2.0);
        // bounded tag values: no id of a rollback, point or watch ever appears in a series
        assertThat(scrape).doesNotContain(ok.rollbackId(), before.id(), watch.watchId());
        assertThat(count(samples, "rollback_drills_total")).isZero();
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
