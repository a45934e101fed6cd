package dev.rollback.db;

import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.internal.DumpRows;
import dev.rollback.db.internal.Tools;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * The backup of a {@link MariaDbDatabase}: {@code mysqldump --single-transaction} at capture with
 * the rows counted in the dump itself; a restore that drops every object of the database and loads
 * the dump with the {@code mysql} client; and the check of a dump in a scratch database. Not API;
 * immutable.
 */
final class MariaDbDump {

    /** The kinds of stored routines a restore drops before loading the dump. */
    private static final List<String> ROUTINES = List.of("PROCEDURE", "FUNCTION", "PACKAGE BODY", "PACKAGE");

    private final MariaDbDatabase db;
    private final MariaDbClient client;

    MariaDbDump(MariaDbDatabase db) {
        this.db = db;
        this.client = db.client();
    }

    /** Dumps the database into the artifact folder; returns its tables as the dump holds them. */
    List<TableState> capture(CaptureContext ctx, Map<String, String> data) throws Exception {
        data.put("engine", "mariadb");
        data.put("database", db.database);
        Path out = ctx.artifactDir().resolve(MariaDbDatabase.ARTIFACT);
        // read before the dump: a row written between this snapshot and the dump's shows as written
        // after the restore point (a false alarm), never the other way round (a silent loss)
        List<TableState> states = db.withLive(ctx.host(), h -> {
            h.begin();
            try {
                h.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
                data.put("dbTime", h.createQuery(db.dialect().nowSql()).mapTo(String.class).one());
                return Catalog.states(h, db.dialect());
            } finally {
                h.rollback();
            }
        });
        ctx.progress("mysqldump --single-transaction of " + db.database);
        client.requireSuccess(client.runTool(ctx.host(), "mysqldump", List.of("--single-transaction", "--no-tablespaces", "--routines",
                "--triggers", "--events", "--hex-blob", "--complete-insert", "--result-file=" + out, "--", db.database)));
        ctx.host().setMode(out, 0600);
        if (!db.rewriteDefiners && ctx.rollbackId().isEmpty()) {
            List<String> foreign = new MariaDbDefiners(db).inDump(ctx.host(), out);
            if (!foreign.isEmpty()) {
                throw new IllegalStateException("target '" + db.name() + "': expected a dump the account " + db.user
                        + " can load back, found objects defined by other accounts: " + String.join("; ", foreign)
                        + "; loading them needs the SET USER privilege, which this account lacks; no restore point was "
                        + "stored: restore them as defined by this account with rewriteDefiners(), grant it SET USER, "
                        + "or connect as one that has it");
            }
        }
        if (!ctx.host().sharesLocalFiles()) {
            return states;
        }
        return countedInDump(ctx.host(), out, states);
    }

    /**
     * The tables as the dump holds them: its tables, with the rows and largest keys counted in it,
     * and the columns read before the dump (or, for a table the dump has and the earlier read has
     * not, read now).
     */
    private List<TableState> countedInDump(Host host, Path dump, List<TableState> before) throws Exception {
        Map<String, TableState> known = new TreeMap<>();
        before.forEach(t -> known.put(t.name(), t));
        Dialect d = db.dialect();
        return db.withLive(host, h -> {
            Map<String, TableState> late = new TreeMap<>();
            Map<String, DumpRows.Table> counted = DumpRows.read(dump, t -> {
                TableState k = known.get(t);
                if (k == null) {
                    k = Catalog.state(h, d, t);
                    late.put(t, k);
                }
                return k.idColumn();
            });
            List<TableState> out = new ArrayList<>();
            counted.forEach((t, c) -> {
                TableState k = known.containsKey(t) ? known.get(t) : late.get(t);
                out.add(new TableState(t, c.rows(), k.idColumn(), k.idColumn() == null ? null : c.maxId(), k.columns()));
            });
            return out;
        });
    }

