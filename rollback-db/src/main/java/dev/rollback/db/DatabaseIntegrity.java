package dev.rollback.db;

import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.FlywayHistory;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The integrity check of a {@link DatabaseTarget} after a restore, and the comparisons it and the
 * backup verification make: the live tables against those recorded, whole or in the restored
 * scope, and an open copy of a backup against the recorded tables. Not API; stateless.
 */
final class DatabaseIntegrity {

    private DatabaseIntegrity() {}

    static CheckResult verify(DatabaseTarget db, Snapshot s, RestoreContext ctx) throws Exception {
        boolean exact = ctx.restoresSetAside();
        String checkName = (exact ? "compare " : "integrity of ") + db.name() + (exact ? " with the state set aside" : "");
        List<String> wrong = new ArrayList<>();
        int[] counted = new int[2];
        db.withLive(ctx.host(), h -> {
            wrong.addAll(db.engineCheck(h));
            wrong.addAll(exact ? compareExactly(db, h, s, counted) : compare(db, h, s, counted));
            if (exact) {
                // the state set aside is compared as it was, orphans and all: the user's checks describe the good state
                return null;
            }
            for (String t : Catalog.tables(h, db.dialect())) {
                for (Catalog.ForeignKey fk : Catalog.foreignKeys(h, db.dialect(), t)) {
                    long orphans = Catalog.orphans(h, db.dialect(), fk);
                    if (orphans > 0) {
                        wrong.add(Plural.of(orphans, "row") + " of '" + t + "' refer through " + fk.childColumns() + " to rows of '"
                                + fk.parent() + "' that do not exist");
                    }
                }
            }
            for (SqlCheck c : db.sqlChecks) {
                List<Map<String, Object>> rows = h.createQuery(c.sql()).setMaxRows(3).mapToMap().list();
                if (!rows.isEmpty()) {
                    wrong.add("check '" + c.name() + "' found rows such as " + rows);
                }
            }
            Optional<FlywayHistory.Recorded> flyway = db.flywayTable != null ? FlywayHistory.recorded(s)
                    : Optional.empty();
            if (flyway.isPresent()) {
                FlywayHistory now = FlywayHistory.read(h, db.dialect(), db.flywayTable);
                if (!flyway.get().matches(now)) {
                    wrong.add(DatabaseLifecycle.flywayMismatch(db.flywayTable, flyway.get(), now)
                            + "; the schema is not back at the recorded migration: "
                            + "stop whatever migrates on start (an application still at the new release), restore the whole "
                            + "database (onlyTables and schemaOnly leave the history as it is or empty it), then roll back "
                            + "again");
                }
            }
            return null;
        });
        if (!wrong.isEmpty()) {
            return CheckResult.failed(checkName, String.join("; ", wrong));
        }
        if (exact) {
            return CheckResult.passed(checkName, counted[0] + (counted[0] == 1 ? " table" : " tables")
                    + ", no more, each with the columns, the rows ("
                    + counted[1] + " in all) and the largest key recorded when it was set aside, " + db.dialect().engine()
                    + " check passed");
        }
        return CheckResult.passed(checkName, Plural.of(counted[0], "table") + " with the " + Plural.of(counted[1], "row")
                + " recorded at capture, no orphaned foreign keys, " + db.dialect().engine() + " check passed"
                + (db.sqlChecks.isEmpty() ? "" : ", " + Plural.of(db.sqlChecks.size(), "SQL check") + " passed"));
    }

    /** Differences between the live tables and those recorded in {@code s}, in the restored scope. */
    private static List<String> compare(DatabaseTarget db, Handle h, Snapshot s, int[] counted) {
        List<String> wrong = new ArrayList<>();
        Map<String, TableState> recorded = Catalog.read(s);
        Set<String> only = db.restoredTables(s);
        List<String> live = Catalog.tables(h, db.dialect());
        List<String> expected = new ArrayList<>(db.expectedTables);
        recorded.keySet().stream().filter(t -> only.isEmpty() || only.contains(t)).forEach(expected::add);
        for (String t : expected) {
            if (!live.contains(t)) {
                wrong.add("table '" + t + "' is missing");
            }
        }
        boolean empty = db.emptiesTables(s);
        for (TableState r : recorded.values()) {
            if ((!only.isEmpty() && !only.contains(r.name())) || !live.contains(r.name())) {
                continue;
            }
            long n = Catalog.count(h, db.dialect(), r.name());
            long want = empty ? 0 : r.rows();
            if (n != want) {
                wrong.add("table '" + r.name() + "' holds " + n + " rows, expected " + want);
            }
            counted[0]++;
            counted[1] += (int) Math.min(Integer.MAX_VALUE, n);
        }
        return wrong;
    }

    /**
     * Differences between the live database and the whole state recorded in {@code s}: the same
     * tables, no more, each with the same columns, row count and largest key.
     */
    private static List<String> compareExactly(DatabaseTarget db, Handle h, Snapshot s, int[] counted) {
        List<String> wrong = new ArrayList<>();
        Map<String, TableState> recorded = Catalog.read(s);
        List<String> live = Catalog.tables(h, db.dialect());
        for (String t : live) {
            if (!recorded.containsKey(t)) {
                wrong.add("table '" + t + "' is there, but was not when the state was recorded");
            }
        }
        for (TableState r : recorded.values()) {
            if (!live.contains(r.name())) {
                wrong.add("table '" + r.name() + "' is missing");
                continue;
            }
            TableState now = Catalog.state(h, db.dialect(), r.name());
            if (now.rows() != r.rows()) {
                wrong.add("table '" + r.name() + "' holds " + now.rows() + " rows, expected " + r.rows());
            }
            if (!now.columns().equals(r.columns())) {
                wrong.add("table '" + r.name() + "' has the columns " + now.columns() + ", expected " + r.columns());
            }
            if (r.idColumn() != null && (!r.idColumn().equals(now.idColumn()) || !Objects.equals(r.maxId(), now.maxId()))) {
                wrong.add("table '" + r.name() + "' has the largest " + now.idColumn() + " " + now.maxId() + ", expected "
                        + r.idColumn() + " " + r.maxId());
            }
            counted[0]++;
            counted[1] += (int) Math.min(Integer.MAX_VALUE, now.rows());
        }
        return wrong;
    }

    /** Differences between an open copy of a backup and the table list and row counts recorded in {@code s}. */
    static List<String> compareBackup(DatabaseTarget db, Handle h, Snapshot s) {
        List<String> wrong = new ArrayList<>();
        Map<String, TableState> recorded = Catalog.read(s);
        List<String> tables = Catalog.tables(h, db.dialect());
        if (!tables.equals(new ArrayList<>(recorded.keySet()))) {
            wrong.add("tables " + tables + ", expected " + recorded.keySet());
        }
        for (TableState r : recorded.values()) {
            if (tables.contains(r.name())) {
                long n = Catalog.count(h, db.dialect(), r.name());
                if (n != r.rows()) {
                    wrong.add("table '" + r.name() + "' holds " + n + " rows, expected " + r.rows());
                }
            }
        }
        return wrong;
    }
}
