package dev.rollback.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.rollback.Drill;
import dev.rollback.DrillReport;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.Sleeper;
import dev.rollback.Trigger;
import dev.rollback.WatchReport;
import dev.rollback.Watchdog;
import dev.rollback.check.HealthCheck;
import dev.rollback.spi.Check;
import dev.rollback.targets.ConfigFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications sent to a real HTTP server on 127.0.0.1 that records every request and fails on demand: what is
 * sent on a rollback, a failed rollback, a trigger and a drill; retries with backoff on the plan's sleeper; secrets
 * masked; and a webhook that is down never changes the rollback.
 */
class WebhookTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    HttpServer http;
    /** Bodies received, in order, with their Authorization header. */
    final List<String[]> received = Collections.synchronizedList(new ArrayList<>());
    /** How many of the next requests answer 503. */
    final AtomicInteger failNext = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final List<Duration> slept = Collections.synchronizedList(new ArrayList<>());
    final Sleeper sleeper = slept::add; // the plan's sleeper: records the backoff, waits no wall time
    Path config;

    @BeforeEach
    void start() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/hooks/T0KEN", ex -> {
            requests.incrementAndGet();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean fail = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            if (!fail) {
                received.add(new String[] {body, ex.getRequestHeaders().getFirst("Authorization")});
            }
            byte[] answer = (fail ? "upstream busy" : "ok").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(fail ? 503 : 200, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        http.createContext("/app", ex -> {
            boolean ok = Files.readString(config).contains("v1");
            ex.sendResponseHeaders(ok ? 200 : 500, -1);
            ex.close();
        });
        http.start();
        config = dir.resolve("app.env");
        Files.writeString(config, "VERSION=v1\nDB_PASSWORD=hunter2\n");
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    private URI hook() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/hooks/T0KEN");
    }

    private RollbackPlan plan(Notifier notifier) {
        return Rollback.plan("shop").store(dir.resolve("store"))
                .target(ConfigFiles.of(config))
                .secret("hunter2")
                .sleeper(sleeper)
                .notify(notifier)
                .build();
    }

    /** Waits, bounded, until {@code n} notifications arrived; the bodies as JSON. */
    private List<JsonNode> await(int n) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (received.size() < n && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        List<JsonNode> out = new ArrayList<>();
        synchronized (received) {
            for (String[] r : received) {
                out.add(JSON.readTree(r[0]));
            }
        }
        assertThat(out).as("notifications received").hasSizeGreaterThanOrEqualTo(n);
        return out;
    }

    @Test
    void shouldTellTheStartAndTheEndOfARollbackWithTextAndStructuredEventSecretsMasked() throws Exception {
        RollbackPlan plan = plan(Webhook.to(hook()).header("Authorization", "Bearer xoxb-1"));
        RestorePoint v1 = plan.capture("v1 (db password hunter2)");
        Files.writeString(config, "VERSION=v2\nDB_PASSWORD=hunter2\n");

        RollbackReport report = plan.rollback(v1);

        List<JsonNode> sent = await(2);
        assertThat(sent).extracting(b -> b.get("event").get("kind").asText())
                .containsExactly("ROLLBACK_STARTED", "ROLLBACK_FINISHED");
        JsonNode done = sent.get(1);
        assertThat(done.get("text").asText()).startsWith("shop: rollback " + report.rollbackId())
                .contains("SUCCEEDED").contains("time to recover");
        assertThat(done.get("event").get("id").asText()).isEqualTo(report.rollbackId());
        assertThat(done.get("event").get("details").get("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(done.get("event").get("details").get("timeToRecoverMillis").isNumber()).isTrue();
        assertThat(done.get("event").get("details").get("setAside").asText()).isEqualTo(report.setAsidePointId());
        synchronized (received) {
            assertThat(received).allSatisfy(r -> {
                assertThat(r[0]).doesNotContain("hunter2");
                assertThat(r[1]).isEqualTo("Bearer xoxb-1");
            });
        }
        assertThat(done.get("event").get("details").get("point").asText()).contains("***").doesNotContain("hunter2");
        System.out.println("webhook body: " + received.get(1)[0]);
    }

    @Test
    void shouldRetryWithBackoffOnThePlansSleeperUntilTheWebhookTakesIt() throws Exception {
        RollbackPlan plan = plan(Webhook.to(hook()).attempts(3));
        RestorePoint v1 = plan.capture("v1");
        Files.writeString(config, "VERSION=v2\n");
        failNext.set(2); // the start notification fails twice, then goes through

        plan.rollback(v1);

        List<JsonNode> sent = await(2);
        assertThat(sent).extracting(b -> b.get("event").get("kind").asText())
                .containsExactly("ROLLBACK_STARTED", "ROLLBACK_FINISHED");
        assertThat(requests).hasValue(4);
        assertThat(slept).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void shouldNeverChangeTheRollbackWhenTheWebhookIsDown() throws Exception {
        RollbackPlan plan = plan(Webhook.to(hook()).attempts(2));
        RestorePoint v1 = plan.capture("v1");
        Files.writeString(config, "VERSION=v2\n");
        failNext.set(1_000);

        RollbackReport report = plan.rollback(v1);

        assertThat(report.isSuccessful()).isTrue();
        assertThat(Files.readString(config)).isEqualTo("VERSION=v1\nDB_PASSWORD=hunter2\n");
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (requests.get() < 4 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        Thread.sleep(200); // nothing more comes: two attempts per notification, then given up
        assertThat(requests).hasValue(4);
        assertThat(received).isEmpty();
    }

    @Test
    void shouldTellAFailedRollbackAsFailed() throws Exception {
        RollbackPlan plan = Rollback.plan("shop").store(dir.resolve("store")).target(ConfigFiles.of(config))
                .verify(Check.of("payments answer", () -> false)).sleeper(sleeper).notify(Webhook.to(hook())).build();
        RestorePoint v1 = plan.capture("v1");
        Files.writeString(config, "VERSION=v2\n");

        RollbackReport report = plan.rollback(v1);

        assertThat(report.isSuccessful()).isFalse();
        JsonNode failed = await(2).get(1);
        assertThat(failed.get("event").get("kind").asText()).isEqualTo("ROLLBACK_FAILED");
        assertThat(failed.get("text").asText()).contains("a person must look").contains("payments answer");
    }

    @Test
    void shouldTellTheTriggerThenTheRollbackOfAWatch() throws Exception {
        RollbackPlan plan = plan(Webhook.to(hook()));
        RestorePoint v1 = plan.capture("v1");
        Files.writeString(config, "VERSION=v2\n");
        URI app = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/app");

        WatchReport watch = Watchdog.of(plan, v1).probe(HealthCheck.http(app).expectStatus(200))
                .every(Duration.ofMillis(20)).rollBackWhen(Trigger.consecutiveFailures(2))
                .watchFor(Duration.ofSeconds(5)).run();

        assertThat(watch.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(await(3)).extracting(b -> b.get("event").get("kind").asText())
                .containsExactly("TRIGGER_FIRED", "ROLLBACK_STARTED", "ROLLBACK_FINISHED");
        assertThat(await(3).get(0).get("text").asText()).contains("2 consecutive failures");
    }

    @Test
    void shouldTellADrillsResult() throws Exception {
        RollbackPlan plan = plan(Webhook.to(hook()));
        DrillReport drill = Drill.of(plan)
                .change("break the config", ctx -> Files.writeString(config, "VERSION=drill\n"))
                .shows(Check.of("drill config in place", () -> Files.readString(config).contains("drill")))
                .run();

        assertThat(drill.outcome()).isEqualTo(DrillReport.Outcome.PASSED);
        List<JsonNode> sent = await(3);
        JsonNode last = sent.get(sent.size() - 1);
        assertThat(last.get("event").get("kind").asText()).isEqualTo("DRILL_PASSED");
        assertThat(last.get("text").asText()).contains("drill 'break the config' PASSED");
    }

    @Test
    void shouldRefuseAWebhookThatCannotBeOne() {
        assertThatThrownBy(() -> Webhook.to(URI.create("ftp://127.0.0.1/x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http or https");
        assertThatThrownBy(() -> Webhook.to(hook()).attempts(0)).hasMessageContaining("from 1 to 10 attempts")
                .hasMessageNotContaining("T0KEN");
        assertThat(Webhook.to(hook()).name()).doesNotContain("T0KEN");
    }
}
