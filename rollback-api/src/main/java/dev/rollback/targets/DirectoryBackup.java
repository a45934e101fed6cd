package dev.rollback.targets;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.error.RollbackException;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.TreeCopy;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Names;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A folder rolled back from a copy kept in the restore point: a release folder such as {@code
 * /opt/rosey-bot}, restored the way a person restores a timestamped backup, but without losing the
 * failed tree or the data that must survive. Obtain it with {@link #of(Path)}.
 *
 * <ul>
 *   <li><b>capture</b> copies the tree into the restore point, with modes, times, symbolic links
 *       (as links, never followed) and, as root, owners. A file unchanged since the previous
 *       capture (same size, time, mode and owner) is hard-linked to that capture instead of copied,
 *       so a repeated capture costs only what changed. Links are made only between captures in the
 *       store, never to a live file, which the application may change in place.
 *   <li><b>restore</b> copies the captured tree beside the folder ({@code <dir>.rollback-<id>}),
 *       moves the {@linkplain #excluding excluded} paths of the live tree into it (renames: logs
 *       and uploads written since the capture survive), moves the failed tree aside to {@code
 *       <dir>-failed-<yyyyMMdd-HHmmss>-<label>} (kept, never deleted), and renames the new tree
 *       into place. Between the last two renames the folder is missing for the time of one rename
 *       (microseconds); the plan's stop steps keep the application from looking. A restore that
 *       fails puts back what it moved; one that was interrupted by a crash picks up where it was.
 *   <li><b>verify</b> compares the folder with the capture: every path, type, size, time, mode,
 *       link target and, as root, owner, the excluded paths left out.
 * </ul>
 *
 * <p>Immutable and thread-safe; the configuration methods return new instances.
 *
 * <pre>{@code
 * RollbackPlan plan = Rollback.plan("rosey-bot")
 *     .stop(Step.command("stop", List.of("systemctl", "stop", "rosey-bot")))
 *     .target(DirectoryBackup.of(Path.of("/opt/rosey-bot")).excluding("logs", "uploads").kind(TargetKind.CODE))
 *     .start(Step.command("start", List.of("systemctl", "start", "rosey-bot")))
 *     .build();
 * }</pre>
 */
public final class DirectoryBackup implements Target {

    /** The artifact folder holding the copied tree. */
    static final String TREE = "tree";
    private static final String STRATEGY = "backup";

    // written only by of(..) and by an option method on its own copy, before the copy is returned
    private Path dir;
    private String name;
    private TargetKind kind;
    private TreeCopy keep;

    private DirectoryBackup(Path dir) {
        this.dir = dir;
        this.name = DirectoryPaths.nameOf(dir, "directory");
        this.kind = TargetKind.FILES;
        this.keep = TreeCopy.all();
    }

    private DirectoryBackup(DirectoryBackup from) {
        this.dir = from.dir;
        this.name = from.name;
        this.kind = from.kind;
        this.keep = from.keep;
    }

    /**
     * A folder captured as a copy in the restore point and restored from it, the failed tree moved
     * aside and kept. Named after the folder, of kind {@link TargetKind#FILES}, nothing excluded.
     *
     * <pre>{@code
     * DirectoryBackup release = DirectoryBackup.of(Path.of("/opt/rosey-bot")).excluding("logs", "uploads");
     * }</pre>
     *
     * @param dir the folder, such as {@code /opt/app}; made absolute
     * @throws IllegalArgumentException if {@code dir} is the root folder
     */
    public static DirectoryBackup of(Path dir) {
        return new DirectoryBackup(DirectoryPaths.absolute(dir, "folder of a directory target"));
    }

    /**
     * This target, leaving the given paths out of captures and keeping them from the live tree in a
     * restore: data that must survive a rollback, such as {@code logs} or {@code public/uploads}.
     *
     * @param paths paths relative to the folder, without {@code ..}
     * @throws IllegalArgumentException if a path is absolute, leaves the folder, or is empty
     */
    public DirectoryBackup excluding(String... paths) {
        Objects.requireNonNull(paths, "paths");
        for (String p : paths) {
            Objects.requireNonNull(p, "excluded path");
            if (p.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("target '" + name + "': expected excluded paths without control "
                        + "characters, found '" + p.replaceAll("\\p{Cntrl}", "?") + "'; give a plain relative path");
            }
        }
        DirectoryBackup copy = new DirectoryBackup(this);
        copy.keep = keep.excluding(paths);
        return copy;
    }

    /**
     * This target under another name (by default the folder's name).
     *
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, {@code . _ -}, starting with a
     *     letter or digit ({@link Names#requireName})
     */
    public DirectoryBackup named(String newName) {
        DirectoryBackup copy = new DirectoryBackup(this);
        copy.name = Names.requireName(newName, "target name of directory target '" + name + "'");
        return copy;
    }

    /** This target reported as another kind: {@link TargetKind#FILES} by default, {@code CODE} for a release. */
    public DirectoryBackup kind(TargetKind newKind) {
        DirectoryBackup copy = new DirectoryBackup(this);
        copy.kind = Objects.requireNonNull(newKind, "kind");
        return copy;
    }

    /** The folder this target captures and restores, absolute. */
    public Path dir() {
        return dir;
    }

    /** What the target copies: everything but the excluded paths. */
    TreeCopy keep() {
        return keep;
    }

    /** The excluded paths, sorted. */
    public List<String> excludes() {
        return List.copyOf(new TreeSet<>(keep.excludes()));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return kind;
    }

    // ---- capture ---------------------------------------------------------------------------------

    @Override
    public Snapshot capture(CaptureContext ctx) {
        Host host = ctx.host();
        FileStat root = host.stat(dir).orElseThrow(() -> fail("the folder " + dir, "nothing there",
                "check the path, or create the folder before capturing; nothing was stored"));
        requireFolder(root);
        Path tree = ctx.artifactDir().resolve(TREE);
        Optional<Path> earlier = earlierCapture(ctx);
        ctx.progress("copying " + dir + earlier.map(e -> ", hard-linking files unchanged since the previous capture")
                .orElse(""));
        host.copyTree(dir, tree, earlier.map(keep::linkingTo).orElse(keep));
        Map<String, String> data = new LinkedHashMap<>();
        data.put("strategy", STRATEGY);
        data.put("dir", dir.toString());
        data.put("excludes", String.join("\n", excludes()));
        data.put("mode", root.octalMode());
        data.put("owner", String.valueOf(root.owner()));
        data.put("group", String.valueOf(root.group()));
        return Snapshot.of(data);
    }

    /**
     * Records the failed tree before a restore overwrites it: a copy like {@link #capture}, whose
     * unchanged files are hard-linked to the point being restored. A folder that is missing is
     * recorded as missing, so that putting this state back moves the restored folder aside again.
     */
    @Override
    public Snapshot setAside(CaptureContext ctx) {
        if (ctx.host().stat(dir).isEmpty()) {
            return Snapshot.of(Map.of("strategy", STRATEGY, "dir", dir.toString(), "excludes",
                    String.join("\n", excludes()), "absent", "true"));
        }
        return capture(ctx);
    }

    /** The tree of the previous capture of this folder, to hard-link unchanged files to. */
    private Optional<Path> earlierCapture(CaptureContext ctx) {
        Optional<Snapshot> prev = ctx.previousSnapshot();
        if (prev.isEmpty() || !prev.get().get("strategy").equals(Optional.of(STRATEGY))
                || !prev.get().get("dir").equals(Optional.of(dir.toString()))) {
            return Optional.empty();
        }
        return ctx.previousArtifactDir().map(d -> d.resolve(TREE))
                .filter(t -> ctx.host().stat(t).map(FileStat::isDirectory).orElse(false));
    }

    // ---- preflight and plan ----------------------------------------------------------------------

    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        List<Problem> problems = new ArrayList<>();
        Host host = ctx.host();
        Optional<Problem> own = ownSnapshot(snapshot);
        if (own.isPresent()) {
            return List.of(own.get());
        }
        if (!absent(snapshot)) {
            Path tree = ctx.artifactDir(snapshot).resolve(TREE);
            if (!host.stat(tree).map(FileStat::isDirectory).orElse(false)) {
                problems.add(Problem.of(name, "the captured tree at " + tree, "none",
                        "the restore point is damaged; roll back to another restore point"));
            }
            TreeSet<String> lost = new TreeSet<>(capturedExcludes(snapshot));
            lost.removeAll(keep.excludes());
            if (!lost.isEmpty()) {
                problems.add(Problem.of(name, "the excluded paths " + lost + " of the capture still excluded, so "
                        + "the live ones are kept", "the target no longer excludes them: the rollback would leave them "
                        + "only in the failed tree", "exclude them again with excluding(...), or capture a new "
                        + "restore point"));
            }
        }
        Path parent = dir.getParent();
        if (!host.stat(parent).map(FileStat::isDirectory).orElse(false)) {
            problems.add(Problem.of(name, "the folder " + parent + " holding " + dir.getFileName(), "none",
                    "create it, or correct the path of the target"));
        }
        host.stat(dir).filter(st -> !st.isDirectory()).ifPresent(st -> problems.add(Problem.of(name,
                "a folder at " + dir, describe(st), st.isSymlink() ? "a release link is rolled back with "
                        + "DirectoryReleases.of(link); move the link away or correct the path" : "move it away first")));
        return problems;
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) {
        ownSnapshot(snapshot).ifPresent(p -> {
            throw fail(p.expected(), p.found(), p.action());
        });
        Host host = ctx.host();
        Optional<FileStat> live = host.stat(dir);
        String failed = dir.getParent().resolve(DirectoryBackupRestore.failedName(dir, ctx)).toString();
        List<String> out = new ArrayList<>();
        if (absent(snapshot)) {
            out.add(live.isPresent() ? "move " + dir + " aside to " + failed + " (kept, never deleted): the folder "
                    + "was missing when captured" : "nothing to do: " + dir + " is missing, as captured");
            return out;
        }
        Path tree = ctx.artifactDir(snapshot).resolve(TREE);
        Map<String, FileStat> captured = DirectoryTree.walk(host, tree, keep);
        Map<String, FileStat> current = live.filter(FileStat::isDirectory)
                .map(x -> DirectoryTree.walk(host, dir, keep)).orElse(Map.of());
        DirectoryTree.Diff diff = DirectoryTree.diff(current, captured, host.canChangeOwners(), 0);
        out.add("copy the captured tree (" + Plural.of(diff.added() + diff.changed() + diff.unchanged(), "file or link",
                "files and links") + ", " + Plural.of(diff.capturedBytes(), "byte") + ") to " + DirectoryBackupRestore.workDir(dir, ctx).resolve(TREE));
        if (!keep.excludes().isEmpty()) {
            List<String> present = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (String x : excludes()) {
                (live.isPresent() && host.exists(dir.resolve(x)) ? present : missing).add(x);
            }
            out.add("keep from the live tree, moved into the restored one and never overwritten: "
                    + (present.isEmpty() ? "nothing (none of them exists)" : String.join(", ", present))
                    + (present.isEmpty() || missing.isEmpty() ? "" : " (not there: " + String.join(", ", missing) + ")"));
        }
        out.add(live.isPresent() ? "move the failed tree " + dir + " aside to " + failed + " (kept, never deleted)"
                : dir + " is missing: nothing to move aside");
        out.add("put the captured tree in place at " + dir + ": " + Plural.of(diff.added(), "file") + " added, " + diff.removed()
                + " removed, " + diff.changed() + " changed, " + diff.unchanged() + " unchanged (by type, size, time, "
                + "mode" + (host.canChangeOwners() ? " and owner" : "") + ")");
        out.add(host.canChangeOwners() ? "modes, times and owners as captured"
                : "modes and times as captured; owners not restored (not running as root)");
        return out;
    }

    // ---- restore ---------------------------------------------------------------------------------

    /**
     * Puts the captured tree in place as the class description says: built beside the folder, the
     * excluded paths moved into it, the failed tree moved aside and kept.
     */
    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) {
        ownSnapshot(snapshot).ifPresent(p -> {
            throw fail(p.expected(), p.found(), p.action());
        });
        new DirectoryBackupRestore(this).restore(snapshot, ctx);
    }

    // ---- verify ----------------------------------------------------------------------------------

    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) {
        Host host = ctx.host();
        String check = "verify " + name;
        Optional<FileStat> live = host.stat(dir);
        if (absent(snapshot)) {
            return live.isEmpty() ? CheckResult.passed(check, dir + " is missing, as captured")
                    : CheckResult.failed(check, "expected " + dir + " missing, as captured, found " + describe(live.get()));
        }
        if (live.isEmpty() || !live.get().isDirectory()) {
            return CheckResult.failed(check, "expected the folder " + dir + ", found "
                    + live.map(DirectoryBackup::describe).orElse("nothing"));
        }
        Path tree = ctx.artifactDir(snapshot).resolve(TREE);
        boolean owners = host.canChangeOwners();
        FileStat capturedRoot = host.stat(tree).orElseThrow();
        if (live.get().mode() != capturedRoot.mode()
                || (owners && !Objects.equals(live.get().owner(), capturedRoot.owner()))) {
            return CheckResult.failed(check, "expected " + dir + " with mode " + capturedRoot.octalMode() + " and owner "
                    + capturedRoot.owner() + ", found mode " + live.get().octalMode() + " and owner " + live.get().owner());
        }
        DirectoryTree.Diff diff = DirectoryTree.diff(DirectoryTree.walk(host, dir, keep),
                DirectoryTree.walk(host, tree, keep), owners, 5);
        if (!diff.isEmpty()) {
            return CheckResult.failed(check, "expected " + dir + " to match the capture, found " + diff.added()
                    + " missing, " + diff.removed() + " extra and " + diff.changed() + " different entries, such as "
                    + diff.samples());
        }
        return CheckResult.passed(check, dir + " matches the capture: " + Plural.of(diff.unchanged(), "file or link", "files and links")
                + (keep.excludes().isEmpty() ? "" : ", kept " + String.join(", ", excludes())));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private void requireFolder(FileStat root) {
        if (root.isSymlink()) {
            throw fail("a folder at " + dir, "a symbolic link to " + root.linkTarget(), "capture the folder it points "
                    + "to, or roll the link back with Directory.releases(link); nothing was stored");
        }
        if (!root.isDirectory()) {
            throw fail("a folder at " + dir, describe(root), "correct the path; nothing was stored");
        }
    }

    private Optional<Problem> ownSnapshot(Snapshot s) {
        // "absent" deletes the live state on restore: only a set-aside that found nothing records it, with nothing
        // else; a value other than true or false throws, naming the field (the engine adds the manifest)
        if (absent(s) && (!s.artifacts().isEmpty() || !s.tree().isEmpty())) {
            throw new dev.rollback.spi.InvalidSnapshotException("snapshot of target '" + name + "': expected field 'absent' "
                    + "only in a snapshot that records nothing there, found it in one that also holds a stored tree; the "
                    + "restore point was changed: roll back to another point", name, "absent", "true");
        }
        if (!s.get("strategy").equals(Optional.of(STRATEGY))) {
            return Optional.of(Problem.of(name, "a snapshot made by DirectoryBackup.of", "one made by strategy '"
                    + s.get("strategy").orElse("none") + "'", "the plan's target changed since the capture; capture a "
                    + "new restore point"));
        }
        if (!s.get("dir").equals(Optional.of(dir.toString()))) {
            return Optional.of(Problem.of(name, "a capture of " + dir, "one of " + s.get("dir").orElse("no folder"),
                    "the target's folder changed since the capture; capture a new restore point"));
        }
        return Optional.empty();
    }

    /** Whether the capture found nothing there, which a restore makes so again; only "true" or "false" is read. */
    static boolean absent(Snapshot s) {
        return dev.rollback.spi.SnapshotFields.of(s).bool("absent", false);
    }

    private static List<String> capturedExcludes(Snapshot s) {
        String raw = s.get("excludes").orElse("");
        return raw.isEmpty() ? List.of() : Arrays.asList(raw.split("\n"));
    }

    static String describe(FileStat st) {
        return switch (st.type()) {
            case SYMLINK -> "a symbolic link to " + st.linkTarget();
            case FILE -> "a file";
            case DIRECTORY -> "a folder";
            case OTHER -> "a device, socket or pipe";
        };
    }

    RollbackException fail(String expected, String found, String action) {
        return new RollbackException("target '" + name + "': expected " + expected + ", found " + found + "; " + action,
                null, name, null);
    }

    @Override
    public String toString() {
        return "DirectoryBackup.of(" + dir + ")" + (keep.excludes().isEmpty() ? "" : ".excluding(" + excludes() + ")")
                + "[" + name + ", " + kind + "]";
    }
}
