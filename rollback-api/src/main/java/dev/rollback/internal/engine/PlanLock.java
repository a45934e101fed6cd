package dev.rollback.internal.engine;

import dev.rollback.internal.FileLocks;
import dev.rollback.store.RollbackInProgressException;
import dev.rollback.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The lock that lets one capture, rollback or deletion per plan run at a time: an operating-system lock on a file
 * in the store ({@link FileLocks}), so the kernel releases it when the holder dies; beside it an owner file says
 * who holds it. A lock left by a dead process is therefore taken over, with a warning naming the dead holder.
 *
 * <p>Thread-safe; one instance belongs to one running operation and is closed by it.
 */
public final class PlanLock implements AutoCloseable {

    /** Who holds a lock. */
    public record Owner(long pid, String host, String rollbackId, String pointId, Instant since) {}

    private final FileLocks.Held held;
    private final Owner owner;

    private PlanLock(FileLocks.Held held, Owner owner) {
        this.held = held;
        this.owner = owner;
    }

    /**
     * Takes the lock of {@code plan} in the store's lock folder.
     *
     * @throws RollbackInProgressException if a live process (or this JVM) holds it
     * @throws StoreException if the lock or its owner note cannot be written (the lock is not held then)
     */
    public static PlanLock acquire(Path lockDir, String plan, Owner me) {
        Path lockFile = lockDir.resolve(plan + ".lock");
        try {
            return new PlanLock(FileLocks.acquire(lockFile, ownerFile(lockDir, plan), me, Json.bytes(me)), me);
        } catch (FileLocks.Busy busy) {
            throw new RollbackInProgressException(heldMessage(plan, owner(busy.holder())));
        } catch (IOException e) {
            throw new StoreException("plan '" + plan + "': expected to take its lock " + lockFile + " and write "
                    + "its owner note " + ownerFile(lockDir, plan) + ", found " + e + "; nothing was changed and no "
                    + "lock is held; free space or fix the permissions of " + lockDir + ", then try again", e);
        }
    }

    /** Who holds the lock of {@code plan} now, if anyone does: this JVM or another live process. */
    public static Optional<Owner> holder(Path lockDir, String plan) {
        return FileLocks.holder(lockDir.resolve(plan + ".lock"), ownerFile(lockDir, plan)).flatMap(PlanLock::owner);
    }

    private static Path ownerFile(Path lockDir, String plan) {
        return lockDir.resolve(plan + ".owner.json");
    }

    private static Optional<Owner> owner(FileLocks.Holder h) {
        if (h.inThisJvm() instanceof Owner o) {
            return Optional.of(o);
        }
        try {
            return h.note().map(n -> Json.read(n, Owner.class));
        } catch (RuntimeException e) {
            return Optional.empty();
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

    /** Who holds this lock. */
    public Owner owner() {
        return owner;
    }

    /** Releases the lock and removes the owner file. */
    @Override
    public void close() {
        held.close();
    }
}
