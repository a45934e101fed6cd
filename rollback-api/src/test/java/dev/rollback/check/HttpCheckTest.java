package dev.rollback.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.spi.CheckAttempt;
import dev.rollback.spi.CheckResult;
import dev.rollback.check.HealthServer.Answer;
import dev.rollback.testing.TestStepContext;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpCheckTest {

    static final String OK = "{\"status\":\"ok\",\"checks\":{\"db\":\"ok\",\"cache\":\"down\",\"workers\":3}}";

    final TestStepContext ctx = new TestStepContext();
    HealthServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new HealthServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void shouldPassOnTheThirdAttemptWhenTheEndpointAnswers503Twice() throws Exception {
        server.answer(Answer.of(503, "starting"), Answer.of(503, "starting"), Answer.of(200, OK));
        Instant start = ctx.testClock().instant();

        CheckResult result = HealthCheck.http(server.uri("/health")).expectStatus(200)
                .attempts(10).every(Duration.ofSeconds(1)).run(ctx);

        assertThat(result.passed()).isTrue();
        assertThat(result.attempts()).isEqualTo(3);
        assertThat(result.history()).extracting(CheckAttempt::passed).containsExactly(false, false, true);
        assertThat(result.history()).extracting(CheckAttempt::number).containsExactly(1, 2, 3);
        assertThat(result.history()).extracting(CheckAttempt::at)
                .containsExactly(start, start.plusSeconds(1), start.plusSeconds(2));
        assertThat(result.history().get(0).observed()).contains("status 503", "body 'starting'", "expected status 200");
        assertThat(result.history().get(2).observed()).startsWith("status 200 in 0 ms, body '{\"status\":\"ok\"");
        assertThat(result.detail()).isEqualTo(result.history().get(2).observed());
        assertThat(ctx.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(ctx.progressMessages()).hasSize(2).first().asString().contains("attempt 1 of 10 failed", "next in 1 s");
    }

    @Test
    void shouldTakeTwoSecondsOfClockTimeAndNoRealTimeForThreeFailingAttemptsOneSecondApart() throws Exception {
        server.answer(503, "down");
        long realStart = System.nanoTime();

        CheckResult result = HealthCheck.http(server.uri("/health")).attempts(3).every(Duration.ofSeconds(1)).run(ctx);

        Duration real = Duration.ofNanos(System.nanoTime() - realStart);
        assertThat(result.passed()).isFalse();
        assertThat(result.attempts()).isEqualTo(3);
        assertThat(result.took()).isEqualTo(Duration.ofSeconds(2));
        assertThat(ctx.testClock().instant()).isEqualTo(Instant.parse("2026-11-21T03:00:02Z"));
        assertThat(real).isLessThan(Duration.ofSeconds(2));
        assertThat(result.detail()).startsWith("all 3 attempts failed; last: status 503").contains("expected status 2xx");
    }

    @Test
    void shouldStopAttemptingWhenTheNextAttemptWouldStartPastTheOverallTimeout() throws Exception {
        server.answer(503, "down");

        CheckResult result = HealthCheck.http(server.uri("/health")).attempts(10).every(Duration.ofSeconds(1))
                .timeout(Duration.ofMillis(3500)).run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.attempts()).isEqualTo(4);
        assertThat(result.took()).isEqualTo(Duration.ofSeconds(3));
        assertThat(result.detail()).startsWith("gave up after 4 of 10 attempts: another would start past the timeout "
                + "of 3.5 s; last: status 503");
    }

    @Test
    void shouldPassAnyTwoHundredStatusByDefaultAndNotFollowRedirects() throws Exception {
        server.answer(204, "");
        assertThat(HealthCheck.http(server.uri("/health")).run(ctx).passed()).isTrue();

        server.answer(301, "moved");
        CheckResult moved = HealthCheck.http(server.uri("/health")).run(ctx);
        assertThat(moved.passed()).isFalse();
        assertThat(moved.detail()).contains("status 301", "expected status 2xx");
    }

    @Test
    void shouldFailWhenTheBodyLacksAnExpectedTextOrHoldsAForbiddenOne() throws Exception {
        HttpCheck check = HealthCheck.http(server.uri("/")).bodyContains("\"status\":\"ok\"")
                .bodyDoesNotContain("ROLLBACK TEST");

        server.answer(200, "{\"status\":\"ok\",\"banner\":\"ROLLBACK TEST\"}");
        CheckResult banner = check.run(ctx);
        server.answer(200, "{\"status\":\"degraded\"}");
        CheckResult degraded = check.run(ctx);
        server.answer(200, "{\"status\":\"ok\"}");
        CheckResult ok = check.run(ctx);

        assertThat(banner.passed()).isFalse();
        assertThat(banner.detail()).contains("status 200", "ROLLBACK TEST", "expected the body not to contain 'ROLLBACK TEST'");
        assertThat(degraded.passed()).isFalse();
        assertThat(degraded.detail()).contains("expected the body to contain '\"status\":\"ok\"'");
        assertThat(ok.passed()).isTrue();
    }

    @Test
    void shouldCompareJsonFieldsByDottedPath() throws Exception {
        server.answer(200, OK);

        assertThat(HealthCheck.http(server.uri("/")).jsonField("status", "ok").jsonField("checks.db", "ok")
                .jsonField("checks.workers", "3").run(ctx).passed()).isTrue();
        CheckResult cache = HealthCheck.http(server.uri("/")).jsonField("checks.cache", "ok").run(ctx);
        CheckResult missing = HealthCheck.http(server.uri("/")).jsonField("checks.queue", "ok").run(ctx);
        server.answer(200, "<html>502 Bad Gateway</html>");
        CheckResult html = HealthCheck.http(server.uri("/")).jsonField("status", "ok").run(ctx);

        assertThat(cache.passed()).isFalse();
        assertThat(cache.detail()).contains("expected JSON field 'checks.cache' to be 'ok', found 'down'");
        assertThat(missing.detail()).contains("expected JSON field 'checks.queue' to be 'ok', found no such field");
        assertThat(html.passed()).isFalse();
        assertThat(html.detail()).contains("body '<html>502 Bad Gateway</html>'",
                "expected a JSON body for fields [status], found text that is not JSON");
    }

    @Test
    void shouldMeasureLatencyOnTheClockAndFailAnAnswerAtOrAboveTheBound() throws Exception {
        HttpCheck check = HealthCheck.http(server.uri("/health")).latencyBelow(Duration.ofMillis(500));

        server.answer(new Answer(200, OK, () -> ctx.testClock().advance(Duration.ofMillis(600))));
        CheckResult slow = check.run(ctx);
        server.answer(new Answer(200, OK, () -> ctx.testClock().advance(Duration.ofMillis(120))));
        CheckResult fast = check.run(ctx);

        assertThat(slow.passed()).isFalse();
        assertThat(slow.detail()).contains("status 200 in 600 ms", "expected an answer within 500 ms");
        assertThat(slow.history().get(0).took()).isEqualTo(Duration.ofMillis(600));
        assertThat(fast.passed()).isTrue();
        assertThat(fast.detail()).startsWith("status 200 in 120 ms");
    }

    @Test
    void shouldRecordARefusedConnectionAsAFailedAttemptAndRetryIt() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }

        CheckResult result = HealthCheck.http(URI.create("http://127.0.0.1:" + closed + "/health")).attempts(2)
                .every(Duration.ofMillis(500)).run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(result.history()).extracting(CheckAttempt::observed)
                .containsOnly("no connection to 127.0.0.1:" + closed + ": connection refused");
        assertThat(result.took()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void shouldGiveUpOnARequestThatDoesNotAnswerWithinTheAttemptTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.answer(new Answer(200, OK, () -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            CheckResult result = HealthCheck.http(server.uri("/slow")).attemptTimeout(Duration.ofMillis(300)).run(ctx);

            assertThat(result.passed()).isFalse();
            assertThat(result.detail()).isEqualTo("no answer within 300 ms");
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldGiveUpOnABodyThatStallsAfterTheHeaders() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.answer(new Answer(200, OK, () -> {}, () -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            CheckResult result = HealthCheck.http(server.uri("/stall")).attemptTimeout(Duration.ofMillis(300)).run(ctx);

            assertThat(result.passed()).isFalse();
            assertThat(result.detail()).isEqualTo("no answer within 300 ms");
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldExamineOnlyTheFirstMebibyteOfALargeBody() throws Exception {
        server.answer(200, "x".repeat(3 << 20) + "END");

        CheckResult result = HealthCheck.http(server.uri("/big")).bodyContains("END").run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).contains("expected the body to contain 'END'");
    }

    @Test
    void shouldSendUserInfoAsBasicAuthenticationAndNeverShowThePassword() throws Exception {
        server.answer(503, "down");
        URI secret = URI.create("http://admin:s3cr3t-pw@127.0.0.1:" + server.port() + "/health?token=abc123&verbose=1");

        HttpCheck check = HealthCheck.http(secret).attempts(2).every(Duration.ofSeconds(1));
        CheckResult result = check.run(ctx);

        assertThat(server.authorizations).first().isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("admin:s3cr3t-pw".getBytes(StandardCharsets.UTF_8)));
        assertThat(check.name()).isEqualTo("GET http://admin:****@127.0.0.1:" + server.port()
                + "/health?token=****&verbose=1");
        assertThat(result.name()).isEqualTo(check.name());
        assertThat(check.toString() + result + ctx.progressMessages()).doesNotContain("s3cr3t-pw", "abc123");
    }

    @Test
    void shouldBeNamedByMethodAndUriUnlessNamed() {
        HttpCheck check = HealthCheck.http(server.uri("/health"));

        assertThat(check.name()).isEqualTo("GET http://127.0.0.1:" + server.port() + "/health");
        assertThat(check.named("orders page").name()).isEqualTo("orders page");
        assertThat(check.name()).isEqualTo("GET http://127.0.0.1:" + server.port() + "/health");
    }
}
