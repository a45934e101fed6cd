package dev.rollback.db;

import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Codec;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.internal.Exporter;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Plural;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * The data a migration tool's downgrade drops, found the same way for every tool: a table or a
 * column that goes, counted by one query that the export runs again, so the counts in a preview
 * are the rows exported. A column's values equal to its literal default are not counted: the
 * default filled them, no one wrote them. Not API; stateless.
 */
final class DroppedData {

    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");
    private static final Pattern QUOTED = Pattern.compile("'((?:[^']|'')*)'");

    /** Data a downgrade drops: a table, or a column of it, what drops it, and the rows that hold it. */
    record Drop(String cause, String table, String column, String condition, long rows) {

        String describe() {
            return column == null ? cause + " drops table '" + table + "', which holds " + Plural.of(rows, "row")
                    : cause + " drops column '" + column + "' of table '" + table + "', which holds values in "
                            + Plural.of(rows, "row");
        }
    }

    private DroppedData() {}

    /** Records the live tables, their columns and row counts under {@code catalog.} of {@code data}. */
    static void recordCatalog(DatabaseTarget db, Host host, Map<String, String> data) throws Exception {
        Map<String, String> catalog = new TreeMap<>();
        Catalog.write(db.withLive(host, h -> Catalog.states(h, db.dialect())), catalog);
        catalog.forEach((k, v) -> data.put("catalog." + k, v));
    }

    /** The tables recorded by {@link #recordCatalog} in {@code s}, or null when it holds none. */
    static Map<String, TableState> catalogOf(dev.rollback.spi.Snapshot s) {
        if (s == null || !s.data().containsKey("catalog.tables")) {
            return null;
        }
        Map<String, String> data = new TreeMap<>();
        s.data().forEach((k, v) -> {
            if (k.startsWith("catalog.")) {
                data.put(k.substring("catalog.".length()), v);
            }
        });
        return Catalog.read(dev.rollback.spi.Snapshot.of(data));
    }

    /** {@code found}, then those of {@code more} that drop a table or column {@code found} does not name. */
    static List<Drop> merge(List<Drop> found, List<Drop> more) {
        List<Drop> out = new ArrayList<>(found);
        for (Drop m : more) {
            boolean known = found.stream().anyMatch(f -> f.table().equals(m.table())
                    && (f.column() == null || f.column().equals(m.column())));
            if (!known) {
                out.add(m);
            }
        }
        return out;
    }

    /** The drop of {@code table} by {@code cause}, if it exists and holds rows. */
    static Drop table(Handle h, Dialect d, String cause, String table) {
        if (!Catalog.tables(h, d).contains(table)) {
            return null;
        }
        long n = Catalog.count(h, d, table);
        return n > 0 ? new Drop(cause, table, null, null, n) : null;
    }

    /** The drop of {@code column} of {@code table} by {@code cause}, if it exists and holds values not its default. */
    static Drop column(Handle h, Dialect d, String cause, String table, String column) throws Exception {
        if (!Catalog.tables(h, d).contains(table) || !Catalog.columns(h, d, table).contains(column)) {
            return null;
        }
        String condition = d.quote(column) + " IS NOT NULL" + notDefault(h, d, table, column);
        long n = h.createQuery("SELECT count(*) FROM " + d.table(table) + " WHERE " + condition).mapTo(Long.class).one();
        return n > 0 ? new Drop(cause, table, column, condition, n) : null;
    }

    /**
     * What goes when the schema returns to the tables and columns recorded in {@code before}: tables
     * and columns live now but not then, except those that {@code renamed} maps back to a name
     * recorded then ({@code "table"} or {@code "table.column"} now, to the name then).
     */
    static List<Drop> fromCatalog(Handle h, Dialect d, String cause, Map<String, TableState> before,
            Map<String, String> renamed) throws Exception {
        List<Drop> out = new ArrayList<>();
        for (String t : Catalog.tables(h, d)) {
            String then = renamed.getOrDefault(t, t);
            TableState b = before.get(then);
            if (b == null) {
                Drop x = table(h, d, cause, t);
                if (x != null) {
                    out.add(x);
                }
                continue;
            }
            Set<String> had = Set.copyOf(b.columns());
            for (String c : Catalog.columns(h, d, t)) {
                String was = renamed.getOrDefault(t + "." + c, c);
                if (!had.contains(was)) {
                    Drop x = column(h, d, cause, t, c);
                    if (x != null) {
                        out.add(x);
                    }
                }
            }
        }
        return out;
    }

    /** {@code " AND col <> default"} when the column has a literal default, else empty. */
    static String notDefault(Handle h, Dialect d, String table, String column) throws Exception {
        String def = null;
        try (ResultSet rs = h.getConnection().getMetaData().getColumns(d.catalog(), d.schema(), table, column)) {
            while (rs.next()) {
                if (table.equals(rs.getString("TABLE_NAME")) && column.equals(rs.getString("COLUMN_NAME"))) {
                    def = rs.getString("COLUMN_DEF");
                }
            }
        }
        if (def == null) {
            return "";
        }
        String v = def.strip();
        while (v.startsWith("(") && v.endsWith(")")) {
            v = v.substring(1, v.length() - 1).strip();
        }
        v = v.replaceFirst("::[A-Za-z ]+$", "");
        if (NUMBER.matcher(v).matches() || QUOTED.matcher(v).matches()) {
            return " AND " + d.quote(column) + " <> " + v;
        }
        return "";
    }

    /**
     * Exports the rows holding each drop (whole rows: the key and the dropped values) into {@code
     * lost/} of the point being written, with the query that counted them; returns the snapshot
     * data naming the files ({@code lost.files}) and what each holds ({@code lost}).
     */
    static Map<String, String> export(DatabaseTarget db, CaptureContext ctx, List<Drop> drops, ExportFormat format)
            throws Exception {
        Map<String, String> data = new TreeMap<>();
        if (drops.isEmpty()) {
            return data;
        }
        Host host = ctx.host();
        Path dir = ctx.artifactDir().resolve("lost");
        host.createDirectories(dir);
        host.setMode(dir, 0700);
        boolean sql = format == ExportFormat.SQL;
        Dialect d = db.dialect();
        List<String> files = new ArrayList<>();
        List<String> what = new ArrayList<>();
        db.withLive(host, h -> {
            int i = 0;
            for (Drop x : drops) {
                i++;
                String file = Exporter.fileName(i, x.table(), x.column() == null ? "table"
                        : "column-" + x.column().replaceAll("[^A-Za-z0-9_-]", "_"), sql);
                long n = Exporter.export(h, d, x.table(), x.condition(), List.of(), sql, host, dir.resolve(file));
                files.add("lost/" + file);
                what.add(x.describe() + ": " + Plural.of(n, "row") + " exported to lost/" + file);
                ctx.progress("exported " + Plural.of(n, "row") + " of '" + x.table() + "' to lost/" + file);
            }
            return null;
        });
        data.put("lost.files", Codec.encode(files));
        data.put("lost", what.toString());
        return data;
    }
}
