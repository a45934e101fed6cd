package dev.rollback.internal.engine;

import dev.rollback.store.RollbackInProgressException;
import dev.rollback.store.StoreException;
import dev.rollback.internal.Files2;
import dev.rollback.internal.Logs;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The lock that lets one capture, rollback or deletion per plan run at a time. It is an
 * operating-system lock on a file in the store, so the kernel releases it when the holder dies;
 * beside it an owner file says who holds it. A lock left by a dead process is therefore taken
 * over, with a warning naming the dead holder.
 *
 * <p>On Linux a process holds such a lock per file, not per descriptor, and closing <em>any</em>
 * descriptor of the file drops it. So this JVM opens a lock file only here, under one monitor:
 * a lock this JVM holds is known from a table and its file is never opened again until it is
 * released, and a probe of another plan's lock ({@link #holder}) opens, tests and closes the file
 * while no lock of this JVM can be taken on it.
 *
 * <p>Thread-safe; one instance belongs to one running operation and is closed by it.
 */
public final class PlanLock implements AutoCloseable {

    private static final Logger LOG = Logs.of(PlanLock.class);

    /** The locks this JVM holds, by lock file; guarded by itself. */
    private static final Map<Path, PlanLock> HELD = new HashMap<>();

    /** Who holds a lock. */
    public record Owner(long pid, String host, String rollbackId, String pointId, Instant since) {}

    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;
    private final Path ownerFile;
    private final Owner owner;
    private boolean closed;

    private PlanLock(Path lockFile, FileChannel channel, FileLock lock, Path ownerFile, Owner owner) {
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
        this.ownerFile = ownerFile;
        this.owner = owner;
    }

    /**
     * Takes the lock of {@code plan} in the store's lock folder.
     *
     * @throws RollbackInProgressException if a live process (or this JVM) holds it
     * @throws StoreException if the lock or its owner note cannot be written (the lock is not held then)
     */
    public static PlanLock acquire(Path lockDir, String plan, Owner me) {
        Path lockFile = lockDir.resolve(plan + ".lock").toAbsolutePath().normalize();
        Path ownerFile = lockDir.resolve(plan + ".owner.json");
        synchronized (HELD) {
            PlanLock mine = HELD.get(lockFile);
            if (mine != null) {
                throw new RollbackInProgressException(heldMessage(plan, Optional.of(mine.owner)));
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
                    throw new RollbackInProgressException(heldMessage(plan, readOwner(ownerFile)));
                }
                Optional<Owner> previous = readOwner(ownerFile);
                previous.ifPresent(dead -> LOG.warn("plan '{}': taking over the lock left by process {} on {} "
                        + "({} {}, since {}), which is no longer running", plan, dead.pid(), dead.host(),
                        dead.rollbackId(), dead.pointId() == null ? "" : "of " + dead.pointId(), dead.since()));
                // the owner file only names the holder; the kernel's lock is what excludes, so no sync is needed
                Files2.writeAtomically(ownerFile, Json.bytes(me), Files2.Sync.NONE);
                PlanLock taken = new PlanLock(lockFile, channel, lock, ownerFile, me);
                HELD.put(lockFile, taken);
                return taken;
            } catch (IOException e) {
                // nothing is held on any path out: a lock whose note cannot be written is given back at once
                closeQuietly(lock, channel);
                throw new StoreException("plan '" + plan + "': expected to take its lock " + lockFile + " and write "
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

    /** Who holds the lock of {@code plan} now, if anyone does: this JVM or another live process. */
    public static Optional<Owner> holder(Path lockDir, String plan) {
        Path lockFile = lockDir.resolve(plan + ".lock").toAbsolutePath().normalize();
        synchronized (HELD) {
            PlanLock mine = HELD.get(lockFile);
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
                LOG.warn("lock {} is held in this JVM outside the plan lock table", lockFile);
            } catch (IOException e) {
                return Optional.empty();
            }
            return readOwner(lockDir.resolve(plan + ".owner.json"));
        }
    }

    /** The message of a refusal because {@code owner} holds the lock of {@code plan}. */
    static String heldMessage(String plan, Optional<Owner> owner) {
        String who = owner.map(o -> "process " + o.pid() + " on " + o.host() + " (" + describe(o) + ", since "
                + o.since() + ")").orElse("another process");
        return "plan '" + plan + "': expected no capture, rollback or deletion of the plan running, found one held by "
                + who + "; wait for it to finish, or if that process is gone on another machine, remove its lock";
    }

    private static String describe(Owner o) {
        if ("capture".equals(o.rollbackId())) {
            return "capture";
        }
        if ("delete".equals(o.rollbackId())) {
            return "deletion of restore points" + (o.pointId() == null ? "" : " from " + o.pointId());
        }
        return "rollback " + o.rollbackId() + " to " + o.pointId();
    }

    private static Optional<Owner> readOwner(Path ownerFile) {
        try {
            return Optional.of(Json.read(Files.readAllBytes(ownerFile), Owner.class));
        } catch (IOException | RuntimeException e) {
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

    /** Who holds this lock. */
    public Owner owner() {
        return owner;
    }

    /**
     * Releases the lock and removes the owner file. The kernel's lock is released even when the
     * note cannot be removed (a stale note names a process that holds nothing, and is overwritten by
     * the next holder).
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
