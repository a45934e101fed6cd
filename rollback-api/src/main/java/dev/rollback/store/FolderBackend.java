package dev.rollback.store;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The records of a store in a folder on a host: one file per key, written atomically and owner-only through the
 * host. The lock is {@link LocalLock} on this machine and {@link RemoteLock} (a {@code flock} held by a process of
 * this connection's session) on a server.
 */
final class FolderBackend implements StoreBackend {

    private final Host host;
    private final Path dir;
    private final boolean local;

    FolderBackend(Host host, Path dir) {
        this.host = Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dir, "dir");
        if (!dir.isAbsolute()) {
            throw new IllegalArgumentException("store folder: expected an absolute folder, found '" + dir
                    + "'; give a path such as /var/lib/rollback");
        }
        this.dir = dir.normalize();
        this.local = host.sharesLocalFiles();
    }

    @Override
    public String describe() {
        return "folder " + dir + (local ? "" : " on " + host.name());
    }

    Host host() {
        return host;
    }

    Path dir() {
        return dir;
    }

    Path path(String key) {
        return dir.resolve(StoreRules.requireKey(key));
    }

    @Override
    public Optional<byte[]> read(String key) {
        Path p = path(key);
        try {
            Optional<FileStat> stat = host.stat(p);
            if (stat.isEmpty()) {
                return Optional.empty();
            }
            if (!stat.get().isFile()) {
                throw new StoreException("store " + describe() + ": expected a file at " + p + ", found a "
                        + stat.get().type().name().toLowerCase() + "; remove it, it is not the store's", null);
            }
            return Optional.of(host.read(p));
        } catch (HostException e) {
            throw new StoreException("store " + describe() + ": expected to read " + p + ", found " + e.getMessage()
                    + "; check that the folder is reachable and readable", e);
        }
    }

    @Override
    public void write(String key, byte[] content) {
        Objects.requireNonNull(content, "content");
        Path p = path(key);
        try {
            ensureFolder(p.getParent());
            host.write(p, content, 0600);
        } catch (HostException e) {
            throw new StoreException("store " + describe() + ": expected to write " + p + " (" + content.length
                    + " bytes), found " + e.getMessage() + "; nothing was changed there; free space or fix the "
                    + "permissions of " + dir + ", then try again", e);
        }
    }

    private void ensureFolder(Path folder) {
        if (host.stat(folder).isEmpty()) {
            host.createDirectories(folder);
            for (Path f = folder; f != null && f.startsWith(dir); f = f.getParent()) {
                host.setMode(f, 0700);
            }
        }
    }

    @Override
    public List<String> list(String prefix) {
        Path start = prefix.isEmpty() ? dir : path(prefix);
        List<String> out = new ArrayList<>();
        try {
            walk(start, out);
        } catch (HostException e) {
            throw new StoreException("store " + describe() + ": expected to list " + start + ", found "
                    + e.getMessage() + "; check that the folder is reachable and readable", e);
        }
        out.sort(null);
        return out;
    }

    private void walk(Path folder, List<String> out) {
        Optional<FileStat> stat = host.stat(folder);
        if (stat.isEmpty() || !stat.get().isDirectory()) {
            return;
        }
        for (Path child : host.list(folder)) {
            Path p = folder.resolve(child.getFileName());
            String name = p.getFileName().toString();
            if (name.startsWith(".")) {
                continue; // a host's temp file of an atomic write, or a lock's own files
            }
            Optional<FileStat> s = host.stat(p);
            if (s.isPresent() && s.get().isDirectory()) {
                walk(p, out);
            } else if (s.isPresent() && s.get().isFile() && !p.startsWith(dir.resolve(LOCKS))) {
                out.add(dir.relativize(p).toString().replace('\\', '/'));
            }
        }
    }

    /**
     * Every document below a prefix. On a server, one command reads them all ({@code tar}, which opens each file
     * once, so a file replaced meanwhile is read whole, old or new, its archive written as hex by {@code od} since a
     * command's output is text), instead of a {@code stat} per entry and a {@code stat} and a read per document, each
     * a round trip. A server whose {@code tar} fails or writes what {@link TarEntries} does not read (a file
     * removed while it ran, another tar) is read document by document, as this machine's folder is (each read there
     * is a file read, not a round trip).
     */
    @Override
    public SortedMap<String, byte[]> readAll(String prefix) {
        if (local) {
            return StoreBackend.super.readAll(prefix);
        }
        Path start = prefix.isEmpty() ? dir : path(prefix);
        CommandResult r = run(Command.of("sh", "-c", READ_ALL, "rollback", start.toString())
                .timeout(java.time.Duration.ofMinutes(5)), "read every document below " + start);
        Map<String, byte[]> files;
        try {
            if (!r.succeeded() || !r.stderr().contains("tar:0")) {
                throw new IllegalArgumentException("tar ended with " + r.describe());
            }
            files = r.stdout().isBlank() ? Map.of() : TarEntries.read(hex(r.stdout()));
        } catch (IllegalArgumentException e) {
            org.slf4j.LoggerFactory.getLogger(FolderBackend.class).debug("store {}: reading below {} in one command "
                    + "failed ({}); reading each document", describe(), start, e.getMessage());
            return StoreBackend.super.readAll(prefix);
        }
        SortedMap<String, byte[]> out = new TreeMap<>();
        files.forEach((name, bytes) -> {
            boolean hidden = java.util.Arrays.stream(name.split("/")).anyMatch(s -> s.startsWith("."));
            if (!hidden) {
                out.put(dir.relativize(start.resolve(name)).toString().replace('\\', '/'), bytes);
            }
        });
        return out;
    }

    /** Writes the tar archive of {@code $1} as hex on standard output and tar's status as {@code tar:<n>}. */
    private static final String READ_ALL = "cd \"$1\" 2>/dev/null || { echo tar:0 >&2; exit 0; }; "
            + "{ tar -cf - . 2>/dev/null; echo \"tar:$?\" >&2; } | od -An -v -tx1";

    private static byte[] hex(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length() / 3 + 16);
        int n = text.length();
        for (int i = 0; i < n; i++) {
            int hi = Character.digit(text.charAt(i), 16);
            if (hi < 0) {
                continue; // spaces and line ends between the bytes
            }
            int lo = i + 1 < n ? Character.digit(text.charAt(i + 1), 16) : -1;
            if (lo < 0) {
                throw new IllegalArgumentException("expected two hex digits at " + i + " of od's output");
            }
            out.write(hi * 16 + lo);
            i++;
        }
        return out.toByteArray();
    }

    @Override
    public void delete(String key) {
        Path p = path(key);
        try {
            host.delete(p);
        } catch (HostException e) {
            throw new StoreException("store " + describe() + ": expected to remove " + p + ", found " + e.getMessage()
                    + "; fix the permissions of " + p.getParent() + ", then try again", e);
        }
    }

    static final String LOCKS = ".locks";

    Path lockDir() {
        return dir.resolve(LOCKS);
    }

    @Override
    public StoreLock lock(String name, LockOwner me) {
        StoreRules.requireLockName(name);
        Objects.requireNonNull(me, "me");
        return local ? LocalLock.acquire(this, name, me) : RemoteLock.acquire(this, name, me);
    }

    @Override
    public Optional<LockOwner> holder(String name) {
        StoreRules.requireLockName(name);
        return local ? LocalLock.holder(this, name) : RemoteLock.holder(this, name);
    }

    @Override
    public Optional<LockOwner> breakLock(String name, LockOwner by, String why) {
        StoreRules.requireLockName(name);
        Objects.requireNonNull(by, "by");
        StoreRules.requireReason(why, name, describe());
        if (local) {
            Optional<LockOwner> holder = LocalLock.holder(this, name);
            holder.ifPresent(h -> {
                throw new RollbackInProgressException("lock of '" + name + "' in store " + describe() + ": expected "
                        + "a holder that is gone, found it held by " + h.describe() + ", alive on this machine; "
                        + "stop that process (the lock is freed when it ends), a lock here is never stale");
            });
            return Optional.empty();
        }
        return RemoteLock.breakLock(this, name, by, why);
    }

    /** Runs a command on the store's host, failing with the store named. */
    CommandResult run(Command command, String what) {
        try {
            return host.run(command);
        } catch (HostException e) {
            throw new StoreException("store " + describe() + ": expected to " + what + ", found " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "StoreBackend[" + describe() + "]";
    }
}
