package dev.rollback.targets;

import dev.rollback.error.RollbackException;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.spi.Names;
import java.nio.file.Path;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** Path helpers of the directory targets, all through a {@link Host}; not API. Stateless. */
final class DirectoryPaths {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final int MAX_LINKS = 40;

    private DirectoryPaths() {}

    /** A default target name made of a file name: unsafe characters become {@code -}. */
    static String nameOf(Path path, String fallback) {
        Path file = path.getFileName();
        String clean = file == null ? "" : sanitise(file.toString(), 64);
        try {
            return Names.requireName(clean, "default target name");
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    /** Text made safe for a file name: letters, digits, {@code . _ -} only, at most {@code max} characters. */
    static String sanitise(String text, int max) {
        String clean = text.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[-.]+|-+$", "");
        if (clean.length() > max) {
            clean = clean.substring(0, max).replaceAll("-+$", "");
        }
        return clean.isEmpty() ? "point" : clean;
    }

    /** The time as {@code yyyyMMdd-HHmmss} in the clock's zone, as {@code date +%Y%m%d-%H%M%S} writes it. */
    static String stamp(Clock clock) {
        return STAMP.format(clock.instant().atZone(clock.getZone()));
    }

    /** An absolute, normalised path with a parent folder. */
    static Path absolute(Path path, String what) {
        if (path == null) {
            throw new NullPointerException(what);
        }
        Path abs = path.toAbsolutePath().normalize();
        if (abs.getParent() == null) {
            throw new IllegalArgumentException(what + ": expected a path below the root folder, found '" + path
                    + "'; give the folder to roll back, such as /opt/app");
        }
        return abs;
    }

    /**
     * Where {@code path} leads once every symbolic link in it is followed, as {@code realpath -m}
     * says; components that do not exist are kept as written.
     *
     * @throws RollbackException if links loop or nest more than 40 deep
     */
    static Path realPath(Host host, Path path, String target) {
        Path abs = path.toAbsolutePath();
        Path done = abs.getRoot();
        Path rest = names(abs);
        int hops = 0;
        while (rest != null && rest.getNameCount() > 0) {
            String first = rest.getName(0).toString();
            rest = rest.getNameCount() > 1 ? rest.subpath(1, rest.getNameCount()) : null;
            if (first.isEmpty() || first.equals(".")) {
                continue;
            }
            if (first.equals("..")) {
                done = done.getParent() == null ? done : done.getParent();
                continue;
            }
            Path next = done.resolve(first);
            Optional<FileStat> st = host.stat(next);
            if (st.isPresent() && st.get().isSymlink()) {
                if (++hops > MAX_LINKS) {
                    throw new RollbackException("target '" + target + "': expected " + path + " to resolve, found "
                            + "more than " + MAX_LINKS + " symbolic links (a loop?); fix the links", null, target, null);
                }
                // the link's own components are resolved one by one too: "a/../b" where a is a link
                // must follow a before going up
                Path link = st.get().linkTarget();
                Path linkRest = names(link);
                done = link.isAbsolute() ? link.getRoot() : done;
                rest = linkRest == null ? rest : rest == null ? linkRest : linkRest.resolve(rest);
                continue;
            }
            done = next;
        }
        return done.normalize();
    }

    /** The names of a path without its root, as a relative path (never normalised); null if none. */
    private static Path names(Path p) {
        return p.getNameCount() == 0 ? null : p.subpath(0, p.getNameCount());
    }
}
