package dev.rollback.db;

import dev.rollback.store.StoreException;
import dev.rollback.store.StoreRules;
import dev.rollback.store.LockOwner;
import dev.rollback.store.StoreBackend;
import dev.rollback.store.StoreLock;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * The records of a store in tables of a PostgreSQL schema, shared by every machine that reaches the database: the
 * manifests, journals, reports and history as rows of {@code rollback_documents}, each written by one atomic upsert
 * and durable when it returns. The tables are made in the schema on first use (the schema too, if missing) and
 * migrated by the library; a store whose tables a newer version of the library wrote is refused by every operation,
 * naming the version to upgrade to, rather than misread.
 *
 * <p>A plan's lock is a session advisory lock ({@code pg_try_advisory_lock}, its key derived from the schema and the
 * plan) held by a connection that the returned {@link StoreLock} keeps open for its whole life: the server frees it
 * when the lock is closed and when that session ends however it ends (this JVM gone, the connection cut, the machine
 * vanished, found by TCP keepalives within about a minute). A row of {@code rollback_locks} names the holder and its
 * session; {@link #breakLock} ends the holder's session ({@code pg_terminate_backend}), which needs the holder's role,
 * a superuser or {@code pg_signal_backend}.
 *
 * <p>The role needs {@code USAGE} on the schema and {@code SELECT, INSERT, UPDATE, DELETE} on its three tables, and
 * on first use {@code CREATE} on the database (or an administrator makes the schema and tables once by opening the
 * store). Failures are {@link StoreException}s that name the store ({@code PostgreSQL schema "rollback" at
 * jdbc:postgresql://10.0.0.7:5432/ops}, never a password), what was expected, what was found and what to do. The
 * JDBC driver ({@code org.postgresql:postgresql}) is the user's dependency. Thread-safe: every operation takes its
 * own connection (from the {@link DataSource}'s pool where one is given), and each lock one more for as long as it is
 * held.
 *
 * <pre>{@code
 * StoreBackend shared = PostgresStore.of("jdbc:postgresql://10.0.0.7:5432/ops", "rollback",
 *         System.getenv("ROLLBACK_DB_PASSWORD"), "rollback");
 * try (StoreLock lock = shared.lock("gestima", LockOwner.me("rollback r-1 to point p-9"))) {
 *     shared.write("journals/gestima.json", json);
 * }
 * }</pre>
 */
public final class PostgresStore implements StoreBackend {

    private final Jdbi jdbi;
    private final PostgresStoreTables tables;
    private final String user;
    private final Set<PostgresStoreLock> held = ConcurrentHashMap.newKeySet();
    /** Where the database is, for messages: the URL without its parameters, learned on connecting for a DataSource. */
    private volatile String where;
    private volatile boolean whereKnown;

    private PostgresStore(Jdbi jdbi, PostgresStoreTables tables, String user, String where, boolean whereKnown) {
        this.jdbi = jdbi;
        this.tables = tables;
        this.user = user;
        this.where = where;
        this.whereKnown = whereKnown;
    }

    /**
     * The store in {@code schema} of the database at {@code jdbcUrl}, connecting as {@code user}. Nothing connects
     * until the first operation.
     *
     * @param jdbcUrl {@code jdbc:postgresql://host:port/database}, with the driver's parameters if needed
     * @param user the role to connect as
     * @param password its password, or null where the server asks none (or the driver finds it in {@code .pgpass})
     * @param schema the schema of the store's tables, made if missing; any name PostgreSQL keeps as given (1 to 63
     *     bytes, not {@code pg_…}), always quoted
     * @return the store
     * @throws IllegalArgumentException for a URL that is no PostgreSQL JDBC URL, a blank user or a bad schema name
     * @throws IllegalStateException if PostgreSQL's JDBC driver ({@code org.postgresql:postgresql}) is not on the
     *     class path
     */
    public static PostgresStore of(String jdbcUrl, String user, String password, String schema) {
        Drivers.requirePostgres();
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("PostgreSQL store: expected a JDBC URL such as "
                    + "jdbc:postgresql://10.0.0.7:5432/ops, found '" + withoutParameters(jdbcUrl) + "'; give the "
                    + "server's address and database in that form");
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("PostgreSQL store at " + withoutParameters(jdbcUrl) + ": expected a "
                    + "user to connect as, found " + (user == null ? "null" : "a blank name") + "; give the role");
        }
        PostgresStoreTables tables = new PostgresStoreTables(schema);
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", "rollback store");
        p.setProperty("tcpKeepAlive", "true");
        return new PostgresStore(Jdbi.create(jdbcUrl, p), tables, user, "at " + withoutParameters(jdbcUrl), true);
    }

    /**
     * The store in {@code schema} of the database a {@link DataSource} connects to (a pool of the application, a
     * {@code PGSimpleDataSource}). Nothing connects until the first operation; each held lock keeps one of its
     * connections.
     *
     * @param dataSource connections to a PostgreSQL database
     * @param schema the schema of the store's tables, made if missing; any name PostgreSQL keeps as given (1 to 63
     *     bytes, not {@code pg_…}), always quoted
     * @return the store
     * @throws IllegalArgumentException for a bad schema name
     */
    public static PostgresStore of(DataSource dataSource, String schema) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new PostgresStore(Jdbi.create(dataSource), new PostgresStoreTables(schema), null,
                "through the DataSource " + dataSource.getClass().getName(), false);
    }

    /** {@code PostgreSQL schema "rollback" at jdbc:postgresql://10.0.0.7:5432/ops}. */
    @Override
    public String describe() {
        return "PostgreSQL schema " + tables.quotedSchema + " " + where;
    }

    @Override
    public Optional<byte[]> read(String key) {
        StoreRules.requireKey(key);
        return use("read the document '" + key + "'", "", h -> h.createQuery("SELECT content FROM "
                + tables.documents + " WHERE key = :k").bind("k", key).mapTo(byte[].class).findOne());
    }

    @Override
    public void write(String key, byte[] content) {
        StoreRules.requireKey(key);
        Objects.requireNonNull(content, "content");
        use("write the document '" + key + "' (" + content.length + " bytes)", "nothing was changed there (the old "
                + "document, if any, is whole); ", h -> h.inTransaction(tx -> {
                    // durable when it returns, even where the server's default is not to wait for the disk
                    tx.createQuery("SELECT count(set_config('synchronous_commit', 'on', true)) "
                            + "WHERE current_setting('synchronous_commit') = 'off'").mapTo(Integer.class).one();
                    return tx.createUpdate("INSERT INTO " + tables.documents + " (key, content, written_at) "
                            + "VALUES (:k, :c, now()) ON CONFLICT (key) DO UPDATE SET content = EXCLUDED.content, "
                            + "written_at = EXCLUDED.written_at").bind("k", key).bind("c", content).execute();
                }));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The keys below {@code p} are those from {@code p/} up to, not including, {@code p0} in byte order (the key
     * column's collation is {@code "C"}, and {@code '0'} follows {@code '/'}): no pattern, so a {@code _} in a prefix
     * matches only itself.
     */
    @Override
    public List<String> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty()) {
            return use("list the documents", "", h -> h.createQuery("SELECT key FROM " + tables.documents
                    + " ORDER BY key").mapTo(String.class).list());
        }
        StoreRules.requireKey(prefix);
        return use("list the documents below '" + prefix + "'", "", h -> h.createQuery("SELECT key FROM "
                + tables.documents + " WHERE key >= :lo AND key < :hi ORDER BY key").bind("lo", prefix + "/")
                .bind("hi", prefix + "0").mapTo(String.class).list());
    }

    /** {@inheritDoc} One query, with the keys chosen as {@link #list} chooses them. */
    @Override
    public java.util.SortedMap<String, byte[]> readAll(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.isEmpty()) {
            StoreRules.requireKey(prefix);
        }
        String where = prefix.isEmpty() ? "" : " WHERE key >= :lo AND key < :hi";
        return use("read the documents below '" + prefix + "'", "", h -> {
            var query = h.createQuery("SELECT key, content FROM " + tables.documents + where + " ORDER BY key");
            if (!prefix.isEmpty()) {
                query.bind("lo", prefix + "/").bind("hi", prefix + "0");
            }
            java.util.SortedMap<String, byte[]> out = new java.util.TreeMap<>();
            query.map((rs, ctx) -> Map.entry(rs.getString("key"), rs.getBytes("content")))
                    .forEach(e -> out.put(e.getKey(), e.getValue()));
            return out;
        });
    }

    @Override
    public void delete(String key) {
        StoreRules.requireKey(key);
        use("remove the document '" + key + "'", "nothing was removed; ", h -> h.createUpdate("DELETE FROM "
                + tables.documents + " WHERE key = :k").bind("k", key).execute());
    }

    @Override
    public StoreLock lock(String name, LockOwner me) {
        StoreRules.requireLockName(name);
        Objects.requireNonNull(me, "me");
        Handle h = null;
        try {
            h = open();
            tables.check(h, describe());
            PostgresStoreLock lock = PostgresStoreLock.acquire(this, tables, h, name, me);
            held.add(lock);
            return lock;
        } catch (JdbiException e) {
            closeQuietly(h);
            throw failure("take the lock of plan '" + name + "'", "nothing was changed and no lock is held; ", e);
        } catch (RuntimeException e) {
            closeQuietly(h);
            throw e;
        }
    }

    @Override
    public Optional<LockOwner> holder(String name) {
        StoreRules.requireLockName(name);
        return use("find who holds the lock of plan '" + name + "'", "", h ->
                PostgresStoreLock.holder(tables, h, name));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: ends the database session holding the lock ({@code pg_terminate_backend}), waits until the server has
     * freed it, and removes its owner note; refused, naming the holder, where this role may not end that session.
     */
    @Override
    public Optional<LockOwner> breakLock(String name, LockOwner by, String why) {
        StoreRules.requireLockName(name);
        Objects.requireNonNull(by, "by");
        StoreRules.requireReason(why, name, describe());
        return use("break the lock of plan '" + name + "'", "", h ->
                PostgresStoreLock.breakLock(this, tables, h, name));
    }

    /** Gives back every lock taken through this store and still held. Idempotent. */
    @Override
    public void close() {
        for (PostgresStoreLock lock : List.copyOf(held)) {
            lock.close();
        }
    }

    void forget(PostgresStoreLock lock) {
        held.remove(lock);
    }

    private <R> R use(String what, String unchanged, Function<Handle, R> work) {
        try (Handle h = open()) {
            tables.check(h, describe());
            return work.apply(h);
        } catch (JdbiException e) {
            throw failure(what, unchanged, e);
        }
    }

    private Handle open() {
        Handle h = jdbi.open();
        if (!whereKnown) {
            try {
                String url = h.getConnection().getMetaData().getURL();
                if (url != null) {
                    where = "at " + withoutParameters(url);
                }
            } catch (SQLException | RuntimeException e) {
                // the DataSource's class names it
            }
            whereKnown = true;
        }
        return h;
    }

    private static void closeQuietly(Handle h) {
        if (h != null) {
            try {
                h.close();
            } catch (RuntimeException e) {
                // a broken connection: its session, and anything it held, are gone
            }
        }
    }

    private StoreException failure(String what, String unchanged, JdbiException e) {
        return new StoreException("store " + describe() + ": expected to " + what + ", found " + sqlMessage(e) + "; "
                + unchanged + hint(sqlState(e)), e);
    }

    private String hint(String state) {
        String s = state == null ? "" : state;
        if (s.startsWith("08")) {
            return "check that the database server is up and reachable from this machine, then try again";
        }
        if (s.startsWith("28")) {
            return "check the user" + (user == null ? "" : " '" + user + "'") + " and its password (the server's "
                    + "pg_hba.conf says who may connect from where)";
        }
        if (s.equals("3D000")) {
            return "create the database, or fix the database in the JDBC URL";
        }
        if (s.equals("42501")) {
            return "grant the role USAGE on schema " + tables.quotedSchema + " and SELECT, INSERT, UPDATE, DELETE on "
                    + "its rollback_ tables (and CREATE on the database for the first use, which makes them)";
        }
        if (s.equals("25006")) {
            return "connect to the primary server: this one is read-only";
        }
        if (s.startsWith("53")) {
            return "free disk space or memory on the database server, then try again";
        }
        if (s.startsWith("57")) {
            return "the server is shutting down or starting, or ended the session; try again once it is up";
        }
        return "look at the database server's log for the cause, then try again";
    }

    /** The SQLSTATE of the database error under a Jdbi failure, or null. */
    static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    /** The database's own words for a Jdbi failure: the first line of its SQL error, without the statement. */
    static String sqlMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getMessage() != null) {
                return sql.getMessage().lines().findFirst().orElse("").strip();
            }
        }
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
    }

    private static String withoutParameters(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    @Override
    public String toString() {
        return "PostgresStore[" + describe() + "]";
    }
}
