package dev.rollback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.docker.ComposeServices.Service;
import dev.rollback.docker.DockerException.Reason;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import dev.rollback.targets.ConfigFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;


/**
 * A compose stack (its compose files, its {@code .env}, and the images of its services) as one
 * target of kind {@link TargetKind#CONTAINER}: the runbook's "restore the config, re-tag the previous
 * images, {@code docker-compose up -d}" in one step that checks first and can be undone.
 *
 * <ul>
 *   <li><b>Capture</b>: the compose files and the env file are copied into the restore point as
 *       CONFIG artifacts (with {@link ConfigFiles}: validated as YAML and dotenv, mode and owner
 *       kept); for each service, the id of the image its container runs (never only the tag), the
 *       tag, and a pin {@code <repo>:rollback-<point>-<image>} so no prune or re-tag takes the image
 *       away.
 *   <li><b>Set aside</b>: the same for the running (bad) state, of every service of the stack
 *       whatever {@link #only} says; its images are tagged {@code <repo>:failed-<point>-<image>},
 *       so the rollback can be undone, and the undo puts back every service as it was.
 *   <li><b>Preflight</b>: the engine answers, compose is installed, every captured image is on the
 *       host, and the captured compose files validate ({@code compose config}).
 *   <li><b>Restore</b>: the compose files and the env file first, then each captured image is tagged
 *       with its tag again, then each service is recreated with {@code up -d --no-deps
 *       --force-recreate <service>}, one at a time in dependency order (the order compose lists the
 *       services in).
 *   <li><b>Verify</b>: the files match the capture, and each service's container runs the captured
 *       image and, when it defines a health check, is {@code healthy}.
 * </ul>
 *
 * <p>All services by default; {@link #only(String...)} limits the target to some, such as a
 * backend-only target beside the whole stack, for a partial rollback with {@code
 * Scope.only("backend")}. Compose is {@code docker compose} when the host has it, else {@code
 * docker-compose}.
 *
 * <pre>{@code
 * ComposeStack stack = ComposeStack.of(Path.of("/srv/taylordash/docker-compose.yml"))
 *     .envFile(Path.of("/srv/taylordash/.env"));
 * RollbackPlan plan = Rollback.plan("taylordash")
 *     .target(stack)                                             // everything
 *     .target(stack.only("backend").named("backend"))            // backend only
 *     .verify(HealthCheck.http(URI.create("http://127.0.0.1:3000/health/ready")).expectStatus(200))
 *     .build();
 * plan.rollback(before, Scope.only("backend"));
 * }</pre>
 *
 * <p>Immutable and thread-safe: each configuration call returns a new target.
 */
public final class ComposeStack implements Target {

    /** The prefix of the files' part of a stack's snapshot. */
    static final String FILES = "files";

    // written only by of(..) and by an option method on its own copy, before the copy is returned
    private String name;
    private List<Path> composeFiles;
    private Path envFile;
    private String project;
    private List<String> services;
    private Duration healthTimeout;

    private ComposeStack(List<Path> composeFiles) {
        this.name = "compose";
        this.composeFiles = List.copyOf(composeFiles);
        this.services = List.of();
        this.healthTimeout = Duration.ofSeconds(60);
    }

    private ComposeStack(ComposeStack from) {
        this.name = from.name;
        this.composeFiles = from.composeFiles;
        this.envFile = from.envFile;
        this.project = from.project;
        this.services = from.services;
        this.healthTimeout = from.healthTimeout;
    }

    /**
     * The stack of the given compose files (later files override earlier ones, as with {@code -f}),
     * as a target named {@code compose}; its project folder is the first file's folder.
     *
     * @throws IllegalArgumentException if a file is given twice or is not a file path
     */
    public static ComposeStack of(Path composeFile, Path... more) {
        List<Path> files = new ArrayList<>();
        files.add(Objects.requireNonNull(composeFile, "composeFile"));
        files.addAll(Arrays.asList(Objects.requireNonNull(more, "more")));
        ConfigFiles.of(files.toArray(Path[]::new)); // the same checks: file paths, each once
        return new ComposeStack(files);
    }

