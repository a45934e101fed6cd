package dev.rollback.db;

import dev.rollback.store.RollbackInProgressException;
import dev.rollback.store.StoreException;
import dev.rollback.store.StoreRules;
import dev.rollback.store.LockOwner;
import dev.rollback.store.StoreLock;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.Update;

/**
 * The lock of a plan in a {@link PostgresStore}: a session advisory lock ({@code pg_try_advisory_lock}) held by a
 * connection this lock keeps open for its whole life. The server frees it when the session ends, however it ends:
 * the lock closed, this JVM gone, the connection cut, the session terminated ({@link #breakLock}). Beside it a row of
 * {@code rollback_locks} names the holder and the backend pid of the holding session; a row whose session holds no
 * lock is stale and ignored.
 *
 * <p>Thread-safe: the connection is used under this object's monitor.
 */
final class PostgresStoreLock implements StoreLock {

    /** How long {@link #breakLock} waits for the ended session's lock to be freed. */
    private static final Duration BREAK = Duration.ofSeconds(15);

    /** How long a statement on the lock's connection may wait for the network before the connection is given up. */
    private static final int NETWORK_TIMEOUT_MS = 30_000;

    /**
     * The session settings of the lock's connection: the server probes an idle client (so a machine that vanished
     * frees the lock within about a minute), and no idle timeout of the server ends the session (and the lock). Only
     * the settings the server knows are set.
     */
    private static final String SETTINGS = "'tcp_keepalives_idle', 'tcp_keepalives_interval', "
            + "'tcp_keepalives_count', 'idle_session_timeout', 'idle_in_transaction_session_timeout', 'application_name'";

    private static final String SET_SESSION = "SELECT count(set_config(s.name, s.value, false)) FROM (VALUES "
            + "('tcp_keepalives_idle', '30'), ('tcp_keepalives_interval', '10'), ('tcp_keepalives_count', '3'), "
            + "('idle_session_timeout', '0'), ('idle_in_transaction_session_timeout', '0'), "
            + "('application_name', :app)) AS s(name, value) JOIN pg_settings p ON p.name = s.name";

    private static final String RESET_SESSION = "SELECT count(set_config(name, reset_val, false)) FROM pg_settings "
            + "WHERE name IN (" + SETTINGS + ")";

    /** Whether an advisory lock of key {@code :c}/{@code :o} (high/low halves) is granted, in this database. */
    private static final String GRANTED = "FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
            + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            + "AND classid::bigint = :c AND objid::bigint = :o";

    private final PostgresStore store;
    private final PostgresStoreTables tables;
    private final Handle handle;
    private final String name;
    private final long key;
    private final LockOwner owner;
    private final int pid;
    private final int networkTimeoutBefore;
    private boolean closed;
    private boolean lost;

    private PostgresStoreLock(PostgresStore store, PostgresStoreTables tables, Handle handle, String name, long key,
            LockOwner owner, int pid, int networkTimeoutBefore) {
        this.store = store;
        this.tables = tables;
        this.handle = handle;
        this.name = name;
        this.key = key;
        this.owner = owner;
        this.pid = pid;
        this.networkTimeoutBefore = networkTimeoutBefore;
    }

    /**
     * Takes the lock on {@code h}, a connection that becomes the lock's; the caller closes it if this throws, which
     * frees whatever it took.
     */
    static PostgresStoreLock acquire(PostgresStore store, PostgresStoreTables tables, Handle h, String name,
            LockOwner me) {
        long key = tables.lockKey(name);
        int pid = h.createQuery("SELECT CASE WHEN pg_try_advisory_lock(:k) THEN pg_backend_pid() ELSE 0 END")
                .bind("k", key).mapTo(Integer.class).one();
        if (pid == 0) {
            throw new RollbackInProgressException(StoreRules.heldMessage(name, store.describe(), 
                    holder(tables, h, name)));
        }
        try {
            h.createQuery(SET_SESSION).bind("app", "rollback lock " + name).mapTo(Integer.class).one();
            int before = networkTimeout(h.getConnection(), NETWORK_TIMEOUT_MS);
            // only the holder of the lock writes its note, so the upsert replaces nobody's but a dead holder's
            Update note = h.createUpdate("INSERT INTO " + tables.locks + " (name, owner) VALUES (:name, "
                    + noteSql(me) + ") ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner").bind("name", name);
            int i = 0;
            for (Map.Entry<String, String> f : me.toFields().entrySet()) {
                note.bind("k" + i, f.getKey()).bind("v" + i, f.getValue());
                i++;
            }
            note.execute();
            return new PostgresStoreLock(store, tables, h, name, key, me, pid, before);
        } catch (RuntimeException e) {
            release(h, key); // a lock without its note is given back at once, so no pool keeps it
            throw e;
        }
    }

