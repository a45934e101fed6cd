package dev.rollback.git;

import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The uncommitted changes of a work tree, held as the files themselves, like a stash: each changed
 * path with its content and mode, a symbolic link with its target, a deleted path as deleted. They
 * are read and put back through the {@link Host}, and kept in a restore point as artifacts: a
 * manifest {@code uncommitted/manifest.tsv} and one file per saved content, {@code
 * uncommitted/files/N}.
 *
 * <p>What a stash keeps and this does not: which changes were staged. After putting changes back,
 * every one of them is an unstaged change of the work tree. Untracked folders that hold a repository
 * of their own are left out: no git command of ours touches them.
 *
 * <p>Immutable.
 */
final class Uncommitted {

    /** The artifact folder's name inside a target's artifacts. */
    public static final String FOLDER = "uncommitted";

    private static final String MANIFEST = "manifest.tsv";
    private static final String FILES = "files";

    /** What one path was. */
    enum Kind {
        /** A regular file, with content and mode. */
        FILE,
        /** A symbolic link; the content is its target. */
        LINK,
        /** The path was deleted. */
        DELETED
    }

    /** One saved path. */
    record Entry(String path, Kind kind, int mode, byte[] content) {
        Entry {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(kind, "kind");
        }
    }

    private final List<Entry> entries;

    private Uncommitted(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Reads the current content of {@code paths} (relative to {@code workTree}) through the host. */
    public static Uncommitted read(Host host, Path workTree, List<String> paths) {
        List<Entry> out = new ArrayList<>();
        for (String p : paths) {
            Path file = workTree.resolve(p);
            Optional<FileStat> stat = host.stat(file);
            if (stat.isEmpty()) {
                out.add(new Entry(p, Kind.DELETED, 0, null));
            } else if (stat.get().isSymlink()) {
                out.add(new Entry(p, Kind.LINK, 0,
                        stat.get().linkTarget().toString().getBytes(StandardCharsets.UTF_8)));
            } else if (stat.get().isFile()) {
                out.add(new Entry(p, Kind.FILE, stat.get().mode(), host.read(file)));
            }
            // a folder: an untracked repository of its own, which no reset or checkout touches
        }
        return new Uncommitted(out);
    }

    /** Whether there is nothing saved. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** How many paths are saved. */
    public int size() {
        return entries.size();
    }

    /** The saved paths, in order. */
    public List<String> paths() {
        return entries.stream().map(Entry::path).toList();
    }

    /**
     * Writes the changes as artifacts into {@code folder} (in the restore point, on the host that
     * keeps it), through the host, owner-only.
     */
    public void writeTo(Host host, Path folder) {
        host.createDirectories(folder.resolve(FILES));
        StringBuilder manifest = new StringBuilder();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            String file = e.kind() == Kind.DELETED ? "-" : String.valueOf(i);
            if (e.content() != null) {
                host.write(folder.resolve(FILES).resolve(file), e.content(), 0600);
            }
            manifest.append(e.kind().name()).append('\t').append(Integer.toOctalString(e.mode())).append('\t')
                    .append(file).append('\t').append(URLEncoder.encode(e.path(), StandardCharsets.UTF_8))
                    .append('\n');
        }
        host.write(folder.resolve(MANIFEST), manifest.toString().getBytes(StandardCharsets.UTF_8), 0600);
    }

    /** Reads changes saved by {@link #writeTo(Host, Path)}, through the host; none if the folder has no manifest. */
    public static Uncommitted readFrom(Host host, Path folder) {
        Path manifest = folder.resolve(MANIFEST);
        Optional<FileStat> st = host.stat(manifest);
        if (st.isEmpty() || !st.get().isFile()) {
            return new Uncommitted(List.of());
        }
        List<Entry> out = new ArrayList<>();
        for (String line : new String(host.read(manifest), StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 4) {
                throw new IllegalStateException("uncommitted changes in " + folder + ": expected lines of 4 "
                        + "tab-separated fields, found '" + line + "'; the artifact is damaged");
            }
            Kind kind = Kind.valueOf(f[0]);
            byte[] content = f[2].equals("-") ? null : host.read(folder.resolve(FILES).resolve(f[2]));
            out.add(new Entry(URLDecoder.decode(f[3], StandardCharsets.UTF_8), kind, Integer.parseInt(f[1], 8),
                    content));
        }
        return new Uncommitted(out);
    }

    /** Puts the saved changes of the paths {@code which} accepts back into {@code workTree}, through the host. */
    public void applyTo(Host host, Path workTree, Predicate<String> which) {
        for (Entry e : entries) {
            if (!which.test(e.path())) {
                continue;
            }
            Path file = workTree.resolve(e.path());
            switch (e.kind()) {
                case DELETED -> host.delete(file);
                case LINK -> {
                    Optional<FileStat> now = host.stat(file);
                    if (now.isPresent() && !now.get().isDirectory()) {
                        host.delete(file);
                    }
                    host.createDirectories(file.getParent());
                    host.symlink(file, Path.of(new String(e.content(), StandardCharsets.UTF_8)));
                }
                case FILE -> {
                    Optional<FileStat> now = host.stat(file);
                    if (now.isPresent() && now.get().isSymlink()) {
                        host.delete(file);
                        now = Optional.empty();
                    }
                    host.createDirectories(file.getParent());
                    host.write(file, e.content(), e.mode());
                    if (now.isPresent() && now.get().mode() != e.mode()) {
                        host.setMode(file, e.mode());
                    }
                }
            }
        }
    }

    /** The paths {@code which} accepts whose content in {@code workTree} differs from what was saved. */
    public List<String> differences(Host host, Path workTree, Predicate<String> which) {
        List<String> out = new ArrayList<>();
        for (Entry e : entries) {
            if (!which.test(e.path())) {
                continue;
            }
            Path file = workTree.resolve(e.path());
            Optional<FileStat> now = host.stat(file);
            boolean same = switch (e.kind()) {
                case DELETED -> now.isEmpty();
                case LINK -> now.isPresent() && now.get().isSymlink()
                        && now.get().linkTarget().toString().equals(new String(e.content(), StandardCharsets.UTF_8));
                case FILE -> now.isPresent() && now.get().isFile() && Arrays.equals(host.read(file), e.content());
            };
            if (!same) {
                out.add(e.path());
            }
        }
        return out;
    }
}
