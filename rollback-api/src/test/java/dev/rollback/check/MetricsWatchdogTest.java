package dev.rollback.check;

import static dev.rollback.check.MetricsServer.durations;
import static dev.rollback.check.MetricsServer.requests;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.Trigger;
import dev.rollback.WatchReport;
import dev.rollback.Watchdog;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.Directory;
import dev.rollback.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A watchdog probing a real metrics endpoint, rolling a config file and a directory back when it fires. */
class MetricsWatchdogTest {

    static final Duration EVERY = Duration.ofSeconds(30);
    static final String GOOD_CONFIG = "RELEASE=v1\nPOOL=20\n";
    static final String BAD_CONFIG = "RELEASE=v2\nPOOL=2\n";

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    MetricsServer server;
    Path config;
    Path site;

    @BeforeEach
    void start() throws IOException {
        server = new MetricsServer();
        config = dir.resolve("app.env");
        Files.writeString(config, GOOD_CONFIG);
        site = dir.resolve("site");
        Files.createDirectories(site.resolve("assets"));
        Files.writeString(site.resolve("index.html"), "<h1>v1</h1>");
        Files.writeString(site.resolve("assets").resolve("app.js"), "console.log('v1')");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    RollbackPlan plan() {
        return Rollback.plan("shop").store(dir.resolve("store")).clock(clock).sleeper(clock::advance)
                .target(ConfigFiles.of(config).named("config"))
                .target(Directory.backup(site).named("site"))
                .build();
    }

    /** Captures v1, then deploys v2 over the config and the site. */
    RestorePoint deploy(RollbackPlan plan) throws IOException {
        RestorePoint before = plan.capture("v1");
        Files.writeString(config, BAD_CONFIG);
        Files.writeString(site.resolve("index.html"), "<h1>v2</h1>");
        Files.writeString(site.resolve("assets").resolve("app.js"), "console.log('v2')");
        return before;
    }

    @Test
    void shouldRollBackAtTheSecondScrapeInARowWithTooManyErrors() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        server.serve(
                requests(10_000, 50),  // begin: the first scrape, 0.5% over the counters' life
                requests(10_200, 51),  // round 1: 1 of 201
                requests(10_385, 66),  // round 2: 15 of 200, the 5xx burst begins
                requests(10_405, 76),  // round 3: 10 of 30; over the counters' life it would be 0.7%
                requests(10_405, 76));

        WatchReport r = Watchdog.of(plan, before)
                .probe(MetricsCheck.scrape(server.uri()).errorRate("http_requests_total", "status=~5..").above(0.05))
                .every(EVERY).rollBackWhen(Trigger.consecutiveFailures(2)).watchFor(Duration.ofMinutes(30)).run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(r.probesMade()).isEqualTo(3);
        assertThat(server.scrapes.get()).isEqualTo(4);
        assertThat(r.probes()).extracting(WatchReport.Probe::passed).containsExactly(true, false, false);
        assertThat(r.probes().get(1).observed())
                .isEqualTo("error rate 7.5% over the last 30 s (15 of 200 requests), above 5%");
        assertThat(r.reason()).startsWith("2 consecutive failures: ")
                .contains("error rate 33.3% over the last 30 s (10 of 30 requests), above 5%");
        assertThat(r.rollback().isSuccessful()).isTrue();
        assertThat(Files.readString(config)).isEqualTo(GOOD_CONFIG);
        assertThat(Files.readString(site.resolve("index.html"))).isEqualTo("<h1>v1</h1>");
        assertThat(Files.readString(site.resolve("assets").resolve("app.js"))).isEqualTo("console.log('v1')");
    }

    @Test
    void shouldStayHealthyThroughOneSlowRoundAndChangeNothing() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        server.serve(
                durations(1000, 1000, 1000, 1000, 1000),
                durations(1100, 1100, 1100, 1100, 1100),  // all 100 within 0.1 s
                durations(1150, 1190, 1195, 1200, 1200),  // p99 0.9 s: one slow round
                durations(1300, 1300, 1300, 1300, 1300)); // fast again, to the end

        WatchReport r = Watchdog.of(plan, before)
                .probe(MetricsCheck.scrape(server.uri()).latency("http_request_duration_seconds", 0.99)
                        .above(Duration.ofMillis(500)))
                .every(EVERY).rollBackWhen(Trigger.consecutiveFailures(2)).watchFor(Duration.ofMinutes(2)).run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.HEALTHY);
        assertThat(r.probes()).extracting(WatchReport.Probe::passed).containsExactly(true, false, true, true, true);
        assertThat(r.probes().get(1).observed())
                .isEqualTo("p99 latency 900 ms over the last 30 s (100 observations), above 500 ms");
        assertThat(r.probes().get(3).observed()).startsWith("no observations of http_request_duration_seconds");
        assertThat(r.rollback()).isNull();
        assertThat(Files.readString(config)).isEqualTo(BAD_CONFIG);
        assertThat(Files.readString(site.resolve("index.html"))).isEqualTo("<h1>v2</h1>");
    }

    @Test
    void shouldRollBackWhenTheMetricDisappearsFromTheScrape() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        server.serve(requests(100, 0), requests(200, 0),
                "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds 1.8e9\n");

        WatchReport r = Watchdog.of(plan, before)
                .probe(MetricsCheck.scrape(server.uri()).errorRate("http_requests_total", "status=~5..").above(0.05))
                .every(EVERY).rollBackWhen(Trigger.consecutiveFailures(2)).watchFor(Duration.ofMinutes(30)).run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(r.probes()).extracting(WatchReport.Probe::passed).containsExactly(true, false, false);
        assertThat(r.reason()).contains("expected the counter http_requests_total in the scrape of " + server.uri()
                + ", found 1 other metric: process_start_time_seconds");
        assertThat(Files.readString(config)).isEqualTo(GOOD_CONFIG);
    }
}
