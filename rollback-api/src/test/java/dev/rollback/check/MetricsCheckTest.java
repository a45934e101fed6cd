package dev.rollback.check;

import static dev.rollback.check.MetricsServer.durations;
import static dev.rollback.check.MetricsServer.requests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.spi.Check;
import dev.rollback.spi.CheckResult;
import dev.rollback.testing.TestStepContext;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsCheckTest {

    static final Duration ROUND = Duration.ofSeconds(30);

    final TestStepContext ctx = new TestStepContext();
    MetricsServer server;

    @BeforeEach
    void start() throws IOException {
        server = new MetricsServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    MetricsCheck errorRate() {
        return MetricsCheck.scrape(server.uri()).errorRate("http_requests_total", "status=~5..").above(0.05);
    }

    MetricsCheck p(double q) {
        return MetricsCheck.scrape(server.uri()).latency("http_request_duration_seconds", q)
                .above(Duration.ofMillis(500));
    }

    CheckResult next(Check begun, String text) throws Exception {
        server.serve(text);
        ctx.testClock().advance(ROUND);
        return begun.run(ctx);
    }

    @Test
    void shouldJudgeTheErrorRateOfTheRequestsBetweenTwoScrapes() throws Exception {
        server.serve(requests(1000, 10)); // 1% over the counters' life: the past does not count
        Check begun = errorRate().begin(ctx);

        CheckResult burst = next(begun, requests(1185, 25));
        CheckResult calm = next(begun, requests(1384, 26));
        CheckResult idle = next(begun, requests(1384, 26));

        assertThat(burst.passed()).isFalse();
        assertThat(burst.detail()).isEqualTo("error rate 7.5% over the last 30 s (15 of 200 requests), above 5%");
        assertThat(burst.attempts()).isEqualTo(1);
        assertThat(burst.history()).singleElement().satisfies(a -> assertThat(a.passed()).isFalse());
        assertThat(calm.passed()).isTrue();
        assertThat(calm.detail()).isEqualTo("error rate 0.5% over the last 30 s (1 of 200 requests), at most 5%");
        assertThat(idle.passed()).isTrue();
        assertThat(idle.detail()).isEqualTo("no requests over the last 30 s (http_requests_total did not grow)");
        assertThat(server.scrapes.get()).isEqualTo(1);
        assertThat(begun.name()).isEqualTo("error rate of http_requests_total{status=~5..} at " + server.uri()
                + " above 5%");
    }

    @Test
    void shouldCountACounterThatWentDownFromZeroAsPrometheusDoes() throws Exception {
        server.serve(requests(5000, 20));
        Check begun = errorRate().begin(ctx);

        CheckResult restarted = next(begun, requests(54, 6)); // the application restarted: both series reset
        CheckResult after = next(begun, requests(254, 6));

        assertThat(restarted.passed()).isFalse();
        assertThat(restarted.detail()).isEqualTo("error rate 10% over the last 30 s; 2 counters reset since the "
                + "previous scrape, counted from zero (6 of 60 requests), above 5%");
        assertThat(after.passed()).isTrue();
        assertThat(after.detail()).startsWith("error rate 0% over the last 30 s (0 of 200 requests)");
    }

    @Test
    void shouldCountASeriesThatAppearedSinceTheFirstScrapeFromZero() throws Exception {
        server.serve("# TYPE http_requests_total counter\nhttp_requests_total{status=\"200\"} 100\n");
        Check begun = errorRate().begin(ctx);

        CheckResult r = next(begun, "# TYPE http_requests_total counter\nhttp_requests_total{status=\"200\"} 190\n"
                + "http_requests_total{status=\"503\"} 10\n");

        assertThat(r.passed()).isFalse();
        assertThat(r.detail()).isEqualTo("error rate 10% over the last 30 s (10 of 100 requests), above 5%");
    }

    @Test
    void shouldJudgeTheWholeLifeOfTheCountersWithoutAnEarlierScrape() throws Exception {
        server.serve(requests(90, 10));

        CheckResult r = errorRate().run(ctx);

        assertThat(r.passed()).isFalse();
        assertThat(r.detail()).isEqualTo("error rate 10% over the counters' whole life (no earlier scrape) "
                + "(10 of 100 requests), above 5%");
    }

    @Test
    void shouldEstimateTheQuantileFromTheBucketDeltasByLinearInterpolation() throws Exception {
        server.serve(durations(1000, 1000, 1000, 1000, 1000)); // all fast before the deploy
        Check p99 = p(0.99).begin(ctx);
        Check p50 = p(0.5).begin(ctx);

        // 100 new observations: 50 <= 0.1 s, 40 in (0.1, 0.25], 5 in (0.25, 0.5], 5 in (0.5, 1]
        String moved = durations(1050, 1090, 1095, 1100, 1100);
        CheckResult slow = next(p99, moved);
        ctx.testClock().advance(Duration.ofSeconds(-30));
        CheckResult median = next(p50, moved);

        // rank 99 falls in (0.5, 1] at 4 of its 5: 0.5 + 0.5 * 0.8 = 0.9 s
        assertThat(slow.passed()).isFalse();
        assertThat(slow.detail()).isEqualTo("p99 latency 900 ms over the last 30 s (100 observations), above 500 ms");
        // rank 50 is the whole first bucket, which starts at 0: 0.1 s
        assertThat(median.passed()).isTrue();
        assertThat(median.detail()).isEqualTo("p50 latency 100 ms over the last 30 s (100 observations), at most "
                + "500 ms");
        assertThat(p99.name()).isEqualTo("p99 latency of http_request_duration_seconds at " + server.uri()
                + " above 500 ms");
    }

    @Test
    void shouldFailAQuantileInTheInfBucketAndSayWhatTheBucketsCanTell() throws Exception {
        server.serve(durations(0, 0, 0, 0, 0));
        Check tight = p(0.99).begin(ctx);
        Check loose = MetricsCheck.scrape(server.uri()).latency("http_request_duration_seconds", 0.99)
                .above(Duration.ofSeconds(2)).begin(ctx);

        String timeouts = durations(10, 20, 30, 40, 100); // 60 of 100 above 1 s
        CheckResult a = next(tight, timeouts);
        ctx.testClock().advance(Duration.ofSeconds(-30));
        CheckResult b = next(loose, timeouts);

        assertThat(a.passed()).isFalse();
        assertThat(a.detail()).isEqualTo("p99 latency of http_request_duration_seconds above 1 s (the +Inf bucket) "
                + "over the last 30 s (100 observations), above 500 ms");
        assertThat(b.passed()).isFalse();
        assertThat(b.detail()).startsWith("p99 latency of http_request_duration_seconds beyond the highest finite "
                + "bucket (1 s)").contains("expected buckets up to at least 2 s");
    }

    @Test
    void shouldTreatAHistogramResetAsCountingFromZero() throws Exception {
        server.serve(durations(900, 950, 990, 1000, 1000));
        Check begun = p(0.99).begin(ctx);

        CheckResult r = next(begun, durations(50, 90, 95, 100, 100));

        assertThat(r.passed()).isFalse();
        assertThat(r.detail()).isEqualTo("p99 latency 900 ms over the last 30 s; 1 histogram series reset since the "
                + "previous scrape, counted from zero (100 observations), above 500 ms");
    }

    @Test
    void shouldConsiderOnlyTheSeriesThatMatch() throws Exception {
        String text = "# TYPE http_requests_total counter\n"
                + "http_requests_total{handler=\"/checkout\",status=\"200\"} 80\n"
                + "http_requests_total{handler=\"/checkout\",status=\"502\"} 20\n"
                + "http_requests_total{handler=\"/\",status=\"200\"} 9900\n";
        server.serve(text);
        MetricsCheck checkout = MetricsCheck.scrape(server.uri()).matching("handler=\"/checkout\"")
                .errorRate("http_requests_total", "status!~2..").above(0.05);
        MetricsCheck all = MetricsCheck.scrape(server.uri())
                .errorRate("http_requests_total", "{status!~\"2..\"}").above(0.05);
        MetricsCheck none = MetricsCheck.scrape(server.uri()).matching("handler=/cart")
                .errorRate("http_requests_total", "status=~5..").above(0.05);

        assertThat(checkout.run(ctx).detail()).startsWith("error rate 20% ").endsWith("(20 of 100 requests), above 5%");
        assertThat(all.run(ctx).detail()).startsWith("error rate 0.2% ").endsWith("(20 of 10000 requests), at most 5%");
        CheckResult missing = none.run(ctx);
        assertThat(missing.passed()).isFalse();
        assertThat(missing.detail()).startsWith("expected the counter http_requests_total in the scrape of "
                + server.uri() + ", found 3 series of http_requests_total, none matching {handler=/cart}");
    }

    @Test
    void shouldFailAScrapeThatLacksTheMetricAndNameWhatItFound() throws Exception {
        server.serve(requests(10, 0));
        Check begun = p(0.99).begin(ctx);

        CheckResult r = next(begun, requests(20, 0));

        assertThat(r.passed()).isFalse();
        assertThat(r.detail()).isEqualTo("expected the histogram http_request_duration_seconds in the scrape of "
                + server.uri() + ", found 2 other metrics: http_requests_total, process_start_time_seconds");
    }

    @Test
    void shouldFailMalformedTextAndKeepThePreviousScrapeAsTheBaseline() throws Exception {
        server.serve(requests(100, 0));
        Check begun = errorRate().begin(ctx);

        CheckResult bad = next(begun, "# TYPE http_requests_total counter\nhttp_requests_total{status=\"200} 150\n");
        CheckResult good = next(begun, requests(300, 20));

        assertThat(bad.passed()).isFalse();
        assertThat(bad.detail()).isEqualTo("the scrape of " + server.uri() + " is not the Prometheus text format: "
                + "line 2: expected a closing quote of the label status, found the end of the line");
        assertThat(good.detail()).isEqualTo("error rate 9.1% over the last 1 min (20 of 220 requests), above 5%");
    }

    @Test
    void shouldFailAScrapeThatAnswersAnErrorOrNothing() throws Exception {
        server.serve(503, "upstream down");
        CheckResult answered = errorRate().run(ctx);
        URI uri = server.uri();
        server.close();
        CheckResult refused = MetricsCheck.scrape(uri).errorRate("http_requests_total", "status=~5..").above(0.05)
                .run(ctx);

        assertThat(answered.passed()).isFalse();
        assertThat(answered.detail()).isEqualTo("could not scrape " + uri + ": expected status 200, found 503 with "
                + "body 'upstream down'");
        assertThat(refused.passed()).isFalse();
        assertThat(refused.detail()).startsWith("could not scrape " + uri + ": ");
    }

    @Test
    void shouldBeginWithoutAFirstScrapeWhenTheEndpointIsDown() throws Exception {
        server.serve(500, "starting");
        Check begun = errorRate().begin(ctx);

        CheckResult r = next(begun, requests(100, 1));

        assertThat(r.detail()).isEqualTo("error rate 1.0% over the counters' whole life (no earlier scrape) "
                + "(1 of 101 requests), at most 5%");
        assertThat(ctx.progressMessages()).anySatisfy(m -> assertThat(m).contains("no first scrape"));
    }

    @Test
    void shouldRefuseASummaryAndAGaugeForWhatTheyCannotTell() throws Exception {
        server.serve("# TYPE http_request_duration_seconds summary\n"
                + "http_request_duration_seconds{quantile=\"0.99\"} 0.2\n"
                + "http_request_duration_seconds_sum 10\nhttp_request_duration_seconds_count 100\n"
                + "# TYPE http_requests_total gauge\nhttp_requests_total 5\n");

        CheckResult summary = p(0.99).run(ctx);
        CheckResult gauge = errorRate().run(ctx);

        assertThat(summary.passed()).isFalse();
        assertThat(summary.detail()).contains("is a summary; expected a histogram");
        assertThat(gauge.passed()).isFalse();
        assertThat(gauge.detail()).contains("is a gauge; expected a counter of requests");
    }

    @Test
    void shouldFailAHistogramOrCounterThatCannotBeRead() throws Exception {
        server.serve("# TYPE http_request_duration_seconds histogram\n"
                + "http_request_duration_seconds_bucket{le=\"0.5\"} 3\n"
                + "http_request_duration_seconds_bucket{le=\"1\"} 4\n"
                + "# TYPE http_requests_total counter\nhttp_requests_total{status=\"200\"} NaN\n");
        CheckResult noInf = p(0.99).run(ctx);
        CheckResult nan = errorRate().run(ctx);
        server.serve("http_request_duration_seconds_bucket{le=\"fast\"} 3\n");
        CheckResult badLe = p(0.99).run(ctx);

        assertThat(noInf.passed()).isFalse();
        assertThat(noInf.detail()).isEqualTo("histogram http_request_duration_seconds has no le=\"+Inf\" bucket; "
                + "expected one counting every observation");
        assertThat(nan.passed()).isFalse();
        assertThat(nan.detail()).isEqualTo("counter http_requests_total{status=\"200\"} is NaN; expected a finite "
                + "count of zero or more");
        assertThat(badLe.passed()).isFalse();
        assertThat(badLe.detail()).isEqualTo("bucket http_request_duration_seconds_bucket{le=\"fast\"} has "
                + "le=\"fast\"; expected an upper bound such as le=\"0.5\"");
    }

    @Test
    void shouldRefuseBadConfigurationAtOnce() {
        URI uri = URI.create("http://127.0.0.1:3000/metrics");
        MetricsCheck.Source source = MetricsCheck.scrape(uri);
        assertThatThrownBy(() -> MetricsCheck.scrape(URI.create("ftp://127.0.0.1/metrics")))
                .hasMessage("metrics check of ftp://127.0.0.1/metrics: expected an http or https URI with a host, "
                        + "found scheme 'ftp'; give one such as http://127.0.0.1:3000/metrics");
        assertThatThrownBy(() -> MetricsCheck.scrape(URI.create("/metrics")))
                .hasMessageContaining("found no scheme");
        assertThatThrownBy(() -> MetricsCheck.scrape(null))
                .hasMessageContaining("expected the URI of the metrics endpoint, found null");
        assertThatThrownBy(() -> source.errorRate("http requests", "status=~5.."))
                .hasMessage("metrics check of " + uri + ": errorRate: expected a metric name of letters, digits, '_' "
                        + "and ':', found 'http requests'; give one such as http_requests_total");
        assertThatThrownBy(() -> source.errorRate("http_requests_total", " "))
                .hasMessageContaining("expected label matchers, found nothing");
        assertThatThrownBy(() -> source.errorRate("http_requests_total", "status~5.."))
                .hasMessageContaining("not readable at 'status~5..'");
        assertThatThrownBy(() -> source.errorRate("http_requests_total", "status=~5(.."))
                .hasMessageContaining("expected a regular expression after status=~, found '5(..'");
        assertThatThrownBy(() -> source.errorRate("http_requests_total", "status=~5..").above(5))
                .hasMessageContaining("expected a fraction above 0 and below 1, found 5.0");
        assertThatThrownBy(() -> source.latency("http_request_duration_seconds", 99))
                .hasMessageContaining("expected a quantile above 0 and below 1, found 99.0");
        assertThatThrownBy(() -> source.latency("http_request_duration_seconds_bucket", 0.99))
                .hasMessageContaining("give it without '_bucket', such as http_request_duration_seconds");
        assertThatThrownBy(() -> source.latency("http_request_duration_seconds", 0.99).above(Duration.ZERO))
                .hasMessageContaining("expected a positive duration");
        assertThatThrownBy(() -> source.attemptTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("attemptTimeout: expected a positive duration");
        assertThatThrownBy(() -> source.matching("handler"))
                .hasMessageContaining("expected label matchers");
    }

    @Test
    void shouldMaskThePasswordOfTheUriAndSendItAsBasicAuthentication() throws Exception {
        server.serve(requests(10, 0));
        URI withPassword = URI.create("http://scraper:s3cret@127.0.0.1:" + server.uri().getPort() + "/metrics");

        MetricsCheck check = MetricsCheck.scrape(withPassword).errorRate("http_requests_total", "status=~5..")
                .above(0.05);
        CheckResult r = check.run(ctx);

        assertThat(r.passed()).isTrue();
        assertThat(check.name()).contains("scraper:****@").doesNotContain("s3cret");
        assertThat(check.named("checkout errors").name()).isEqualTo("checkout errors");
    }
}