    /**
     * This stack with its env file (the {@code .env} compose reads), captured and restored with the
     * compose files and passed to compose with {@code --env-file}.
     *
     * @throws IllegalArgumentException if it is one of the compose files
     */
    public ComposeStack envFile(Path file) {
        Objects.requireNonNull(file, "file");
        List<Path> all = new ArrayList<>(composeFiles);
        all.add(file);
        ConfigFiles.of(all.toArray(Path[]::new));
        ComposeStack copy = new ComposeStack(this);
        copy.envFile = file;
        return copy;
    }

    /**
     * The same as {@link #envFile(Path)}.
     *
     * @deprecated use {@link #envFile(Path)}: an option is named for what it sets
     */
    @Deprecated(forRemoval = true)
    public ComposeStack withEnvFile(Path file) {
        return envFile(file);
    }

    /**
     * This stack with an explicit compose project name ({@code -p}); by default compose derives it
     * from the project folder's name.
     *
     * @throws IllegalArgumentException unless lower-case letters, digits, {@code _ -}, starting with
     *     a letter or digit
     */
    public ComposeStack project(String projectName) {
        if (projectName == null || !projectName.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("compose stack '" + name + "': expected a project name of lower-case "
                    + "letters, digits, '_' or '-', found " + (projectName == null ? "null" : "'" + projectName + "'")
                    + "; give the name 'docker compose ls' shows");
        }
        ComposeStack copy = new ComposeStack(this);
        copy.project = projectName;
        return copy;
    }

    /**
     * This stack limited to some services (captured, restored and verified in the order compose
     * lists them, which follows their dependencies); the compose files and env file still go with
     * them.
     *
     * @throws IllegalArgumentException if none is given or one is given twice
     */
    public ComposeStack only(String... names) {
        Objects.requireNonNull(names, "names");
        if (names.length == 0 || new LinkedHashSet<>(Arrays.asList(names)).size() != names.length) {
            throw new IllegalArgumentException("compose stack '" + name + "': expected distinct service names, found "
                    + Arrays.toString(names) + "; name each service once, as in the compose file");
        }
        for (String s : names) {
            if (s == null || !s.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("compose stack '" + name + "': expected a service name, found "
                        + (s == null ? "null" : "'" + s + "'") + "; give the name as in the compose file");
            }
        }
        ComposeStack copy = new ComposeStack(this);
        copy.services = List.of(names);
        return copy;
    }

    /**
     * The same as {@link #only(String...)}.
     *
     * @deprecated use {@link #only(String...)}, the spelling of every target's subset
     */
    @Deprecated(forRemoval = true)
    public ComposeStack services(String... names) {
        return only(names);
    }

    /**
     * This target under another name.
     *
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, {@code . _ -}, starting with a
     *     letter or digit ({@link dev.rollback.spi.Names#requireName})
     */
    public ComposeStack named(String newName) {
        ComposeStack copy = new ComposeStack(this);
        copy.name = DockerContainer.checkName(newName, "compose stack '" + name + "'");
        return copy;
    }

