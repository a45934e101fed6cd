package dev.rollback.targets;

import dev.rollback.spi.Artifact;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.error.RollbackException;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.TreeCopy;
import dev.rollback.host.WorkMeter;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.charset.StandardCharsets;
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
 * failed tree or the data that must survive. Obtain it with {@link Directory#backup(Path)}.
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
 *     .target(Directory.backup(Path.of("/opt/rosey-bot")).excluding("logs", "uploads").kind(TargetKind.CODE))
 *     .start(Step.command("start", List.of("systemctl", "start", "rosey-bot")))
 *     .build();
 * }</pre>
 */
public final class DirectoryBackup implements Target {

    private static final String TREE = "tree";
    private static final String FAILED_NAME = "failed-name";
    private static final String STRATEGY = "backup";

    private final Path dir;
    private final String name;
    private final TargetKind kind;
    private final TreeCopy keep;

    DirectoryBackup(Path dir, String name, TargetKind kind, TreeCopy keep) {
        this.dir = dir;
        this.name = name;
        this.kind = kind;
        this.keep = keep;
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
        return new DirectoryBackup(dir, name, kind, keep.excluding(paths));
    }

    /** This target under another name (by default the folder's name). */
    public DirectoryBackup named(String newName) {
        return new DirectoryBackup(dir, DirectoryPaths.requireName(newName), kind, keep);
    }

    /** This target reported as another kind: {@link TargetKind#FILES} by default, {@code CODE} for a release. */
    public DirectoryBackup kind(TargetKind newKind) {
        return new DirectoryBackup(dir, name, Objects.requireNonNull(newKind, "kind"), keep);
    }