    /** Gives the lock of {@code key} back on {@code h}, or aborts the connection where that fails. */
    private static boolean release(Handle h, long key) {
        try {
            h.createQuery("SELECT pg_advisory_unlock(:k)").bind("k", key).mapTo(Boolean.class).one();
            return true;
        } catch (JdbiException e) {
            try {
                h.getConnection().abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // closing the handle ends the session too
            }
            return false;
        }
    }

    /** The owner note as SQL: a JSON object of the owner's fields ({@code :k0, :v0, ...}) and the session's pid. */
    private static String noteSql(LockOwner me) {
        StringBuilder sql = new StringBuilder("json_build_object(");
        for (int i = 0; i < me.toFields().size(); i++) {
            sql.append("CAST(:k").append(i).append(" AS text), CAST(:v").append(i).append(" AS text), ");
        }
        return sql.append("'lockPid', pg_backend_pid()::text)::text").toString();
    }

    /** Sets the network timeout of a connection, answering the one before (0, none, where the driver has none). */
    private static int networkTimeout(Connection c, int ms) {
        try {
            int before = c.getNetworkTimeout();
            c.setNetworkTimeout(Runnable::run, ms);
            return before;
        } catch (SQLException | UnsupportedOperationException e) {
            return 0; // a driver without network timeouts: the keepalives still end a dead connection
        }
    }

    /** The backend pid of the session holding an advisory lock, if one does. */
    private static OptionalInt lockPid(Handle h, long key) {
        return h.createQuery("SELECT pid " + GRANTED + " AND pid IS NOT NULL LIMIT 1").bind("c", key >>> 32)
                .bind("o", key & 0xFFFF_FFFFL).mapTo(Integer.class).findOne().map(OptionalInt::of)
                .orElse(OptionalInt.empty());
    }

    /** Who holds the lock of {@code name} now: its owner note if its session holds it, else that session. */
    static Optional<LockOwner> holder(PostgresStoreTables tables, Handle h, String name) {
        OptionalInt pid = lockPid(h, tables.lockKey(name));
        if (pid.isEmpty()) {
            return Optional.empty(); // a note without a held lock is stale
        }
        Map<String, String> note = noteFields(tables, h, name);
        if (String.valueOf(pid.getAsInt()).equals(note.get("lockPid"))) {
            try {
                return Optional.of(LockOwner.fromFields(note));
            } catch (IllegalArgumentException damaged) {
                // named by its session below
            }
        }
        return Optional.of(session(h, pid.getAsInt()));
    }

