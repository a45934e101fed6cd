package dev.rollback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollback.docker.DockerException.Reason;
import dev.rollback.host.CommandResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The services of a {@link ComposeStack}: as compose lists and runs them (their containers found
 * through compose, or by compose's labels when a bad deploy broke the files), as a snapshot recorded
 * them, and the captured files checked with {@code compose config}.
 *
 * <p>Immutable and thread-safe; every command goes through the compose and host it is given.
 */
final class ComposeServices {

    private final String name;
    private final List<Path> composeFiles;
    private final Path envFile;
    private final String project;

    ComposeServices(String name, List<Path> composeFiles, Path envFile, String project) {
        this.name = name;
        this.composeFiles = composeFiles;
        this.envFile = envFile;
        this.project = project;
    }

    /** One service as the snapshot recorded it; {@code image} is null if it had no container. */
    record Service(String name, Images image, boolean healthCheck) {}

    static List<Service> saved(Snapshot snapshot) {
        int count = Integer.parseInt(snapshot.require("services"));
        List<Service> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = "service." + i + ".";
            boolean present = Boolean.parseBoolean(snapshot.require(key + "present"));
            out.add(new Service(snapshot.require(key + "name"), present ? Images.from(snapshot.data(), key) : null,
                    present && Boolean.parseBoolean(snapshot.require(key + "healthCheck"))));
        }
        return out;
    }

    Path projectDir() {
        Path parent = composeFiles.get(0).toAbsolutePath().getParent();
        return parent == null ? Path.of("/") : parent;
    }

    /**
     * The services compose lists, in dependency order. When the files do not parse (a bad deploy
     * may have broken them) and {@code earlier} is given, the services it recorded.
     */
    List<String> list(Compose compose, Optional<Snapshot> earlier) {
        CommandResult r = compose.tryRun(composeFiles, projectDir(), project, envFile, List.of("config", "--services"));
        if (!r.succeeded()) {
            if (earlier.isPresent() && earlier.get().get("services").isPresent()) {
                return saved(earlier.get()).stream().map(Service::name).toList();
            }
            throw Docker.failure(name, compose.docker().host(), "list the services of " + composeFiles, r);
        }
        return r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * The container of a service; when compose cannot read the files (a bad deploy may have broken
     * them), found by the labels compose puts on its containers, if the project name is known.
     */
    Optional<JsonNode> containerEvenIfBroken(Compose compose, String service) {
        try {
            return container(compose, service);
        } catch (DockerException e) {
            if (project == null || e.reason() == Reason.ENGINE_NOT_RUNNING) {
                throw e;
            }
            CommandResult r = compose.docker().run("find the container of service '" + service + "' by its labels",
                    List.of("ps", "--all", "--quiet", "--filter", "label=com.docker.compose.project=" + project,
                            "--filter", "label=com.docker.compose.service=" + service));
            Optional<String> id = r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst();
            return id.isEmpty() ? Optional.empty() : compose.docker().container(id.get());
        }
    }

    /** Whether the service's container runs the image {@code s} recorded. */
    boolean runs(Compose compose, Service s) {
        Optional<JsonNode> c = containerEvenIfBroken(compose, s.name());
        return c.isPresent() && s.image().id().equals(c.get().path("Image").asText())
                && c.get().path("State").path("Running").asBoolean(false);
    }

    Optional<JsonNode> container(Compose compose, String service) {
        CommandResult r = compose.tryRun(composeFiles, projectDir(), project, envFile,
                List.of("ps", "--quiet", service));
        if (!r.succeeded()) {
            throw Docker.failure(name, compose.docker().host(), "find the container of service '" + service + "'", r);
        }
        Optional<String> id = r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst();
        return id.isEmpty() ? Optional.empty() : compose.docker().container(id.get());
    }

    /** Validates the captured compose files (and env file) with {@code compose config}. */
    Optional<Problem> validateCaptured(Compose compose, Snapshot snapshot, RestoreContext ctx) {
        List<Path> captured = new ArrayList<>();
        for (int i = 0; i < composeFiles.size(); i++) {
            if (!Boolean.parseBoolean(snapshot.get(ComposeStack.FILES + ".file." + i + ".present").orElse("false"))) {
                return Optional.empty(); // a state without its compose file: nothing to validate
            }
            captured.add(ctx.artifact(snapshot, "file-" + i));
        }
        Path env = null;
        if (envFile != null) {
            int i = composeFiles.size();
            if (Boolean.parseBoolean(snapshot.get(ComposeStack.FILES + ".file." + i + ".present").orElse("false"))) {
                env = ctx.artifact(snapshot, "file-" + i);
            }
        }
        CommandResult r = compose.tryRun(captured, projectDir(), project, env, List.of("config", "--quiet"));
        if (r.succeeded()) {
            return Optional.empty();
        }
        String said = (r.stderr().isBlank() ? r.stdout() : r.stderr()).strip();
        return Optional.of(Problem.of(name, "the captured compose files " + composeFiles + " to validate ("
                + compose.display() + " config)", "exit " + r.exitCode() + ": " + (said.length() <= 400 ? said
                        : said.substring(0, 400) + "..."), "roll back to another restore point, or fix what the files need"));
    }
}
