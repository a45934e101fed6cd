package dev.rollback.targets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.spi.Phase;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.Sleeper;
import dev.rollback.spi.StepContext;
import dev.rollback.check.HealthCheck;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.testing.MemoryTarget;
import dev.rollback.testing.TestClock;
import dev.rollback.testing.Requirements;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A service is started when it answers, not when its process exists: real processes that start slowly. */
class ServiceReadinessTest {

    @TempDir
    Path dir;

    final List<Path> pidFiles = new ArrayList<>();
    int port;

    @BeforeEach
    void freePort() throws IOException {
        Requirements.require(Requirements.onPath("busybox"), "busybox (package busybox-static), for its httpd");
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(Files.createDirectories(dir.resolve("www")).resolve("health"), "ok\n");
    }

    @AfterEach
    void endWhatWeStarted() throws IOException {
        // only the processes these tests started, by the pid they wrote, with their children
        for (Path pidFile : pidFiles) {
            if (Files.exists(pidFile)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).ifPresent(p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                });
            }
        }
    }

    /** A web server whose process is up at once but listens only after {@code delay} seconds of starting up. */
    Service slowWeb(String delay) {
        Path pid = dir.resolve("web.pid");
        pidFiles.add(pid);
        return Service.ofProcess("web", List.of("sh", "-c", "echo booting; sleep " + delay + "; echo \"listening on $0\"; "
                + "exec busybox httpd -f -p 127.0.0.1:$0 -h " + dir.resolve("www"), Integer.toString(port)), pid)
                .timeout(Duration.ofSeconds(5)).every(Duration.ofMillis(50));
    }

    boolean answers() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldReturnFromAStartOnlyOnceTheSlowServiceAnswersItsReadinessCheck() throws Exception {
        Service web = slowWeb("1").readyWhen(HealthCheck.http(URI.create("http://127.0.0.1:" + port + "/health"))
                .expectStatus(200).attempts(100).every(Duration.ofMillis(50)).timeout(Duration.ofSeconds(10)));
        RealCtx ctx = new RealCtx();

        web.starting().run(ctx);

        assertThat(answers()).isTrue();
        assertThat(ctx.progress).anySatisfy(m -> assertThat(m).startsWith("service 'web'").contains("is running"))
                .anySatisfy(m -> assertThat(m).contains("is ready: ").containsPattern("\\(\\d+ attempts?\\)"));
        assertThat(web.starting().describe()).last().asString().startsWith("then wait until it is ready: GET http://");
    }

    @Test
    void shouldSayThatAProcessThatRunsIsNotYetAServiceThatAnswersWithoutAReadinessCheck() throws Exception {
        Service web = slowWeb("5");

        web.starting().run(new RealCtx());

        assertThat(answers()).isFalse();
    }

    @Test
    void shouldWaitForTheLineTheServiceLogsWhenReadyCountingOnlyLinesOfThisStart() throws Exception {
        Path log = dir.resolve("web.log");
        Files.writeString(log, "listening on an old port, from a start before\n");
        Service web = slowWeb("1").readyWhen(HealthCheck.logLine(log, Pattern.compile("^listening on \\d+"))
                .attempts(200).every(Duration.ofMillis(25)).timeout(Duration.ofSeconds(10)));
        RealCtx ctx = new RealCtx();

        web.starting().run(ctx);

        assertThat(Files.readString(log)).contains("listening on " + port);
        assertThat(ctx.progress).anySatisfy(m -> assertThat(m).contains("is ready: line 3: 'listening on " + port + "'"));
    }

    @Test
    void shouldFailTheStartWithTheChecksLastObservationWhenTheServiceNeverAnswersOnThePlansClock() throws Exception {
        TestClock clock = new TestClock();
        Service web = slowWeb("300").readyWhen(HealthCheck.tcp("127.0.0.1", port).attempts(4)
                .every(Duration.ofSeconds(2)).timeout(Duration.ofSeconds(30)));
        MemoryTarget app = new MemoryTarget("app", "v1", Collections.synchronizedList(new ArrayList<>()));
        RollbackPlan plan = Rollback.plan("web").store(dir.resolve("store")).clock(clock).sleeper(clock::advance)
                .target(app).start(web.starting()).onFailure(dev.rollback.FailurePolicy.CONTINUE).build();
        RestorePoint before = plan.capture("v1");
        app.value = "v2";
        java.time.Instant start = clock.instant();

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.COMPLETED_WITH_ERRORS);
        assertThat(report.failedSteps()).singleElement().satisfies(s -> assertThat(s.detail())
                .contains("service 'web': expected it to be ready (TCP 127.0.0.1:" + port, "after 4 attempt(s)",
                        "the service runs but does not answer", "booting"));
        // three waits of 2 s between four attempts, on the plan's clock: no real time passed waiting
        assertThat(Duration.between(start, clock.instant())).isGreaterThanOrEqualTo(Duration.ofSeconds(6));
    }

    /** A step context on this machine on the real clock: the processes take real time to start. */
    static final class RealCtx implements StepContext {
        final List<String> progress = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String plan() {
            return "test";
        }

        @Override
        public String rollbackId() {
            return "test";
        }

        @Override
        public RestorePoint point() {
            return null;
        }

        @Override
        public Phase phase() {
            return Phase.START;
        }

        @Override
        public Host host() {
            return Hosts.local();
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            Sleeper.system().sleep(duration);
        }

        @Override
        public void progress(String message) {
            progress.add(message);
        }
    }
}
