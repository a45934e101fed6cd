package dev.rollback.targets;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.error.RollbackException;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Names;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A target captured and put back by commands the user gives: the capture command's standard output
 * is stored in the restore point, and the restore command gets it back as a file. It covers every
 * tool the library does not know, such as installed dependencies ({@code pip freeze} / {@code pip
 * install -r}), a crontab, or a feature-flag dump.
 *
 * <p>Commands are argv lists run through the plan's {@link Host}, never through a shell: each
 * argument reaches the program exactly as given. The restore command (and the verify command)
 * receive the captured output through the placeholder {@value #ARTIFACT}: before the command runs,
 * the output is copied to a new private temporary file on the host (made by {@code mktemp}), every
 * occurrence of the placeholder in an argument is replaced by that file's path, and the file is
 * removed afterwards. A capture command that exits non-zero fails the capture; a restore command
 * that exits non-zero fails the restore; both messages name the command, its exit code and the end
 * of its standard error.
 *
 * <p>The default kind is {@link TargetKind#CONFIG}: what such a target puts back is a description
 * that a tool applies again (a freeze list, a crontab, a set of flags), which is how the scenarios
 * group dependencies with configuration; choose another with {@link #kind(TargetKind)}.
 *
 * <p>Values given to {@link #env(String, String)} are secrets: they are never shown by {@link #plan}
 * and the plan masks them in every message and report.
 *
 * <p>Immutable and thread-safe: every method returns a new target.
 *
 * <pre>{@code
 * CommandTarget deps = CommandTarget.of("deps")
 *     .captureWith("pip", "freeze")
 *     .restoreWith("pip", "install", "-r", CommandTarget.ARTIFACT)
 *     .verifiedBy("python", "-c", "import flask")
 *     .in(Path.of("/srv/blog"))
 *     .env("PIP_INDEX_URL", indexUrlWithToken)
 *     .timeout(Duration.ofMinutes(5));
 * Rollback.plan("blog").target(deps)...
 * }</pre>
 */
public final class CommandTarget implements Target {

    /** The placeholder replaced by the path of a temporary copy of the captured output. */
    public static final String ARTIFACT = "{artifact}";

    /** The artifact holding the capture command's standard output. */
    static final String OUTPUT = "output";

    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    // written only by of(..) and by an option method on its own copy, before the copy is returned
    private String name;
    private TargetKind kind;
    private List<String> captureArgv;
    private List<String> restoreArgv;
    private List<String> verifyArgv;
    private Path workDir;
    private Map<String, String> env;
    private Duration timeout;

    private CommandTarget(String name) {
        this.name = name;
        this.kind = TargetKind.CONFIG;
        this.env = Map.of();
        this.timeout = DEFAULT_TIMEOUT;
    }

    private CommandTarget(CommandTarget from) {
        this.name = from.name;
        this.kind = from.kind;
        this.captureArgv = from.captureArgv;
        this.restoreArgv = from.restoreArgv;
        this.verifyArgv = from.verifyArgv;
        this.workDir = from.workDir;
        this.env = from.env;
        this.timeout = from.timeout;
    }

    /**
     * A command target with the given name and no commands yet; add them with {@link #captureWith}
     * and {@link #restoreWith}.
     *
     * <pre>{@code
     * CommandTarget crontab = CommandTarget.of("crontab").captureWith("crontab", "-l")
     *     .restoreWith("crontab", CommandTarget.ARTIFACT);
     * }</pre>
     *
     * @param name 1 to 64 letters, digits, {@code . _ -}, starting with a letter or digit ({@link
     *     Names#requireName})
     */
    public static CommandTarget of(String name) {
        return new CommandTarget(Names.requireName(name, "name of command target"));
    }

    /**
     * This target under another name.
     *
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, {@code . _ -}, starting with a
     *     letter or digit ({@link Names#requireName})
     */
    public CommandTarget named(String newName) {
        CommandTarget copy = new CommandTarget(this);
        copy.name = Names.requireName(newName, "target name of command target '" + name + "'");
        return copy;
    }

    /** This target with the command whose standard output is the captured state. */
    public CommandTarget captureWith(String... argv) {
        CommandTarget copy = new CommandTarget(this);
        copy.captureArgv = argv(argv, "capture");
        return copy;
    }

    /**
     * This target with the command that puts the captured state back. At least one argument must
     * hold {@value #ARTIFACT}, which is replaced by the path of a temporary copy of the captured
     * output: {@code restoreWith("pip", "install", "-r", CommandTarget.ARTIFACT)}.
     */
    public CommandTarget restoreWith(String... argv) {
        List<String> checked = argv(argv, "restore");
        if (checked.stream().noneMatch(a -> a.contains(ARTIFACT))) {
            throw new IllegalArgumentException("command target '" + name + "': expected the placeholder " + ARTIFACT
                    + " in an argument of the restore command, found " + Command.of(checked).display()
                    + "; pass the captured output's file, e.g. restoreWith(\"pip\", \"install\", \"-r\", \""
                    + ARTIFACT + "\")");
        }
        CommandTarget copy = new CommandTarget(this);
        copy.restoreArgv = checked;
        return copy;
    }

    /**
     * This target with a command that proves the restore worked, run by its verify: exit 0 passes.
     * It may use {@value #ARTIFACT} like the restore command.
     */
    public CommandTarget verifiedBy(String... argv) {
        CommandTarget copy = new CommandTarget(this);
        copy.verifyArgv = argv(argv, "verify");
        return copy;
    }

    /**
     * The same as {@link #verifiedBy(String...)}.
     *
     * @deprecated use {@link #verifiedBy(String...)}, the spelling of every target's extra check
     */
    @Deprecated(forRemoval = true)
    public CommandTarget verifyWith(String... argv) {
        return verifiedBy(argv);
    }

    /** This target with its commands run in the folder {@code dir} of the host. */
    public CommandTarget in(Path dir) {
        Objects.requireNonNull(dir, "working folder");
        CommandTarget copy = new CommandTarget(this);
        copy.workDir = dir;
        return copy;
    }

    /**
     * This target with one more environment variable for its commands. The value is treated as a
     * secret: never shown in a plan, masked in every message and report.
     */
    public CommandTarget env(String variable, String value) {
        if (variable == null || !ENV_NAME.matcher(variable).matches()) {
            throw new IllegalArgumentException("command target '" + name + "': expected an environment variable name "
                    + "of letters, digits and '_', not starting with a digit, found "
                    + (variable == null ? "null" : "'" + variable + "'") + "; use a name such as PIP_INDEX_URL");
        }
        Objects.requireNonNull(value, () -> "value of " + variable);
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("command target '" + name + "': the value of " + variable
                    + " holds a NUL character, which no program can receive; remove it");
        }
        Map<String, String> more = new LinkedHashMap<>(env);
        more.put(variable, value);
        CommandTarget copy = new CommandTarget(this);
        copy.env = Collections.unmodifiableMap(more);
        return copy;
    }

    /** This target with the time each of its commands may run before it is killed; 10 minutes unless set. */
    public CommandTarget timeout(Duration limit) {
        Objects.requireNonNull(limit, "timeout");
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("command target '" + name + "': expected a positive timeout, found "
                    + limit);
        }
        CommandTarget copy = new CommandTarget(this);
        copy.timeout = limit;
        return copy;
    }

    /** This target reported as another kind; {@link TargetKind#CONFIG} unless set. */
    public CommandTarget kind(TargetKind newKind) {
        Objects.requireNonNull(newKind, "kind");
        CommandTarget copy = new CommandTarget(this);
        copy.kind = newKind;
        return copy;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return kind;
    }

    /**
     * Runs the capture command and stores its standard output, read as UTF-8 text, as the artifact
     * {@code output}. Its standard error is not stored.
     *
     * @throws RollbackException naming the command, its exit code and the end of its standard error
     *     if it does not exit 0, or if it cannot be started
     */
    @Override
    public Snapshot capture(CaptureContext ctx) throws Exception {
        requireComplete();
        Command command = command(captureArgv);
        CommandResult result = run(ctx.host(), command, "capture");
        if (!result.succeeded()) {
            throw new RollbackException("command target '" + name + "': capture command " + result.describe()
                    + "; expected exit 0, so nothing was captured; fix the command or the tool, then capture again");
        }
        byte[] output = result.stdout().getBytes(StandardCharsets.UTF_8);
        ctx.host().write(ctx.artifactDir().resolve(OUTPUT), output, 0600);
        return Snapshot.of(Map.of("capture", command.display(), "bytes", Integer.toString(output.length)));
    }

    /** Checks that the restore (and verify) programs, {@code mktemp} and the working folder are on the host. */
    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        List<Problem> problems = new ArrayList<>();
        if (restoreArgv == null || captureArgv == null) {
            problems.add(Problem.of(name, "a capture and a restore command", "capture " + (captureArgv == null
                    ? "missing" : "given") + ", restore " + (restoreArgv == null ? "missing" : "given"),
                    "add .captureWith(...) and .restoreWith(...)"));
            return problems;
        }
        Host host = ctx.host();
        if (snapshot.artifact(OUTPUT).isEmpty()) {
            problems.add(Problem.of(name, "the captured output in the restore point", "no artifact '" + OUTPUT + "'",
                    "use a restore point captured by this command target"));
        }
        Set<String> programs = new LinkedHashSet<>();
        programs.add(restoreArgv.get(0));
        if (verifyArgv != null) {
            programs.add(verifyArgv.get(0));
        }
        programs.add("mktemp");
        for (String program : programs) {
            if (!host.hasProgram(program)) {
                problems.add(Problem.of(name, "the program '" + program + "' on host " + host.name(), "none",
                        "install it or give its full path"));
            }
        }
        if (workDir != null && host.stat(workDir).map(s -> !s.isDirectory()).orElse(true)) {
            problems.add(Problem.of(name, "the working folder " + workDir + " on host " + host.name(), "none",
                    "create it or correct .in(...)"));
        }
        return problems;
    }

    /** The exact argv of the restore (and verify) command, with the placeholder explained; no environment values. */
    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) {
        requireComplete();
        List<String> steps = new ArrayList<>();
        steps.add("copy the output captured by '" + snapshot.get("capture").orElse(Command.of(captureArgv).display())
                + "' (" + snapshot.get("bytes").orElse("?") + " bytes) to a new private temporary file on host "
                + ctx.host().name() + " as " + ARTIFACT);
        steps.add("run: " + Command.of(restoreArgv).display() + where());
        if (verifyArgv != null) {
            steps.add("verify with: " + Command.of(verifyArgv).display() + where());
        }
        steps.add("remove the temporary file");
        return steps;
    }

    /**
     * Runs the restore command with {@value #ARTIFACT} replaced by a temporary copy of the captured
     * output.
     *
     * @throws RollbackException naming the command, its exit code and the end of its standard error
     *     if it does not exit 0
     */
    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws Exception {
        requireComplete();
        CommandResult result = runWithArtifact(restoreArgv, snapshot, ctx, "restore");
        if (!result.succeeded()) {
            throw new RollbackException("command target '" + name + "': restore command " + result.describe()
                    + "; expected exit 0; the state may be partly restored: fix the cause and roll back again");
        }
    }

    /** Runs the verify command, if one was given: exit 0 passes. */
    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws Exception {
        if (verifyArgv == null) {
            return Target.super.verify(snapshot, ctx);
        }
        CommandResult result = runWithArtifact(verifyArgv, snapshot, ctx, "verify");
        return new CheckResult("verify " + name, result.succeeded(), result.describe(), 1, result.duration(), List.of());
    }

    /** The values given to {@link #env(String, String)}. */
    @Override
    public Set<String> secrets() {
        return Set.copyOf(env.values());
    }

    @Override
    public String toString() {
        return "CommandTarget[" + name + ", " + kind + ", capture " + show(captureArgv) + ", restore "
                + show(restoreArgv) + (verifyArgv == null ? "" : ", verify " + show(verifyArgv))
                + (workDir == null ? "" : ", in " + workDir) + (env.isEmpty() ? "" : ", env " + env.keySet())
                + ", timeout " + timeout + "]";
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private CommandResult runWithArtifact(List<String> argv, Snapshot snapshot, RestoreContext ctx, String what) {
        Host host = ctx.host();
        if (argv.stream().noneMatch(a -> a.contains(ARTIFACT))) {
            return run(host, command(argv), what);
        }
        byte[] output = host.read(ctx.artifact(snapshot, OUTPUT));
        CommandResult temp = run(host, Command.of("mktemp").timeout(Duration.ofSeconds(30)), what);
        if (!temp.succeeded() || temp.stdout().isBlank()) {
            throw new RollbackException("command target '" + name + "': expected 'mktemp' to make a temporary file on "
                    + "host " + host.name() + ", found " + temp.describe() + "; check the host's temporary folder");
        }
        Path file = Path.of(temp.stdout().strip());
        try {
            host.write(file, output, 0600);
            List<String> replaced = argv.stream().map(a -> a.replace(ARTIFACT, file.toString())).toList();
            return run(host, command(replaced), what);
        } finally {
            host.delete(file);
        }
    }

    private CommandResult run(Host host, Command command, String what) {
        try {
            return host.run(command);
        } catch (HostException e) {
            throw new RollbackException("command target '" + name + "': cannot run the " + what + " command: "
                    + e.getMessage(), e);
        }
    }

    private Command command(List<String> argv) {
        Command command = Command.of(argv).timeout(timeout);
        if (workDir != null) {
            command = command.in(workDir);
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            command = command.env(e.getKey(), e.getValue());
        }
        return command;
    }

    private String where() {
        return (workDir == null ? "" : " in " + workDir)
                + (env.isEmpty() ? "" : " with " + String.join(", ", env.keySet().stream().map(k -> k + "=****").toList()))
                + ", timeout " + timeout.toSeconds() + " s";
    }

    private void requireComplete() {
        if (captureArgv == null || restoreArgv == null) {
            throw new IllegalStateException("command target '" + name + "': expected a capture and a restore command, "
                    + "found " + (captureArgv == null ? "no capture command" : "no restore command")
                    + "; add .captureWith(...) and .restoreWith(...)");
        }
    }

    private List<String> argv(String[] argv, String what) {
        Objects.requireNonNull(argv, what + " argv");
        try {
            return Command.of(argv).argv();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("command target '" + name + "': invalid " + what + " command: "
                    + e.getMessage(), e);
        }
    }

    private static String show(List<String> argv) {
        return argv == null ? "(none)" : Command.of(argv).display();
    }
}
