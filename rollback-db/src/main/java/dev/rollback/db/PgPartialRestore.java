package dev.rollback.db;

import dev.rollback.db.internal.Codec;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.internal.Tools;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * The restore of some tables of a {@link PostgresDatabase} ({@link PostgresDatabase#only}): their
 * rows and sequences are replaced in one transaction with their user triggers disabled and the
 * foreign keys to or from them dropped and re-created, which checks every row. Not API; immutable.
 */
final class PgPartialRestore {

    private final PostgresDatabase db;
    private final PgClient client;

    PgPartialRestore(PostgresDatabase db) {
        this.db = db;
        this.client = db.client();
    }

    /** What {@link #restore} does, as sentences. */
    List<String> plan(Snapshot s, RestoreContext ctx) throws Exception {
        List<String> lines = new ArrayList<>();
        List<String> keys = db.withLive(ctx.host(), h -> foreignKeys(h).stream().map(ForeignKey::describe).toList());
        lines.add("in one transaction: disable the user triggers of " + db.only + ", drop the foreign keys "
                + (keys.isEmpty() ? "to or from them (none)" : keys));
        lines.add("replace the rows of " + db.only + " and the sequences " + sequencesOf(s) + " with those of the dump");
        lines.add("re-create those foreign keys, checking every row (a broken one aborts the transaction: nothing "
                + "changes), and enable the triggers again");
        lines.add("leave every other table of '" + db.database + "' untouched");
        return lines;
    }

    /** A foreign key to or from a restored table, with its definition as {@code pg_get_constraintdef} gives it. */
    record ForeignKey(String schema, String table, String name, String definition) {
        String describe() {
            return name + " of " + schema + "." + table;
        }
    }

    /** A user trigger of a restored table that is enabled now, with its mode ({@code O}, {@code R} or {@code A}). */
    private record Trigger(String table, String name, String mode) {}

    /**
     * The foreign keys that point to or from the restored tables, with every name in their
     * definitions qualified by its schema (read with only {@code pg_catalog} on the search path), so
     * that they can be re-created whatever the search path.
     */
    List<ForeignKey> foreignKeys(Handle h) {
        return h.inTransaction(tx -> {
            tx.execute("SET LOCAL search_path = pg_catalog");
            return tx.createQuery("SELECT n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid) "
                    + "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
                    + "JOIN pg_class p ON p.oid = c.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace "
                    + "WHERE c.contype = 'f' AND c.conparentid = 0 AND ((n.nspname = :s AND t.relname = ANY(:t)) "
                    + "OR (pn.nspname = :s AND p.relname = ANY(:t))) ORDER BY 1, 2, 3")
                    .bind("s", db.schema).bindArray("t", String.class, db.only)
                    .map((rs, c) -> new ForeignKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                    .list();
        });
    }

    /** The user triggers of the restored tables that are enabled now. */
    private List<Trigger> triggers(Handle h) {
        return h.createQuery("SELECT c.relname, g.tgname, g.tgenabled FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT g.tgisinternal AND g.tgenabled <> 'D' "
                + "AND n.nspname = :s AND c.relname = ANY(:t) ORDER BY 1, 2")
                .bind("s", db.schema).bindArray("t", String.class, db.only)
                .map((rs, c) -> new Trigger(rs.getString(1), rs.getString(2), rs.getString(3))).list();
    }

    /**
     * Replaces the rows of the named tables and their sequences in one transaction, as the tables'
     * owner: user triggers of those tables are disabled (and enabled again in the mode each had),
     * the foreign keys to or from them are dropped and re-created, which checks every row. A broken
     * foreign key aborts the transaction: nothing changes.
     */
    void restore(Snapshot s, RestoreContext ctx, Path dump) throws Exception {
        Host host = ctx.host();
        Dialect d = db.dialect();
        List<ForeignKey> keys = new ArrayList<>();
        List<Trigger> triggers = new ArrayList<>();
        db.withLive(host, h -> {
            keys.addAll(foreignKeys(h));
            triggers.addAll(triggers(h));
            return null;
        });
        Path tmp = Tools.privateTempDir(host);
        try {
            Path data = tmp.resolve("tables.sql");
            List<String> extract = new ArrayList<>(List.of(client.tool("pg_restore"), "--data-only", "-n", db.schema));
            for (String t : db.only) {
                extract.addAll(List.of("-t", t));
            }
            for (String q : sequencesOf(s)) {
                extract.addAll(List.of("-t", q));
            }
            extract.addAll(List.of("-f", data.toString(), dump.toString()));
            client.run(host, extract);
            List<String> argv = new ArrayList<>(List.of(client.tool("psql"), "-X", "-q", "--single-transaction", "-v",
                    "ON_ERROR_STOP=1", "-d", PgClient.conninfo(db.database)));
            for (String t : db.only) {
                argv.addAll(List.of("-c", "ALTER TABLE " + d.table(t) + " DISABLE TRIGGER USER"));
            }
            for (ForeignKey k : keys) {
                argv.addAll(List.of("-c", "ALTER TABLE " + qualified(k) + " DROP CONSTRAINT " + d.quote(k.name)));
            }
            argv.addAll(List.of("-c", "TRUNCATE ONLY " + String.join(", ", db.only.stream().map(d::table).toList())));
            argv.addAll(List.of("-f", data.toString()));
            for (ForeignKey k : keys) {
                argv.addAll(List.of("-c", "ALTER TABLE " + qualified(k) + " ADD CONSTRAINT " + d.quote(k.name) + " "
                        + k.definition));
            }
            for (Trigger g : triggers) {
                String mode = switch (g.mode) {
                    case "R" -> "ENABLE REPLICA TRIGGER ";
                    case "A" -> "ENABLE ALWAYS TRIGGER ";
                    default -> "ENABLE TRIGGER ";
                };
                argv.addAll(List.of("-c", "ALTER TABLE " + d.table(g.table) + " " + mode + d.quote(g.name)));
            }
            ctx.progress("psql --single-transaction: replace the rows of " + db.only + " with "
                    + Plural.of(triggers.size(), "user trigger") + " disabled and " + Plural.of(keys.size(), "foreign key")
                    + " re-created");
            CommandResult r = host.run(client.command(host, argv));
            if (!r.succeeded()) {
                Matcher broken = Pattern
                        .compile("violates foreign key constraint \"([^\"]+)\"[^\n]*(?:\n\s*DETAIL:\s*([^\n]*))?")
                        .matcher(r.stderr());
                if (broken.find()) {
                    throw new IllegalStateException("target '" + db.name() + "': expected the restored rows of " + db.only
                            + " to satisfy foreign key " + broken.group(1) + ", found " + (broken.group(2) == null
                            ? "rows that break it" : broken.group(2)) + "; nothing was changed (the restore ran in one "
                            + "transaction); restore the tables on the other side of that key too (onlyTables(...)), "
                            + "or restore the whole database");
                }
                throw new IllegalStateException("target '" + db.name() + "': expected the partial restore of " + db.only
                        + " to succeed, found " + r.describe() + "; nothing was changed (the restore ran in one "
                        + "transaction); fix the cause (the role must own the tables and those referring to them), "
                        + "then try again");
            }
        } finally {
            host.delete(tmp);
        }
    }

    /** The table a foreign key belongs to, quoted and qualified by its schema. */
    private String qualified(ForeignKey k) {
        Dialect d = db.dialect();
        return d.quote(k.schema) + "." + d.quote(k.table);
    }

    List<String> sequencesOf(Snapshot s) {
        List<String> out = new ArrayList<>();
        for (String t : db.only) {
            out.addAll(Codec.decode(s.data().get("sequences." + t)));
        }
        return out;
    }
}
