package dev.rollback.host;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link Host#copyTree} copies a folder: which relative paths to leave out (data that must
 * survive a rollback, such as {@code logs} or {@code uploads}), and an earlier copy to hard-link
 * unchanged files from, as {@code rsync --link-dest} does.
 *
 * <p>Immutable and thread-safe.
 *
 * @param excludes paths relative to the source root, such as {@code logs} or {@code data/cache};
 *     a path and everything under it is left out
 * @param linkDest an earlier copy of the same tree: a file with the same relative path, size,
 *     modification time and mode there is hard-linked instead of copied; null for none
 */
public record TreeCopy(Set<String> excludes, Path linkDest) {

    /** Normalises and validates the excludes. */
    public TreeCopy {
        Set<String> clean = new LinkedHashSet<>();
        for (String e : excludes) {
            Objects.requireNonNull(e, "exclude");
            String n = e.replace('\\', '/');
            while (n.endsWith("/")) {
                n = n.substring(0, n.length() - 1);
            }
            while (n.startsWith("./")) {
                n = n.substring(2);
            }
            if (n.isEmpty() || n.startsWith("/") || List.of(n.split("/")).contains("..")) {
                throw new IllegalArgumentException("exclude '" + e + "': expected a path relative to the tree's root "
                        + "without '..', such as 'logs' or 'public/uploads'");
            }
            clean.add(n);
        }
        excludes = Set.copyOf(clean);
    }

    /** A full copy: nothing excluded, nothing linked. */
    public static TreeCopy all() {
        return new TreeCopy(Set.of(), null);
    }

    /** This copy, leaving out the given relative paths. */
    public TreeCopy excluding(String... paths) {
        Set<String> more = new LinkedHashSet<>(excludes);
        more.addAll(List.of(paths));
        return new TreeCopy(more, linkDest);
    }

    /** This copy, hard-linking unchanged files from an earlier copy. */
    public TreeCopy linkingTo(Path earlierCopy) {
        return new TreeCopy(excludes, earlierCopy);
    }

    /** Whether the relative path (with {@code /}) is excluded, itself or through a parent. */
    public boolean isExcluded(String relative) {
        for (String e : excludes) {
            if (relative.equals(e) || relative.startsWith(e + "/")) {
                return true;
            }
        }
        return false;
    }
}
