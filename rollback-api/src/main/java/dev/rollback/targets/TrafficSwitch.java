package dev.rollback.targets;

import dev.rollback.spi.Check;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.error.RollbackException;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where traffic goes in a blue-green setup: a symbolic link (or a file) that a proxy such as nginx
 * reads to choose its upstream, and the sides it can point at. A capture records which side is
 * active; a restore moves traffic back to that side, safely:
 *
 * <ol>
 *   <li>if traffic is already there, nothing happens;
 *   <li>the side's own {@link #sideCheck check} runs first: if it fails, the restore fails and
 *       nothing is changed, traffic stays where it is;
 *   <li>the link is switched atomically ({@link Host#replaceSymlink}), or the file is replaced
 *       atomically by the content captured ({@link Host#write});
 *   <li>the {@link #testWith test command} runs ({@code nginx -t}): if it fails, the switch is
 *       undone and nothing is reloaded;
 *   <li>the {@link #reloadWith reload command} runs ({@code systemctl reload nginx}): if it fails,
 *       the switch is undone and the reload runs again;
 *   <li>the {@link #afterSwitchCheck after-switch check} runs: if it fails, the switch is undone and
 *       the reload runs again, so traffic goes back where it was.
 * </ol>
 *
 * <p>A capture made before a deploy must find a known side, so that a rollback can name and check
 * it; the state set aside during a rollback may match no side and is kept exactly (the link's text,
 * or the file's bytes), so nothing is lost. A link's text is compared with the sides' paths after
 * both are resolved against the link's folder. In file mode a side matches when its file holds the
 * same bytes; a restore writes the bytes captured, not the side's file as it is now.
 *
 * <p>A restore that finds traffic already on the captured side does nothing, not even a reload: if
 * a rollback died between the switch and the reload, reload by hand after resuming it.
 *
 * <p>Immutable and thread-safe: every method returns a new switch.
 *
 * <pre>{@code
 * TrafficSwitch traffic = TrafficSwitch.symlink(Path.of("/etc/nginx/upstreams/active.conf"))
 *     .side("blue", Path.of("blue.conf"))
 *     .side("green", Path.of("green.conf"))
 *     .sideCheck("blue", blueHealth)
 *     .testWith("nginx", "-t")
 *     .reloadWith("systemctl", "reload", "nginx")
 *     .afterSwitchCheck(publicHealth);
 * Rollback.plan("taylordash").target(traffic)...
 * }</pre>
 */
public final class TrafficSwitch implements Target {

    /** The artifact holding the active file's bytes in file mode. */
    static final String ACTIVE = "active";

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private enum Mode { SYMLINK, FILE }

    private final Mode mode;
    private final String name;
    private final Path active;
    private final Map<String, Path> sides;
    private final Map<String, Check> sideChecks;
    private final List<String> testArgv;
    private final List<String> reloadArgv;
    private final Check afterSwitchCheck;
    private final Duration timeout;

    private TrafficSwitch(Mode mode, String name, Path active, Map<String, Path> sides, Map<String, Check> sideChecks,
            List<String> testArgv, List<String> reloadArgv, Check afterSwitchCheck, Duration timeout) {
        this.mode = mode;
        this.name = name;
        this.active = active;
        this.sides = sides;
        this.sideChecks = sideChecks;
        this.testArgv = testArgv;
        this.reloadArgv = reloadArgv;
        this.afterSwitchCheck = afterSwitchCheck;
        this.timeout = timeout;
    }

    /**
     * A switch that points the symbolic link {@code activeLink} at one side's path; named {@code
     * traffic} unless {@link #named renamed}.
     */
    public static TrafficSwitch symlink(Path activeLink) {
        return new TrafficSwitch(Mode.SYMLINK, "traffic", Objects.requireNonNull(activeLink, "active link"), Map.of(),
                Map.of(), null, null, null, DEFAULT_TIMEOUT);
    }

    /**
     * A switch that replaces the file {@code activeFile} with one side's content, as {@code cp
     * nginx.blue.conf /etc/nginx/sites-available/app} does; named {@code traffic} unless {@link
     * #named renamed}.
     */
    public static TrafficSwitch file(Path activeFile) {
        return new TrafficSwitch(Mode.FILE, "traffic", Objects.requireNonNull(activeFile, "active file"), Map.of(),
                Map.of(), null, null, null, DEFAULT_TIMEOUT);
    }

    /** This switch under another target name: 1 to 64 letters, digits, {@code . _ -}. */
    public TrafficSwitch named(String newName) {
        if (newName == null || !NAME.matcher(newName).matches()) {
            throw new IllegalArgumentException("traffic switch: expected a name of 1 to 64 letters, digits, '.', '_' "
                    + "or '-', starting with a letter or digit, found " + (newName == null ? "null" : "'" + newName
                    + "'") + "; choose a name such as 'traffic'");
        }
        return new TrafficSwitch(mode, newName, active, sides, sideChecks, testArgv, reloadArgv, afterSwitchCheck,
                timeout);
    }

    /**
     * This switch with one more side: in symlink mode, the path the link points at for it
     * (relative paths are relative to the link's folder); in file mode, the file holding its
     * configuration.
     */
    public TrafficSwitch side(String side, Path path) {
        if (side == null || !NAME.matcher(side).matches()) {
            throw new IllegalArgumentException(what() + ": expected a side name of 1 to 64 letters, digits, '.', '_' or "
                    + "'-', found " + (side == null ? "null" : "'" + side + "'") + "; use a name such as 'blue'");
        }
        Objects.requireNonNull(path, () -> "path of side " + side);
        if (sides.containsKey(side)) {
            throw new IllegalArgumentException(what() + ": expected each side once, found '" + side + "' twice; "
                    + "give each side its own name");
        }
        Map<String, Path> more = new LinkedHashMap<>(sides);
        more.put(side, path);
        return new TrafficSwitch(mode, name, active, Collections.unmodifiableMap(more), sideChecks, testArgv,
                reloadArgv, afterSwitchCheck, timeout);
    }

    /**
     * This switch running {@code check} on {@code side} before any traffic moves to it; a side
     * without a check is trusted.
     *
     * @throws IllegalArgumentException if the side was not declared by {@link #side} before
     */
    public TrafficSwitch sideCheck(String side, Check check) {
        Objects.requireNonNull(check, "check");
        if (!sides.containsKey(side)) {
            throw new IllegalArgumentException(what() + ": expected a side declared with .side(...) before its check, "
                    + "found '" + side + "' among " + sides.keySet() + "; declare the side first");
        }
        Map<String, Check> more = new LinkedHashMap<>(sideChecks);
        more.put(side, check);
        return new TrafficSwitch(mode, name, active, sides, Collections.unmodifiableMap(more), testArgv, reloadArgv,
                afterSwitchCheck, timeout);
    }

    /** This switch testing the configuration after a switch with {@code argv} ({@code nginx -t}): exit 0 passes. */
    public TrafficSwitch testWith(String... argv) {
        return new TrafficSwitch(mode, name, active, sides, sideChecks, argv(argv, "test"), reloadArgv,
                afterSwitchCheck, timeout);
    }

    /** This switch making the proxy read its configuration again with {@code argv} after a switch. */
    public TrafficSwitch reloadWith(String... argv) {
        return new TrafficSwitch(mode, name, active, sides, sideChecks, testArgv, argv(argv, "reload"),
                afterSwitchCheck, timeout);
    }

    /** This switch running {@code check} once traffic has moved and the proxy reloaded; the switch is undone if it fails. */
    public TrafficSwitch afterSwitchCheck(Check check) {
        return new TrafficSwitch(mode, name, active, sides, sideChecks, testArgv, reloadArgv,
                Objects.requireNonNull(check, "check"), timeout);
    }

    /** This switch with the time its test and reload commands may run; 60 seconds unless set. */
    public TrafficSwitch timeout(Duration limit) {
        Objects.requireNonNull(limit, "timeout");
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException(what() + ": expected a positive timeout, found " + limit);
        }
        return new TrafficSwitch(mode, name, active, sides, sideChecks, testArgv, reloadArgv, afterSwitchCheck, limit);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.TRAFFIC;
    }

    /**
     * Records which side is active.
     *
     * @throws RollbackException if the link or file is missing, or matches none of the sides
     */
    @Override
    public Snapshot capture(CaptureContext ctx) throws Exception {
        return record(ctx, true);
    }

    /** Records the active link or file exactly, whether or not it matches a side. */
    @Override
    public Snapshot setAside(CaptureContext ctx) throws Exception {
        return record(ctx, false);
    }

    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        List<Problem> problems = new ArrayList<>();
        Host host = ctx.host();
        if (sides.size() < 2) {
            problems.add(Problem.of(name, "at least two sides", sides.keySet().toString(), "add them with .side(...)"));
        }
        String recorded = snapshot.get("mode").orElse("?");
        if (!recorded.equals(mode.name().toLowerCase())) {
            problems.add(Problem.of(name, "a restore point made by a " + mode.name().toLowerCase() + " switch",
                    "one made by a '" + recorded + "' switch", "use the same kind of switch that captured it"));
            return problems;
        }
        snapshot.get("side").filter(s -> !sides.containsKey(s)).ifPresent(s -> problems.add(Problem.of(name,
                "the captured side '" + s + "' among the sides", sides.keySet().toString(), "declare it with .side(...)")));
        if (mode == Mode.FILE && snapshot.artifact(ACTIVE).isEmpty()) {
            problems.add(Problem.of(name, "the captured upstream file in the restore point", "none",
                    "use a restore point captured by this switch"));
        }
        Path dir = active.toAbsolutePath().getParent();
        if (host.stat(dir).map(s -> !s.isDirectory()).orElse(true)) {
            problems.add(Problem.of(name, "the folder " + dir + " on host " + host.name(), "none", "create it"));
        }
        Optional<FileStat> now = host.stat(active);
        FileStat.Type expected = mode == Mode.SYMLINK ? FileStat.Type.SYMLINK : FileStat.Type.FILE;
        if (now.isPresent() && now.get().type() != expected) {
            problems.add(Problem.of(name, "a " + expected.name().toLowerCase() + " at " + active,
                    "a " + now.get().type().name().toLowerCase(), "move it away"));
        }
        for (List<String> argv : Arrays.asList(testArgv, reloadArgv)) {
            if (argv != null && !host.hasProgram(argv.get(0))) {
                problems.add(Problem.of(name, "the program '" + argv.get(0) + "' on host " + ctx.host().name(), "none",
                        "install it or give its full path"));
            }
        }
        return problems;
    }

    /** Says from which side to which traffic moves, and lists the check, test, reload and after-switch check. */
    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        State wanted = wanted(snapshot, ctx);
        State current = read(host);
        String to = snapshot.get("side").orElse(null);
        if (wanted.equals(current)) {
            return List.of("traffic is already on " + label(to) + " (" + describe(wanted) + "); nothing to switch");
        }
        String from = from(current, host);
        List<String> steps = new ArrayList<>();
        Check check = to == null ? null : sideChecks.get(to);
        steps.add(check == null ? "side " + label(to) + " has no check of its own"
                : "check side " + to + " before moving traffic: " + check.name() + "; refuse to switch if it fails");
        steps.add("switch traffic from " + from + " to " + label(to) + ": " + (mode == Mode.SYMLINK
                ? "point " + active + " at " + wanted.text() : "write the captured upstream (" + wanted.bytes().length
                + " bytes) to " + active));
        if (testArgv != null) {
            steps.add("test: " + show(testArgv) + "; switch back to " + from + " if it fails");
        }
        if (reloadArgv != null) {
            steps.add("reload: " + show(reloadArgv) + "; switch back to " + from + " and reload again if it fails");
        }
        if (afterSwitchCheck != null) {
            steps.add("check after the switch: " + afterSwitchCheck.name() + "; switch back to " + from
                    + (reloadArgv == null ? "" : " and reload") + " if it fails");
        }
        return steps;
    }

    /**
     * Moves traffic back to the captured side, following the order in the class description.
     *
     * @throws RollbackException if the side's check fails (nothing changed), or if the test, the
     *     reload or the after-switch check fails (the switch undone); the message says which
     */
    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        State wanted = wanted(snapshot, ctx);
        State current = read(host);
        String to = snapshot.get("side").orElse(null);
        if (wanted.equals(current)) {
            ctx.progress("traffic is already on " + label(to) + "; nothing to switch");
            return;
        }
        String from = from(current, host);
        Check check = to == null ? null : sideChecks.get(to);
        if (check != null) {
            CheckResult r = runCheck(check, ctx);
            if (!r.passed()) {
                throw new RollbackException(what() + ": expected side '" + to + "' to pass its check '" + check.name()
                        + "' before traffic moves to it, found: " + r.detail() + "; nothing was switched, traffic "
                        + "stays on " + from + "; make " + to + " healthy, then roll back again");
            }
        }
        apply(host, wanted);
        ctx.progress("switched traffic from " + from + " to " + label(to));
        boolean reloaded = false;
        try {
            if (testArgv != null) {
                CommandResult r = run(host, testArgv, "test");
                if (!r.succeeded()) {
                    undo(host, current);
                    throw new RollbackException(what() + ": expected the test command to pass with traffic on "
                            + label(to) + ", found " + r.describe() + "; switched back to " + from + ", nothing was "
                            + "reloaded; fix the configuration of " + label(to) + ", then roll back again");
                }
            }
            if (reloadArgv != null) {
                reloaded = true;
                CommandResult r = run(host, reloadArgv, "reload");
                if (!r.succeeded()) {
                    undo(host, current);
                    throw new RollbackException(what() + ": expected the reload command to exit 0, found "
                            + r.describe() + "; switched back to " + from + reloadAgain(host)
                            + "; fix the reload, then roll back again");
                }
            }
            if (afterSwitchCheck != null) {
                CheckResult r = runCheck(afterSwitchCheck, ctx);
                if (!r.passed()) {
                    undo(host, current);
                    throw new RollbackException(what() + ": expected the check '" + afterSwitchCheck.name()
                            + "' to pass once traffic moved to " + label(to) + ", found: " + r.detail()
                            + "; switched back to " + from + reloadAgain(host) + "; find why " + label(to)
                            + " fails behind the proxy, then roll back again");
                }
            }
        } catch (RollbackException e) {
            throw e;
        } catch (Exception e) {
            // an unexpected failure half-way: put traffic back before reporting it
            undo(host, current);
            String again = reloaded ? reloadAgain(host) : "";
            throw new RollbackException(what() + ": the switch to " + label(to) + " failed: " + e + "; switched back to "
                    + from + again + "; fix the cause, then roll back again", e);
        }
        ctx.progress("traffic is on " + label(to));
    }

    /** Passes when the link or file is exactly as captured. */
    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws Exception {
        State wanted = wanted(snapshot, ctx);
        State current = read(ctx.host());
        String to = label(snapshot.get("side").orElse(null));
        return wanted.equals(current)
                ? CheckResult.passed("verify " + name, "traffic is on " + to + " (" + describe(wanted) + ")")
                : CheckResult.failed("verify " + name, "expected traffic on " + to + " (" + describe(wanted)
                        + "), found " + (current == null ? "nothing at " + active : describe(current)));
    }

    @Override
    public String toString() {
        return "TrafficSwitch[" + name + ", " + mode.name().toLowerCase() + " " + active + ", sides " + sides + "]";
    }

    // ---- state -----------------------------------------------------------------------------------

    /** The link's text (symlink mode) or the file's bytes (file mode). */
    private record State(String text, byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof State s && Objects.equals(text, s.text) && Arrays.equals(bytes, s.bytes);
        }

        @Override
        public int hashCode() {
            return Objects.hash(text, Arrays.hashCode(bytes));
        }

        @Override
        public String toString() {
            return text != null ? text : bytes.length + " bytes";
        }
    }

    private Snapshot record(CaptureContext ctx, boolean requireSide) throws java.io.IOException {
        if (sides.size() < 2) {
            throw new IllegalStateException(what() + ": expected at least two sides, found " + sides.keySet()
                    + "; add them with .side(...)");
        }
        Host host = ctx.host();
        State now = read(host);
        if (now == null) {
            throw new RollbackException(what() + ": expected a " + (mode == Mode.SYMLINK ? "symbolic link" : "file")
                    + " at " + active + " on host " + host.name() + ", found nothing; create it, pointing at a side");
        }
        Optional<String> side = sideOf(now, host);
        if (side.isEmpty() && requireSide) {
            throw new RollbackException(what() + ": expected " + active + " to " + (mode == Mode.SYMLINK
                    ? "point at one of the sides " + sides + ", found it pointing at " + now.text()
                    : "hold the content of one of the sides " + sides + ", found " + now.bytes().length
                    + " bytes matching none") + "; point it at a side, or declare that side with .side(...)");
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put("mode", mode.name().toLowerCase());
        data.put("active", active.toString());
        side.ifPresent(s -> data.put("side", s));
        if (mode == Mode.SYMLINK) {
            data.put("link", now.text());
        } else {
            ctx.host().write(ctx.artifactDir().resolve(ACTIVE), now.bytes(), 0600);
            data.put("bytes", Integer.toString(now.bytes().length));
        }
        return Snapshot.of(data);
    }

    private State wanted(Snapshot snapshot, RestoreContext ctx) throws java.io.IOException {
        String recorded = snapshot.require("mode");
        if (!recorded.equals(mode.name().toLowerCase())) {
            throw new RollbackException(what() + ": expected a restore point made by a " + mode.name().toLowerCase()
                    + " switch, found one made by a '" + recorded + "' switch; use the same kind of switch");
        }
        return mode == Mode.SYMLINK ? new State(snapshot.require("link"), null)
                : new State(null, ctx.host().read(ctx.artifact(snapshot, ACTIVE)));
    }

    private State read(Host host) {
        Optional<FileStat> st = host.stat(active);
        if (st.isEmpty()) {
            return null;
        }
        if (mode == Mode.SYMLINK) {
            if (!st.get().isSymlink()) {
                throw new RollbackException(what() + ": expected a symbolic link at " + active + ", found a "
                        + st.get().type().name().toLowerCase() + "; move it away, then point a link at a side");
            }
            return new State(st.get().linkTarget().toString(), null);
        }
        if (!st.get().isFile()) {
            throw new RollbackException(what() + ": expected a regular file at " + active + ", found a "
                    + st.get().type().name().toLowerCase() + "; move it away");
        }
        return new State(null, host.read(active));
    }

    private Optional<String> sideOf(State state, Host host) {
        for (Map.Entry<String, Path> side : sides.entrySet()) {
            if (mode == Mode.SYMLINK) {
                if (resolved(Path.of(state.text())).equals(resolved(side.getValue()))) {
                    return Optional.of(side.getKey());
                }
            } else if (host.stat(side.getValue()).map(FileStat::isFile).orElse(false)
                    && Arrays.equals(host.read(side.getValue()), state.bytes())) {
                return Optional.of(side.getKey());
            }
        }
        return Optional.empty();
    }

    private Path resolved(Path target) {
        return active.toAbsolutePath().getParent().resolve(target).normalize();
    }

    private void apply(Host host, State state) {
        if (mode == Mode.SYMLINK) {
            host.replaceSymlink(active, Path.of(state.text()));
        } else {
            host.write(active, state.bytes());
        }
    }

    private void undo(Host host, State previous) {
        if (previous == null) {
            host.delete(active);
        } else {
            apply(host, previous);
        }
    }

    private String reloadAgain(Host host) {
        if (reloadArgv == null) {
            return "";
        }
        try {
            CommandResult r = run(host, reloadArgv, "reload");
            return r.succeeded() ? " and reloaded" : "; reloading again failed too: " + r.describe();
        } catch (RuntimeException e) {
            return "; reloading again failed too: " + e.getMessage();
        }
    }

    private static CheckResult runCheck(Check check, RestoreContext ctx) throws InterruptedException {
        try {
            CheckResult r = check.run(ctx);
            return r != null ? r : CheckResult.failed(check.name(), "the check returned no result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        } catch (Exception e) {
            return CheckResult.failed(check.name(), e.toString());
        }
    }

    private CommandResult run(Host host, List<String> argv, String what) {
        try {
            return host.run(Command.of(argv).timeout(timeout));
        } catch (HostException e) {
            throw new RollbackException(what() + ": cannot run the " + what + " command: " + e.getMessage(), e);
        }
    }

    private String from(State current, Host host) {
        if (current == null) {
            return "nothing";
        }
        return sideOf(current, host).orElse("an upstream matching no side (" + describe(current) + ")");
    }

    private String describe(State state) {
        return mode == Mode.SYMLINK ? active + " -> " + state.text() : active + ", " + state.bytes().length + " bytes";
    }

    private static String label(String side) {
        return side == null ? "the captured upstream" : side;
    }

    private String what() {
        return "traffic switch '" + name + "'";
    }

    private List<String> argv(String[] argv, String what) {
        Objects.requireNonNull(argv, what + " argv");
        try {
            return Command.of(argv).argv();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what() + ": invalid " + what + " command: " + e.getMessage(), e);
        }
    }

    private static String show(List<String> argv) {
        return Command.of(argv).display();
    }
}
