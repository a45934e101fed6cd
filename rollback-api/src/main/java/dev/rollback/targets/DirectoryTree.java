package dev.rollback.targets;

import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.TreeCopy;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Walks and compares folder trees through a {@link Host}, never following links; not API. Stateless. */
final class DirectoryTree {

    private DirectoryTree() {}

    /**
     * Every entry under {@code root} (not the root itself), keyed by its path relative to the root
     * with {@code /}, excluded paths and what is under them left out.
     */
    static Map<String, FileStat> walk(Host host, Path root, TreeCopy excludes) {
        Map<String, FileStat> out = new TreeMap<>();
        Deque<Path> dirs = new ArrayDeque<>();
        dirs.push(root);
        while (!dirs.isEmpty()) {
            Path dir = dirs.pop();
            for (Path p : host.list(dir)) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (excludes.isExcluded(rel)) {
                    continue;
                }
                FileStat st = host.stat(p).orElse(null);
                if (st == null) {
                    continue; // removed while we looked
                }
                out.put(rel, st);
                if (st.isDirectory()) {
                    dirs.push(p);
                }
            }
        }
        return out;
    }

    /**
     * What replacing tree {@code live} by tree {@code captured} changes: entries other than folders
     * added, removed, changed (type, size, time, mode, link target, and owners when {@code owners})
     * and unchanged; a folder counts only when it changes type or mode.
     *
     * @param samples up to this many changed paths are named, for messages
     */
    static Diff diff(Map<String, FileStat> live, Map<String, FileStat> captured, boolean owners, int samples) {
        int added = 0;
        int removed = 0;
        int changed = 0;
        int unchanged = 0;
        long bytes = 0;
        List<String> named = new ArrayList<>();
        for (Map.Entry<String, FileStat> e : captured.entrySet()) {
            FileStat c = e.getValue();
            FileStat l = live.get(e.getKey());
            if (c.isFile()) {
                bytes += c.size();
            }
            boolean counted = !c.isDirectory() || (l != null && !l.isDirectory());
            if (l == null) {
                if (!c.isDirectory()) {
                    added++;
                    name(named, samples, "added " + e.getKey());
                }
            } else if (!same(l, c, owners)) {
                changed++;
                name(named, samples, "changed " + e.getKey());
            } else if (counted) {
                unchanged++;
            }
        }
        for (Map.Entry<String, FileStat> e : live.entrySet()) {
            if (!captured.containsKey(e.getKey()) && !e.getValue().isDirectory()) {
                removed++;
                name(named, samples, "removed " + e.getKey());
            }
        }
        return new Diff(added, removed, changed, unchanged, bytes, List.copyOf(named));
    }

    private static void name(List<String> named, int max, String what) {
        if (named.size() < max) {
            named.add(what);
        }
    }

    private static boolean same(FileStat a, FileStat b, boolean owners) {
        if (a.type() != b.type() || a.mode() != b.mode()) {
            return false;
        }
        if (owners && (!Objects.equals(a.owner(), b.owner()) || !Objects.equals(a.group(), b.group()))) {
            return false;
        }
        return switch (a.type()) {
            case FILE -> a.size() == b.size() && a.modified().equals(b.modified());
            case SYMLINK -> Objects.equals(a.linkTarget(), b.linkTarget());
            default -> true;
        };
    }

    /**
     * How two trees differ.
     *
     * @param added entries the captured tree has and the live one lacks
     * @param removed entries the live tree has and the captured one lacks
     * @param changed entries in both that differ
     * @param unchanged entries in both that are the same
     * @param capturedBytes the bytes of the captured tree's regular files
     * @param samples some of the differing paths, for messages
     */
    record Diff(int added, int removed, int changed, int unchanged, long capturedBytes, List<String> samples) {

        boolean isEmpty() {
            return added == 0 && removed == 0 && changed == 0;
        }
    }
}
