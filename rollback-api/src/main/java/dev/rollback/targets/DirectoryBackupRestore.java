package dev.rollback.targets;

import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.TreeCopy;
import dev.rollback.host.WorkMeter;
import dev.rollback.spi.Artifact;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The restore of a {@link DirectoryBackup}: the captured tree copied beside the folder, the
 * excluded paths of the live tree moved into it, the failed tree moved aside and kept, the new tree
 * renamed into place; a failed restore puts back what it moved, and one interrupted by a crash picks
 * up where it was (the name chosen for the failed tree is kept in the work folder).
 *
 * <p>Immutable and thread-safe; a restore runs in the calling thread, through the context's host.
 */
final class DirectoryBackupRestore {

    private static final String FAILED_NAME = "failed-name";

    private final DirectoryBackup backup;
    private final Path dir;

    DirectoryBackupRestore(DirectoryBackup backup) {
        this.backup = backup;
        this.dir = backup.dir();
    }

    /** Puts the captured tree of {@code snapshot}, a snapshot of this folder, in place. */
    void restore(Snapshot snapshot, RestoreContext ctx) {
        Host host = ctx.host();
        host.stat(dir).filter(st -> !st.isDirectory()).ifPresent(st -> {
            throw backup.fail("a folder at " + dir, DirectoryBackup.describe(st), "move it away first; nothing was changed");
        });
        Path work = workDir(dir, ctx);
        Path fresh = work.resolve(DirectoryBackup.TREE);
        Path nameFile = work.resolve(FAILED_NAME);
        Optional<FileStat> w = host.stat(work);
        if (w.isPresent() && !w.get().isDirectory()) {
            throw backup.fail("a folder or nothing at " + work, DirectoryBackup.describe(w.get()), "move it away; nothing was changed");
        }
        if (w.isEmpty()) {
            host.createDirectories(work);
        }
        String failedName;
        if (host.exists(nameFile)) {
            failedName = new String(host.read(nameFile), StandardCharsets.UTF_8); // a crashed run chose it
        } else {
            failedName = host.exists(dir) ? failedName(dir, ctx) : "";
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
        if (DirectoryBackup.absent(snapshot)) {
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
            host.copyTree(ctx.artifactDir(snapshot).resolve(DirectoryBackup.TREE), fresh, TreeCopy.all().excluding(
                    backup.keep().excludes().toArray(String[]::new)));
        } catch (RuntimeException e) {
            // nothing live was moved yet: the half-made copy beside the folder only takes up space (a full disk)
            try {
                host.delete(work);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
                throw backup.fail("the captured tree copied to " + fresh, e.getMessage() + ", and the half-made copy "
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
        for (String x : backup.excludes()) {
            Path parent = Path.of(x).getParent();
            Path p = fresh;
            for (Path part : parent == null ? List.<Path>of() : parent) {
                p = p.resolve(part);
                Optional<FileStat> st = host.stat(p);
                if (st.isPresent() && !st.get().isDirectory()) {
                    throw backup.fail("a folder at " + fresh.relativize(p) + " in the captured tree to keep " + x + " in",
                            DirectoryBackup.describe(st.get()), "exclude the folder itself, or capture a new restore point; "
                                    + "nothing was changed");
                }
            }
        }
        for (String x : backup.excludes()) {
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
        for (String x : backup.excludes()) {
            Path moved = fresh.resolve(x);
            if (host.exists(moved)) {
                Path home = dir.resolve(x);
                if (host.exists(home)) {
                    throw backup.fail("the kept path " + x + " in one place", "it both in " + dir + " and in " + fresh
                            + ", left by an interrupted restore", "merge them by hand, remove " + fresh
                            + ", then resume");
                }
                host.createDirectories(home.getParent());
                host.move(moved, home);
            }
        }
    }

    /** The folder a restore builds the new tree in: beside the live one, so renames stay on one file system. */
    static Path workDir(Path dir, RestoreContext ctx) {
        return dir.resolveSibling(dir.getFileName() + ".rollback-" + DirectoryPaths.sanitise(ctx.rollbackId(), 64));
    }

    /** A name for the failed tree not yet taken: {@code <dir>-failed-<yyyyMMdd-HHmmss>-<label>}. */
    static String failedName(Path dir, RestoreContext ctx) {
        String base = dir.getFileName() + "-failed-" + DirectoryPaths.stamp(ctx.clock()) + "-"
                + DirectoryPaths.sanitise(ctx.point().label(), 48);
        String candidate = base;
        for (int i = 2; ctx.host().exists(dir.resolveSibling(candidate)); i++) {
            candidate = base + "-" + i;
        }
        return candidate;
    }
}
