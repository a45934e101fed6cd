package dev.rollback.db;

import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Codec;
import dev.rollback.db.internal.Dialect;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Handle;

/**
 * The backup strategy of a {@link PostgresDatabase} for the whole database: {@code pg_dump -Fc} in
 * one repeatable-read snapshot that also records the tables and row counts, and a restore that
 * drops the database's schemas and runs {@code pg_restore -j}. Not API; immutable.
 */
final class PgDump {

    private final PostgresDatabase db;
    private final PgClient client;

    PgDump(PostgresDatabase db) {
        this.db = db;
        this.client = db.client();
    }

    /** Dumps the database into the artifact folder; returns its tables as the dump's snapshot holds them. */
    List<TableState> capture(CaptureContext ctx, Map<String, String> data) throws Exception {
        data.put("engine", "postgresql");
        data.put("database", db.database);
        data.put("strategy", "backup");
        Path out = ctx.artifactDir().resolve(PostgresDatabase.ARTIFACT);
        return db.withLive(ctx.host(), h -> {
            h.begin();
            try {
                h.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                String snapshot = h.createQuery("SELECT pg_export_snapshot()").mapTo(String.class).one();
                data.put("dbTime", h.createQuery("SELECT CAST(now() AS text)").mapTo(String.class).one());
                // one process counts, so pg_dump keeps the other cores
                h.execute("SET LOCAL max_parallel_workers_per_gather = 0");
                ctx.progress("pg_dump -Fc -Z " + db.compression + " of " + db.database);
                // pg_dump and the counts read the same exported snapshot, side by side
                Command pgDump = client.command(ctx.host(), List.of(client.tool("pg_dump"), "-Fc", "-Z",
                        Integer.toString(db.compression), "--snapshot=" + snapshot, "-f",
                        out.toString(), "-d", PgClient.conninfo(db.database)));
                ExecutorService side = Executors.newSingleThreadExecutor();
                Future<CommandResult> dump = side.submit(() -> ctx.host().run(pgDump));
                side.shutdown();
                List<TableState> states = null;
                RuntimeException counting = null;
                try {
                    states = Catalog.states(h, db.dialect());
                    data.putAll(sequences(db, h, states));
                } catch (RuntimeException e) {
                    counting = e; // reported once pg_dump has ended: its own failure would follow from this one
                }
                CommandResult r;
                try {
                    r = dump.get();
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
                            : new IllegalStateException(e.getCause());
                    if (counting != null) {
                        counting.addSuppressed(cause);
                        throw counting;
                    }
                    throw cause;
                }
                if (counting != null) {
                    throw new IllegalStateException("target '" + db.name() + "': expected to count the rows of every table "
                            + "of schema '" + db.schema + "' as role '" + db.user + "', found: " + counting.getMessage()
                            + "; grant the role SELECT on every table, or connect as their owner", counting);
                }
                if (!r.succeeded()) {
                    throw new IllegalStateException("target '" + db.name() + "': expected pg_dump to succeed, found "
                            + r.describe() + "; fix the cause (server reachable, role allowed, disk space), then "
                            + "try again");
                }
                ctx.host().setMode(out, 0600);
                return states;
            } finally {
                h.rollback();
            }
        });
    }

    /** The sequences each table owns (serial and identity columns), as snapshot data. */
    static Map<String, String> sequences(PostgresDatabase db, Handle h, List<TableState> states) {
        Map<String, String> out = new TreeMap<>();
        for (TableState t : states) {
            List<String> seqs = h.createQuery("SELECT s.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
                    + "JOIN pg_class t ON d.refobjid = t.oid JOIN pg_namespace n ON n.oid = t.relnamespace "
                    + "WHERE s.relkind = 'S' AND d.deptype IN ('a', 'i') AND n.nspname = :s AND t.relname = :t ORDER BY 1")
                    .bind("s", db.schema).bind("t", t.name()).mapTo(String.class).list();
            if (!seqs.isEmpty()) {
                out.put("sequences." + t.name(), Codec.encode(seqs));
            }
        }
        return out;
    }

    /** What {@link #restore} does, as sentences. */
    List<String> plan(Snapshot s) {
        String jobs = "pg_restore -j " + db.jobs;
        return List.of("drop every schema of database '" + db.database + "' and recreate an empty 'public'",
                (db.schemaOnly ? "pg_restore --schema-only" : jobs) + " of the dump (" + s.artifact(PostgresDatabase.ARTIFACT)
                        .map(a -> a.size() + " bytes").orElse("missing") + ") into '" + db.database + "'");
    }

    /** Drops every schema of the database and loads the whole dump (or its definitions) back. */
    void restore(Snapshot s, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        Path dump = ctx.artifact(s, PostgresDatabase.ARTIFACT);
        Dialect d = db.dialect();
        db.withLive(host, h -> {
            h.useTransaction(tx -> {
                List<String> schemas = tx.createQuery("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                        + "AND nspname <> 'information_schema' ORDER BY 1").mapTo(String.class).list();
                for (String schema : schemas) {
                    tx.execute("DROP SCHEMA " + d.quote(schema) + " CASCADE");
                }
                tx.execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner");
                tx.execute("GRANT USAGE ON SCHEMA public TO PUBLIC");
                tx.execute("COMMENT ON SCHEMA public IS 'standard public schema'");
            });
            return null;
        });
        List<String> argv = new ArrayList<>(List.of(client.tool("pg_restore"), "--exit-on-error", "-j",
                Integer.toString(db.jobs)));
        if (db.schemaOnly) {
            argv.add("--schema-only");
        }
        if (db.noOwner) {
            argv.add("--no-owner");
        }
        argv.addAll(List.of("-d", PgClient.conninfo(db.database), dump.toString()));
        ctx.progress(String.join(" ", argv.subList(0, argv.size() - 3)) + " into " + db.database);
        CommandResult r = host.run(client.command(host, argv));
        if (!r.succeeded()) {
            throw new HalfRestored("target '" + db.name() + "': expected pg_restore to load the whole dump into '"
                    + db.database + "', found " + r.describe() + " after the database's schemas were dropped", null);
        }
    }
}
