package dev.rollback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rollback.docker.DockerException.Reason;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The docker CLI on one host, for one target: every call is an argv list, and every failure becomes
 * a {@link DockerException} naming the target, the command, what was expected and what to do.
 *
 * <p>Immutable; thread-safe when its host is.
 */
final class Docker {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final Host host;
    private final String target;

    /** The docker CLI of {@code host}, failures said on behalf of {@code target}. */
    public Docker(Host host, String target) {
        this.host = host;
        this.target = target;
    }

    /** The host. */
    public Host host() {
        return host;
    }

    /** Runs {@code docker args...}; the result whatever its exit code (but a missing program throws). */
    public CommandResult tryRun(List<String> args, Map<String, String> env) {
        List<String> argv = new ArrayList<>();
        argv.add("docker");
        argv.addAll(args);
        Command command = Command.of(argv).timeout(TIMEOUT);
        for (Map.Entry<String, String> e : env.entrySet()) {
            command = command.env(e.getKey(), e.getValue());
        }
        try {
            return host.run(command);
        } catch (HostException e) {
            throw new DockerException(Reason.DOCKER_MISSING, "container target '" + target + "': expected the docker "
                    + "program on host " + host.name() + ", found: " + e.getMessage() + "; install docker (Debian: "
                    + "apt-get install docker.io)", e, target);
        }
    }

    /** Runs {@code docker args...} and requires exit 0. */
    public CommandResult run(String what, List<String> args) {
        return run(what, args, Map.of());
    }

    /** Runs {@code docker args...} with extra environment variables, and requires exit 0. */
    public CommandResult run(String what, List<String> args, Map<String, String> env) {
        CommandResult result = tryRun(args, env);
        if (!result.succeeded()) {
            throw failure(what, result);
        }
        return result;
    }

    /** The exception for a failed command, classified by what the engine said. */
    public DockerException failure(String what, CommandResult result) {
        return failure(target, host, what, result);
    }

    /** The exception for a failed docker or compose command, classified by what the engine said. */
    public static DockerException failure(String target, Host host, String what, CommandResult result) {
        String said = (result.stderr().isBlank() ? result.stdout() : result.stderr()).strip();
        String lower = said.toLowerCase(Locale.ROOT);
        String tail = said.length() <= 400 ? said : "..." + said.substring(said.length() - 400);
        String head = "container target '" + target + "': expected to " + what + " on host " + host.name() + " ('"
                + result.command() + "'), found ";
        if (result.timedOut()) {
            return new DockerException(Reason.COMMAND_FAILED, head + "no answer within " + result.duration().toSeconds()
                    + " s; check that the engine is not stuck (docker info), then retry", null, target);
        }
        if (lower.contains("cannot connect to the docker daemon") || lower.contains("is the docker daemon running")
                || lower.contains("error during connect")) {
            return new DockerException(Reason.ENGINE_NOT_RUNNING, head + "that the Docker engine does not answer ("
                    + tail + "); start it (systemctl start docker) and retry, or resume the rollback", null, target);
        }
        if (lower.contains("conflict") && lower.contains("already in use")) {
            return new DockerException(Reason.NAME_CONFLICT, head + "that the name is taken by another container ("
                    + tail + "); remove or rename that container, then retry", null, target);
        }
        if (lower.contains("no such image") || lower.contains("reference does not exist")
                || lower.contains("unable to find image")) {
            return new DockerException(Reason.IMAGE_MISSING, head + "the image missing (" + tail + "); load or build "
                    + "the image on this host (docker load / docker build), or roll back to another restore point",
                    null, target);
        }
        if (lower.contains("no such container")) {
            return new DockerException(Reason.CONTAINER_MISSING, head + "the container missing (" + tail
                    + "); start it, or correct the container name", null, target);
        }
        return new DockerException(Reason.COMMAND_FAILED, head + "exit " + result.exitCode() + " (" + tail
                + "); fix the cause and retry", null, target);
    }

    /** Fails with {@link Reason#ENGINE_NOT_RUNNING} unless the engine answers; returns its version. */
    public String requireEngine() {
        return run("ask the Docker engine its version", List.of("version", "--format", "{{.Server.Version}}"))
                .stdout().strip();
    }

    /** The engine's problem, if it does not answer; empty if it does. */
    public Optional<String> engineProblem() {
        try {
            requireEngine();
            return Optional.empty();
        } catch (DockerException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The full id ({@code sha256:…}) of an image reference, if the image is on the host. */
    public Optional<String> imageId(String reference) {
        CommandResult r = tryRun(List.of("image", "inspect", "--format", "{{.Id}}", reference), Map.of());
        if (r.succeeded()) {
            return Optional.of(r.stdout().strip());
        }
        DockerException e = failure("inspect the image " + reference, r);
        if (e.reason() == Reason.IMAGE_MISSING) {
            return Optional.empty();
        }
        throw e;
    }

    /** The {@code docker inspect} document of a container, if it exists. */
    public Optional<JsonNode> container(String name) {
        CommandResult r = tryRun(List.of("container", "inspect", name), Map.of());
        if (!r.succeeded()) {
            DockerException e = failure("inspect the container " + name, r);
            if (e.reason() == Reason.CONTAINER_MISSING) {
                return Optional.empty();
            }
            throw e;
        }
        JsonNode all = parse(r.stdout(), "docker container inspect " + name);
        return all.isArray() && all.size() > 0 ? Optional.of(all.get(0)) : Optional.empty();
    }

    /** Tags an image: {@code docker tag source tag}. */
    public void tag(String source, String tag) {
        run("tag image " + shortId(source) + " as " + tag, List.of("tag", source, tag));
    }

    /** Removes a tag (the image stays while another tag or a container holds it); absent is fine. */
    public void untag(String tag) {
        CommandResult r = tryRun(List.of("image", "rm", tag), Map.of());
        if (!r.succeeded()) {
            DockerException e = failure("remove the tag " + tag, r);
            if (e.reason() != Reason.IMAGE_MISSING) {
                throw e;
            }
        }
    }

    /** Every {@code repository:tag} of the host's images. */
    public List<String> tags() {
        String out = run("list the images", List.of("image", "ls", "--format", "{{.Repository}}:{{.Tag}}")).stdout();
        return out.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.contains("<none>")).toList();
    }

    /** Parses JSON printed by docker. */
    public JsonNode parse(String text, String what) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new DockerException(Reason.COMMAND_FAILED, "container target '" + target + "': expected JSON from '"
                    + what + "' on host " + host.name() + ", found text that does not parse (" + e.getMessage()
                    + "); check the docker version", e, target);
        }
    }

    /** Parses JSON from an artifact. */
    public static JsonNode parseBytes(byte[] bytes) throws IOException {
        return JSON.readTree(bytes);
    }

    /** JSON as bytes. */
    public static byte[] bytes(JsonNode node) throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
    }

    /** The first 12 hex digits of an image id, for messages and tags. */
    public static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    /**
     * The repository of an image reference: {@code app} for {@code app:latest}, {@code
     * reg:5000/team/app} for {@code reg:5000/team/app:1}; empty for an image id or digest.
     */
    public static Optional<String> repository(String reference) {
        if (reference == null || reference.isBlank() || reference.startsWith("sha256:")) {
            return Optional.empty();
        }
        String ref = reference;
        int at = ref.indexOf('@');
        if (at >= 0) {
            ref = ref.substring(0, at);
        }
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        if (colon > slash) {
            ref = ref.substring(0, colon);
        }
        return ref.isEmpty() || ref.matches("[0-9a-f]{12,64}") ? Optional.empty() : Optional.of(ref);
    }
}
