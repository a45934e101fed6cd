package dev.rollback.host;

import static dev.rollback.host.LocalFiles.NOFOLLOW;
import static dev.rollback.host.LocalFiles.ROOT;
import static dev.rollback.host.LocalFiles.copyOwner;
import static dev.rollback.host.LocalFiles.failure;
import static dev.rollback.host.LocalFiles.view;

import dev.rollback.internal.Files2;
import dev.rollback.internal.Logs;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * Whole trees on this machine for {@link LocalHost}: the copy (with exclusions and hard links to an
 * earlier copy) and the digest (reusing the digests of files that are hard links to an earlier tree).
 *
 * <p>Thread-safe and stateless: each call walks the tree with its own visitor.
 */
final class LocalTrees {

    /** Logged under the facade's name, as before the split. */
    private static final Logger LOG = Logs.of(LocalHost.class);
    private static final String UNIX_ATTRS = "unix:size,mode,uid,gid,lastModifiedTime";

    private LocalTrees() {}

    static void copyTree(Path from, Path to, TreeCopy how) {
        if (!Files.isDirectory(from, NOFOLLOW)) {
            throw new HostException("copy of the tree " + from + " on host local: expected a folder, found "
                    + (Files.exists(from, NOFOLLOW) ? "something else" : "nothing") + "; check the path");
        }
        if (Files.exists(to, NOFOLLOW)) {
            throw new HostException("copy of the tree " + from + " to " + to + " on host local: expected nothing at "
                    + to + ", found something; move it away or choose another destination");
        }
        try {
            Files.walkFileTree(from, new TreeCopier(from, to, how));
        } catch (IOException e) {
            throw failure("copy the tree " + from + " to", to, e);
        }
    }

    /** Copies a tree; folder modes and times are applied on the way out, so read-only folders fill. */
    private static final class TreeCopier extends SimpleFileVisitor<Path> {
        private final Path from;
        private final Path to;
        private final TreeCopy how;
        private final Deque<PosixFileAttributes> dirs = new ArrayDeque<>();
        private final WorkMeter meter = WorkMeter.current();

        TreeCopier(Path from, Path to, TreeCopy how) {
            this.from = from;
            this.to = to;
            this.how = how;
        }

        private String rel(Path p) {
            return from.relativize(p).toString().replace(File.separatorChar, '/');
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
            String rel = rel(dir);
            if (!rel.isEmpty() && how.isExcluded(rel)) {
                return FileVisitResult.SKIP_SUBTREE;
            }
            Files.createDirectory(to.resolve(rel));
            dirs.push(Files.readAttributes(dir, PosixFileAttributes.class, NOFOLLOW));
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes basic) throws IOException {
            String rel = rel(file);
            if (how.isExcluded(rel)) {
                return FileVisitResult.CONTINUE;
            }
            Path dst = to.resolve(rel);
            if (basic.isSymbolicLink()) {
                Files.createSymbolicLink(dst, Files.readSymbolicLink(file));
                if (ROOT) {
                    copyOwner(file, dst);
                }
            } else if (basic.isRegularFile()) {
                // numeric owners: looking names up costs more than the stat itself, per file
                Map<String, Object> a = Files.readAttributes(file, UNIX_ATTRS, NOFOLLOW);
                Path earlier = how.linkDest() == null ? null : how.linkDest().resolve(rel);
                if (earlier != null && sameFile(a, earlier)) {
                    Files.createLink(dst, earlier);
                    meter.add(1, 0);
                } else {
                    Files.copy(file, dst, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    meter.add(1, basic.size());
                    // the copy keeps times to the microsecond only; cp -a keeps nanoseconds, and so do we
                    Files.setLastModifiedTime(dst, (FileTime) a.get("lastModifiedTime"));
                    if (ROOT) {
                        Files.setAttribute(dst, "unix:uid", a.get("uid"), NOFOLLOW);
                        Files.setAttribute(dst, "unix:gid", a.get("gid"), NOFOLLOW);
                    }
                }
            } else {
                LOG.warn("copy of {}: left out {}, which is neither a file, a folder nor a link", from, file);
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
                throw e;
            }
            PosixFileAttributes a = dirs.pop();
            Path dst = to.resolve(rel(dir));
            Files.setPosixFilePermissions(dst, a.permissions());
            if (ROOT) {
                view(dst).setOwner(a.owner());
                view(dst).setGroup(a.group());
            }
            Files.setLastModifiedTime(dst, a.lastModifiedTime());
            return FileVisitResult.CONTINUE;
        }

        private static boolean sameFile(Map<String, Object> live, Path earlier) {
            try {
                Map<String, Object> e = Files.readAttributes(earlier, UNIX_ATTRS, NOFOLLOW);
                return e.get("size").equals(live.get("size"))
                        // the mode holds the file type too, so a folder or link at earlier never matches
                        && e.get("mode").equals(live.get("mode"))
                        && micros(e).equals(micros(live))
                        && (!ROOT || (e.get("uid").equals(live.get("uid")) && e.get("gid").equals(live.get("gid"))));
            } catch (IOException notThere) {
                return false;
            }
        }

        /** Compared at the microsecond: copies made before times were kept to the nanosecond still match. */
        private static Long micros(Map<String, Object> a) {
            return ((FileTime) a.get("lastModifiedTime")).to(java.util.concurrent.TimeUnit.MICROSECONDS);
        }
    }

    static List<FileDigest> digestTree(Path dir, Path earlier, Collection<FileDigest> known) {
        Objects.requireNonNull(known, "known");
        if (!Files.isDirectory(dir, NOFOLLOW)) {
            throw new HostException("digest the tree " + dir + " on host local: expected a folder, found "
                    + (Files.exists(dir, NOFOLLOW) ? "something else" : "nothing") + "; check the path");
        }
        Map<String, FileDigest> before = new HashMap<>();
        known.forEach(d -> before.put(d.path(), d));
        List<FileDigest> out = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile()) {
                        String rel = dir.relativize(f).toString().replace(File.separatorChar, '/');
                        FileDigest was = before.get(rel);
                        if (was != null && earlier != null && was.size() == attrs.size()
                                && sameFile(attrs, earlier.resolve(rel))) {
                            out.add(was);
                        } else {
                            out.add(new FileDigest(rel, attrs.size(), Files2.sha256(f)));
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw failure("digest the tree", dir, e);
        }
        out.sort(Comparator.comparing(FileDigest::path));
        return out;
    }

    /** Whether {@code other} is the file described by {@code attrs}: the same inode, a hard link. */
    private static boolean sameFile(BasicFileAttributes attrs, Path other) {
        try {
            Object key = Files.readAttributes(other, BasicFileAttributes.class, NOFOLLOW).fileKey();
            return key != null && key.equals(attrs.fileKey());
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw failure("read the attributes of", other, e);
        }
    }
}
