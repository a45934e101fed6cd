package dev.rollback.internal;

import dev.rollback.RollbackInProgressException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;


/**
 * The lock that lets one rollback per plan run at a time. It is an operating-system lock on a file
 * in the store, so the kernel releases it when the holder dies; beside it an owner file says who
 * holds it. A lock left by a dead process is therefore taken over, with a warning naming the dead
 * holder.
 *
 * <p>Not thread-safe; one instance belongs to one running rollback.
 */
public final class PlanLock implements AutoCloseable {

    private static final Logger LOG = Logs.of(PlanLock.class);

    /** Who holds a lock. */
    public record Owner(long pid, String host, String rollbackId, String pointId, Instant since) {}

    private final FileChannel channel;
    private final FileLock lock;
    private final Path ownerFile;

    private PlanLock(FileChannel channel, FileLock lock, Path ownerFile) {
        this.channel = channel;
        this.lock = lock;
        this.ownerFile = ownerFile;
    }

    /**
     * Takes the lock of {@code plan} in the store's lock folder.
     *
     * @throws RollbackInProgressException if a live process (or this JVM) holds it
     */
    public static PlanLock acquire(Path lockDir, String plan, Owner me) {
        Path lockFile = lockDir.resolve(plan + ".lock");
        Path ownerFile = lockDir.resolve(plan + ".owner.json");
        try {
            Files2.createPrivateDirectories(lockDir);
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new RollbackInProgressException(heldMessage(plan, readOwner(ownerFile)));
            }
            Optional<Owner> previous = readOwner(ownerFile);
            previous.ifPresent(dead -> LOG.warn("plan '{}': taking over the lock left by process {} on {} "
                    + "(rollback {}, since {}), which is no longer running", plan, dead.pid(), dead.host(),
                    dead.rollbackId(), dead.since()));
            // the owner file only names the holder; the kernel's lock is what excludes, so no sync is needed
            Files2.writeAtomically(ownerFile, Json.bytes(me), Files2.Sync.NONE);
            return new PlanLock(channel, lock, ownerFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take the lock of plan '" + plan + "' in " + lockDir, e);
        }
    }

    /** Who holds the lock of {@code plan} now, if anyone does. */
    public static Optional<Owner> holder(Path lockDir, String plan) {
        Path lockFile = lockDir.resolve(plan + ".lock");
        if (!Files.exists(lockFile)) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            if (probe != null) {
                probe.release();
                return Optional.empty();
            }
        } catch (OverlappingFileLockException e) {
            // held in this JVM
        } catch (IOException e) {
            return Optional.empty();
        }
        return readOwner(lockDir.resolve(plan + ".owner.json"));
    }

    private static String heldMessage(String plan, Optional<Owner> owner) {
        String who = owner.map(o -> "process " + o.pid() + " on " + o.host() + " (rollback " + o.rollbackId()
                + " to " + o.pointId() + ", since " + o.since() + ")").orElse("another process");
        return "plan '" + plan + "': expected no rollback running, found one held by " + who
                + "; wait for it to finish, or if that process is gone on another machine, remove its lock";
    }

    private static Optional<Owner> readOwner(Path ownerFile) {
        try {
            return Optional.of(Json.read(Files.readAllBytes(ownerFile), Owner.class));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Releases the lock and removes the owner file. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(ownerFile);
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock " + ownerFile, e);
        }
    }
}
