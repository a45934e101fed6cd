package dev.rollback.targets;

import dev.rollback.spi.Check;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Names;
import dev.rollback.error.RollbackException;
import dev.rollback.spi.Step;
import dev.rollback.spi.StepContext;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A service that a rollback stops before it restores anything and starts again afterwards: a
 * systemd unit, a plain process started by a command with a pid file, or any service driven by
 * stop, start and status commands. A plan uses it through the steps {@link #stopping()} and {@link
 * #starting()}; {@link #running()} is a check that it is up.
 *
 * <p>A stop of a service that is already stopped, and a start of one already running, succeed and
 * change nothing. Otherwise the step runs the service's command, then asks the status every
 * {@link #every(Duration) interval} until the service is stopped (or running), for at most its
 * {@link #timeout(Duration) timeout}. Waiting uses the plan's clock and sleeper, so tests control
 * time. A start that does not come up in time fails with what the status said last.
 *
 * <p>Presets:
 *
 * <ul>
 *   <li>{@link #ofSystemd(String)}: {@code systemctl stop|start|is-active UNIT}; {@code is-active}
 *       exiting 0 means running, 3 means stopped, anything else is an error (systemd not running,
 *       no permission), reported with its output.
 *   <li>{@link #ofProcess(String, List, Path)}: starts the argv in the background in its own session
 *       ({@code setsid}), standard output and error appended to a log file, and writes its pid to
 *       the pid file; running means that pid is alive (per {@code ps}, zombies count as ended);
 *       stop sends SIGTERM to its process group, waits the timeout, then sends SIGKILL. The pid
 *       file belongs to the service: it is written at start and removed once the process has
 *       ended; a pid file left by a crash names a pid that the system may have given to another
 *       process since, so remove such a file before trusting it.
 *   <li>{@link #ofCommands(String, List, List, List)}: the given commands; the status command exiting
 *       0 means running, any other exit means stopped.
 * </ul>
 *
 * <p>Starting a background process through a {@link Host}, whose {@code run} waits for its
 * command, uses one constant shell script: {@code sh -c SCRIPT sh LOG ARGV...}, where the script
 * ({@code setsid "$@" </dev/null >>"$log" 2>&1 & echo "$!"}) never changes and the log path and the
 * user's argv reach it only as positional parameters, which the shell expands as single words and
 * never parses: no value given by a user is ever read as shell code.
 *
 * <p>Immutable and thread-safe: every method returns a new service.
 *
 * <pre>{@code
 * Service bot = Service.ofSystemd("rosey-bot").timeout(Duration.ofSeconds(20));
 * Service api = Service.ofProcess("api", List.of("java", "-jar", "api.jar"), Path.of("/run/api.pid"))
 *     .in(Path.of("/srv/api"));
 * RollbackPlan plan = Rollback.plan("rosey")
 *     .stop(bot.stopping())
 *     .stop(api.stopping())
 *     .target(code)
 *     .start(api.starting())
 *     .start(bot.starting())
 *     .verify(bot.running())
 *     .build();
 * }</pre>
 */
public final class Service {

    /** The script that starts a process in the background; user values reach it only as "$@". */
    static final String LAUNCH = "log=$1\nshift\nsetsid \"$@\" </dev/null >>\"$log\" 2>&1 &\necho \"$!\"\n";

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);
    private static final Pattern UNIT = Pattern.compile("[A-Za-z0-9:_.@\\\\-]{1,255}");

    enum Kind { SYSTEMD, PROCESS, COMMANDS }

    // written only by the factories and by an option method on its own copy, before the copy is returned
    Kind kind;
    String name;
    List<String> stopArgv;
    List<String> startArgv;
    List<String> statusArgv;
    Path pidFile;
    Path logFile;
    Path workDir;
    Duration timeout;
    Duration interval;
    Check readiness;
    private final ServiceLifecycle lifecycle;
    private final ServiceSteps steps;

    private Service(Kind kind, String name) {
        this.kind = kind;
        this.name = name;
        this.timeout = DEFAULT_TIMEOUT;
        this.interval = DEFAULT_INTERVAL;
        this.lifecycle = new ServiceLifecycle(this);
        this.steps = new ServiceSteps(this);
    }

    private Service(Service from) {
        this.kind = from.kind;
        this.name = from.name;
        this.stopArgv = from.stopArgv;
        this.startArgv = from.startArgv;
        this.statusArgv = from.statusArgv;
        this.pidFile = from.pidFile;
        this.logFile = from.logFile;
        this.workDir = from.workDir;
        this.timeout = from.timeout;
        this.interval = from.interval;
        this.readiness = from.readiness;
        this.lifecycle = new ServiceLifecycle(this);
        this.steps = new ServiceSteps(this);
    }

    /**
     * A systemd unit: stopped with {@code systemctl stop}, started with {@code systemctl start}, its
     * state read with {@code systemctl is-active}.
     *
     * <pre>{@code
     * Service bot = Service.ofSystemd("rosey-bot");
     * }</pre>
     *
     * @param unit the unit's name, such as {@code rosey-bot} or {@code app@2.service}
     * @throws IllegalArgumentException unless a unit name of letters, digits and {@code :_.@\-}, not
     *     starting with {@code -}
     */
    public static Service ofSystemd(String unit) {
        if (unit == null || !UNIT.matcher(unit).matches() || unit.startsWith("-")) {
            throw new IllegalArgumentException("systemd service: expected a unit name of letters, digits and "
                    + "':_.@\\-', not starting with '-', found " + (unit == null ? "null" : "'" + unit + "'")
                    + "; give the unit's name, such as 'rosey-bot'");
        }
        Service s = new Service(Kind.SYSTEMD, unit);
        s.stopArgv = List.of("systemctl", "stop", unit);
        s.startArgv = List.of("systemctl", "start", unit);
        s.statusArgv = List.of("systemctl", "is-active", unit);
        return s;
    }

    /**
     * A plain process started by {@code startArgv} in the background, its pid kept in {@code
     * pidFile}, its output appended to {@code NAME.log} beside the pid file unless {@link
     * #logTo(Path)} says otherwise.
     *
     * <pre>{@code
     * Service api = Service.ofProcess("api", List.of("java", "-jar", "api.jar"), Path.of("/run/api.pid"));
     * }</pre>
     *
     * @param name 1 to 64 letters, digits, {@code . _ -} ({@link Names#requireName}): it names the
     *     default log file
     * @param startArgv the program and its arguments, run exactly as given
     * @param pidFile where the pid of the running process is kept
     */
    public static Service ofProcess(String name, List<String> startArgv, Path pidFile) {
        Names.requireName(name, "name of process service");
        List<String> start = argv(name, startArgv, "start");
        Objects.requireNonNull(pidFile, "pid file");
        Service s = new Service(Kind.PROCESS, name);
        s.startArgv = start;
        s.pidFile = pidFile;
        s.logFile = pidFile.resolveSibling(name + ".log");
        return s;
    }

    /**
     * A service driven by three commands. The status command exiting 0 means running; any other
     * exit means stopped.
     *
     * <pre>{@code
     * Service writing = Service.ofCommands("blog-writing", List.of("blogctl", "pause"),
     *     List.of("blogctl", "resume"), List.of("blogctl", "is-running"));
     * }</pre>
     *
     * @param name the service's name, shown in steps and reports: 1 to 200 printable characters
     *     ({@link Names#requireText})
     */
    public static Service ofCommands(String name, List<String> stopArgv, List<String> startArgv,
            List<String> statusArgv) {
        Names.requireText(name, "name of service");
        Service s = new Service(Kind.COMMANDS, name);
        s.stopArgv = argv(name, stopArgv, "stop");
        s.startArgv = argv(name, startArgv, "start");
        s.statusArgv = argv(name, statusArgv, "status");
        return s;
    }

    /**
     * The same as {@link #ofSystemd(String)}.
     *
     * @deprecated use {@link #ofSystemd(String)}, the factory spelling every target follows
     */
    @Deprecated(forRemoval = true)
    public static Service systemd(String unit) {
        return ofSystemd(unit);
    }

    /**
     * The same as {@link #ofProcess(String, List, Path)}.
     *
     * @deprecated use {@link #ofProcess(String, List, Path)}, the factory spelling every target follows
     */
    @Deprecated(forRemoval = true)
    public static Service process(String name, List<String> startArgv, Path pidFile) {
        return ofProcess(name, startArgv, pidFile);
    }

    /**
     * The same as {@link #ofCommands(String, List, List, List)}.
     *
     * @deprecated use {@link #ofCommands(String, List, List, List)}, the factory spelling every
     *     target follows
     */
    @Deprecated(forRemoval = true)
    public static Service commands(String name, List<String> stopArgv, List<String> startArgv, List<String> statusArgv) {
        return ofCommands(name, stopArgv, startArgv, statusArgv);
    }

    /**
     * This service waiting at most {@code limit} for a start or a stop (and, for a process, as long
     * again after SIGKILL); each of its commands may also run that long. 30 seconds unless set.
     */
    public Service timeout(Duration limit) {
        Service copy = new Service(this);
        copy.timeout = positive(limit, "timeout");
        return copy;
    }

    /** This service asking its status every {@code pause} while it waits; 500 ms unless set. */
    public Service every(Duration pause) {
        Service copy = new Service(this);
        copy.interval = positive(pause, "interval");
        return copy;
    }

    /**
     * This service running its commands (for a process: the process itself) in the folder {@code
     * dir} of the host.
     *
     * @throws IllegalStateException for a systemd unit, whose working folder is set in the unit file
     */
    public Service in(Path dir) {
        Objects.requireNonNull(dir, "working folder");
        if (kind == Kind.SYSTEMD) {
            throw new IllegalStateException("systemd service '" + name + "': expected no working folder, found "
                    + dir + "; set WorkingDirectory= in the unit file instead");
        }
        Service copy = new Service(this);
        copy.workDir = dir;
        return copy;
    }

    /**
     * This process service appending its output to {@code file}.
     *
     * @throws IllegalStateException for a service that is not a {@link #process process}
     */
    public Service logTo(Path file) {
        Objects.requireNonNull(file, "log file");
        if (kind != Kind.PROCESS) {
            throw new IllegalStateException("service '" + name + "': expected a process service started by this "
                    + "library, found a " + kind.name().toLowerCase() + " service, whose output is not ours to "
                    + "redirect; remove .logTo(...)");
        }
        Service copy = new Service(this);
        copy.logFile = file;
        return copy;
    }

    /**
     * This service started only once {@code check} passes: after its start command (and, for a
     * process, once the process runs), {@link #starting()} runs the check, with the check's own
     * attempts, interval and timeout on the plan's clock, and fails with the check's last
     * observation if it never passes. A process that is up is not yet a service that answers: a
     * web server binds its port, a worker connects to its queue. Use a {@link
     * dev.rollback.check.HealthCheck}: an HTTP endpoint, a TCP port, a command, or a line in the
     * service's log ({@link dev.rollback.check.HealthCheck#logLine}, counted from the moment the
     * start step began), instead of a fixed sleep after the start.
     *
     * <pre>{@code
     * Service api = Service.ofProcess("api", List.of("java", "-jar", "api.jar"), Path.of("/run/api.pid"))
     *     .readyWhen(HealthCheck.http(URI.create("http://127.0.0.1:8080/health"))
     *         .attempts(30).every(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(40)));
     * }</pre>
     *
     * <p>A start of a service that is already running does not wait for it: it was ready before.
     */
    public Service readyWhen(Check check) {
        Objects.requireNonNull(check, "readiness check");
        Service copy = new Service(this);
        copy.readiness = check;
        return copy;
    }

    /** The service's name. */
    public String name() {
        return name;
    }

    /**
     * The step that stops this service and waits until it is stopped; for {@link
     * dev.rollback.RollbackPlanBuilder#stop(Step)}. Succeeds at once if the service is already stopped.
     */
    public Step stopping() {
        return new ServiceSteps.ServiceStep("stop " + name, steps.describeStop(), lifecycle::stop);
    }

    /**
     * The step that starts this service and waits until it runs; for {@link
     * dev.rollback.RollbackPlanBuilder#start(Step)}. Succeeds at once if the service is already running.
     */
    public Step starting() {
        return new ServiceSteps.ServiceStep("start " + name, steps.describeStart(), lifecycle::start);
    }

    /** The step that stops this service, then starts it again. */
    public Step restarting() {
        List<String> both = new ArrayList<>(steps.describeStop());
        both.addAll(steps.describeStart());
        return new ServiceSteps.ServiceStep("restart " + name, both, ctx -> {
            lifecycle.stop(ctx);
            lifecycle.start(ctx);
        });
    }

    /**
     * Starts this service on {@code host} now, outside any plan, and waits until it runs: for a
     * deploy tool's own start, or a drill's. Waits on the system clock.
     *
     * @throws RollbackException if it does not come up within the timeout
     */
    public void start(Host host) throws InterruptedException {
        lifecycle.start(new OutsidePlanContext(host));
    }

    /** Stops this service on {@code host} now, outside any plan, and waits until it is stopped. */
    public void stop(Host host) throws InterruptedException {
        lifecycle.stop(new OutsidePlanContext(host));
    }

    /** A check that passes when this service is running, with what its status said; for the VERIFY phase. */
    public Check running() {
        String check = "service " + name + " is running";
        return new Check() {
            @Override
            public String name() {
                return check;
            }

            @Override
            public CheckResult run(StepContext ctx) {
                ServiceStatus s = status(ctx.host());
                return s.running() ? CheckResult.passed(check, s.detail()) : CheckResult.failed(check, s.detail());
            }

            @Override
            public String toString() {
                return "Check[" + check + "]";
            }
        };
    }

    /**
     * Whether this service is running on {@code host}, and what its status command or pid file said.
     *
     * @throws RollbackException if the status cannot be told: the status program is missing, a
     *     systemd status exits other than 0 or 3, a pid file holds no pid
     */
    public ServiceStatus status(Host host) {
        return lifecycle.status(host);
    }

    @Override
    public String toString() {
        return "Service[" + name + ", " + kind.name().toLowerCase() + ", timeout " + timeout + ", every " + interval
                + "]";
    }

    // ---- helpers ---------------------------------------------------------------------------------

    CommandResult run(Host host, List<String> argv, String what) {
        Command command = Command.of(argv).timeout(timeout);
        if (workDir != null) {
            command = command.in(workDir);
        }
        try {
            return host.run(command);
        } catch (HostException e) {
            throw new RollbackException(what() + ": cannot run its " + what + " command: " + e.getMessage(), e);
        }
    }

    void requireSuccess(CommandResult r, String what) {
        if (!r.succeeded()) {
            throw new RollbackException(what() + ": expected its " + what + " command to exit 0, found " + r.describe()
                    + "; fix the cause and run the step again");
        }
    }

    String what() {
        return "service '" + name + "'";
    }

    private static List<String> argv(String service, List<String> argv, String what) {
        Objects.requireNonNull(argv, () -> what + " argv of service '" + service + "'");
        try {
            return Command.of(argv).argv();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("service '" + service + "': invalid " + what + " command: "
                    + e.getMessage(), e);
        }
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("service: expected a positive " + what + ", found " + d);
        }
        return d;
    }
}
