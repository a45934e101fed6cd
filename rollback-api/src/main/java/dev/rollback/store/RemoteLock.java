package dev.rollback.store;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.HeldCommand;
import dev.rollback.host.HostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The lock of a folder store on a server: {@code flock} on a lock file there, held by a process this connection
 * keeps running ({@code flock -n <file> sh -c 'echo held $$; exec cat'}). The process reads its standard input
 * until the end, so it ends, and the kernel frees the lock, when the lock is closed, when this JVM dies, and when
 * the SSH session ends for any reason (the client's machine gone, the connection cut, the server killing it).
 * Beside the lock an owner note names the holder and the pid of the holding process, which {@link #breakLock}
 * ends.
 */
final class RemoteLock implements StoreLock {

    /** flock's exit status when the lock is held by someone else (its {@code -E}). */
    static final int BUSY = 75;

    private static final Duration START = Duration.ofSeconds(15);
    private static final Duration BREAK = Duration.ofSeconds(15);

    private final FolderBackend store;
    private final HeldCommand held;
    private final Path ownerFile;
    private final LockOwner owner;
    private final long pid;
    private boolean closed;

    private RemoteLock(FolderBackend store, HeldCommand held, Path ownerFile, LockOwner owner, long pid) {
        this.store = store;
        this.held = held;
        this.ownerFile = ownerFile;
        this.owner = owner;
        this.pid = pid;
    }

    private static Path lockFile(FolderBackend store, String name) {
        return store.lockDir().resolve(name + ".lock");
    }

    private static Path ownerFile(FolderBackend store, String name) {
        return store.lockDir().resolve(name + ".owner.json");
    }

    static RemoteLock acquire(FolderBackend store, String name, LockOwner me) {
        Path lockFile = lockFile(store, name);
        Path ownerFile = ownerFile(store, name);
        HeldCommand held;
        try {
            store.host().createDirectories(store.lockDir());
            store.host().setMode(store.lockDir(), 0700);
            held = store.host().hold(Command.of("flock", "-n", "-E", Integer.toString(BUSY), lockFile.toString(),
                    "sh", "-c", "echo held $$; exec cat"));
        } catch (HostException e) {
            throw new StoreException("plan '" + name + "': expected to take its lock " + lockFile + " in store "
                    + store.describe() + ", found " + e.getMessage() + "; nothing was changed; the server needs "
                    + "flock (util-linux) and sh", e);
        }
        Optional<String> line = held.awaitLine(START);
        if (line.isEmpty() || !line.get().startsWith("held ")) {
            held.close();
            OptionalInt status = held.exitStatus();
            if (status.isPresent() && status.getAsInt() == BUSY) {
                throw new RollbackInProgressException(StoreRules.heldMessage(name, store.describe(),
                        readOwner(store, ownerFile)));
            }
            throw new StoreException("plan '" + name + "': expected flock to take the lock " + lockFile + " in store "
                    + store.describe() + " within " + START.toSeconds() + " s, found " + (status.isPresent()
                            ? "exit " + status.getAsInt() : "no answer") + " " + held.stderr().strip()
                    + "; nothing was changed; check that the server has flock (util-linux) and that "
                    + store.lockDir() + " is writable", null);
        }
        long pid = Long.parseLong(line.get().substring("held ".length()).strip());
        try {
            store.host().write(ownerFile, OwnerNotes.bytes(me, pid), 0600);
        } catch (HostException e) {
            held.close();
            throw new StoreException("plan '" + name + "': expected to write the owner note " + ownerFile
                    + " of its lock in store " + store.describe() + ", found " + e.getMessage() + "; nothing was "
                    + "changed and no lock is held; free space on the server, then try again", e);
        }
        return new RemoteLock(store, held, ownerFile, me, pid);
    }

    static Optional<LockOwner> holder(FolderBackend store, String name) {
        if (!isTaken(store, name)) {
            return Optional.empty();
        }
        return readOwner(store, ownerFile(store, name));
    }

    /** Whether someone holds the lock now: a flock that would not wait is refused. */
    private static boolean isTaken(FolderBackend store, String name) {
        Path lockFile = lockFile(store, name);
        if (store.host().stat(lockFile).isEmpty()) {
            return false;
        }
        CommandResult r = store.run(Command.of("flock", "-n", "-E", Integer.toString(BUSY), lockFile.toString(),
                "true"), "probe the lock " + lockFile);
        if (r.exitCode() != 0 && r.exitCode() != BUSY) {
            throw new StoreException("plan '" + name + "': expected flock to probe the lock " + lockFile
                    + " in store " + store.describe() + ", found " + r.describe() + "; the server needs flock "
                    + "(util-linux)", null);
        }
        return r.exitCode() == BUSY;
    }

    static Optional<LockOwner> breakLock(FolderBackend store, String name, LockOwner by, String why) {
        if (!isTaken(store, name)) {
            return Optional.empty();
        }
        Path ownerFile = ownerFile(store, name);
        Optional<Map<String, String>> note = readNote(store, ownerFile);
        String lockPid = note.map(m -> m.get("lockPid")).orElse(null);
        if (lockPid == null || !lockPid.matches("[1-9][0-9]*")) {
            throw new RollbackInProgressException("plan '" + name + "': expected the owner note " + ownerFile
                    + " to name the process holding the lock, found " + (note.isEmpty() ? "no readable note"
                            : "none in " + note.get()) + "; find the flock process holding "
                    + lockFile(store, name) + " on the server and end it");
        }
        store.run(Command.of("kill", lockPid), "end the process " + lockPid + " holding the lock");
        long deadline = System.nanoTime() + BREAK.toNanos();
        while (isTaken(store, name)) {
            if (System.nanoTime() > deadline) {
                throw new RollbackInProgressException("plan '" + name + "': expected the lock to be free after "
                        + "ending process " + lockPid + ", found it still held after " + BREAK.toSeconds()
                        + " s; look on the server for what holds " + lockFile(store, name));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("plan '" + name + "': interrupted while breaking its lock", e);
            }
        }
        Optional<LockOwner> removed = note.flatMap(m -> {
            try {
                return Optional.of(LockOwner.fromFields(m));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        });
        try {
            store.host().delete(ownerFile);
        } catch (HostException e) {
            // the next holder overwrites a stale note
        }
        return removed.isPresent() ? removed : Optional.of(new LockOwner("unknown", store.host().name(),
                Long.parseLong(lockPid), "an unknown operation", by.since()));
    }

    private static Optional<Map<String, String>> readNote(FolderBackend store, Path ownerFile) {
        try {
            if (store.host().stat(ownerFile).isEmpty()) {
                return Optional.empty();
            }
            return OwnerNotes.fields(store.host().read(ownerFile));
        } catch (HostException e) {
            return Optional.empty();
        }
    }

    private static Optional<LockOwner> readOwner(FolderBackend store, Path ownerFile) {
        try {
            if (store.host().stat(ownerFile).isEmpty()) {
                return Optional.empty();
            }
            return OwnerNotes.owner(store.host().read(ownerFile));
        } catch (HostException e) {
            return Optional.empty();
        }
    }

    @Override
    public LockOwner owner() {
        return owner;
    }

    @Override
    public synchronized boolean isHeld() {
        return !closed && held.isAlive();
    }

    /** Removes the owner note (while the lock is still held, so it removes no one else's) and ends the holder. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (held.isAlive()) {
                store.host().delete(ownerFile);
            }
        } catch (HostException e) {
            // a stale note names a process that holds nothing, and is overwritten by the next holder
        } finally {
            held.close();
        }
    }

    @Override
    public String toString() {
        return "RemoteLock[" + owner.describe() + ", process " + pid + " on " + store.host().name() + "]";
    }
}
