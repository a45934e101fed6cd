package dev.rollback.db;

import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Codec;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.internal.Exporter;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Plural;
import dev.rollback.spi.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The point of no return of a {@link DatabaseTarget}: the data a restore would destroy in the live
 * database (rows, columns and tables written after the restore point), found by comparing it with
 * what was recorded at capture, and the export of those rows before a rollback. Not API; stateless.
 */
final class DataLossScan {

    /** Tables where migration tools keep their history: their rows are not the application's data. */
    private static final Set<String> BOOKKEEPING = Set.of("flyway_schema_history", "alembic_version",
            "databasechangelog", "databasechangeloglock");

    private DataLossScan() {}

    /**
     * The data a restore of {@code s} would destroy in the live database, found by comparing it with
     * what was recorded at capture. Changes nothing.
     */
    static List<DataLoss> dataLoss(DatabaseTarget db, Snapshot s, Host host) throws Exception {
        Map<String, TableState> recorded = Catalog.read(s);
        Set<String> only = db.restoredTables(s);
        boolean empties = db.emptiesTables(s);
        Dialect d = db.dialect();
        return db.withLive(host, h -> {
            List<DataLoss> out = new ArrayList<>();
            for (String t : Catalog.tables(h, d)) {
                if ((!only.isEmpty() && !only.contains(t)) || BOOKKEEPING.contains(t.toLowerCase(java.util.Locale.ROOT))
                        || t.equals(db.flywayTable)) {
                    continue;
                }
                TableState r = recorded.get(t);
                if (empties) {
                    long n = Catalog.count(h, d, t);
                    if (n > 0) {
                        out.add(new DataLoss(t, null, DataLoss.Kind.ALL_ROWS, n));
                    }
                    continue;
                }
                if (r == null) {
                    long n = Catalog.count(h, d, t);
                    if (n > 0) {
                        out.add(new DataLoss(t, null, DataLoss.Kind.NEW_TABLE, n));
                    }
                    continue;
                }
                List<String> columns = Catalog.columns(h, d, t);
                for (String c : columns) {
                    if (!r.columns().contains(c)) {
                        long n = h.createQuery("SELECT count(*) FROM " + d.table(t) + " WHERE " + d.quote(c) + " IS NOT NULL")
                                .mapTo(Long.class).one();
                        if (n > 0) {
                            out.add(new DataLoss(t, c, DataLoss.Kind.NEW_COLUMN, n));
                        }
                    }
                }
                long added;
                if (r.idColumn() != null && columns.contains(r.idColumn())) {
                    String q = "SELECT count(*) FROM " + d.table(t) + (r.maxId() == null ? ""
                            : " WHERE " + d.quote(r.idColumn()) + " > " + r.maxId());
                    added = h.createQuery(q).mapTo(Long.class).one();
                } else {
                    added = Math.max(0, Catalog.count(h, d, t) - r.rows());
                }
                if (added > 0) {
                    out.add(new DataLoss(t, null, DataLoss.Kind.NEW_ROWS, added));
                }
                String at = db.writtenAt.get(t);
                if (at != null && columns.contains(at) && s.get("dbTime").isPresent()) {
                    long n = h.createQuery("SELECT count(*) FROM " + d.table(t) + " WHERE "
                            + String.format(d.afterSql(), d.quote(at))).bind(0, s.require("dbTime")).mapTo(Long.class).one();
                    if (n > 0) {
                        out.add(new DataLoss(t, at, DataLoss.Kind.WRITTEN_AFTER, n));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Exports the data a restore of {@code s} would destroy into {@code ctx.artifactDir()/lost}, on the
     * plan's host: the rows are read here through JDBC and written there through the host.
     */
    static Map<String, String> export(DatabaseTarget db, Snapshot s, CaptureContext ctx) throws Exception {
        List<DataLoss> lost = dataLoss(db, s, ctx.host());
        Map<String, String> data = new TreeMap<>();
        if (lost.isEmpty()) {
            return data;
        }
        Path dir = ctx.artifactDir().resolve("lost");
        ctx.host().createDirectories(dir);
        ctx.host().setMode(dir, 0700);
        Map<String, TableState> recorded = Catalog.read(s);
        boolean sql = db.exportFormat == ExportFormat.SQL;
        Dialect d = db.dialect();
        List<String> files = new ArrayList<>();
        db.withLive(ctx.host(), h -> {
            int i = 0;
            for (DataLoss l : lost) {
                i++;
                String condition = null;
                List<Object> params = new ArrayList<>();
                String suffix = "all";
                TableState r = recorded.get(l.table());
                switch (l.kind()) {
                    case NEW_ROWS -> {
                        if (r != null && r.idColumn() != null && r.maxId() != null) {
                            condition = d.quote(r.idColumn()) + " > ?";
                            params.add(r.maxId());
                            suffix = "new";
                        }
                    }
                    case WRITTEN_AFTER -> {
                        condition = String.format(d.afterSql(), d.quote(l.column()));
                        params.add(s.require("dbTime"));
                        suffix = "written-after";
                    }
                    case NEW_COLUMN -> {
                        condition = d.quote(l.column()) + " IS NOT NULL";
                        suffix = "column-" + l.column().replaceAll("[^A-Za-z0-9_-]", "_");
                    }
                    default -> {
                        // the whole table
                    }
                }
                String file = Exporter.fileName(i, l.table(), suffix, sql);
                long n = Exporter.export(h, d, l.table(), condition, params, sql, ctx.host(), dir.resolve(file));
                files.add("lost/" + file);
                ctx.progress("exported " + Plural.of(n, "row") + " of '" + l.table() + "' to " + file);
            }
            return null;
        });
        data.put("lost.files", Codec.encode(files));
        data.put("lost", lost.stream().map(DataLoss::describe).toList().toString());
        return data;
    }
}
