package dev.rollback.target;

import dev.rollback.Check;
import dev.rollback.CheckResult;
import dev.rollback.RollbackException;
import dev.rollback.Step;
import dev.rollback.StepContext;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 *   <li>{@link #systemd(String)}: {@code systemctl stop|start|is-active UNIT}; {@code is-active}
 *       exiting 0 means running, 3 means stopped, anything else is an error (systemd not running,
 *       no permission), reported with its output.
 *   <li>{@link #process(String, List, Path)}: starts the argv in the background in its own session
 *       ({@code setsid}), standard output and error appended to a log file, and writes its pid to
 *       the pid file; running means that pid is alive (per {@code ps}, zombies count as ended);
 *       stop sends SIGTERM to its process group, waits the timeout, then sends SIGKILL. The pid
 *       file belongs to the service: it is written at start and removed once the process has
 *       ended; a pid file left by a crash names a pid that the system may have given to another
 *       process since, so remove such a file before trusting it.
 *   <li>{@link #commands(String, List, List, List)}: the given commands; the status command exiting
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
 * Service bot = Service.systemd("rosey-bot").timeout(Duration.ofSeconds(20));
 * Service api = Service.process("api", List.of("java", "-jar", "api.jar"), Path.of("/run/api.pid"))
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
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern UNIT = Pattern.compile("[A-Za-z0-9:_.@\\\\-]{1,255}");
    private static final Pattern PID = Pattern.compile("[0-9]{1,10}");

    private enum Kind { SYSTEMD, PROCESS, COMMANDS }

    private final Kind kind;
    private final String name;
    private final List<String> stopArgv;
    private final List<String> startArgv;
    private final List<String> statusArgv;
    private final Path pidFile;
    private final Path logFile;
    private final Path workDir;
    private final Duration timeout;
    private final Duration interval;
    private final Check readiness;

    private Service(Kind kind, String name, List<String> stopArgv, List<String> startArgv, List<String> statusArgv,
            Path pidFile, Path logFile, Path workDir, Duration timeout, Duration interval, Check readiness) {
        this.kind = kind;
        this.name = name;
        this.stopArgv = stopArgv;
        this.startArgv = startArgv;
        this.statusArgv = statusArgv;
        this.pidFile = pidFile;
        this.logFile = logFile;
        this.workDir = workDir;
        this.timeout = timeout;
        this.interval = interval;
        this.readiness = readiness;
    }

    /**
     * A systemd unit: stopped with {@code systemctl stop}, started with {@code systemctl start}, its
     * state read with {@code systemctl is-active}.
     *
     * @param unit the unit's name, such as {@code rosey-bot} or {@code app@2.service}
     */
    public static Service systemd(String unit) {
        if (unit == null || !UNIT.matcher(unit).matches() || unit.startsWith("-")) {
            throw new IllegalArgumentException("systemd service: expected a unit name of letters, digits and "
                    + "':_.@\\-', not starting with '-', found " + (unit == null ? "null" : "'" + unit + "'")
                    + "; give the unit's name, such as 'rosey-bot'");
        }
        return new Service(Kind.SYSTEMD, unit, List.of("systemctl", "stop", unit), List.of("systemctl", "start", unit),
                List.of("systemctl", "is-active", unit), null, null, null, DEFAULT_TIMEOUT, DEFAULT_INTERVAL, null);
    }

    /**
     * A plain process started by {@code startArgv} in the background, its pid kept in {@code
     * pidFile}, its output appended to {@code NAME.log} beside the pid file unless {@link
     * #logTo(Path)} says otherwise.
     *
     * @param name 1 to 64 letters, digits, {@code . _ -}: it names the default log file
     * @param startArgv the program and its arguments, run exactly as given
     * @param pidFile where the pid of the running process is kept
     */
    public static Service process(String name, List<String> startArgv, Path pidFile) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("process service: expected a name of 1 to 64 letters, digits, '.', '_' "
                    + "or '-', starting with a letter or digit, found " + (name == null ? "null" : "'" + name + "'")
                    + "; choose a name such as 'bot'");
        }
        List<String> start = argv(name, startArgv, "start");
        Objects.requireNonNull(pidFile, "pid file");
        Path log = pidFile.resolveSibling(name + ".log");
        return new Service(Kind.PROCESS, name, null, start, null, pidFile, log, null, DEFAULT_TIMEOUT, DEFAULT_INTERVAL, null);
    }

    /**
     * A service driven by three commands. The status command exiting 0 means running; any other
     * exit means stopped.
     *
     * @param name the service's name, shown in steps and reports
     */
    public static Service commands(String name, List<String> stopArgv, List<String> startArgv, List<String> statusArgv) {
        if (name == null || name.isBlank() || name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("service: expected a name of 1 to 200 printable characters, found "
                    + (name == null ? "null" : "'" + name.replaceAll("\\p{Cntrl}", "?") + "'")
                    + "; give a short name such as 'blog-writing'");
        }
        return new Service(Kind.COMMANDS, name, argv(name, stopArgv, "stop"), argv(name, startArgv, "start"),
                argv(name, statusArgv, "status"), null, null, null, DEFAULT_TIMEOUT, DEFAULT_INTERVAL, null);
    }

    /**
     * This service waiting at most {@code limit} for a start or a stop (and, for a process, as long
     * again after SIGKILL); each of its commands may also run that long. 30 seconds unless set.
     */
    public Service timeout(Duration limit) {
        return new Service(kind, name, stopArgv, startArgv, statusArgv, pidFile, logFile, workDir,
                positive(limit, "timeout"), interval, readiness);
    }

    /** This service asking its status every {@code pause} while it waits; 500 ms unless set. */
    public Service every(Duration pause) {
        return new Service(kind, name, stopArgv, startArgv, statusArgv, pidFile, logFile, workDir, timeout,
                positive(pause, "interval"), readiness);
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
        return new Service(kind, name, stopArgv, startArgv, statusArgv, pidFile, logFile, dir, timeout, interval, readiness);
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
        return new Service(kind, name, stopArgv, startArgv, statusArgv, pidFile, file, workDir, timeout, interval, readiness);
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
     * Service api = Service.process("api", List.of("java", "-jar", "api.jar"), Path.of("/run/api.pid"))
     *     .readyWhen(HealthCheck.http(URI.create("http://127.0.0.1:8080/health"))
     *         .attempts(30).every(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(40)));
     * }</pre>
     *
     * <p>A start of a service that is already running does not wait for it: it was ready before.
     */
    public Service readyWhen(Check check) {
        Objects.requireNonNull(check, "readiness check");
        return new Service(kind, name, stopArgv, startArgv, statusArgv, pidFile, logFile, workDir, timeout, interval,
                check);
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
        return new ServiceStep("stop " + name, describeStop(), this::stop);
    }

    /**
     * The step that starts this service and waits until it runs; for {@link
     * dev.rollback.RollbackPlanBuilder#start(Step)}. Succeeds at once if the service is already running.
     */
    public Step starting() {
        return new ServiceStep("start " + name, describeStart(), this::start);
    }

    /** The step that stops this service, then starts it again. */
    public Step restarting() {
        List<String> both = new ArrayList<>(describeStop());
        both.addAll(describeStart());
        return new ServiceStep("restart " + name, both, ctx -> {
            stop(ctx);
            start(ctx);
        });
    }

    /**
     * Starts this service on {@code host} now, outside any plan, and waits until it runs: for a
     * deploy tool's own start, or a drill's. Waits on the system clock.
     *
     * @throws RollbackException if it does not come up within the timeout
     */
    public void start(Host host) throws InterruptedException {
        start(outsidePlan(host));
    }

    /** Stops this service on {@code host} now, outside any plan, and waits until it is stopped. */
    public void stop(Host host) throws InterruptedException {
        stop(outsidePlan(host));
    }

    private static StepContext outsidePlan(Host host) {
        Objects.requireNonNull(host, "host");
        return new StepContext() {
            @Override
            public String plan() {
                return "(no plan)";
            }

            @Override
            public String rollbackId() {
                return "(none)";
            }

            @Override
            public dev.rollback.RestorePoint point() {
                return null;
            }

            @Override
            public dev.rollback.Phase phase() {
                return dev.rollback.Phase.START;
            }

            @Override
            public Host host() {
                return host;
            }

            @Override
            public java.time.Clock clock() {
                return java.time.Clock.systemUTC();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                dev.rollback.Sleeper.system().sleep(duration);
            }

            @Override
            public void progress(String message) {
                // no listeners outside a plan
            }
        };
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
        Objects.requireNonNull(host, "host");
        if (kind == Kind.PROCESS) {
            Probe p = probe(host);
            return new ServiceStatus(name, p.running(), p.detail());
        }
        CommandResult r = run(host, statusArgv, "status");
        if (r.timedOut()) {
            throw new RollbackException(what() + ": expected the status command to answer, found " + r.describe()
                    + "; find why it hangs");
        }
        if (r.exitCode() == 0) {
            return new ServiceStatus(name, true, r.describe());
        }
        if (kind == Kind.SYSTEMD && r.exitCode() != 3) {
            throw new RollbackException(what() + ": cannot tell whether it is running: expected "
                    + "'systemctl is-active' to exit 0 (active) or 3 (inactive), found " + r.describe()
                    + "; check that systemd runs on host " + host.name() + " and that this user may ask it");
        }
        return new ServiceStatus(name, false, r.describe());
    }

    @Override
    public String toString() {
        return "Service[" + name + ", " + kind.name().toLowerCase() + ", timeout " + timeout + ", every " + interval
                + "]";
    }

    // ---- stop and start --------------------------------------------------------------------------

    private void stop(StepContext ctx) throws InterruptedException {
        Host host = ctx.host();
        ServiceStatus now = status(host);
        if (!now.running()) {
            if (kind == Kind.PROCESS) {
                host.delete(pidFile);
            }
            ctx.progress(what() + " is already stopped: " + now.detail());
            return;
        }
        if (kind == Kind.PROCESS) {
            signal(host, "TERM");
        } else {
            requireSuccess(run(host, stopArgv, "stop"), "stop");
        }
        ServiceStatus after = waitFor(ctx, false);
        if (after.running() && kind == Kind.PROCESS) {
            ctx.progress(what() + " still runs " + timeout.toSeconds() + " s after SIGTERM; sending SIGKILL");
            signal(host, "KILL");
            after = waitFor(ctx, false);
        }
        if (after.running()) {
            throw new RollbackException(what() + ": expected it to stop within " + timeout.toSeconds() + " s"
                    + (kind == Kind.PROCESS ? " after SIGKILL" : "") + ", found it still running: " + after.detail()
                    + "; stop it by hand, or raise its timeout, then roll back again");
        }
        if (kind == Kind.PROCESS) {
            host.delete(pidFile);
        }
        ctx.progress(what() + " stopped");
    }

    private void start(StepContext ctx) throws InterruptedException {
        Host host = ctx.host();
        ServiceStatus now = status(host);
        if (now.running()) {
            ctx.progress(what() + " is already running: " + now.detail());
            return;
        }
        Check ready = null;
        if (readiness != null) {
            try {
                // a log line counts only once written after this moment
                ready = readiness.begin(ctx);
            } catch (Exception e) {
                throw new RollbackException(what() + ": expected to prepare its readiness check '" + readiness.name()
                        + "', found: " + e.getMessage() + "; nothing was started; fix the check", e);
            }
            ready = ready == null ? readiness : ready;
        }
        if (kind == Kind.PROCESS) {
            launch(host);
        } else {
            requireSuccess(run(host, startArgv, "start"), "start");
        }
        ServiceStatus after = waitFor(ctx, true);
        if (!after.running()) {
            throw new RollbackException(what() + ": expected it to be running within " + timeout.toSeconds()
                    + " s of its start, found: " + after.detail() + (kind == Kind.PROCESS ? logTail(host) : "")
                    + "; read its log, fix the cause and start it by hand");
        }
        ctx.progress(what() + " is running: " + after.detail());
        if (ready != null) {
            awaitReady(ctx, ready);
        }
    }

    /** Runs the readiness check (its attempts on the plan's clock); throws with its last observation if it fails. */
    private void awaitReady(StepContext ctx, Check ready) throws InterruptedException {
        CheckResult r;
        try {
            r = ready.run(ctx);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            r = CheckResult.failed(ready.name(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (r == null || !r.passed()) {
            String seen = r == null ? "no result" : r.detail();
            throw new RollbackException(what() + ": expected it to be ready (" + ready.name() + ") after its start, found "
                    + "after " + (r == null ? 0 : r.attempts()) + " attempt(s): " + seen + (kind == Kind.PROCESS
                    ? logTail(ctx.host()) : "") + "; the service runs but does not answer: read its log, or give the "
                    + "check more attempts or a longer timeout");
        }
        ctx.progress(what() + " is ready: " + r.detail() + " (" + r.attempts() + " attempt" + (r.attempts() == 1 ? ""
                : "s") + ")");
    }

    /** Asks the status every interval until it says {@code running}, or the timeout passes; returns the last status. */
    private ServiceStatus waitFor(StepContext ctx, boolean running) throws InterruptedException {
        Instant deadline = ctx.clock().instant().plus(timeout);
        while (true) {
            ServiceStatus s = status(ctx.host());
            if (s.running() == running) {
                return s;
            }
            Duration left = Duration.between(ctx.clock().instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                return s;
            }
            ctx.sleep(left.compareTo(interval) < 0 ? left : interval);
        }
    }

    // ---- a plain process -------------------------------------------------------------------------

    private record Probe(long pid, boolean running, boolean groupLeader, String detail) {}

    private Probe probe(Host host) {
        Optional<FileStat> st = host.stat(pidFile);
        if (st.isEmpty()) {
            return new Probe(0, false, false, "no pid file at " + pidFile);
        }
        if (!st.get().isFile()) {
            throw new RollbackException(what() + ": expected a pid file at " + pidFile + ", found a "
                    + st.get().type().name().toLowerCase() + "; move it away or choose another pid file");
        }
        String text = new String(host.read(pidFile), StandardCharsets.UTF_8).strip();
        long pid = PID.matcher(text).matches() ? Long.parseLong(text) : -1;
        if (pid <= 1) {
            throw new RollbackException(what() + ": expected the pid file " + pidFile + " to hold a process id above 1, "
                    + "found '" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'; if the service is "
                    + "stopped, remove the file");
        }
        // /proc/PID/stat, read with cat (coreutils, always there) rather than ps (procps, often not installed):
        // "PID (COMMAND) STATE PPID PGRP ...", where COMMAND may hold spaces and parentheses
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!host.exists(stat)) {
            return new Probe(pid, false, false, "process " + pid + " from " + pidFile + " is not running");
        }
        CommandResult r = run(host, List.of("cat", stat.toString()), "status");
        String line = r.stdout().strip();
        int end = line.lastIndexOf(')');
        if (!r.succeeded() || end < 0) {
            if (!host.exists(stat)) {
                return new Probe(pid, false, false, "process " + pid + " from " + pidFile + " is not running");
            }
            // the status could not be read: saying "stopped" here could leave a live process behind
            throw new RollbackException(what() + ": cannot tell whether process " + pid + " from " + pidFile
                    + " is running: " + r.describe() + "; check that " + stat + " is readable on host " + host.name());
        }
        String[] fields = line.substring(end + 1).strip().split("\\s+");
        if (fields[0].startsWith("Z") || fields[0].startsWith("X")) {
            return new Probe(pid, false, false, "process " + pid + " from " + pidFile + " has ended");
        }
        boolean leader = fields.length > 2 && fields[2].equals(Long.toString(pid));
        return new Probe(pid, true, leader, "process " + pid + " from " + pidFile + " is running (state " + fields[0]
                + ")");
    }

    /** Sends a signal to the process of the pid file: to its whole group when it leads one, as it does when we start it. */
    private void signal(Host host, String signal) {
        Probe p = probe(host);
        if (!p.running()) {
            return;
        }
        String pid = Long.toString(p.pid());
        CommandResult r = run(host, kill(signal, p.groupLeader() ? "-" + pid : pid), "SIG" + signal);
        if (!r.succeeded() && probe(host).running()) {
            throw new RollbackException(what() + ": expected SIG" + signal + " to reach process " + pid + ", found "
                    + r.describe() + "; run as the user that owns the process");
        }
    }

    private void launch(Host host) {
        String program = startArgv.get(0);
        String lookup = workDir != null && program.contains("/") && !Path.of(program).isAbsolute()
                ? workDir.resolve(program).toString() : program;
        List<String> missing = new ArrayList<>();
        for (String p : List.of(lookup, "sh", "setsid", "cat")) {
            if (!host.hasProgram(p)) {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            throw new RollbackException(what() + ": expected the programs " + missing + " on host " + host.name()
                    + ", found none; install them or give the full path; nothing was started");
        }
        for (Path dir : List.of(pidFile.toAbsolutePath().getParent(), logFile.toAbsolutePath().getParent())) {
            if (host.stat(dir).map(s -> !s.isDirectory()).orElse(true)) {
                throw new RollbackException(what() + ": expected the folder " + dir + " on host " + host.name()
                        + ", found none; create it; nothing was started");
            }
        }
        List<String> argv = new ArrayList<>(List.of("sh", "-c", LAUNCH, "sh", logFile.toString()));
        argv.addAll(startArgv);
        CommandResult r = run(host, argv, "start");
        String out = r.stdout().strip();
        if (!r.succeeded() || !PID.matcher(out).matches()) {
            throw new RollbackException(what() + ": expected the launcher to print the new process's pid, found "
                    + r.describe() + "; check that 'sh' and 'setsid' work on host " + host.name());
        }
        try {
            host.write(pidFile, (out + "\n").getBytes(StandardCharsets.UTF_8), 0644);
        } catch (RuntimeException e) {
            // without its pid file the process could never be stopped by us: end it now
            host.run(Command.of(kill("KILL", "-" + out)).timeout(timeout));
            throw e;
        }
    }

    /**
     * The shell's own kill (no procps needed), with the signal and the target as positional
     * parameters of a fixed script: a negative target is the process group.
     */
    private static List<String> kill(String signal, String target) {
        return List.of("sh", "-c", "kill -s \"$0\" -- \"$1\"", signal, target);
    }

    private String logTail(Host host) {
        if (!host.exists(logFile)) {
            return "";
        }
        CommandResult r = run(host, List.of("tail", "-n", "20", logFile.toString()), "log");
        return r.stdout().isBlank() ? "" : "; the end of " + logFile + ":\n" + r.stdout().stripTrailing();
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private CommandResult run(Host host, List<String> argv, String what) {
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

    private void requireSuccess(CommandResult r, String what) {
        if (!r.succeeded()) {
            throw new RollbackException(what() + ": expected its " + what + " command to exit 0, found " + r.describe()
                    + "; fix the cause and run the step again");
        }
    }

    private String what() {
        return "service '" + name + "'";
    }

    private List<String> describeStop() {
        String wait = "wait up to " + timeout.toSeconds() + " s";
        return switch (kind) {
            case SYSTEMD -> List.of("run: " + show(stopArgv), wait + " until '" + show(statusArgv)
                    + "' exits 3 (inactive); nothing to do if it already does");
            case COMMANDS -> List.of("run: " + show(stopArgv), wait + " until '" + show(statusArgv)
                    + "' exits non-zero (stopped); nothing to do if it already does");
            case PROCESS -> List.of("send SIGTERM to the process group whose pid is in " + pidFile
                    + "; nothing to do if it is not running", wait + " for it to end, then send SIGKILL and " + wait,
                    "remove " + pidFile);
        };
    }

    private List<String> describeStart() {
        String wait = "wait up to " + timeout.toSeconds() + " s";
        String in = workDir == null ? "" : " in " + workDir;
        List<String> steps = new ArrayList<>(switch (kind) {
            case SYSTEMD -> List.of("run: " + show(startArgv), wait + " until '" + show(statusArgv)
                    + "' exits 0 (active); nothing to do if it already does");
            case COMMANDS -> List.of("run: " + show(startArgv) + in, wait + " until '" + show(statusArgv)
                    + "' exits 0 (running); nothing to do if it already does");
            case PROCESS -> List.of("start in the background, in its own session" + in + ": " + show(startArgv)
                    + " (output appended to " + logFile + "); nothing to do if it is running",
                    "write its pid to " + pidFile, wait + " until it is running");
        });
        if (readiness != null) {
            steps.add("then wait until it is ready: " + readiness.name() + (readiness instanceof
                    dev.rollback.check.HealthCheck h ? " (" + h.retry() + ")" : ""));
        }
        return steps;
    }

    private static String show(List<String> argv) {
        return Command.of(argv).display();
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

    /** A step made by a service: a name, its description, and its body. */
    private record ServiceStep(String name, List<String> actions, Step.Body body) implements Step {

        ServiceStep {
            actions = List.copyOf(actions);
        }

        @Override
        public List<String> describe() {
            return actions;
        }

        @Override
        public void run(StepContext ctx) throws Exception {
            body.run(ctx);
        }

        @Override
        public String toString() {
            return "Step[" + name + "]";
        }
    }
}
