package dev.rollback.db.internal;

import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import java.nio.file.Path;

/** Copies small folders (migration scripts) through a {@link Host}, file by file, owner-only. */
public final class HostTrees {

    private HostTrees() {}

    /**
     * Copies the regular files under {@code from} into {@code to} (created, mode 0700 folders and
     * 0600 files), leaving out Python's byte-code caches and the folder that holds {@code to} (a
     * store kept inside the copied folder); returns the number of files copied.
     *
     * @throws IllegalStateException if {@code from} is not a folder
     */
    public static int copy(Host host, Path from, Path to) {
        return copy(host, from, to, to);
    }

    private static int copy(Host host, Path from, Path to, Path root) {
        if (!host.stat(from).map(FileStat::isDirectory).orElse(false)) {
            throw new IllegalStateException("expected a folder of migration scripts at " + from + " on host " + host.name()
                    + ", found " + (host.exists(from) ? "something else" : "nothing") + "; check the project folder");
        }
        host.createDirectories(to);
        host.setMode(to, 0700);
        int n = 0;
        for (Path p : host.list(from)) {
            String name = p.getFileName().toString();
            if (name.equals("__pycache__") || name.endsWith(".pyc") || root.startsWith(p)) {
                continue;
            }
            FileStat st = host.stat(p).orElse(null);
            if (st == null) {
                continue;
            }
            if (st.isDirectory()) {
                n += copy(host, p, to.resolve(name), root);
            } else if (st.isFile()) {
                host.write(to.resolve(name), host.read(p), 0600);
                n++;
            }
        }
        return n;
    }
}
