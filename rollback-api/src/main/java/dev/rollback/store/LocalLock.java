package dev.rollback.store;

import dev.rollback.internal.FileLocks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The lock of a folder store on this machine: an operating-system lock on a file ({@link FileLocks}), so the kernel
 * releases it when the holder dies; beside it an owner note says who holds it.
 */
final class LocalLock implements StoreLock {

    private final FileLocks.Held held;
    private final LockOwner owner;

    private LocalLock(FileLocks.Held held, LockOwner owner) {
        this.held = held;
        this.owner = owner;
    }

    private static Path lockFile(FolderBackend store, String name) {
        return store.lockDir().resolve(name + ".lock");
    }

    private static Path ownerFile(FolderBackend store, String name) {
        return store.lockDir().resolve(name + ".owner.json");
    }

    static LocalLock acquire(FolderBackend store, String name, LockOwner me) {
        try {
            return new LocalLock(FileLocks.acquire(lockFile(store, name), ownerFile(store, name), me,
                    OwnerNotes.bytes(me, 0)), me);
        } catch (FileLocks.Busy busy) {
            throw new RollbackInProgressException(StoreRules.heldMessage(name, store.describe(), owner(busy.holder())));
        } catch (IOException e) {
            throw new StoreException("plan '" + name + "': expected to take its lock " + lockFile(store, name)
                    + " and write its owner note, found " + e + "; nothing was changed and no lock is held; free "
                    + "space or fix the permissions of " + store.lockDir() + ", then try again", e);
        }
    }

    static Optional<LockOwner> holder(FolderBackend store, String name) {
        return FileLocks.holder(lockFile(store, name), ownerFile(store, name)).flatMap(LocalLock::owner);
    }

    private static Optional<LockOwner> owner(FileLocks.Holder h) {
        if (h.inThisJvm() instanceof LockOwner o) {
            return Optional.of(o);
        }
        return h.note().flatMap(OwnerNotes::owner);
    }

    @Override
    public LockOwner owner() {
        return owner;
    }

    @Override
    public boolean isHeld() {
        return held.isHeld();
    }

    @Override
    public void close() {
        held.close();
    }
}
