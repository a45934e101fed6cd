package dev.rollback.internal.engine;

import dev.rollback.spi.TreeEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The entries of a folder in the local store, without following links: what a capture records of
 * a target's folder, and what a preflight compares with that record.
 *
 * <p>Stateless and thread-safe.
 */
public final class StoredTree {

    private StoredTree() {}

    /** Every entry under {@code dir} (not {@code dir} itself), sorted by path; empty if it does not exist. */
    public static List<TreeEntry> walk(Path dir) throws IOException {
        List<TreeEntry> out = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted()::iterator) {
                if (p.equals(dir)) {
                    continue;
                }
                out.add(entry(dir, p));
            }
        }
        return out;
    }

    private static TreeEntry entry(Path dir, Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int mode = ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
        String rel = dir.relativize(p).toString().replace(java.io.File.separatorChar, '/');
        if (a.isSymbolicLink()) {
            return new TreeEntry(rel, TreeEntry.Type.LINK, mode, Files.readSymbolicLink(p).toString());
        }
        TreeEntry.Type type = a.isDirectory() ? TreeEntry.Type.DIR : a.isRegularFile() ? TreeEntry.Type.FILE
                : TreeEntry.Type.OTHER;
        return new TreeEntry(rel, type, mode, null);
    }

    /**
     * What differs between the recorded entries and those found, one line per path ({@code path:
     * change}); entries for which {@code ignore} holds (on either side) are left out.
     */
    public static List<String> changes(List<TreeEntry> recorded, List<TreeEntry> found, Predicate<String> ignore) {
        Map<String, TreeEntry> was = new LinkedHashMap<>();
        recorded.forEach(e -> was.put(e.path(), e));
        Map<String, TreeEntry> now = new LinkedHashMap<>();
        found.forEach(e -> now.put(e.path(), e));
        List<String> out = new ArrayList<>();
        for (TreeEntry e : recorded) {
            if (ignore.test(e.path())) {
                continue;
            }
            TreeEntry n = now.get(e.path());
            if (n == null) {
                out.add(e.path() + ": " + e.describe() + " was removed");
            } else if (n.type() != e.type()) {
                out.add(e.path() + ": " + e.describe() + " became a " + n.describe());
            } else if (e.link() != null && !e.link().equals(n.link())) {
                out.add(e.path() + ": link to " + e.link() + " now points to " + n.link());
            } else if (n.mode() != e.mode() && e.type() != TreeEntry.Type.LINK) {
                out.add(e.path() + ": mode " + String.format("%04o", e.mode()) + " became " + String.format("%04o",
                        n.mode()));
            }
        }
        for (TreeEntry n : found) {
            if (!was.containsKey(n.path()) && !ignore.test(n.path())) {
                out.add(n.path() + ": " + n.describe() + " was added");
            }
        }
        return out;
    }
}
