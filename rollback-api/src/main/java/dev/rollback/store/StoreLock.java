package dev.rollback.store;

/**
 * A lock taken with {@link StoreBackend#lock}: held until closed, or until its holder dies. Closing it twice is
 * harmless. Used by the thread that took it.
 */
public interface StoreLock extends AutoCloseable {

    /** Who holds it: the owner given when it was taken. */
    LockOwner owner();

    /**
     * Whether the lock is still held: false once closed, or once the store lost it (the connection that held it
     * ended). A long rollback checks it before each change.
     */
    boolean isHeld();

    /** Gives the lock back. */
    @Override
    void close();
}