    /**
     * This target waiting up to {@code timeout} per service in verify for its container to run and
     * be healthy (default 60 s).
     *
     * @throws IllegalArgumentException if not positive
     */
    public ComposeStack healthTimeout(Duration timeout) {
        ComposeStack copy = new ComposeStack(this);
        copy.healthTimeout = DockerContainer.checkTimeout(timeout, "compose stack '" + name + "'");
        return copy;
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
     * Copies the compose files and env file into the restore point, and records and pins the image
     * of each service.
     *
     * @throws DockerException if the engine does not answer, compose is missing, or a chosen service
     *     has no container
     * @throws dev.rollback.error.RollbackException if a file is missing or invalid
     */
    @Override
    public Snapshot capture(CaptureContext ctx) {
        return save(ctx, false);
    }

    /** The same as {@link #capture} for the running (bad) state, without validating its files; images tagged failed-. */
    @Override
    public Snapshot setAside(CaptureContext ctx) {
        return save(ctx, true);
    }

    private Snapshot save(CaptureContext ctx, boolean failed) {
        Docker docker = new Docker(ctx.host(), name);
        docker.requireEngine();
        Compose compose = Compose.detect(docker, name);
        // a set-aside records every service: its put-back or undo brings the whole stack back as it was
        List<String> chosen = services.isEmpty() || failed
                ? stack().list(compose, failed ? ctx.previousSnapshot() : Optional.empty()) : services;
        Map<String, String> data = new LinkedHashMap<>();
        List<Images> pinned = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            String key = "service." + i + ".";
            data.put(key + "name", chosen.get(i));
            Optional<JsonNode> c = failed ? stack().containerEvenIfBroken(compose, chosen.get(i))
                    : stack().container(compose, chosen.get(i));
            if (c.isEmpty()) {
                if (!failed) {
                    throw new DockerException(Reason.CONTAINER_MISSING, "compose stack '" + name + "': expected a "
                            + "container of service '" + chosen.get(i) + "' on host " + ctx.host().name()
                            + ", found none; start the stack (" + compose.display() + " up -d), or leave the service "
                            + "out with only(...)", null, name);
                }
                data.put(key + "present", "false");
                continue;
            }
            data.put(key + "present", "true");
            Images image = Images.of(c.get(), DockerContainer.fallbackRepo(name + "-" + chosen.get(i)), ctx.pointId(),
                    failed);
            pinned.add(image);
            data.putAll(image.data(key));
            data.put(key + "healthCheck", Boolean.toString(Images.definesHealthCheck(c.get())));
        }
        data.put("services", Integer.toString(chosen.size()));
        // the files' copies are the stack's only artifacts: ConfigFiles writes them into its folder
        Snapshot files = failed ? files().setAside(ctx) : files().capture(ctx);
        files.data().forEach((k, v) -> data.put(FILES + "." + k, v));
        for (Images image : pinned) { // last, so a refused capture leaves no pin behind
            image.pinWith(docker);
        }
        ctx.progress("captured " + chosen.size() + " service(s) of compose stack '" + name + "'");
        return Snapshot.of(data);
    }

