package dev.rollback.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.CaptureFailedException;
import dev.rollback.spi.Check;
import dev.rollback.spi.CheckResult;
import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.spi.StepContext;
import dev.rollback.StepRecord;
import dev.rollback.spi.TargetKind;
import dev.rollback.testing.TestClock;
import dev.rollback.testing.Trees;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrafficSwitchTest {

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    Side blue;
    Side green;
    Path upstreams;
    Path active;
    Path served;
    Path history;

    /** One environment of the blue-green pair: a real HTTP server on 127.0.0.1. */
    static final class Side {
        final String name;
        final HttpServer server;
        volatile int health = 200;
        volatile int app = 200;

        Side(String name) throws Exception {
            this.name = name;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/health", ex -> {
                ex.sendResponseHeaders(health, -1);
                ex.close();
            });
            server.createContext("/", ex -> {
                byte[] body = ("hello from " + name).getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(app, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        String conf() {
            return "upstream app { server 127.0.0.1:" + port() + "; }\n";
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        blue = new Side("blue");
        green = new Side("green");
        upstreams = Files.createDirectories(dir.resolve("upstreams"));
        Files.writeString(upstreams.resolve("blue.conf"), blue.conf());
        Files.writeString(upstreams.resolve("green.conf"), green.conf());
        active = upstreams.resolve("active.conf");
        Files.createSymbolicLink(active, Path.of("blue.conf"));
        served = dir.resolve("served.conf");
        history = dir.resolve("reloads.log");
        reload();
    }

    @AfterEach
    void tearDown() {
        blue.server.stop(0);
        green.server.stop(0);
    }

    /** What the proxy does at a reload: reads the active upstream (following the link) and serves it. */
    String[] reloadArgv() {
        return new String[] {"sh", "-c", "cp \"$1\" \"$2\" && cat \"$1\" >> \"$3\"", "sh", active.toString(),
                served.toString(), history.toString()};
    }

    void reload() throws Exception {
        Process p = new ProcessBuilder(reloadArgv()).start();
        assertThat(p.waitFor()).isZero();
    }

    /** Deploys green the way the team does: point the link at green, reload. */
    void deployGreen() throws Exception {
        Path temp = upstreams.resolve("next.conf");
        Files.createSymbolicLink(temp, Path.of("green.conf"));
        Files.move(temp, active, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        reload();
    }

    /** Sends a request through the proxy: to the upstream that the served configuration names. */
    HttpResponse<String> throughProxy(String path) throws Exception {
        Matcher m = Pattern.compile("server 127\\.0\\.0\\.1:(\\d+);").matcher(Files.readString(served));
        if (!m.find()) {
            throw new IllegalStateException("the proxy serves no upstream: " + Files.readString(served));
        }
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.group(1) + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A minimal HTTP check: the URL answers 200. */
    Check answers200(String name, String url) {
        return new Check() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public CheckResult run(StepContext ctx) throws Exception {
                int status = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                return status == 200 ? CheckResult.passed(name, "HTTP 200")
                        : CheckResult.failed(name, "HTTP " + status + " from " + url);
            }
        };
    }

    Check proxyAnswers200() {
        return new Check() {
            @Override
            public String name() {
                return "proxy answers 200";
            }

            @Override
            public CheckResult run(StepContext ctx) throws Exception {
                HttpResponse<String> r = throughProxy("/");
                return r.statusCode() == 200 ? CheckResult.passed(name(), r.body())
                        : CheckResult.failed(name(), "HTTP " + r.statusCode() + ": " + r.body());
            }
        };
    }

    TrafficSwitch traffic() {
        return TrafficSwitch.ofSymlink(active)
                .side("blue", Path.of("blue.conf"))
                .side("green", upstreams.resolve("green.conf"))
                .sideCheck("blue", answers200("blue health", "http://127.0.0.1:" + blue.port() + "/health"))
                .sideCheck("green", answers200("green health", "http://127.0.0.1:" + green.port() + "/health"))
                .testWith("grep", "-q", "server 127.0.0.1:", active.toString())
                .reloadWith(reloadArgv())
                .afterSwitchCheck(proxyAnswers200());
    }

    RollbackPlan plan(TrafficSwitch traffic) {
        return Rollback.plan("taylordash").store(dir.resolve("store")).clock(clock).sleeper(clock::advance)
                .target(traffic).build();
    }

    String reloads() throws Exception {
        return Files.readString(history);
    }

    @Test
    void shouldMoveTrafficBackToTheCapturedSide() throws Exception {
        RollbackPlan plan = plan(traffic());
        RestorePoint v1 = plan.capture("v1");
        assertThat(v1.snapshot("traffic").orElseThrow().get("side")).contains("blue");
        deployGreen();
        assertThat(throughProxy("/").body()).isEqualTo("hello from green");

        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readSymbolicLink(active)).isEqualTo(Path.of("blue.conf"));
        assertThat(throughProxy("/").body()).isEqualTo("hello from blue");
        assertThat(reloads()).isEqualTo(blue.conf() + green.conf() + blue.conf());
        assertThat(report.checks()).filteredOn(c -> c.name().equals("verify traffic")).singleElement()
                .satisfies(c -> assertThat(c.detail()).isEqualTo("traffic is on blue (" + active + " -> blue.conf)"));
        RestorePoint aside = plan.store().get(report.setAside().get(0).pointId());
        assertThat(aside.snapshot("traffic").orElseThrow().get("side")).contains("green");
    }

    @Test
    void shouldRefuseToSwitchWhenTheRestoredSideIsUnhealthyAndChangeNothing() throws Exception {
        RollbackPlan plan = plan(traffic());
        RestorePoint v1 = plan.capture("v1");
        deployGreen();
        blue.health = 503;
        var before = Trees.fingerprint(upstreams);
        String reloadsBefore = reloads();

        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).isNotEqualTo(Outcome.SUCCEEDED);
        StepRecord failed = report.failedSteps().get(0);
        assertThat(failed.name()).isEqualTo("restore traffic");
        assertThat(failed.detail()).contains("expected side 'blue' to pass its check 'blue health' before traffic "
                + "moves to it, found: HTTP 503").contains("nothing was switched, traffic stays on green");
        assertThat(Files.readSymbolicLink(active)).isEqualTo(Path.of("green.conf"));
        assertThat(Trees.fingerprint(upstreams)).isEqualTo(before);
        assertThat(reloads()).isEqualTo(reloadsBefore);
        assertThat(throughProxy("/").body()).isEqualTo("hello from green");
    }

    @Test
    void shouldUndoTheSwitchWhenTheCheckAfterTheSwitchFails() throws Exception {
        RollbackPlan plan = plan(traffic());
        RestorePoint v1 = plan.capture("v1");
        deployGreen();
        blue.app = 500; // healthy by its own check, broken behind the proxy

        RollbackReport report = plan.rollback(v1);

        StepRecord failed = report.failedSteps().get(0);
        assertThat(failed.name()).isEqualTo("restore traffic");
        assertThat(failed.detail()).contains("expected the check 'proxy answers 200' to pass once traffic moved to blue, "
                + "found: HTTP 500: hello from blue").contains("switched back to green and reloaded");
        assertThat(Files.readSymbolicLink(active)).isEqualTo(Path.of("green.conf"));
        assertThat(reloads()).isEqualTo(blue.conf() + green.conf() + blue.conf() + green.conf());
        assertThat(throughProxy("/").body()).isEqualTo("hello from green");
    }

    @Test
    void shouldUndoTheSwitchWithoutReloadingWhenTheTestCommandFails() throws Exception {
        RollbackPlan plan = plan(traffic());
        RestorePoint v1 = plan.capture("v1");
        deployGreen();
        Files.writeString(upstreams.resolve("blue.conf"), "upstream app { server ??? }\n");
        String reloadsBefore = reloads();

        RollbackReport report = plan.rollback(v1);

        StepRecord failed = report.failedSteps().get(0);
        assertThat(failed.detail()).contains("expected the test command to pass with traffic on blue")
                .contains("exited 1").contains("switched back to green, nothing was reloaded");
        assertThat(Files.readSymbolicLink(active)).isEqualTo(Path.of("green.conf"));
        assertThat(reloads()).isEqualTo(reloadsBefore);
    }

    @Test
    void shouldDoNothingWhenTrafficIsAlreadyOnTheCapturedSide() throws Exception {
        RollbackPlan plan = plan(traffic());
        RestorePoint v1 = plan.capture("v1");
        String reloadsBefore = reloads();

        assertThat(plan.preview(v1).stepsOf("traffic")).filteredOn(s -> s.name().equals("restore traffic"))
                .singleElement().satisfies(s -> assertThat(s.actions()).containsExactly(
                        "traffic is already on blue (" + active + " -> blue.conf); nothing to switch"));
        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(reloads()).isEqualTo(reloadsBefore);
    }

    @Test
    void shouldPreviewTheSwitchFromGreenToBlueWithItsTestReloadAndChecks() throws Exception {
        RollbackPlan plan = plan(traffic());
        RestorePoint v1 = plan.capture("v1");
        deployGreen();
        var before = Trees.fingerprint(dir.resolve("upstreams"));

        var steps = plan.preview(v1).stepsOf("traffic");

        assertThat(steps).filteredOn(s -> s.name().equals("restore traffic")).singleElement()
                .satisfies(s -> assertThat(s.actions()).containsExactly(
                        "check side blue before moving traffic: blue health; refuse to switch if it fails",
                        "switch traffic from green to blue: point " + active + " at blue.conf",
                        "test: grep -q 'server 127.0.0.1:' " + active + "; switch back to green if it fails",
                        "reload: sh -c 'cp \"$1\" \"$2\" && cat \"$1\" >> \"$3\"' sh " + active + " " + served + " "
                                + history + "; switch back to green and reload again if it fails",
                        "check after the switch: proxy answers 200; switch back to green and reload if it fails"));
        assertThat(Trees.fingerprint(dir.resolve("upstreams"))).isEqualTo(before);
    }

    @Test
    void shouldSwitchAFileBackToTheCapturedBytes() throws Exception {
        Files.delete(active);
        Files.writeString(active, blue.conf());
        reload();
        TrafficSwitch traffic = TrafficSwitch.ofFile(active)
                .side("blue", upstreams.resolve("blue.conf"))
                .side("green", upstreams.resolve("green.conf"))
                .sideCheck("blue", answers200("blue health", "http://127.0.0.1:" + blue.port() + "/health"))
                .testWith("grep", "-q", "server 127.0.0.1:", active.toString())
                .reloadWith(reloadArgv())
                .afterSwitchCheck(proxyAnswers200());
        RollbackPlan plan = plan(traffic);
        RestorePoint v1 = plan.capture("v1");
        Files.copy(upstreams.resolve("green.conf"), active, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        reload();

        assertThat(plan.preview(v1).stepsOf("traffic")).filteredOn(s -> s.name().equals("restore traffic"))
                .singleElement().satisfies(s -> assertThat(s.actions()).contains("switch traffic from green to blue: "
                        + "write the captured upstream (" + blue.conf().length() + " bytes) to " + active));
        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.isSymbolicLink(active)).isFalse();
        assertThat(Files.readString(active)).isEqualTo(blue.conf());
        assertThat(throughProxy("/").body()).isEqualTo("hello from blue");
    }

    @Test
    void shouldRefuseToCaptureALinkThatPointsAtNoSide() throws Exception {
        Files.writeString(upstreams.resolve("hotfix.conf"), green.conf());
        Files.delete(active);
        Files.createSymbolicLink(active, Path.of("hotfix.conf"));

        assertThatThrownBy(() -> plan(traffic()).capture("v1"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("found it pointing at hotfix.conf")
                .hasMessageContaining("point it at a side, or declare that side");
    }

    @Test
    void shouldKeepAnUnknownUpstreamExactlyWhenSettingItAside() throws Exception {
        RollbackPlan plan = plan(traffic());
        RestorePoint v1 = plan.capture("v1");
        Files.writeString(upstreams.resolve("hotfix.conf"), green.conf());
        Files.delete(active);
        Files.createSymbolicLink(active, Path.of("hotfix.conf"));
        reload();

        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readSymbolicLink(active)).isEqualTo(Path.of("blue.conf"));
        RestorePoint aside = plan.store().get(report.setAside().get(0).pointId());
        assertThat(aside.snapshot("traffic").orElseThrow().data()).containsEntry("link", "hotfix.conf")
                .doesNotContainKey("side");
        RollbackReport undo = plan.undo(report);
        assertThat(undo.outcome()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(Files.readSymbolicLink(active)).isEqualTo(Path.of("hotfix.conf"));
    }

    @Test
    void shouldRejectBadConfigurationWhereItIsGiven() {
        TrafficSwitch traffic = TrafficSwitch.ofSymlink(active).side("blue", Path.of("blue.conf"));

        assertThat(traffic.kind()).isEqualTo(TargetKind.TRAFFIC);
        assertThat(traffic.name()).isEqualTo("traffic");
        assertThat(traffic.named("edge").name()).isEqualTo("edge");
        assertThatThrownBy(() -> traffic.sideCheck("green", proxyAnswers200()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("declare the side first");
        assertThatThrownBy(() -> traffic.side("blue", Path.of("other.conf")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'blue' twice");
        assertThatThrownBy(() -> traffic.testWith()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> traffic.named("no spaces")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plan(traffic).capture("v1")).isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("expected at least two sides");
    }
}
