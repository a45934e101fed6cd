package dev.rollback.db.internal;

import dev.rollback.spi.Snapshot;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * Reads what the database holds through JDBC metadata, the same way on every engine: tables,
 * columns, integer keys, foreign keys, row counts; and writes it into snapshot data and back.
 */
public final class Catalog {

    private static final Set<Integer> INTEGERS = Set.of(Types.INTEGER, Types.BIGINT, Types.SMALLINT, Types.TINYINT);

    /** What one table held at one moment. */
    public record TableState(String name, long rows, String idColumn, Long maxId, List<String> columns) {

        /** Copies the columns. */
        public TableState {
            columns = List.copyOf(columns);
        }
    }

    /** A foreign key: the child's columns refer to the parent's. */
    public record ForeignKey(String name, String child, List<String> childColumns, String parent,
            List<String> parentColumns) {

        /** Copies the column lists. */
        public ForeignKey {
            childColumns = List.copyOf(childColumns);
            parentColumns = List.copyOf(parentColumns);
        }
    }

    private Catalog() {}

    /** The application's tables, sorted by name. */
    public static List<String> tables(Handle h, Dialect d) {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = h.getConnection().getMetaData().getTables(d.catalog(), d.schema(), "%",
                new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME");
                if (!d.hidden(name)) {
                    out.add(name);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(d.engine() + ": cannot list the tables: " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    /** The columns of a table, in table order. */
    public static List<String> columns(Handle h, Dialect d, String table) {
        List<String> out = new ArrayList<>();
        try {
            DatabaseMetaData m = h.getConnection().getMetaData();
            try (ResultSet rs = m.getColumns(d.catalog(), d.schema(), pattern(m, table), "%")) {
                while (rs.next()) {
                    if (table.equals(rs.getString("TABLE_NAME"))) {
                        out.add(rs.getString("COLUMN_NAME"));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(d.engine() + ": cannot list the columns of '" + table + "': "
                    + e.getMessage(), e);
        }
        return out;
    }

    /** The table's primary key column when the key is one integer column, else null. */
    public static String integerKey(Handle h, Dialect d, String table) {
        try {
            DatabaseMetaData m = h.getConnection().getMetaData();
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = m.getPrimaryKeys(d.catalog(), d.schema(), table)) {
                while (rs.next()) {
                    keys.add(rs.getString("COLUMN_NAME"));
                }
            }
            if (keys.size() != 1) {
                return null;
            }
            try (ResultSet rs = m.getColumns(d.catalog(), d.schema(), pattern(m, table), pattern(m, keys.get(0)))) {
                while (rs.next()) {
                    if (table.equals(rs.getString("TABLE_NAME")) && keys.get(0).equals(rs.getString("COLUMN_NAME"))) {
                        return INTEGERS.contains(rs.getInt("DATA_TYPE")) ? keys.get(0) : null;
                    }
                }
            }
            return null;
        } catch (SQLException e) {
            throw new IllegalStateException(d.engine() + ": cannot read the primary key of '" + table + "': "
                    + e.getMessage(), e);
        }
    }

    /**
     * The foreign keys whose child is {@code table}, one per constraint: two single-column keys to
     * the same parent are two keys, a composite key is one key with its columns in key order. On
     * SQLite, whose driver names no constraint, the keys are read from {@code PRAGMA
     * foreign_key_list} and grouped by its constraint {@code id}; elsewhere from JDBC metadata,
     * grouped by the constraint's name.
     */
    public static List<ForeignKey> foreignKeys(Handle h, Dialect d, String table) {
        if ("SQLite".equals(d.engine())) {
            return sqliteForeignKeys(h, d, table);
        }
        Map<String, List<String[]>> byName = new LinkedHashMap<>();
        Map<String, String> parents = new LinkedHashMap<>();
        try (ResultSet rs = h.getConnection().getMetaData().getImportedKeys(d.catalog(), d.schema(), table)) {
            int unnamed = 0;
            while (rs.next()) {
                String parent = rs.getString("PKTABLE_NAME");
                String name = rs.getString("FK_NAME");
                int seq = rs.getInt("KEY_SEQ");
                if (name == null || name.isEmpty()) {
                    // no name to group by: a new key starts at each first column
                    if (seq <= 1) {
                        unnamed++;
                    }
                    name = "#" + unnamed;
                }
                String key = name + "|" + parent;
                byName.computeIfAbsent(key, k -> new ArrayList<>()).add(new String[] {String.valueOf(seq),
                        rs.getString("FKCOLUMN_NAME"), rs.getString("PKCOLUMN_NAME")});
                parents.put(key, parent);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(d.engine() + ": cannot read the foreign keys of '" + table + "': "
                    + e.getMessage(), e);
        }
        List<ForeignKey> out = new ArrayList<>();
        byName.forEach((key, cols) -> {
            cols.sort((a, b) -> Integer.compare(Integer.parseInt(a[0]), Integer.parseInt(b[0])));
            String name = key.substring(0, key.lastIndexOf('|'));
            out.add(new ForeignKey(name.startsWith("#") ? "" : name, table, cols.stream().map(c -> c[1]).toList(),
                    parents.get(key), cols.stream().map(c -> c[2]).toList()));
        });
        return out;
    }

    private static List<ForeignKey> sqliteForeignKeys(Handle h, Dialect d, String table) {
        // id, seq, table, from, to, on_update, on_delete, match
        List<Map<String, Object>> rows = h.createQuery("SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq")
                .bind(0, table).mapToMap().list();
        Map<Integer, List<Map<String, Object>>> byId = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            byId.computeIfAbsent(((Number) r.get("id")).intValue(), k -> new ArrayList<>()).add(r);
        }
        List<ForeignKey> out = new ArrayList<>();
        for (List<Map<String, Object>> cols : byId.values()) {
            String parent = String.valueOf(cols.get(0).get("table"));
            List<String> from = cols.stream().map(c -> String.valueOf(c.get("from"))).toList();
            List<String> to = new ArrayList<>();
            for (Map<String, Object> c : cols) {
                Object t = c.get("to");
                to.add(t == null ? null : String.valueOf(t));
            }
            if (to.contains(null)) {
                // REFERENCES parent without columns: the parent's primary key, in key order
                to = primaryKey(h, d, parent);
            }
            out.add(new ForeignKey("", table, from, parent, to));
        }
        return out;
    }

    private static List<String> primaryKey(Handle h, Dialect d, String table) {
        List<String[]> keys = new ArrayList<>();
        try (ResultSet rs = h.getConnection().getMetaData().getPrimaryKeys(d.catalog(), d.schema(), table)) {
            while (rs.next()) {
                keys.add(new String[] {String.valueOf(rs.getInt("KEY_SEQ")), rs.getString("COLUMN_NAME")});
            }
        } catch (SQLException e) {
            throw new IllegalStateException(d.engine() + ": cannot read the primary key of '" + table + "': "
                    + e.getMessage(), e);
        }
        keys.sort((a, b) -> Integer.compare(Integer.parseInt(a[0]), Integer.parseInt(b[0])));
        return keys.stream().map(k -> k[1]).toList();
    }

    /** How many child rows refer to a parent row that does not exist. */
    public static long orphans(Handle h, Dialect d, ForeignKey fk) {
        StringBuilder notNull = new StringBuilder();
        StringBuilder join = new StringBuilder();
        for (int i = 0; i < fk.childColumns().size(); i++) {
            String c = "c." + d.quote(fk.childColumns().get(i));
            notNull.append(i == 0 ? "" : " AND ").append(c).append(" IS NOT NULL");
            join.append(i == 0 ? "" : " AND ").append("p.").append(d.quote(fk.parentColumns().get(i))).append(" = ").append(c);
        }
        String sql = "SELECT count(*) FROM " + d.table(fk.child()) + " c WHERE " + notNull + " AND NOT EXISTS (SELECT 1 FROM "
                + d.table(fk.parent()) + " p WHERE " + join + ")";
        return h.createQuery(sql).mapTo(Long.class).one();
    }

    /** The number of rows of a table. */
    public static long count(Handle h, Dialect d, String table) {
        return h.createQuery("SELECT count(*) FROM " + d.table(table)).mapTo(Long.class).one();
    }

    /** What a table holds now: rows, integer key and its largest value, columns. */
    public static TableState state(Handle h, Dialect d, String table) {
        String id = integerKey(h, d, table);
        Long max = id == null ? null : h.createQuery("SELECT max(" + d.quote(id) + ") FROM " + d.table(table))
                .mapTo(Long.class).one();
        return new TableState(table, count(h, d, table), id, max, columns(h, d, table));
    }

    /** What every table holds now. */
    public static List<TableState> states(Handle h, Dialect d) {
        List<TableState> out = new ArrayList<>();
        for (String t : tables(h, d)) {
            out.add(state(h, d, t));
        }
        return out;
    }

    /** Writes the tables' states into snapshot data. */
    public static void write(List<TableState> tables, Map<String, String> data) {
        data.put("tables", Codec.encode(tables.stream().map(TableState::name).toList()));
        for (TableState t : tables) {
            data.put("rows." + t.name(), Long.toString(t.rows()));
            data.put("columns." + t.name(), Codec.encode(t.columns()));
            if (t.idColumn() != null) {
                data.put("id." + t.name(), t.idColumn());
                data.put("maxId." + t.name(), t.maxId() == null ? "" : Long.toString(t.maxId()));
            }
        }
    }

    /** The tables' states recorded in a snapshot, by name, sorted. */
    public static Map<String, TableState> read(Snapshot s) {
        Map<String, TableState> out = new TreeMap<>();
        for (String t : Codec.decode(s.data().get("tables"))) {
            String max = s.data().get("maxId." + t);
            out.put(t, new TableState(t, Long.parseLong(s.require("rows." + t)), s.data().get("id." + t),
                    max == null || max.isEmpty() ? null : Long.valueOf(max), Codec.decode(s.data().get("columns." + t))));
        }
        return out;
    }

    private static String pattern(DatabaseMetaData m, String name) throws SQLException {
        String esc = m.getSearchStringEscape();
        if (esc == null || esc.isEmpty()) {
            return name;
        }
        return name.replace(esc, esc + esc).replace("_", esc + "_").replace("%", esc + "%");
    }
}
