package dev.rollback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.docker.DockerException.Reason;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Names;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One container started with {@code docker run}, as a target of kind {@link TargetKind#CONTAINER}.
 *
 * <ul>
 *   <li><b>Capture</b> records the id of the image the container runs (never only its tag), the
 *       tag it was created from, and the container's configuration (the {@code docker inspect}
 *       document, kept owner-only in the restore point since its environment may hold secrets); it
 *       pins the image with a tag of its own, {@code <repo>:rollback-<point>-<image>}, so no prune or
 *       re-tag takes it away.
 *   <li><b>Set aside</b> (before a rollback changes anything) does the same for the running, bad
 *       image, tagged {@code <repo>:failed-<point>-<image>}, so the rollback can be undone.
 *   <li><b>Preflight</b>: the engine answers and the captured image is on the host.
 *   <li><b>Restore</b> tags the captured image with its tag again, removes the container and creates
 *       it anew from the captured configuration: command and entrypoint, environment (passed in an
 *       owner-only env file, never in the argv), labels, network mode, published ports, bind
 *       mounts, restart policy, init, user and working folder.
 *   <li><b>Verify</b>: the container runs the captured image and, when it defines a health check,
 *       is {@code healthy} (waiting up to {@link #healthTimeout(Duration)}).
 * </ul>
 *
 * <p>Every command goes through the plan's {@link Host} as an argv list, so the same target works on
 * a server reached over SSH. Engine errors become {@link DockerException}s saying what to do.
 *
 * <pre>{@code
 * RollbackPlan plan = Rollback.plan("shop")
 *     .target(DockerContainer.of("shop-web"))
 *     .verify(HealthCheck.http(URI.create("http://127.0.0.1:8080/health")).expectStatus(200))
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe: each {@code named}/{@code healthTimeout} call returns a new target.
 */
public final class DockerContainer implements Target {

    private static final Pattern CONTAINER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    static final String CONFIG = "container.json";

    // written only by of(..) and by an option method on its own copy, before the copy is returned
    private String name;
    private String container;
    private Duration healthTimeout;

    private DockerContainer(String container) {
        this.name = container.length() <= 64 ? container : container.substring(0, 64);
        this.container = container;
        this.healthTimeout = Duration.ofSeconds(60);
    }

    private DockerContainer(DockerContainer from) {
        this.name = from.name;
        this.container = from.container;
        this.healthTimeout = from.healthTimeout;
    }

    /**
     * The container named {@code container}, as a target of the same name (a name longer than 64
     * characters must be shortened with {@link #named}).
     *
     * @throws IllegalArgumentException if the name is not a valid container name
     */
    public static DockerContainer of(String container) {
        if (container == null || !CONTAINER.matcher(container).matches()) {
            throw new IllegalArgumentException("docker container: expected a container name of letters, digits, "
                    + "'_', '.' or '-' starting with a letter or digit, found "
                    + (container == null ? "null" : "'" + container + "'") + "; give the name shown by docker ps");
        }
        return new DockerContainer(container);
    }

    /**
     * This target under another name.
     *
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, {@code . _ -}, starting with a
     *     letter or digit ({@link Names#requireName})
     */
    public DockerContainer named(String newName) {
        DockerContainer copy = new DockerContainer(this);
        copy.name = checkName(newName, "docker container '" + name + "'");
        return copy;
    }

    /**
     * This target waiting up to {@code timeout} in verify for the container to run and be healthy
     * (default 60 s).
     *
     * @throws IllegalArgumentException if not positive
     */
    public DockerContainer healthTimeout(Duration timeout) {
        DockerContainer copy = new DockerContainer(this);
        copy.healthTimeout = checkTimeout(timeout, "docker container '" + name + "'");
        return copy;
    }

    /** The container's name on the host. */
    public String container() {
        return container;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.CONTAINER;
    }

    /**
     * Records the running image by id and the container's configuration, and pins the image.
     *
     * @throws DockerException if the engine does not answer or the container does not exist
     */
    @Override
    public Snapshot capture(CaptureContext ctx) throws IOException {
        return save(ctx, false);
    }

    /** Records the running (bad) image and configuration, and tags the image {@code <repo>:failed-<point>-<image>}. */
    @Override
    public Snapshot setAside(CaptureContext ctx) throws IOException {
        return save(ctx, true);
    }

    private Snapshot save(CaptureContext ctx, boolean failed) throws IOException {
        Docker docker = new Docker(ctx.host(), name);
        docker.requireEngine();
        Optional<JsonNode> found = docker.container(container);
        if (found.isEmpty() && failed) {
            // a deploy that left no container: putting this state back removes the container again
            ctx.progress("container " + container + " does not exist; recorded as absent");
            return Snapshot.of(Map.of("container", container, "present", "false"));
        }
        JsonNode inspected = found.orElseThrow(() -> new DockerException(Reason.CONTAINER_MISSING,
                "container target '" + name + "': expected the container '" + container + "' on host "
                        + ctx.host().name() + ", found none; start it (docker run --name " + container + " ...), or "
                        + "correct the name", null, name));
        Images image = Images.of(inspected, fallbackRepo(name), ctx.pointId(), failed).pinWith(docker);
        ctx.host().write(ctx.artifactDir().resolve(CONFIG), Docker.bytes(inspected), 0600);
        Map<String, String> data = new LinkedHashMap<>(image.data(""));
        data.put("container", container);
        data.put("present", "true");
        data.put("healthCheck", Boolean.toString(Images.definesHealthCheck(inspected)));
        ctx.progress("image " + Docker.shortId(image.id()) + " (" + image.tag() + ") of container " + container
                + " pinned as " + image.pin());
        return Snapshot.of(data);
    }

    /** The engine answers, the captured image is on the host, the snapshot is one of this container. */
    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        Docker docker = new Docker(ctx.host(), name);
        Optional<String> engine = docker.engineProblem();
        if (engine.isPresent()) {
            return List.of(Problem.of(name, "a Docker engine that answers on host " + ctx.host().name(),
                    engine.get(), "start the engine (systemctl start docker), then retry"));
        }
        List<Problem> problems = new ArrayList<>();
        if (!container.equals(snapshot.require("container"))) {
            problems.add(Problem.of(name, "a snapshot of the container '" + container + "'", "one of '"
                    + snapshot.require("container") + "'", "restore with the target as it was, or capture anew"));
        }
        Images image = Images.from(snapshot.data(), "");
        if (present(snapshot) && docker.imageId(image.id()).isEmpty()) {
            problems.add(Problem.of(name, "the captured image " + Docker.shortId(image.id()) + " (" + image.tag()
                    + ", pinned as " + image.pin() + ") on host " + ctx.host().name(), "no such image",
                    "load or build that image on the host (docker load), or roll back to another restore point"));
        }
        return problems;
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) throws IOException {
        if (!present(snapshot)) {
            return List.of("remove the container " + container + ", which did not exist in this state");
        }
        Images image = Images.from(snapshot.data(), "");
        RunSpec spec = RunSpec.of(config(snapshot, ctx), container);
        List<String> actions = new ArrayList<>();
        if (image.hasName()) {
            actions.add("tag image " + Docker.shortId(image.id()) + " (pinned as " + image.pin() + ") as "
                    + image.tag());
        }
        actions.add("remove the container " + container + " and create it again from " + spec.reference(image)
                + " with its captured configuration: " + spec.describe());
        actions.add("check that " + container + " runs image " + Docker.shortId(image.id())
                + (Boolean.parseBoolean(snapshot.require("healthCheck")) ? " and is healthy" : ""));
        return actions;
    }

    /** Re-tags the captured image and creates the container anew from its captured configuration. */
    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws IOException {
        Docker docker = new Docker(ctx.host(), name);
        if (!present(snapshot)) {
            RunSpec.remove(docker, container);
            return;
        }
        Images image = Images.from(snapshot.data(), "");
        RunSpec spec = RunSpec.of(config(snapshot, ctx), container);
        if (image.hasName()) {
            docker.tag(image.id(), image.tag());
        }
        ctx.progress("recreating container " + container + " from " + spec.reference(image));
        spec.recreate(docker, image);
    }

    /** The container runs the captured image and, if it defines a health check, is healthy. */
    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws InterruptedException {
        Docker docker = new Docker(ctx.host(), name);
        if (!present(snapshot)) {
            return docker.container(container).isPresent()
                    ? CheckResult.failed("verify " + name, "container " + container + ": expected none, found one")
                    : CheckResult.passed("verify " + name, "container " + container + " is absent, as it was");
        }
        Images image = Images.from(snapshot.data(), "");
        Optional<String> problem = ContainerChecks.problem("container " + container, () -> docker.container(container),
                image.id(), ctx, healthTimeout);
        return problem.map(p -> CheckResult.failed("verify " + name, p))
                .orElseGet(() -> CheckResult.passed("verify " + name, "container " + container + " runs image "
                        + Docker.shortId(image.id()) + " (" + image.tag() + ")"
                        + (Boolean.parseBoolean(snapshot.require("healthCheck")) ? " and is healthy" : "")));
    }

    /** Removes the image pins of {@code snapshot}, whose restore point the plan is deleting. */
    @Override
    public void release(Snapshot snapshot, dev.rollback.spi.ReleaseContext ctx) {
        ImagePins.release(snapshot, ctx, "docker target '" + name + "'");
    }

    @Override
    public String toString() {
        return "DockerContainer[" + name + ", container " + container + "]";
    }

    private JsonNode config(Snapshot snapshot, RestoreContext ctx) throws IOException {
        Path file = ctx.artifact(snapshot, CONFIG);
        return Docker.parseBytes(ctx.host().read(file));
    }

    /** Whether the container existed in the snapshot's state (snapshots without the key are of one that did). */
    private static boolean present(Snapshot snapshot) {
        return !"false".equals(snapshot.get("present").orElse("true"));
    }

    static String fallbackRepo(String target) {
        return "rollback/" + target.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
    }

    /** A new target name, checked with {@link Names#requireName}; {@code what} names the target in the message. */
    static String checkName(String newName, String what) {
        return Names.requireName(newName, what + ": expected a target name");
    }

    static Duration checkTimeout(Duration timeout, String what) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(what + ": expected a positive health timeout, found " + timeout);
        }
        return timeout;
    }
}
