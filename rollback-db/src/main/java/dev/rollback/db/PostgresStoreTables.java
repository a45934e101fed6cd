package dev.rollback.db;

import dev.rollback.store.StoreException;
import dev.rollback.db.internal.Dialect;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The tables of a {@link PostgresStore} in its schema, and their format: created on first use, migrated by the
 * library from an older format, and refused (every operation) when a newer library wrote them, so that this one never
 * misreads them.
 *
 * <ul>
 *   <li>{@code rollback_format}: one row, the format {@code version} of the tables;</li>
 *   <li>{@code rollback_documents}: the records, {@code key} (byte-ordered), {@code content}, {@code written_at};</li>
 *   <li>{@code rollback_locks}: the owner notes of held locks, {@code name} and {@code owner} (JSON, the fields of
 *       {@link dev.rollback.store.LockOwner#toFields()} and {@code lockPid}, the holding session's backend pid).</li>
 * </ul>
 *
 * Thread-safe: the first use is done once, under this object's monitor and a transaction lock of the database.
 */
final class PostgresStoreTables {

    /** The format this library reads and writes. */
    static final int FORMAT = 1;

    /**
     * The migrations from each older format, in order: entry {@code i} turns format {@code i + 1} into {@code i + 2}.
     * Format 1 is the first, so there are none yet.
     */
    private static final List<String> MIGRATIONS = List.of();

    private static final int MAX_IDENTIFIER_BYTES = 63;

    final String schema;
    final String quotedSchema;
    final String format;
    final String documents;
    final String locks;
    private volatile boolean ready;

    PostgresStoreTables(String schema) {
        this.schema = requireSchema(schema);
        Dialect d = Dialect.postgres(schema);
        this.quotedSchema = d.quote(schema);
        this.format = d.table("rollback_format");
        this.documents = d.table("rollback_documents");
        this.locks = d.table("rollback_locks");
    }

    /**
     * {@code schema} if PostgreSQL keeps it as given: 1 to 63 bytes of UTF-8, no NUL, not {@code pg_…} (reserved for
     * the system). Any other character is allowed: the name is always quoted.
     */
    static String requireSchema(String schema) {
        Objects.requireNonNull(schema, "schema");
        int bytes = schema.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_IDENTIFIER_BYTES || schema.indexOf('\0') >= 0
                || schema.toLowerCase(java.util.Locale.ROOT).startsWith("pg_")) {
            throw new IllegalArgumentException("PostgreSQL store: expected a schema name of 1 to "
                    + MAX_IDENTIFIER_BYTES + " bytes, without NUL and not starting with 'pg_', found '"
                    + schema.replace("\0", "\\0") + "' (" + bytes + " bytes); choose a name such as 'rollback'");
        }
        return schema;
    }

    /** The advisory lock key of a plan's lock in this schema. */
    long lockKey(String name) {
        return key("lock", schema, name);
    }

    /**
     * A 64-bit advisory lock key: the first 8 bytes of SHA-256 over the parts, so that the store's keys do not meet
     * the small numbers applications pick for their own advisory locks.
     */
    static long key(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("dev.rollback.store".getBytes(StandardCharsets.UTF_8));
            for (String p : parts) {
                sha.update((byte) 0);
                sha.update(p.getBytes(StandardCharsets.UTF_8));
            }
            return ByteBuffer.wrap(sha.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must have", e);
        }
    }

    /**
     * Makes sure the tables are there in the format this library reads: creates or migrates them on this store's
     * first use, then reads the format on every use (another process may have upgraded them since).
     *
     * @throws StoreException if they are of a newer format, naming it; nothing was read or changed
     */
    void check(Handle h, String store) {
        if (!ready) {
            synchronized (this) {
                if (!ready) {
                    h.useTransaction(tx -> createOrMigrate(tx, store));
                    ready = true;
                    return;
                }
            }
        }
        Optional<Integer> found = version(h);
        if (found.isEmpty() || found.get() != FORMAT) {
            refuse(store, found);
        }
    }

    private void createOrMigrate(Handle tx, String store) {
        // one process at a time makes or migrates the tables; the others then find them made
        tx.createQuery("SELECT 1 FROM pg_advisory_xact_lock(:k)").bind("k", key("format", schema))
                .mapTo(Integer.class).one();
        boolean schemaThere = tx.createQuery("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = :s)")
                .bind("s", schema).mapTo(Boolean.class).one();
        if (!schemaThere) {
            tx.execute("CREATE SCHEMA IF NOT EXISTS " + quotedSchema);
        }
        Optional<Integer> found = exists(tx, format) ? version(tx) : Optional.empty();
        if (found.isPresent() && (found.get() > FORMAT || found.get() < 1)) {
            refuse(store, found);
        }
        // a table that is there is left alone (its owner may be another role), so a role that may only read and
        // write the tables can use a store made by an administrator
        if (!exists(tx, format)) {
            tx.execute("CREATE TABLE IF NOT EXISTS " + format + " ("
                    + "one boolean PRIMARY KEY DEFAULT true CHECK (one), "
                    + "version integer NOT NULL, "
                    + "migrated_at timestamptz NOT NULL DEFAULT now())");
        }
        if (!exists(tx, documents)) {
            tx.execute("CREATE TABLE IF NOT EXISTS " + documents + " ("
                    + "key text COLLATE \"C\" PRIMARY KEY, "
                    + "content bytea NOT NULL, "
                    + "written_at timestamptz)");
        }
        if (!exists(tx, locks)) {
            tx.execute("CREATE TABLE IF NOT EXISTS " + locks + " ("
                    + "name text COLLATE \"C\" PRIMARY KEY, "
                    + "owner text)");
        }
        if (found.isEmpty()) {
            tx.createUpdate("INSERT INTO " + format + " (version) VALUES (:v) ON CONFLICT (one) DO NOTHING")
                    .bind("v", FORMAT).execute();
            return;
        }
        for (int v = found.get(); v < FORMAT; v++) {
            tx.execute(MIGRATIONS.get(v - 1).replace("{schema}", quotedSchema));
        }
        if (found.get() < FORMAT) {
            tx.createUpdate("UPDATE " + format + " SET version = :v, migrated_at = now()").bind("v", FORMAT)
                    .execute();
        }
    }

    private static boolean exists(Handle h, String table) {
        return h.createQuery("SELECT to_regclass(:t) IS NOT NULL").bind("t", table).mapTo(Boolean.class).one();
    }

    private Optional<Integer> version(Handle h) {
        return h.createQuery("SELECT max(version) FROM " + format).mapTo(Integer.class).findOne();
    }

    private void refuse(String store, Optional<Integer> found) {
        if (found.isPresent() && found.get() > FORMAT) {
            throw new StoreException("store " + store + ": expected its tables in format " + FORMAT + " (the format "
                    + "this library reads and writes), found format " + found.get() + " in " + format + ", written by "
                    + "a newer version of the library; nothing was read or changed; upgrade the library (rollback-db) "
                    + "to the version that wrote them, on every machine that uses this store", null);
        }
        throw new StoreException("store " + store + ": expected one row of format " + FORMAT + " in " + format
                + ", found " + found.map(v -> "format " + v + ", which no version of the library writes")
                        .orElse("none (the row or the table was removed)")
                + "; nothing was read or changed; restore the schema " + quotedSchema + " from a backup of the "
                + "database, or point the store at another schema", null);
    }
}
