package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.spi.Step;
import dev.rollback.host.Command;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real plan on an SSH host: the manifests stay in a local store; the live files, the artifacts and
 * the service are on the server (here an embedded SSH server on 127.0.0.1, sharing this machine's files).
 */
class SshPlanTest {

    @TempDir
    Path server;

    @TempDir
    Path store;

    @TempDir
    Path keys;

    private MinaServer sshd;
    private SshHost host;
    private final List<Duration> waits = new ArrayList<>();
    private Path app;

    @BeforeEach
    void start() throws Exception {
        KeyPair user = TestKeys.rsa();
        sshd = new MinaServer(keys, user.getPublic()).start();
        host = SshHost.builder("127.0.0.1").port(sshd.port()).user("root")
                .privateKey(TestKeys.write(user, keys.resolve("id_test")))
                .knownHosts(TestKeys.knownHosts(keys.resolve("known_hosts"), sshd.port(), sshd.hostKey()))
                .connectAttempts(2, Duration.ofSeconds(1)).sleeper(waits::add)
                .connect();
        app = Files.createDirectories(server.resolve("rosey"));
        Files.createDirectories(app.resolve("releases/v1"));
        Files.createDirectories(app.resolve("releases/v2"));
        Files.createSymbolicLink(app.resolve("current"), Path.of("releases/v1"));
        Files.writeString(app.resolve("config.json"), "{\"model\": \"v1\"}\n");
    }

    @AfterEach
    void stop() throws Exception {
        host.close();
        sshd.close();
    }

    private RollbackPlan plan(FailurePolicy policy, Step beforeRelease) {
        return Rollback.plan("rosey").on(host).store(store).hostStore(server.resolve("backups"))
                .stop(Step.of("stop rosey-bot", ctx -> ctx.host().run(Command.of("sh", "-c", "echo stopped >> \"$0\"",
                        app.resolve("service.log").toString())).requireSuccess()))
                .target(new ReleaseTarget(app.resolve("config.json"), app.resolve("current")))
                .beforeRestoring("release", beforeRelease)
                .start(Step.of("start rosey-bot", ctx -> ctx.host().run(Command.of("sh", "-c", "echo started >> \"$0\"",
                        app.resolve("service.log").toString())).requireSuccess()))
                .onFailure(policy)
                .build();
    }

    private void badDeploy() throws Exception {
        Files.writeString(app.resolve("config.json"), "{\"model\": \"v2-broken\"}\n");
        Files.delete(app.resolve("current"));
        Files.createSymbolicLink(app.resolve("current"), Path.of("releases/v2"));
    }

    @Test
    void shouldRollBackAReleaseOnTheServerWithItsArtifactsKeptThereAndTheManifestsLocal() throws Exception {
        RollbackPlan plan = plan(FailurePolicy.HALT, Step.of("note", ctx -> ctx.progress("restoring on " + ctx.host().name())));
        RestorePoint before = plan.capture("v1");
        badDeploy();

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(app.resolve("config.json"))).isEqualTo("{\"model\": \"v1\"}\n");
        assertThat(Files.readSymbolicLink(app.resolve("current"))).isEqualTo(Path.of("releases/v1"));
        assertThat(Files.readAllLines(app.resolve("service.log"))).containsExactly("stopped", "started");
        try (var points = Files.walk(store)) {
            assertThat(points.filter(p -> p.getFileName().toString().equals("config.json")))
                    .as("no artifact in the local store").isEmpty();
        }
        assertThat(server.resolve("backups/rosey/" + before.id() + "/release/config.json"))
                .as("the artifact stays on the server").hasContent("{\"model\": \"v1\"}\n");
        assertThat(waits).as("one connection served the whole plan").isEmpty();
    }

    @Test
    void shouldFailTheStepCleanlyWhenTheServerStopsMidRollbackAndFinishOnResume() throws Exception {
        AtomicBoolean stopped = new AtomicBoolean();
        RollbackPlan plan = plan(FailurePolicy.HALT, Step.of("server goes away", ctx -> {
            if (stopped.compareAndSet(false, true)) {
                sshd.stop();
            }
        }));
        RestorePoint before = plan.capture("v1");
        badDeploy();

        RollbackReport halted = plan.rollback(before);

        assertThat(halted.outcome()).isEqualTo(Outcome.HALTED);
        assertThat(String.join("\n", halted.errors())).contains("expected an SSH server answering there")
                .contains("after 2 tries");
        assertThat(waits).containsExactly(Duration.ofSeconds(1));
        assertThat(Files.readString(app.resolve("config.json"), StandardCharsets.UTF_8)).contains("v2-broken");

        sshd.restart();
        RollbackReport resumed = plan.resume();

        assertThat(resumed.outcome()).as(resumed.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(resumed.resumed()).isEqualTo(1);
        assertThat(Files.readString(app.resolve("config.json"))).isEqualTo("{\"model\": \"v1\"}\n");
        assertThat(Files.readSymbolicLink(app.resolve("current"))).isEqualTo(Path.of("releases/v1"));
        assertThat(Files.readAllLines(app.resolve("service.log"))).containsExactly("stopped", "started");
    }
}