    /**
     * The engine answers, compose is installed, each captured image is on the host, the files can
     * be written, and the captured compose files validate with {@code compose config}.
     */
    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        Docker docker = new Docker(host, name);
        Optional<String> engine = docker.engineProblem();
        if (engine.isPresent()) {
            return List.of(Problem.of(name, "a Docker engine that answers on host " + host.name(), engine.get(),
                    "start the engine (systemctl start docker), then retry"));
        }
        Compose compose;
        try {
            compose = Compose.detect(docker, name);
        } catch (DockerException e) {
            return List.of(Problem.of(name, "docker compose or docker-compose on host " + host.name(), "neither",
                    "install one (Debian 12: apt-get install docker-compose)"));
        }
        List<Problem> problems = new ArrayList<>();
        for (Service s : ComposeServices.saved(snapshot)) {
            if (s.image() != null && docker.imageId(s.image().id()).isEmpty()) {
                problems.add(Problem.of(name, "the captured image " + Docker.shortId(s.image().id()) + " of service '"
                        + s.name() + "' (" + s.image().tag() + ", pinned as " + s.image().pin() + ") on host "
                        + host.name(), "no such image", "load or build that image on the host (docker load), or roll "
                        + "back to another restore point"));
            }
        }
        problems.addAll(files().preflight(filesOf(snapshot), ctx));
        if (problems.isEmpty()) {
            stack().validateCaptured(compose, snapshot, ctx).ifPresent(problems::add);
        }
        return problems;
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) throws Exception {
        List<String> actions = new ArrayList<>(files().plan(filesOf(snapshot), ctx));
        List<Service> saved = ComposeServices.saved(snapshot);
        for (Service s : saved) {
            if (s.image() == null) {
                actions.add("leave service '" + s.name() + "' as it is: it had no container in this state");
            } else if (s.image().hasName()) {
                actions.add("tag image " + Docker.shortId(s.image().id()) + " (pinned as " + s.image().pin() + ") as "
                        + s.image().tag() + " for service '" + s.name() + "'");
            }
        }
        for (Service s : saved) {
            if (s.image() != null) {
                actions.add("recreate service '" + s.name() + "': compose up -d --no-deps --force-recreate " + s.name()
                        + ", then check it runs image " + Docker.shortId(s.image().id())
                        + (s.healthCheck() ? " and is healthy" : ""));
            }
        }
        return actions;
    }

    /** Restores the files, re-tags the captured images, and recreates each service in dependency order. */
    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Docker docker = new Docker(ctx.host(), name);
        docker.requireEngine();
        Compose compose = Compose.detect(docker, name);
        files().restore(filesOf(snapshot), ctx);
        List<Service> saved = ComposeServices.saved(snapshot);
        for (Service s : saved) {
            if (s.image() != null && s.image().hasName()) {
                docker.tag(s.image().id(), s.image().tag());
            }
        }
        for (Service s : saved) {
            if (s.image() == null) {
                continue;
            }
            if (!services.isEmpty() && !services.contains(s.name()) && stack().runs(compose, s)) {
                // a service of the set-aside beyond this target's: recreated only if it changed since
                ctx.progress("service '" + s.name() + "' already runs " + Docker.shortId(s.image().id()) + ": left as it is");
                continue;
            }
            ctx.progress("recreating service '" + s.name() + "' from " + s.image().tag());
            CommandResult r = compose.tryRun(composeFiles, stack().projectDir(), project, envFile,
                    List.of("up", "--detach", "--no-deps", "--force-recreate", "--no-build", s.name()));
            if (!r.succeeded()) {
                throw Docker.failure(name, ctx.host(), "recreate service '" + s.name() + "'", r);
            }
        }
    }

    /** The files match the capture; each service runs its captured image and is healthy if it has a check. */
    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws Exception {
        CheckResult files = files().verify(filesOf(snapshot), ctx);
        if (!files.passed()) {
            return CheckResult.failed("verify " + name, files.detail());
        }
        Docker docker = new Docker(ctx.host(), name);
        Compose compose = Compose.detect(docker, name);
        List<String> fine = new ArrayList<>();
        for (Service s : ComposeServices.saved(snapshot)) {
            if (s.image() == null) {
                continue;
            }
            Optional<String> problem = ContainerChecks.problem("service '" + s.name() + "'",
                    () -> stack().container(compose, s.name()), s.image().id(), ctx, healthTimeout);
            if (problem.isPresent()) {
                return CheckResult.failed("verify " + name, problem.get());
            }
            fine.add(s.name() + " runs " + Docker.shortId(s.image().id()) + (s.healthCheck() ? " (healthy)" : ""));
        }
        return CheckResult.passed("verify " + name, files.detail() + "; " + String.join(", ", fine));
    }

    /** Removes the image pins of {@code snapshot}, whose restore point the plan is deleting. */
    @Override
    public void release(Snapshot snapshot, dev.rollback.spi.ReleaseContext ctx) {
        ImagePins.release(snapshot, ctx, "docker target '" + name + "'");
    }

    @Override
    public String toString() {
        return "ComposeStack[" + name + ", " + composeFiles + (envFile == null ? "" : ", env " + envFile)
                + (project == null ? "" : ", project " + project) + (services.isEmpty() ? "" : ", services " + services)
                + "]";
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private ComposeServices stack() {
        return new ComposeServices(name, composeFiles, envFile, project);
    }

    private ConfigFiles files() {
        List<Path> all = new ArrayList<>(composeFiles);
        if (envFile != null) {
            all.add(envFile);
        }
        return ConfigFiles.of(all.toArray(Path[]::new)).named(name);
    }

    /**
     * The files' part of a stack's snapshot, as {@link ConfigFiles} recorded it: its data (kept under
     * {@code files.}) and the artifacts, which are all the files' copies.
     */
    private static Snapshot filesOf(Snapshot stack) {
        Map<String, String> data = new LinkedHashMap<>();
        stack.data().forEach((k, v) -> {
            if (k.startsWith(FILES + ".")) {
                data.put(k.substring(FILES.length() + 1), v);
            }
        });
        return new Snapshot(stack.target(), TargetKind.CONFIG, data, stack.artifacts(), stack.location());
    }
}
