package dev.rollback.targets;

import dev.rollback.error.RollbackException;
import dev.rollback.host.Command;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Check;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Names;
import dev.rollback.spi.Problem;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.Target;
import dev.rollback.spi.TargetKind;
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
 * TrafficSwitch traffic = TrafficSwitch.ofSymlink(Path.of("/etc/nginx/upstreams/active.conf"))
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

    /** Whether the switch points a link or replaces a file. */
    enum Mode { SYMLINK, FILE }

    // written only by the factories and by an option method on its own copy, before the copy is returned
    Mode mode;
    String name;
    Path active;
    Map<String, Path> sides;
    Map<String, Check> sideChecks;
    List<String> testArgv;
    List<String> reloadArgv;
    Check afterSwitchCheck;
    Duration timeout;

    private TrafficSwitch(Mode mode, Path active) {
        this.mode = mode;
        this.name = "traffic";
        this.active = active;
        this.sides = Map.of();
        this.sideChecks = Map.of();
        this.timeout = DEFAULT_TIMEOUT;
    }

    private TrafficSwitch(TrafficSwitch from) {
        this.mode = from.mode;
        this.name = from.name;
        this.active = from.active;
        this.sides = from.sides;
        this.sideChecks = from.sideChecks;
        this.testArgv = from.testArgv;
        this.reloadArgv = from.reloadArgv;
        this.afterSwitchCheck = from.afterSwitchCheck;
        this.timeout = from.timeout;
    }

    /**
     * A switch that points the symbolic link {@code activeLink} at one side's path; named {@code
     * traffic} unless {@link #named renamed}.
     *
     * @param activeLink the link the proxy reads, such as {@code /etc/nginx/upstreams/active.conf}
     */
    public static TrafficSwitch ofSymlink(Path activeLink) {
        return new TrafficSwitch(Mode.SYMLINK, Objects.requireNonNull(activeLink, "active link"));
    }

    /**
     * A switch that replaces the file {@code activeFile} with one side's content, as {@code cp
     * nginx.blue.conf /etc/nginx/sites-available/app} does; named {@code traffic} unless {@link
     * #named renamed}.
     *
     * @param activeFile the file the proxy reads, such as {@code /etc/nginx/sites-available/app}
     */
    public static TrafficSwitch ofFile(Path activeFile) {
        return new TrafficSwitch(Mode.FILE, Objects.requireNonNull(activeFile, "active file"));
    }

    /**
     * The same as {@link #ofSymlink(Path)}.
     *
     * @deprecated use {@link #ofSymlink(Path)}, the factory every target's {@code of..} spelling follows
     */
    @Deprecated(forRemoval = true)
    public static TrafficSwitch symlink(Path activeLink) {
        return ofSymlink(activeLink);
    }

    /**
     * The same as {@link #ofFile(Path)}.
     *
     * @deprecated use {@link #ofFile(Path)}, the factory every target's {@code of..} spelling follows
     */
    @Deprecated(forRemoval = true)
    public static TrafficSwitch file(Path activeFile) {
        return ofFile(activeFile);
    }

    /**
     * This switch under another target name.
     *
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, {@code . _ -}, starting with a
     *     letter or digit ({@link Names#requireName})
     */
    public TrafficSwitch named(String newName) {
        TrafficSwitch copy = new TrafficSwitch(this);
        copy.name = Names.requireName(newName, "target name of " + what());
        return copy;
    }

    /**
     * This switch with one more side: in symlink mode, the path the link points at for it
     * (relative paths are relative to the link's folder); in file mode, the file holding its
     * configuration.
     *
     * @throws IllegalArgumentException if the side's name breaks {@link Names#requireName}, or the
     *     side was declared before
     */
    public TrafficSwitch side(String side, Path path) {
        Names.requireName(side, "side name of " + what());
        Objects.requireNonNull(path, () -> "path of side " + side);
        if (sides.containsKey(side)) {
            throw new IllegalArgumentException(what() + ": expected each side once, found '" + side + "' twice; "
                    + "give each side its own name");
        }
        Map<String, Path> more = new LinkedHashMap<>(sides);
        more.put(side, path);
        TrafficSwitch copy = new TrafficSwitch(this);
        copy.sides = Collections.unmodifiableMap(more);
        return copy;
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
        TrafficSwitch copy = new TrafficSwitch(this);
        copy.sideChecks = Collections.unmodifiableMap(more);
        return copy;
    }

    /** This switch testing the configuration after a switch with {@code argv} ({@code nginx -t}): exit 0 passes. */
    public TrafficSwitch testWith(String... argv) {
        TrafficSwitch copy = new TrafficSwitch(this);
        copy.testArgv = argv(argv, "test");
        return copy;
    }

    /** This switch making the proxy read its configuration again with {@code argv} after a switch. */
    public TrafficSwitch reloadWith(String... argv) {
        TrafficSwitch copy = new TrafficSwitch(this);
        copy.reloadArgv = argv(argv, "reload");
        return copy;
    }

    /** This switch running {@code check} once traffic has moved and the proxy reloaded; the switch is undone if it fails. */
    public TrafficSwitch afterSwitchCheck(Check check) {
        TrafficSwitch copy = new TrafficSwitch(this);
        copy.afterSwitchCheck = Objects.requireNonNull(check, "check");
        return copy;
    }

    /** This switch with the time its test and reload commands may run; 60 seconds unless set. */
    public TrafficSwitch timeout(Duration limit) {
        Objects.requireNonNull(limit, "timeout");
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException(what() + ": expected a positive timeout, found " + limit);
        }
        TrafficSwitch copy = new TrafficSwitch(this);
        copy.timeout = limit;
        return copy;
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
        return new TrafficState(this).record(ctx, true);
    }

    /** Records the active link or file exactly, whether or not it matches a side. */
    @Override
    public Snapshot setAside(CaptureContext ctx) throws Exception {
        return new TrafficState(this).record(ctx, false);
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
        return new TrafficMove(this).plan(snapshot, ctx);
    }

    /**
     * Moves traffic back to the captured side, following the order in the class description.
     *
     * @throws RollbackException if the side's check fails (nothing changed), or if the test, the
     *     reload or the after-switch check fails (the switch undone); the message says which
     */
    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws Exception {
        new TrafficMove(this).restore(snapshot, ctx);
    }

    /** Passes when the link or file is exactly as captured. */
    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws Exception {
        return new TrafficMove(this).verify(snapshot, ctx);
    }

    @Override
    public String toString() {
        return "TrafficSwitch[" + name + ", " + mode.name().toLowerCase() + " " + active + ", sides " + sides + "]";
    }

    /** How messages name this switch. */
    String what() {
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
}
