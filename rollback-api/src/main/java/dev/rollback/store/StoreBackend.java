package dev.rollback.store;

import java.util.List;
import java.util.Optional;

/**
 * Where a store keeps its records: the manifests of restore points, the journals of unfinished rollbacks, the
 * reports, the history and the plan locks. What a team shares is this: a folder on this machine (the default), a
 * folder on a server that every operator reaches over SSH ({@link #onHost}), or tables in PostgreSQL (in
 * {@code rollback-db}). The artifacts of the points (the files, dumps and trees a capture copies) are not records:
 * they stay where the plan puts them, on its host or in a local folder.
 *
 * <p>A record is a small document under a key of segments separated by {@code /} ({@code
 * points/20240115-0931-a1b2/manifest.json}); each segment is 1 to 128 letters, digits, {@code .}, {@code _} or
 * {@code -} and not {@code .} or {@code ..}. An implementation must make every {@link #write} atomic (a reader sees
 * the old document or the new one, never a part) and durable when it returns, and must let two processes on two
 * machines share one store: that is the point of it.
 *
 * <p>Implement it to keep records somewhere else; check the implementation with the testing kit's {@code
 * StoreBackendContract}, which every store of the library passes. Implementations are thread-safe.
 *
 * <pre>{@code
 * StoreBackend shared = StoreBackend.onHost(SshHost.builder("deploy@10.0.0.5").build(), Path.of("/var/lib/rollback"));
 * try (StoreLock lock = shared.lock("gestima", LockOwner.me("rollback r-1 to point p-9"))) {
 *     shared.write("journals/gestima.json", json);
 * }
 * }</pre>
 */
public interface StoreBackend extends AutoCloseable {

    /** Where the records are, for messages: {@code folder /var/lib/rollback on deploy@10.0.0.5:22}. */
    String describe();

    /**
     * The document under a key.
     *
     * @return its bytes, or empty if there is none
     * @throws dev.rollback.store.StoreException if the store cannot be read
     */
    Optional<byte[]> read(String key);

    /**
     * Writes (or replaces) the document under a key, atomically and durably.
     *
     * @throws dev.rollback.store.StoreException if it cannot be written; the old document, if any, is then unchanged
     */
    void write(String key, byte[] content);

    /**
     * The keys of the documents below a prefix ({@code points}, {@code history/gestima}), at any depth, sorted.
     *
     * @param prefix a key, or the empty string for every document
     * @return the keys, each beginning with {@code prefix + "/"} (or any key for an empty prefix)
     */
    List<String> list(String prefix);

    /**
     * The documents below a prefix with their bytes, at any depth, sorted by key: what {@link #list} and a {@link
     * #read} of each key give, in one call where the store can (one query for PostgreSQL) instead of one round trip
     * per document. A document removed between the two is left out. This default lists, then reads each.
     *
     * @param prefix a key, or the empty string for every document
     * @return the keys, each beginning with {@code prefix + "/"}, with their bytes
     * @throws dev.rollback.store.StoreException if the store cannot be read
     */
    default java.util.SortedMap<String, byte[]> readAll(String prefix) {
        java.util.SortedMap<String, byte[]> out = new java.util.TreeMap<>();
        for (String key : list(prefix)) {
            read(key).ifPresent(bytes -> out.put(key, bytes));
        }
        return out;
    }

    /**
     * Removes the document under a key; a key with no document is not an error.
     *
     * @throws dev.rollback.store.StoreException if it cannot be removed
     */
    void delete(String key);

    /**
     * Takes the lock of one name (a plan) for as long as the returned lock is open, or refuses at once. The lock
     * must be freed when its holder dies (its process, its machine or its connection), without anyone deciding that
     * it is stale, and it must be seen by every process on every machine that shares the store.
     *
     * @param name the plan name
     * @param me who takes it, recorded so that a refused taker can name the holder
     * @return the held lock; close it to give it back
     * @throws dev.rollback.store.RollbackInProgressException if someone holds it, naming them (user, machine, pid, what
     *     they run, since when) and how to take it over deliberately
     */
    StoreLock lock(String name, LockOwner me);

    /**
     * Who holds the lock of a name now, if anyone does.
     *
     * @return the holder as they recorded themselves, or empty when the lock is free
     */
    Optional<LockOwner> holder(String name);

    /**
     * Takes the lock of a name away from its holder on purpose, for a holder that cannot give it back (a hung
     * connection, a machine that is gone): the holder's hold is ended where the store can end it (its remote
     * process, its database session). Refused, naming the holder, where the store cannot end it safely (a live
     * process on this machine: stop that process).
     *
     * @param name the plan name
     * @param by who breaks it
     * @param why why, recorded in the plan's history by the caller
     * @return the holder that was removed, or empty if the lock was already free
     */
    Optional<LockOwner> breakLock(String name, LockOwner by, String why);

    /** Gives back what the backend holds open (connections); held locks are freed. Idempotent. */
    @Override
    default void close() {}

    /**
     * The records in a folder on a host, {@code dir} created owner-only if missing. On this machine ({@link
     * dev.rollback.host.Hosts#local()}) the lock is an OS file lock, freed when the JVM ends; on a server it is a
     * {@code flock} held by a process tied to this connection's SSH session, freed when the session ends, however it
     * ends. The server needs {@code flock} (util-linux) and {@code sh}.
     *
     * @param host where the folder is
     * @param dir the folder, absolute
     * @return the backend
     * @throws IllegalArgumentException if the folder is not absolute
     */
    static StoreBackend onHost(dev.rollback.host.Host host, java.nio.file.Path dir) {
        return new FolderBackend(host, dir);
    }
}