    /** Drops every object of the database and loads the dump; fails as {@link HalfRestored} once something was dropped. */
    void restore(Snapshot s, RestoreContext ctx) throws Exception {
        Path dump = ctx.artifact(s, MariaDbDatabase.ARTIFACT);
        Host host = ctx.host();
        db.withLive(host, h -> {
            List<String> drops = dropStatements(h);
            ctx.progress("dropping " + Plural.of(drops.size(), "object") + " of " + db.database);
            h.execute("SET FOREIGN_KEY_CHECKS = 0");
            try {
                int dropped = 0;
                for (String drop : drops) {
                    try {
                        h.execute(drop);
                    } catch (RuntimeException e) {
                        if (dropped == 0) {
                            throw e; // nothing changed yet
                        }
                        throw new HalfRestored("target '" + db.name() + "': expected to drop every object of database '"
                                + db.database + "', found '" + drop + "' failing after " + dropped + " were dropped: "
                                + e.getMessage(), e);
                    }
                    dropped++;
                }
            } finally {
                h.execute("SET FOREIGN_KEY_CHECKS = 1");
            }
            return null;
        });
        ctx.progress("loading the dump into " + db.database + (db.rewriteDefiners ? ", every DEFINER as CURRENT_USER"
                : ""));
        CommandResult r = db.rewriteDefiners ? client.loadAsDefiner(host, db.database, dump) : client.load(host, db.database, dump);
        if (!MariaDbClient.loaded(r)) {
            throw new HalfRestored("target '" + db.name() + "': expected the mysql client to load the whole dump, found "
                    + r.describe() + " after every object of the database was dropped", null);
        }
    }

    /**
     * The statements that empty the database of every object a dump can bring back: events,
     * triggers, stored routines and packages, views, sequences and tables, in that order, names
     * quoted. Lists everything before anything is dropped, so an object of an unknown kind stops
     * the restore before it changes anything.
     */
    private List<String> dropStatements(Handle h) {
        Dialect d = db.dialect();
        List<String> drops = new ArrayList<>();
        for (String e : h.createQuery("SELECT event_name FROM information_schema.events WHERE event_schema = :d ORDER BY 1")
                .bind("d", db.database).mapTo(String.class).list()) {
            drops.add("DROP EVENT IF EXISTS " + d.quote(e));
        }
        for (String t : h.createQuery("SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = :d "
                + "ORDER BY 1").bind("d", db.database).mapTo(String.class).list()) {
            drops.add("DROP TRIGGER IF EXISTS " + d.quote(t));
        }
        // a package body goes before its package
        List<Map<String, Object>> routines = h.createQuery("SELECT routine_name AS name, routine_type AS type FROM "
                + "information_schema.routines WHERE routine_schema = :d ORDER BY routine_type = 'PACKAGE', 1")
                .bind("d", db.database).mapToMap().list();
        for (Map<String, Object> r : routines) {
            String type = String.valueOf(r.get("type"));
            if (!ROUTINES.contains(type)) {
                throw new IllegalStateException("target '" + db.name() + "': expected stored routines of the kinds " + ROUTINES
                        + " in database '" + db.database + "', found '" + r.get("name") + "' of kind " + type
                        + "; nothing was dropped: drop it by hand, then roll back again");
            }
            drops.add("DROP " + type + " IF EXISTS " + d.quote(String.valueOf(r.get("name"))));
        }
        List<Map<String, Object>> tables = h.createQuery("SELECT table_name AS name, table_type AS type "
                + "FROM information_schema.tables WHERE table_schema = :d ORDER BY table_type <> 'VIEW', 1")
                .bind("d", db.database).mapToMap().list();
        for (Map<String, Object> o : tables) {
            String type = String.valueOf(o.get("type"));
            String kind = type.equals("VIEW") ? "VIEW" : type.equals("SEQUENCE") ? "SEQUENCE" : "TABLE";
            drops.add("DROP " + kind + " IF EXISTS " + d.quote(String.valueOf(o.get("name"))));
        }
        return drops;
    }

    /** Loads the dump into a scratch database and compares it with {@code s}; returns the differences. */
    List<String> differences(Snapshot s, Path artifactDir, Host host) throws Exception {
        String scratch = "rb_verify_" + Tools.randomHex(6);
        Dialect d = db.dialect();
        try {
            client.with(host, null, h -> h.execute("CREATE DATABASE " + d.quote(scratch)));
        } catch (Exception e) {
            throw new IllegalStateException("target '" + db.name() + "': expected to create the scratch database '" + scratch
                    + "' to verify the backup in, found: " + e.getMessage() + "; grant the account CREATE and DROP on "
                    + "databases named rb_verify_% (GRANT ALL ON `rb\\_verify\\_%`.* TO ...), or do not use verifyBackups()", e);
        }
        try {
            Path file = artifactDir.resolve(MariaDbDatabase.ARTIFACT);
            CommandResult r = db.rewriteDefiners ? client.loadAsDefiner(host, scratch, file) : client.load(host, scratch, file);
            if (!MariaDbClient.loaded(r)) {
                return List.of("loading the dump into a scratch database failed: " + r.describe());
            }
            MariaDbDatabase scratchTarget = db.on(scratch);
            return scratchTarget.withLive(host, h -> DatabaseIntegrity.compareBackup(scratchTarget, h, s));
        } finally {
            client.with(host, null, h -> h.execute("DROP DATABASE IF EXISTS " + d.quote(scratch)));
        }
    }
}