    /** The folder this target captures and restores, absolute. */
    public Path dir() {
        return dir;
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
                        + "Directory.releases(link); move the link away or correct the path" : "move it away first")));
        return problems;
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) {
        ownSnapshot(snapshot).ifPresent(p -> {
            throw fail(p.expected(), p.found(), p.action());
        });
        Host host = ctx.host();
        Optional<FileStat> live = host.stat(dir);
        String failed = dir.getParent().resolve(failedName(ctx)).toString();
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
                "files and links") + ", " + Plural.of(diff.capturedBytes(), "byte") + ") to " + workDir(ctx).resolve(TREE));
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

    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) {
        ownSnapshot(snapshot).ifPresent(p -> {
            throw fail(p.expected(), p.found(), p.action());
        });
        Host host = ctx.host();
        host.stat(dir).filter(st -> !st.isDirectory()).ifPresent(st -> {
            throw fail("a folder at " + dir, describe(st), "move it away first; nothing was changed");
        });
        Path work = workDir(ctx);
        Path fresh = work.resolve(TREE);
        Path nameFile = work.resolve(FAILED_NAME);
        Optional<FileStat> w = host.stat(work);
        if (w.isPresent() && !w.get().isDirectory()) {
            throw fail("a folder or nothing at " + work, describe(w.get()), "move it away; nothing was changed");
        }
        if (w.isEmpty()) {
            host.createDirectories(work);
        }
        String failedName;
        if (host.exists(nameFile)) {
            failedName = new String(host.read(nameFile), StandardCharsets.UTF_8); // a crashed run chose it
        } else {
            failedName = host.exists(dir) ? failedName(ctx) : "";
            host.write(nameFile, failedName.getBytes(StandardCharsets.UTF_8), 0600);
        }
        Path failed = failedName.isEmpty() ? null : dir.getParent().resolve(failedName);
        boolean liveThere = host.exists(dir);
        boolean failedThere = failed != null && host.exists(failed);

        if (failedThere && !liveThere) {
            ctx.progress("an interrupted restore had moved the failed tree aside; putting the captured tree in place");
            host.move(fresh, dir);
            host.delete(work);
            return;
        }
        if (failedThere || (failed == null && liveThere && !host.exists(fresh))) {
            host.delete(work); // an interrupted restore had finished its renames
            return;
        }
        if (absent(snapshot)) {
            if (failed != null) {
                host.move(dir, failed);
            }
            host.delete(work);
            return;
        }
        putBackKept(host, fresh);
        host.delete(fresh);
        ctx.progress("copying the captured tree of " + dir + " from the restore point");
        WorkMeter.current().expect(snapshot.artifacts().size(), snapshot.artifacts().stream().mapToLong(
                Artifact::size).sum());
        try {
            host.copyTree(ctx.artifactDir(snapshot).resolve(TREE), fresh, TreeCopy.all().excluding(
                    keep.excludes().toArray(String[]::new)));
        } catch (RuntimeException e) {
            // nothing live was moved yet: the half-made copy beside the folder only takes up space (a full disk)
            try {
                host.delete(work);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
                throw fail("the captured tree copied to " + fresh, e.getMessage() + ", and the half-made copy "
                        + work + " could not be removed: " + again.getMessage(), "remove " + work + " by hand; "
                        + dir + " was not changed");
            }
            throw e;
        }
        try {
            moveKept(host, fresh);
            if (failed != null) {
                host.move(dir, failed);
            }
            try {
                host.move(fresh, dir);
            } catch (RuntimeException e) {
                if (failed != null) {
                    host.move(failed, dir);
                }
                throw e;
            }
        } catch (RuntimeException e) {
            try {
                if (host.exists(dir)) { // else the failed tree could not be moved back: leave all for a person
                    putBackKept(host, fresh);
                    host.delete(work);
                }
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        host.delete(work);
    }

    /**
     * Moves each excluded path of the live tree into the new tree, shortest first. First checks
     * that no folder on the way is a link in the new tree, which would carry the data elsewhere.
     */
    private void moveKept(Host host, Path fresh) {
        for (String x : excludes()) {
            Path parent = Path.of(x).getParent();
            Path p = fresh;
            for (Path part : parent == null ? List.<Path>of() : parent) {
                p = p.resolve(part);
                Optional<FileStat> st = host.stat(p);
                if (st.isPresent() && !st.get().isDirectory()) {
                    throw fail("a folder at " + fresh.relativize(p) + " in the captured tree to keep " + x + " in",
                            describe(st.get()), "exclude the folder itself, or capture a new restore point; "
                                    + "nothing was changed");
                }
            }
        }
        for (String x : excludes()) {
            Path from = dir.resolve(x);
            if (host.exists(from)) {
                Path to = fresh.resolve(x);
                host.createDirectories(to.getParent());
                host.move(from, to);
            }
        }
    }

    /**
     * Moves back into the live tree every excluded path found in a new tree: only {@link #moveKept}
     * puts them there, since the copy leaves them out.
     */
    private void putBackKept(Host host, Path fresh) {
        if (!host.exists(fresh)) {
            return;
        }
        for (String x : excludes()) {
            Path moved = fresh.resolve(x);
            if (host.exists(moved)) {
                Path home = dir.resolve(x);
                if (host.exists(home)) {
                    throw fail("the kept path " + x + " in one place", "it both in " + dir + " and in " + fresh
                            + ", left by an interrupted restore", "merge them by hand, remove " + fresh
                            + ", then resume");
                }
                host.createDirectories(home.getParent());
                host.move(moved, home);
            }
        }
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
            return Optional.of(Problem.of(name, "a snapshot made by Directory.backup", "one made by strategy '"
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
    private static boolean absent(Snapshot s) {
        return dev.rollback.spi.SnapshotFields.of(s).bool("absent", false);
    }

    private static List<String> capturedExcludes(Snapshot s) {
        String raw = s.get("excludes").orElse("");
        return raw.isEmpty() ? List.of() : Arrays.asList(raw.split("\n"));
    }

    /** The folder a restore builds the new tree in: beside the live one, so renames stay on one file system. */
    private Path workDir(RestoreContext ctx) {
        return dir.resolveSibling(dir.getFileName() + ".rollback-" + DirectoryPaths.sanitise(ctx.rollbackId(), 64));
    }

    /** A name for the failed tree not yet taken: {@code <dir>-failed-<yyyyMMdd-HHmmss>-<label>}. */
    private String failedName(RestoreContext ctx) {
        String base = dir.getFileName() + "-failed-" + DirectoryPaths.stamp(ctx.clock()) + "-"
                + DirectoryPaths.sanitise(ctx.point().label(), 48);
        String candidate = base;
        for (int i = 2; ctx.host().exists(dir.resolveSibling(candidate)); i++) {
            candidate = base + "-" + i;
        }
        return candidate;
    }

    private static String describe(FileStat st) {
        return switch (st.type()) {
            case SYMLINK -> "a symbolic link to " + st.linkTarget();
            case FILE -> "a file";
            case DIRECTORY -> "a folder";
            case OTHER -> "a device, socket or pipe";
        };
    }

    private RollbackException fail(String expected, String found, String action) {
        return new RollbackException("target '" + name + "': expected " + expected + ", found " + found + "; " + action,
                null, name, null);
    }

    @Override
    public String toString() {
        return "Directory.backup(" + dir + ")" + (keep.excludes().isEmpty() ? "" : ".excluding(" + excludes() + ")")
                + "[" + name + ", " + kind + "]";
    }
}
