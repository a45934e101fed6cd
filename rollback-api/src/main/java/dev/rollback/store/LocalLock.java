package dev.rollback.store;

import dev.rollback.internal.Files2;
import dev.rollback.internal.Logs;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The lock of a folder store on this machine: an operating-system lock on a file, so the kernel releases it when
 * the holder dies; beside it an owner note says who holds it.
 *
 * <p>On Linux a process holds such a lock per file, not per descriptor, and closing <em>any</em> descriptor of the
 * file drops it. So this JVM opens a lock file only here, under one monitor: a lock this JVM holds is known from a
 * table and its file is never opened again until it is released, and a probe ({@link #holder}) opens, tests and
 * closes the file while no lock of this JVM can be taken on it.
 */
final class LocalLock implements StoreLock {

    private static final Logger LOG = Logs.of(LocalLock.class);

    /** The locks this JVM holds, by lock file; guarded by itself. */
    private static final Map<Path, LocalLock> HELD = new HashMap<>();

    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;
    private final Path ownerFile;
    private final LockOwner owner;
    private boolean closed;

    private LocalLock(Path lockFile, FileChannel channel, FileLock lock, Path ownerFile, LockOwner owner) {
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
        this.ownerFile = ownerFile;
        this.owner = owner;
    }

    static LocalLock acquire(FolderBackend store, String name, LockOwner me) {
        Path lockDir = store.lockDir();
        Path lockFile = lockDir.resolve(name + ".lock").toAbsolutePath().normalize();
        Path ownerFile = lockDir.resolve(name + ".owner.json");
        synchronized (HELD) {
            LocalLock mine = HELD.get(lockFile);
            if (mine != null) {
                throw new RollbackInProgressException(StoreRules.heldMessage(name, store.describe(),
                        Optional.of(mine.owner)));
            }
            FileChannel channel = null;
            FileLock lock = null;
            try {
                Files2.createPrivateDirectories(lockDir);
                channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // cannot happen while HELD is right; refuse rather than share
                }
                if (lock == null) {
                    channel.close(); // this JVM holds no lock on the file, so closing drops nothing
                    throw new RollbackInProgressException(StoreRules.heldMessage(name, store.describe(),
                            readOwner(ownerFile)));
                }
                readOwner(ownerFile).ifPresent(dead -> LOG.warn("plan '{}': taking over the lock left by {}, "
                        + "which is no longer running", name, dead.describe()));
                // the note only names the holder; the kernel's lock is what excludes, so no sync is needed
                Files2.writeAtomically(ownerFile, OwnerNotes.bytes(me, 0), Files2.Sync.NONE);
                LocalLock taken = new LocalLock(lockFile, channel, lock, ownerFile, me);
                HELD.put(lockFile, taken);
                return taken;
            } catch (IOException e) {
                // nothing is held on any path out: a lock whose note cannot be written is given back at once
                closeQuietly(lock, channel);
                throw new StoreException("plan '" + name + "': expected to take its lock " + lockFile + " and write "
                        + "its owner note " + ownerFile + ", found " + e + "; nothing was changed and no lock is "
                        + "held; free space or fix the permissions of " + lockDir + ", then try again", e);
            } catch (RuntimeException e) {
                if (lock != null) {
                    closeQuietly(lock, channel);
                }
                throw e;
            }
        }
    }

    static Optional<LockOwner> holder(FolderBackend store, String name) {
        Path lockDir = store.lockDir();
        Path lockFile = lockDir.resolve(name + ".lock").toAbsolutePath().normalize();
        synchronized (HELD) {
            LocalLock mine = HELD.get(lockFile);
            if (mine != null) {
                return Optional.of(mine.owner);
            }
            if (!Files.exists(lockFile)) {
                return Optional.empty();
            }
            // no lock of this JVM is on the file (HELD says so, and none can be taken while we hold the monitor),
            // so opening and closing a descriptor of it here drops nothing
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
                FileLock probe = channel.tryLock();
                if (probe != null) {
                    probe.release();
                    return Optional.empty();
                }
            } catch (OverlappingFileLockException e) {
                LOG.warn("lock {} is held in this JVM outside the store's lock table", lockFile);
            } catch (IOException e) {
                return Optional.empty();
            }
            return readOwner(lockDir.resolve(name + ".owner.json"));
        }
    }

    private static Optional<LockOwner> readOwner(Path ownerFile) {
        try {
            return OwnerNotes.owner(Files.readAllBytes(ownerFile));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void closeQuietly(FileLock lock, FileChannel channel) {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            LOG.warn("cannot release a lock: {}", e.toString());
        }
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.warn("cannot close a lock file: {}", e.toString());
        }
    }

    @Override
    public LockOwner owner() {
        return owner;
    }

    @Override
    public boolean isHeld() {
        synchronized (HELD) {
            return !closed && lock.isValid();
        }
    }

    /**
     * Releases the lock and removes the owner note. The kernel's lock is released even when the note cannot be
     * removed (a stale note names a process that holds nothing, and is overwritten by the next holder).
     */
    @Override
    public void close() {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                Files.deleteIfExists(ownerFile);
            } catch (IOException e) {
                LOG.warn("cannot remove the owner note {} of a released lock: {}", ownerFile, e.toString());
            } finally {
                closeQuietly(lock, channel);
                HELD.remove(lockFile);
            }
        }
    }
}
