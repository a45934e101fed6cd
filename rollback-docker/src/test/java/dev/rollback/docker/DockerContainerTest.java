package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.check.HealthCheck;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.testing.ForwardingHost;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerContainerTest {

    @TempDir
    Path dir;

    private Engine engine;
    private int port;
    private String container;
    private String latest;
    private String v1;
    private String v2;

    @BeforeEach
    void deployV1() {
        engine = Engine.require(dir);
        port = Engine.freePort();
        container = engine.name("web");
        latest = engine.name("app") + ":latest";
        v1 = engine.image(latest, "release v1 " + container, port);
        engine.run(container, latest, "--env", "APP_TOKEN=s3cret-value", "--label", "team=shop",
                "--health-cmd", "/bin/busybox wget -q -O /dev/null http://127.0.0.1:" + port + "/",
                "--health-interval", "200ms", "--health-retries", "50");
    }

    @AfterEach
    void clean() {
        engine.close();
    }

    /** The bad deploy: v2 takes the tag, and the container is recreated from it. */
    private void deployV2() {
        v2 = engine.image(latest, "release v2 " + container, port);
        engine.ok("docker", "rm", "--force", container);
        engine.run(container, latest, "--env", "APP_TOKEN=s3cret-value", "--label", "team=shop",
                "--health-cmd", "/bin/busybox wget -q -O /dev/null http://127.0.0.1:" + port + "/",
                "--health-interval", "200ms", "--health-retries", "50");
    }

    private RollbackPlan plan(Host host) {
        return Rollback.plan("shop").on(host).store(dir.resolve("store"))
                .target(DockerContainer.of(container).named("web").healthTimeout(Duration.ofSeconds(30)))
                .verify(HealthCheck.http(URI.create("http://127.0.0.1:" + port + "/")).bodyContains("release v1")
                        .attempts(40).every(Duration.ofMillis(250)))
                .onFailure(FailurePolicy.HALT)
                .build();
    }

    @Test
    void shouldRollBackContainerFromV2ToV1AndServeTheOldPage() {
        RollbackPlan plan = plan(Hosts.local());
        RestorePoint before = plan.capture("v1");
        String pin = before.snapshot("web").orElseThrow().require("image.pin");
        assertThat(pin).startsWith(engine.name("app") + ":rollback-");
        assertThat(engine.tagsOf(v1)).contains(pin);
        deployV2();
        assertThat(engine.idOf(latest)).isEqualTo(v2);

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(Engine.page(port)).isEqualTo("release v1 " + container);
        assertThat(engine.imageOf(container)).isEqualTo(v1);
        assertThat(engine.idOf(latest)).as("the tag points at the captured image again").isEqualTo(v1);
        assertThat(engine.tagsOf(v2)).as("the bad image is kept, tagged failed-")
                .anyMatch(t -> t.startsWith(engine.name("app") + ":failed-"));
        CommandResult env = engine.ok("docker", "container", "inspect", "--format",
                "{{range .Config.Env}}{{println .}}{{end}}{{index .Config.Labels \"team\"}}", container);
        assertThat(env.stdout()).contains("APP_TOKEN=s3cret-value").contains("shop");
        assertThat(report.toJson()).doesNotContain("s3cret-value");
    }

    @Test
    void shouldReattachTheContainersMountedVolumeSoItsDataIsNotLost() {
        String volume = engine.name("data");
        engine.ok("docker", "rm", "--force", container);
        engine.run(container, latest, "--mount", "type=volume,source=" + volume + ",target=/data");
        engine.ok("docker", "exec", container, "/bin/busybox", "sh", "-c", "echo orders-since-v1 > /data/orders");
        RollbackPlan plan = Rollback.plan("shop").on(Hosts.local()).store(dir.resolve("store"))
                .target(DockerContainer.of(container).named("web")).build();
        RestorePoint before = plan.capture("v1");
        v2 = engine.image(latest, "release v2 " + container, port);
        engine.ok("docker", "rm", "--force", container);
        engine.run(container, latest, "--mount", "type=volume,source=" + volume + ",target=/data");

        RollbackReport report = plan.rollback(before);

        try {
            assertThat(report.isSuccessful()).as(report.toString()).isTrue();
            assertThat(engine.imageOf(container)).isEqualTo(v1);
            assertThat(engine.ok("docker", "exec", container, "/bin/busybox", "cat", "/data/orders").stdout())
                    .isEqualTo("orders-since-v1\n");
        } finally {
            engine.ok("docker", "rm", "--force", container);
            engine.ok("docker", "volume", "rm", volume);
        }
    }

    @Test
    void shouldUndoARollbackBackToTheFailedImage() {
        RollbackPlan plan = plan(Hosts.local());
        RestorePoint before = plan.capture("v1");
        deployV2();
        RollbackReport report = plan.rollback(before);
        assertThat(report.isSuccessful()).as(report.toString()).isTrue();

        RollbackPlan noCheck = Rollback.plan("shop").on(Hosts.local()).store(dir.resolve("store"))
                .target(DockerContainer.of(container).named("web")).build();
        RollbackReport undone = noCheck.undo(report);

        assertThat(undone.isSuccessful()).as(undone.toString()).isTrue();
        assertThat(engine.imageOf(container)).isEqualTo(v2);
        assertThat(Engine.page(port)).isEqualTo("release v2 " + container);
    }

    @Test
    void shouldRollBackWhenTheDeployLeftNoContainerAndUndoByRemovingItAgain() {
        RollbackPlan plan = plan(Hosts.local());
        RestorePoint before = plan.capture("v1");
        engine.ok("docker", "rm", "--force", container);

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(Engine.page(port)).isEqualTo("release v1 " + container);
        RollbackPlan noCheck = Rollback.plan("shop").on(Hosts.local()).store(dir.resolve("store"))
                .target(DockerContainer.of(container).named("web")).build();
        assertThat(noCheck.undo(report).isSuccessful()).isTrue();
        assertThat(Hosts.local().run("docker", "container", "inspect", container).succeeded()).isFalse();
    }

    @Test
    void shouldRestoreFromOurPinAfterTheImageLostItsTagAndWasPruned() {
        RollbackPlan plan = plan(Hosts.local());
        RestorePoint before = plan.capture("v1");
        deployV2();
        engine.ok("docker", "image", "prune", "--force");
        assertThat(engine.tagsOf(v1)).as("only our pin holds v1 now").allMatch(t -> t.contains(":rollback-"));

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(Engine.page(port)).isEqualTo("release v1 " + container);
    }

    @Test
    void shouldRefuseInPreflightWhenTheCapturedImageIsGoneAndChangeNothing() {
        RollbackPlan plan = plan(Hosts.local());
        RestorePoint before = plan.capture("v1");
        deployV2();
        engine.ok("docker", "image", "rm", "--force", v1);
        List<String> tagsBefore = engine.tagsOf(v2);
        String containerId = engine.ok("docker", "container", "inspect", "--format", "{{.Id}}", container).stdout();

        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("captured image " + v1.substring(7, 19)).hasMessageContaining("no such image");

        assertThat(engine.ok("docker", "container", "inspect", "--format", "{{.Id}}", container).stdout())
                .as("the same container still runs").isEqualTo(containerId);
        assertThat(engine.imageOf(container)).isEqualTo(v2);
        assertThat(engine.tagsOf(v2)).as("no failed- tag was made").isEqualTo(tagsBefore);
        assertThat(Engine.page(port)).isEqualTo("release v2 " + container);
    }

    @Test
    void shouldRefuseACaptureOfAContainerThatDoesNotExist() {
        RollbackPlan plan = Rollback.plan("shop").on(Hosts.local()).store(dir.resolve("store"))
                .target(DockerContainer.of(engine.name("nothing"))).build();

        assertThatThrownBy(() -> plan.capture("v1")).hasMessageContaining("expected the container '"
                + engine.name("nothing") + "'").hasMessageContaining("found none");
        assertThat(plan.restorePoints()).isEmpty();
    }

    @Test
    void shouldFailCleanlyWhenTheEngineStopsMidRollbackAndFinishOnResume() {
        AtomicBoolean engineDown = new AtomicBoolean();
        Host host = new ForwardingHost(Hosts.local()) {
            @Override
            public CommandResult run(Command command) {
                // the engine goes away just as the container is being created again
                if (command.argv().size() > 1 && command.argv().get(0).equals("docker")
                        && command.argv().get(1).equals("run") && engineDown.get()) {
                    return new CommandResult(command.display(), name(), 1, "", "Cannot connect to the Docker daemon at "
                            + "unix:///var/run/docker.sock. Is the docker daemon running?", Duration.ZERO, false);
                }
                return super.run(command);
            }
        };
        RollbackPlan plan = plan(host);
        RestorePoint before = plan.capture("v1");
        deployV2();
        engineDown.set(true);

        RollbackReport halted = plan.rollback(before);

        assertThat(halted.outcome()).isEqualTo(Outcome.HALTED);
        assertThat(String.join("\n", halted.errors())).contains("the Docker engine does not answer")
                .contains("start it").doesNotContain("at dev.rollback");
        engineDown.set(false);

        RollbackReport resumed = plan.resume();

        assertThat(resumed.isSuccessful()).as(resumed.toString()).isTrue();
        assertThat(engine.imageOf(container)).isEqualTo(v1);
        assertThat(Engine.page(port)).isEqualTo("release v1 " + container);
    }
}
