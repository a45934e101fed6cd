package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.FailurePolicy;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.Scope;
import dev.rollback.check.HealthCheck;
import dev.rollback.host.Hosts;
import dev.rollback.testing.Requirements;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComposeStackTest {

    @TempDir
    Path dir;

    private Engine engine;
    private String project;
    private Path stack;
    private Path composeFile;
    private Path envFile;
    private int backendPort;
    private int frontendPort;
    private String backendV1;
    private String frontendV1;
    private String backendV2;
    private String frontendV2;

    @BeforeEach
    void deployV1() throws IOException {
        engine = Engine.require(dir);
        Requirements.require(Requirements.onPath("docker-compose") || Hosts.local().run("docker", "compose", "version")
                .succeeded(), "docker-compose or docker compose (Debian: docker-compose)");
        project = engine.name("stack");
        engine.project(project);
        stack = Files.createDirectories(dir.resolve("stack"));
        composeFile = stack.resolve("docker-compose.yml");
        envFile = stack.resolve(".env");
        backendPort = Engine.freePort();
        frontendPort = Engine.freePort();
        backendV1 = engine.image(backend(), "backend v1 " + project, backendPort);
        frontendV1 = engine.image(frontend(), "frontend v1 " + project, frontendPort);
        Files.writeString(composeFile, compose(""));
        Files.writeString(envFile, "RELEASE=v1\nDB_PASSWORD=hunter2\n");
        up();
    }

    @AfterEach
    void clean() {
        engine.close();
    }

    private String backend() {
        return project + "-backend:latest";
    }

    private String frontend() {
        return project + "-frontend:latest";
    }

    private String compose(String extra) {
        return "version: \"2.4\"\n"
                + "services:\n"
                + "  backend:\n"
                + "    image: " + backend() + "\n"
                + "    network_mode: host\n"
                + "    init: true\n"
                + "    environment:\n"
                + "      - RELEASE=${RELEASE}\n" + extra
                + "  frontend:\n"
                + "    image: " + frontend() + "\n"
                + "    network_mode: host\n"
                + "    init: true\n"
                + "    depends_on: [backend]\n";
    }

    private void up() {
        engine.ok("docker-compose", "--file", composeFile.toString(), "--project-name", project, "up", "--detach");
    }

    /** The bad deploy: new images for both services, a changed compose file and .env. */
    private void deployV2() throws IOException {
        backendV2 = engine.image(backend(), "backend v2 " + project, backendPort);
        frontendV2 = engine.image(frontend(), "frontend v2 " + project, frontendPort);
        Files.writeString(composeFile, compose("      - FEATURE=on\n"));
        Files.writeString(envFile, "RELEASE=v2\nDB_PASSWORD=hunter3\n");
        up();
        assertThat(engine.imageOf(project + "_backend_1")).isEqualTo(backendV2);
    }

    private ComposeStack stackTarget() {
        return ComposeStack.of(composeFile).envFile(envFile).project(project).healthTimeout(Duration.ofSeconds(30));
    }

    @Test
    @SuppressWarnings("removal")
    void shouldMakeTheSameStackWithTheSpellingsTheConfigurationRuleReplaced() throws IOException {
        ComposeStack now = ComposeStack.of(composeFile).envFile(envFile).project(project).only("backend")
                .named("backend");
        ComposeStack before = ComposeStack.of(composeFile).withEnvFile(envFile).project(project).services("backend")
                .named("backend");
        assertThat(before.name()).isEqualTo(now.name());
        assertThat(before).hasToString(now.toString());

        Rollback.plan("taylordash").on(Hosts.local()).store(dir.resolve("store")).target(now).build().capture("v1");
        deployV2();
        RollbackPlan withNew = Rollback.plan("taylordash").on(Hosts.local()).store(dir.resolve("store")).target(now)
                .build();
        RollbackPlan withOld = Rollback.plan("taylordash").on(Hosts.local()).store(dir.resolve("store"))
                .target(before).build();
        assertThat(withOld.preview(withOld.restorePoints().get(0)).toString())
                .isEqualTo(withNew.preview(withNew.restorePoints().get(0)).toString());
    }

    @Test
    void shouldRollBackEveryServiceWithTheComposeFileAndEnvRestoredTogether() throws IOException {
        String composeV1 = Files.readString(composeFile);
        String envV1 = Files.readString(envFile);
        RollbackPlan plan = Rollback.plan("taylordash").on(Hosts.local()).store(dir.resolve("store"))
                .target(stackTarget())
                .verify(HealthCheck.http(URI.create("http://127.0.0.1:" + frontendPort + "/"))
                        .bodyContains("frontend v1").attempts(40).every(Duration.ofMillis(250)))
                .onFailure(FailurePolicy.HALT).build();
        RestorePoint before = plan.capture("v1");
        deployV2();

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(Files.readString(composeFile)).isEqualTo(composeV1);
        assertThat(Files.readString(envFile)).isEqualTo(envV1);
        assertThat(engine.imageOf(project + "_backend_1")).isEqualTo(backendV1);
        assertThat(engine.imageOf(project + "_frontend_1")).isEqualTo(frontendV1);
        assertThat(Engine.page(backendPort)).isEqualTo("backend v1 " + project);
        assertThat(Engine.page(frontendPort)).isEqualTo("frontend v1 " + project);
        assertThat(engine.ok("docker", "container", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}",
                project + "_backend_1").stdout()).contains("RELEASE=v1").doesNotContain("FEATURE=on");
        assertThat(engine.idOf(backend())).isEqualTo(backendV1);
        assertThat(engine.tagsOf(backendV2)).anyMatch(t -> t.startsWith(project + "-backend:failed-"));
        assertThat(engine.tagsOf(frontendV2)).anyMatch(t -> t.startsWith(project + "-frontend:failed-"));
        assertThat(report.toJson()).doesNotContain("hunter2").doesNotContain("hunter3");
    }

    @Test
    void shouldRollBackADeployThatBrokeTheComposeFile() throws IOException {
        String composeV1 = Files.readString(composeFile);
        RollbackPlan plan = Rollback.plan("taylordash").on(Hosts.local()).store(dir.resolve("store"))
                .target(stackTarget()).onFailure(FailurePolicy.HALT).build();
        RestorePoint before = plan.capture("v1");
        deployV2();
        Files.writeString(composeFile, "services: [this is: not, a compose file\n");

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(Files.readString(composeFile)).isEqualTo(composeV1);
        assertThat(engine.imageOf(project + "_backend_1")).isEqualTo(backendV1);
        assertThat(Engine.page(frontendPort)).isEqualTo("frontend v1 " + project);
        assertThat(engine.tagsOf(backendV2)).as("the bad image was found by its labels and set aside")
                .anyMatch(t -> t.startsWith(project + "-backend:failed-"));
    }

    @Test
    void shouldRollBackOnlyTheBackendAndLeaveTheFrontendRunning() throws IOException {
        RollbackPlan plan = Rollback.plan("taylordash").on(Hosts.local()).store(dir.resolve("store"))
                .target(stackTarget().only("backend").named("backend"))
                .target(stackTarget().only("frontend").named("frontend"))
                .verify(HealthCheck.http(URI.create("http://127.0.0.1:" + backendPort + "/"))
                        .bodyContains("backend v1").attempts(40).every(Duration.ofMillis(250)))
                .onFailure(FailurePolicy.HALT).build();
        RestorePoint before = plan.capture("v1");
        deployV2();
        String frontendContainer = engine.ok("docker", "container", "inspect", "--format", "{{.Id}}",
                project + "_frontend_1").stdout();

        RollbackReport report = plan.rollback(before, Scope.only("backend"));

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(engine.imageOf(project + "_backend_1")).isEqualTo(backendV1);
        assertThat(Engine.page(backendPort)).isEqualTo("backend v1 " + project);
        assertThat(engine.ok("docker", "container", "inspect", "--format", "{{.Id}}", project + "_frontend_1").stdout())
                .as("the frontend was not recreated").isEqualTo(frontendContainer);
        assertThat(Engine.page(frontendPort)).isEqualTo("frontend v2 " + project);
        assertThat(engine.idOf(frontend())).isEqualTo(frontendV2);
    }

    @Test
    void shouldBringEveryServiceBackAsSetAsideWhenUndoingAOneServiceRollback() throws IOException {
        RollbackPlan plan = Rollback.plan("taylordash").on(Hosts.local()).store(dir.resolve("store"))
                .target(stackTarget().only("backend").named("backend"))
                .verify(HealthCheck.http(URI.create("http://127.0.0.1:" + backendPort + "/"))
                        .bodyContains("backend v1").attempts(40).every(Duration.ofMillis(250)))
                .onFailure(FailurePolicy.HALT).build();
        RestorePoint before = plan.capture("v1");
        deployV2();
        String composeV2 = Files.readString(composeFile);
        String envV2 = Files.readString(envFile);
        RollbackReport rollback = plan.rollback(before);
        assertThat(rollback.isSuccessful()).as(rollback.toString()).isTrue();
        assertThat(engine.imageOf(project + "_backend_1")).isEqualTo(backendV1);
        // after the rollback the frontend is changed too, by hand: the undo brings back the stack as set aside
        String frontendV3 = engine.image(frontend(), "frontend v3 " + project, frontendPort);
        engine.ok("docker-compose", "--file", composeFile.toString(), "--project-name", project, "up", "--detach",
                "--no-deps", "frontend");
        assertThat(engine.imageOf(project + "_frontend_1")).isEqualTo(frontendV3);

        RollbackReport undo = plan.undo(rollback);

        assertThat(undo.outcome()).as(undo.toMarkdown()).isEqualTo(dev.rollback.Outcome.FAILED_STATE_RESTORED);
        assertThat(engine.imageOf(project + "_backend_1")).isEqualTo(backendV2);
        assertThat(engine.imageOf(project + "_frontend_1")).isEqualTo(frontendV2);
        assertThat(Engine.page(backendPort)).isEqualTo("backend v2 " + project);
        assertThat(Engine.page(frontendPort)).isEqualTo("frontend v2 " + project);
        assertThat(Files.readString(composeFile)).isEqualTo(composeV2);
        assertThat(Files.readString(envFile)).isEqualTo(envV2);
        assertThat(undo.checks()).singleElement().satisfies(c -> assertThat(c.detail())
                .contains("backend runs " + Docker.shortId(backendV2), "frontend runs " + Docker.shortId(frontendV2)));
    }

    @Test
    void shouldRefuseInPreflightWhenTheCapturedComposeFileNoLongerValidatesAndChangeNothing() throws IOException {
        Path appEnv = Files.writeString(stack.resolve("app.env"), "MODE=one\n");
        Files.writeString(composeFile, compose("    env_file: [app.env]\n"));
        up();
        RollbackPlan plan = Rollback.plan("taylordash").on(Hosts.local()).store(dir.resolve("store"))
                .target(stackTarget()).build();
        RestorePoint before = plan.capture("v1");
        deployV2();
        Files.delete(appEnv); // the captured compose file needs it, and it is not part of the stack's files
        byte[] composeNow = Files.readAllBytes(composeFile);
        byte[] envNow = Files.readAllBytes(envFile);
        String backendContainer = engine.ok("docker", "container", "inspect", "--format", "{{.Id}}",
                project + "_backend_1").stdout();

        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("the captured compose files").hasMessageContaining("app.env");

        assertThat(Files.readAllBytes(composeFile)).isEqualTo(composeNow);
        assertThat(Files.readAllBytes(envFile)).isEqualTo(envNow);
        assertThat(engine.ok("docker", "container", "inspect", "--format", "{{.Id}}", project + "_backend_1").stdout())
                .isEqualTo(backendContainer);
        assertThat(engine.tagsOf(backendV2)).noneMatch(t -> t.contains(":failed-"));
    }

    @Test
    void shouldRemoveThePinsOfARestorePointWithThePointOnly() {
        RollbackPlan plan = Rollback.plan("taylordash").on(Hosts.local()).store(dir.resolve("store"))
                .target(stackTarget()).keepLast(1).build();
        engine.ok("docker", "tag", backendV1, project + "-backend:mine");
        RestorePoint first = plan.capture("first");
        String firstPin = first.snapshot("compose").orElseThrow().require("service.0.image.pin");
        assertThat(firstPin).isEqualTo(project + "-backend:rollback-" + first.id() + "-"
                + backendV1.substring("sha256:".length(), "sha256:".length() + 12));
        assertThat(engine.tagsOf(backendV1)).contains(firstPin);

        RestorePoint second = plan.capture("second");                     // retention deletes the first point
        String secondPin = second.snapshot("compose").orElseThrow().require("service.0.image.pin");

        assertThat(plan.restorePoints()).containsExactly(second);
        assertThat(engine.tagsOf(backendV1)).contains(secondPin, project + "-backend:mine").doesNotContain(firstPin);
        assertThat(ImagePins.prune(plan)).as("nothing left for the stopgap to prune").isEmpty();
        assertThat(plan.delete(second)).as("no release problem").isEmpty();
        assertThat(engine.tagsOf(backendV1)).contains(project + "-backend:mine").doesNotContain(secondPin);
    }
}
