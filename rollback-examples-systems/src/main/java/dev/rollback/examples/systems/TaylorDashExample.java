package dev.rollback.examples.systems;

import dev.rollback.examples.Demo;

import static dev.rollback.Scope.only;

import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.Trigger;
import dev.rollback.WatchReport;
import dev.rollback.Watchdog;
import dev.rollback.check.HealthCheck;
import dev.rollback.docker.ComposeStack;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 003, "TaylorDash": a docker-compose stack (a backend and a front-end) on this machine's
 * Docker engine. Release v2 breaks the backend's readiness endpoint. A {@link Watchdog} started right
 * after the deploy probes {@code /health/ready} and, at the third failure in a row (the runbook's
 * {@code HEALTH_THRESHOLD=3}), rolls back the backend only, as the runbook's "backend only" path
 * does: its captured image (pinned at capture, so no prune can take it) is tagged {@code latest}
 * again, the compose file and {@code .env} come back, and the service is recreated with {@code up
 * --no-deps --force-recreate}; the new front-end keeps running.
 *
 * <p>Needs a Docker engine, {@code docker-compose} and {@code /usr/bin/busybox} (the images are
 * built from it with {@code docker import}: nothing is pulled). Everything listens on 127.0.0.1.
 *
 * <pre>./mvnw -q -pl rollback-examples-systems -am compile exec:java -Dexec.mainClass=dev.rollback.examples.systems.TaylorDashExample</pre>
 */
public final class TaylorDashExample {

    private TaylorDashExample() {}

    /** Runs the example in a fresh temp folder and prints the watch's report, with the rollback's. */
    public static void main(String[] args) throws Exception {
        System.out.println(run(Files.createTempDirectory("rollback-taylordash-")).toMarkdown());
    }

    /** Runs the example in {@code work} and returns the report of the watch and its backend-only rollback. */
    public static WatchReport run(Path work) throws Exception {
        Host host = Hosts.local();
        String project = "taylordash" + ProcessHandle.current().pid();
        int backendPort = Demo.freePort();
        int frontendPort = Demo.freePort();
        Path stack = Files.createDirectories(work.resolve("taylordash"));
        Path compose = stack.resolve("docker-compose.yml");
        Path env = stack.resolve(".env");
        List<String> images = new ArrayList<>();
        try {
            images.add(image(host, work, project + "-backend:latest", "backend v1", backendPort, true));
            images.add(image(host, work, project + "-frontend:latest", "frontend v1", frontendPort, true));
            Files.writeString(compose, composeFile(project, ""));
            Files.writeString(env, "RELEASE=v1\nPOSTGRES_PASSWORD=t4ylor-dash-db\n");
            compose(host, compose, project, "up", "--detach");
            Demo.awaitStatus(Demo.local(backendPort, "/"), 200);

            // tag::taylordash[]
            RollbackPlan plan = Rollback.plan("taylordash")
                    .store(work.resolve("backups"))
                    .target(ComposeStack.of(compose).envFile(env).project(project).only("backend")
                            .named("backend"))
                    .target(ComposeStack.of(compose).envFile(env).project(project).only("frontend")
                            .named("frontend"))
                    .verify(HealthCheck.http(Demo.local(backendPort, "/")).bodyContains("backend v1")
                            .attempts(40).every(Duration.ofMillis(250)))
                    .build();

            RestorePoint before = plan.capture("v1");
            // end::taylordash[]

            // release v2: new images for both services, a changed compose file and .env
            images.add(image(host, work, project + "-backend:latest", "backend v2 - not ready", backendPort, false));
            images.add(image(host, work, project + "-frontend:latest", "frontend v2", frontendPort, true));
            Files.writeString(compose, composeFile(project, "      - FEATURE_FLAGS=all\n"));
            Files.writeString(env, "RELEASE=v2\nPOSTGRES_PASSWORD=t4ylor-dash-db\n");
            compose(host, compose, project, "up", "--detach");
            Demo.awaitStatus(Demo.local(frontendPort, "/"), 200);

            // tag::backend-only[]
            WatchReport watch = Watchdog.of(plan, before)
                    .probe(HealthCheck.http(Demo.local(backendPort, "/health/ready")).expectStatus(200))
                    .every(Duration.ofMillis(200))
                    .rollBackWhen(Trigger.consecutiveFailures(3))   // the runbook's HEALTH_THRESHOLD=3
                    .scope(only("backend"))                         // the front-end stays on v2
                    .watchFor(Duration.ofMinutes(1))
                    .run();
            // end::backend-only[]

            Demo.require(Demo.get(Demo.local(frontendPort, "/")).body().contains("frontend v2"),
                    "taylordash: the front-end should still run v2");
            return watch;
        } finally {
            compose(host, compose, project, "down", "--timeout", "5");
            for (String id : images) {
                host.run(Command.of("docker", "image", "rm", "--force", id));
            }
            // the pins and failed- tags the plan made are kept by design; this demo removes its own repositories
            for (String repo : List.of(project + "-backend", project + "-frontend")) {
                CommandResult tags = host.run(Command.of("docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", repo));
                for (String tag : tags.stdout().lines().map(String::strip).filter(t -> !t.isEmpty()).toList()) {
                    host.run(Command.of("docker", "image", "rm", "--force", tag));
                }
            }
        }
    }

    private static String composeFile(String project, String extraEnvironment) {
        return "version: \"2.4\"\n"
                + "services:\n"
                + "  backend:\n"
                + "    image: " + project + "-backend:latest\n"
                + "    network_mode: host\n"
                + "    init: true\n"
                + "    environment:\n"
                + "      - RELEASE=${RELEASE}\n" + extraEnvironment
                + "  frontend:\n"
                + "    image: " + project + "-frontend:latest\n"
                + "    network_mode: host\n"
                + "    init: true\n"
                + "    depends_on: [backend]\n";
    }

    /**
     * Builds an image whose busybox httpd serves {@code page} on 127.0.0.1:{@code port}, and
     * {@code /health/ready} when {@code ready} (else that path answers 404); returns its id.
     */
    private static String image(Host host, Path work, String reference, String page, int port, boolean ready)
            throws IOException {
        Path root = Files.createTempDirectory(work, "image-");
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("www"));
        if (ready) {
            Files.createDirectories(root.resolve("www/health"));
            Files.writeString(root.resolve("www/health/ready"), "ready\n");
        }
        Files.copy(Path.of("/usr/bin/busybox"), root.resolve("bin/busybox"));
        Files.writeString(root.resolve("www/index.html"), page + "\n");
        Path tar = work.resolve(root.getFileName() + ".tar");
        host.run(Command.of("tar", "-cf", tar.toString(), "-C", root.toString(), ".")).requireSuccess();
        String cmd = "CMD [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"127.0.0.1:" + port + "\", \"-h\", \"/www\"]";
        return host.run(Command.of("docker", "import", "--change", cmd, tar.toString(), reference)).requireSuccess()
                .stdout().strip();
    }

    private static void compose(Host host, Path file, String project, String... args) {
        List<String> argv = new ArrayList<>(List.of("docker-compose", "--file", file.toString(), "--project-name", project));
        argv.addAll(List.of(args));
        host.run(Command.of(argv)).requireSuccess();
    }
}