    /** The fields of the owner note of {@code name}; empty if there is none or it is not JSON. */
    private static Map<String, String> noteFields(PostgresStoreTables tables, Handle h, String name) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            h.createQuery("SELECT f.key, f.value FROM " + tables.locks + " l, json_each_text(l.owner::json) f "
                    + "WHERE l.name = :n").bind("n", name)
                    .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).forEach(kv -> m.put(kv[0], kv[1]));
        } catch (JdbiException e) {
            if (!"22P02".equals(PostgresStore.sqlState(e))) {
                throw e;
            }
            m.clear(); // a damaged note: the session names the holder
        }
        return m;
    }

    /** A holder known only by its session (its note not written yet, or damaged), from {@code pg_stat_activity}. */
    private static LockOwner session(Handle h, int pid) {
        return h.createQuery("SELECT coalesce(usename::text, 'unknown'), coalesce(client_hostname, "
                + "host(client_addr), 'the database server'), coalesce(application_name, ''), backend_start "
                + "FROM pg_stat_activity WHERE pid = :p").bind("p", pid)
                .map((rs, ctx) -> {
                    OffsetDateTime start = rs.getObject(4, OffsetDateTime.class);
                    String app = rs.getString(3);
                    return new LockOwner(rs.getString(1), rs.getString(2), pid, "database session " + pid
                            + (app.isEmpty() ? "" : " of '" + app + "'") + ", whose owner note is missing",
                            start == null ? Instant.EPOCH : start.toInstant());
                }).findOne()
                .orElseGet(() -> new LockOwner("unknown", "unknown", pid, "database session " + pid
                        + ", ended a moment ago", Instant.EPOCH));
    }

    /**
     * Ends the session holding the lock of {@code name} ({@code pg_terminate_backend}), waits until its lock is
     * freed, and removes its note.
     */
    static Optional<LockOwner> breakLock(PostgresStore store, PostgresStoreTables tables, Handle h, String name) {
        long key = tables.lockKey(name);
        OptionalInt pid = lockPid(h, key);
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        Optional<LockOwner> holder = holder(tables, h, name);
        Optional<String> note = h.createQuery("SELECT owner FROM " + tables.locks + " WHERE name = :n")
                .bind("n", name).mapTo(String.class).findOne();
        try {
            h.createQuery("SELECT pg_terminate_backend(:p)").bind("p", pid.getAsInt()).mapTo(Boolean.class).one();
        } catch (JdbiException e) {
            if (!"42501".equals(PostgresStore.sqlState(e))) {
                throw e;
            }
            throw new RollbackInProgressException("plan '" + name + "': expected to end database session "
                    + pid.getAsInt() + ", which holds its lock in store " + store.describe() + ", found "
                    + PostgresStore.sqlMessage(e) + "; it is held by " + holder.map(LockOwner::describe).orElse("?")
                    + "; break it as the role that holds it, a superuser or a member of pg_signal_backend, or have "
                    + "the database administrator run SELECT pg_terminate_backend(" + pid.getAsInt() + ")");
        }
        long deadline = System.nanoTime() + BREAK.toNanos();
        while (lockPid(h, key).equals(pid)) {
            if (System.nanoTime() > deadline) {
                throw new RollbackInProgressException("plan '" + name + "': expected its lock in store "
                        + store.describe() + " to be free after ending database session " + pid.getAsInt()
                        + ", found it still held after " + BREAK.toSeconds() + " s; look at that session in "
                        + "pg_stat_activity on the server, and at its log");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("plan '" + name + "': interrupted while breaking its lock in store "
                        + store.describe() + "; its holder's session was ended, the lock is free or about to be", e);
            }
        }
        note.ifPresent(n -> h.createUpdate("DELETE FROM " + tables.locks + " WHERE name = :n AND owner = :o")
                .bind("n", name).bind("o", n).execute());
        return holder;
    }

    @Override
    public LockOwner owner() {
        return owner;
    }

    /** Asks the server whether the lock's session is alive and still holds the lock; a lost lock stays lost. */
    @Override
    public synchronized boolean isHeld() {
        if (closed || lost) {
            return false;
        }
        try {
            lost = !handle.createQuery("SELECT EXISTS (SELECT 1 " + GRANTED + " AND pid = pg_backend_pid())")
                    .bind("c", key >>> 32).bind("o", key & 0xFFFF_FFFFL).mapTo(Boolean.class).one();
        } catch (JdbiException e) {
            lost = true; // the session ended or the connection is cut: the server has freed the lock
        }
        return !lost;
    }

    /**
     * Removes the note (only while this session still holds the lock, so it removes no one else's), gives the lock
     * back and closes the connection. A connection that may still hold the lock is aborted rather than closed, so
     * that no pool keeps it.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        store.forget(this);
        if (!lost) {
            try {
                handle.createUpdate("DELETE FROM " + tables.locks + " WHERE name = :n AND EXISTS (SELECT 1 "
                        + GRANTED + " AND pid = pg_backend_pid())").bind("n", name).bind("c", key >>> 32)
                        .bind("o", key & 0xFFFF_FFFFL).execute();
            } catch (JdbiException e) {
                // a stale note names a session that holds nothing, and is replaced by the next holder's
            }
            if (release(handle, key)) {
                try {
                    handle.createQuery(RESET_SESSION).mapTo(Integer.class).one();
                    networkTimeout(handle.getConnection(), networkTimeoutBefore);
                } catch (JdbiException e) {
                    // the connection is closed below
                }
            }
        }
        try {
            handle.close();
        } catch (RuntimeException e) {
            // the connection was already broken: its session, and the lock, are gone
        }
    }

    @Override
    public String toString() {
        return "PostgresStoreLock[" + name + ", " + owner.describe() + ", database session " + pid + "]";
    }
}
