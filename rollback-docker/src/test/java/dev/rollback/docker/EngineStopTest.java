package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.spi.Step;
import dev.rollback.StepRecord;
import dev.rollback.StepStatus;
import dev.rollback.check.HealthCheck;
import dev.rollback.host.Command;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.testing.Requirements;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real engine stops in the middle of a rollback (between restoring two containers) and comes
 * back: the rollback halts cleanly, and resume finishes it. The test stops and starts this
 * machine's dockerd, so it needs root and a dockerd started with a pid file (as .ci/setup-docker.sh
 * starts it); it always leaves the engine running.
 */
class EngineStopTest {

    private static final Path PID_FILE = Path.of("/var/run/docker.pid");
    private static final String[] DOCKERD = {"dockerd", "--bridge=none", "--iptables=false", "--ip6tables=false",
        "--ip-masq=false"};

    @TempDir
    Path dir;

    private final Host host = Hosts.local();
    private Engine engine;

    @AfterEach
    void engineRunsAgain() throws Exception {
        startEngine();
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void shouldHaltWhenTheEngineStopsMidRollbackAndFinishOnResumeOnceItIsBack() throws Exception {
        engine = Engine.require(dir);
        Requirements.require("root".equals(System.getProperty("user.name")) && Files.isRegularFile(PID_FILE),
                "a dockerd this test may stop and start again (root, " + PID_FILE + ")");
        int portA = Engine.freePort();
        int portB = Engine.freePort();
        String a = engine.name("a");
        String b = engine.name("b");
        String imageA = engine.name("a-app") + ":latest";
        String imageB = engine.name("b-app") + ":latest";
        String v1a = engine.image(imageA, "a v1", portA);
        engine.image(imageB, "b v1", portB);
        engine.run(a, imageA, "--restart", "unless-stopped");
        engine.run(b, imageB, "--restart", "unless-stopped");
        RollbackPlan plan = Rollback.plan("engine-stop").on(host).store(dir.resolve("store"))
                .target(DockerContainer.of(a).named("a").healthTimeout(Duration.ofSeconds(30)))
                .beforeRestoring("b", Step.of("the engine stops", ctx -> stopEngine()))
                .target(DockerContainer.of(b).named("b").healthTimeout(Duration.ofSeconds(30)))
                .verify(HealthCheck.http(URI.create("http://127.0.0.1:" + portA + "/")).bodyContains("a v1")
                        .attempts(60).every(Duration.ofMillis(500)))
                .verify(HealthCheck.http(URI.create("http://127.0.0.1:" + portB + "/")).bodyContains("b v1")
                        .attempts(60).every(Duration.ofMillis(500)))
                .onFailure(FailurePolicy.HALT)
                .build();
        RestorePoint before = plan.capture("v1");
        engine.image(imageA, "a v2", portA);
        engine.image(imageB, "b v2", portB);
        engine.ok("docker", "rm", "--force", a, b);
        engine.run(a, imageA, "--restart", "unless-stopped");
        engine.run(b, imageB, "--restart", "unless-stopped");

        RollbackReport halted = plan.rollback(before);

        assertThat(halted.outcome()).as(halted.toString()).isEqualTo(Outcome.HALTED);
        assertThat(halted.steps()).filteredOn(s -> s.name().equals("restore b")).singleElement()
                .satisfies(s -> {
                    assertThat(s.status()).isEqualTo(StepStatus.FAILED);
                    assertThat(s.detail()).contains("does not answer").contains("start it");
                });
        assertThat(halted.steps()).filteredOn(s -> s.name().equals("restore a")).extracting(StepRecord::status)
                .containsExactly(StepStatus.SUCCEEDED);

        startEngine();
        RollbackReport resumed = plan.resume();

        assertThat(resumed.outcome()).as(resumed.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(engine.imageOf(a)).isEqualTo(v1a);
        assertThat(Engine.page(portB)).isEqualTo("b v1");
    }

    private void stopEngine() throws Exception {
        long pid = Long.parseLong(Files.readString(PID_FILE).strip());
        ProcessHandle dockerd = ProcessHandle.of(pid).orElseThrow();
        dockerd.destroy();                                                  // SIGTERM, as an operator would
        // the API closes before the daemon has finished stopping; a new one refuses to start until it has
        dockerd.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        await(false);
    }

    private void startEngine() throws Exception {
        if (answers()) {
            return;
        }
        String[] argv = new String[DOCKERD.length + 4];
        argv[0] = "sh";
        argv[1] = "-c";
        argv[2] = "setsid nohup \"$@\" >>/var/log/rollback-dockerd.log 2>&1 </dev/null &";
        argv[3] = "sh";
        System.arraycopy(DOCKERD, 0, argv, 4, DOCKERD.length);
        host.run(Command.of(argv)).requireSuccess();
        await(true);
    }

    private boolean answers() {
        return host.run(Command.of("docker", "version").timeout(Duration.ofSeconds(10))).succeeded();
    }

    private void await(boolean up) throws InterruptedException {
        Instant end = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(end)) {
            if (answers() == up) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the Docker engine did not " + (up ? "start" : "stop") + " within 60 s");
    }
}
