package dev.rollback.db;

import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.FlywayHistory;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.DataAtRisk;
import dev.rollback.spi.Plural;
import dev.rollback.spi.Problem;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The steps of a {@link DatabaseTarget} that every engine takes the same way: capture, set-aside,
 * preflight, plan and restore around the engine's own hooks, with the Flyway history's checks and
 * the put-back of a half-done restore. Not API; stateless.
 */
final class DatabaseLifecycle {

    private DatabaseLifecycle() {}

    static Snapshot capture(DatabaseTarget db, CaptureContext ctx) throws Exception {
        Map<String, String> data = new TreeMap<>();
        if (!db.liveExists(ctx.host())) {
            throw new IllegalStateException("target '" + db.name() + "': expected the database " + db + " to exist, found "
                    + "nothing; check the path or connection settings");
        }
        List<TableState> tables = db.backup(ctx, data);
        if (!data.containsKey("dbTime")) {
            data.put("dbTime", db.withLive(ctx.host(), h -> h.createQuery(db.dialect().nowSql()).mapTo(String.class).one()));
        }
        Catalog.write(tables, data);
        if (db.flywayTable != null) {
            String table = db.flywayTable;
            boolean there = db.withLive(ctx.host(), h -> Catalog.tables(h, db.dialect()).contains(table));
            if (!there && ctx.rollbackId().isEmpty()) {
                throw new IllegalStateException("target '" + db.name() + "': expected Flyway's history table '" + table
                        + "' in the database, found none; name the table Flyway uses with flywayHistory(\"...\"), or "
                        + "leave flywayHistory() out until Flyway has migrated this database once");
            }
            db.withLive(ctx.host(), h -> FlywayHistory.read(h, db.dialect(), table)).write(data);
        }
        Snapshot s = Snapshot.of(data);
        if (db.verifiesBackups) {
            List<String> wrong = db.verifyBackup(s, ctx.artifactDir(), ctx.host());
            if (!wrong.isEmpty()) {
                throw new IllegalStateException("target '" + db.name() + "': expected a backup that restores to the "
                        + "tables and row counts just recorded, found " + String.join("; ", wrong)
                        + "; no restore point was stored; check free disk space and the backup tool, then capture again");
            }
        }
        return s;
    }

    static Snapshot setAside(DatabaseTarget db, CaptureContext ctx) throws Exception {
        Map<String, String> exported = new TreeMap<>();
        Optional<Snapshot> target = ctx.previousSnapshot();
        if (db.exportFormat != null && target.isPresent() && db.liveExists(ctx.host())) {
            exported.putAll(DataLossScan.export(db, target.get(), ctx));
        }
        Snapshot aside = db.engineSetAside(ctx);
        if (exported.isEmpty()) {
            return aside;
        }
        Map<String, String> data = new TreeMap<>(aside.data());
        data.putAll(exported);
        return Snapshot.of(data);
    }

    static List<Problem> preflight(DatabaseTarget db, Snapshot s, RestoreContext ctx) throws Exception {
        List<Problem> problems = new ArrayList<>(db.enginePreflight(s, ctx));
        if (!problems.isEmpty()) {
            return problems;
        }
        problems.addAll(flywayPreflight(db, s, ctx.host()));
        if (db.verifiesBackups) {
            List<String> wrong = db.verifyBackup(s, ctx.artifactDir(s), ctx.host());
            if (!wrong.isEmpty()) {
                problems.add(Problem.of(db.name(), "a backup that restores to the tables and row counts recorded at capture",
                        String.join("; ", wrong), "do not trust this restore point: choose an older one"));
            }
        }
        if (!accepted(db, ctx) && db.liveExists(ctx.host()) && !ctx.point().isSetAside()) {
            List<DataLoss> lost = DataLossScan.dataLoss(db, s, ctx.host());
            if (!lost.isEmpty()) {
                problems.add(Problem.of(db.name(), "no data written after the restore point " + ctx.point().id(),
                        lost.stream().map(DataLoss::describe).toList().toString(),
                        "export those rows with exportDataLoss(ExportFormat.CSV) and roll back with acceptDataLoss() "
                                + "on the plan (once for all its targets) or on this target, or fix forward"));
            }
        }
        return problems;
    }

    static List<String> plan(DatabaseTarget db, Snapshot s, RestoreContext ctx) throws Exception {
        List<String> lines = new ArrayList<>(db.enginePlan(s, ctx));
        if (db.liveExists(ctx.host())) {
            List<DataLoss> lost = DataLossScan.dataLoss(db, s, ctx.host());
            if (lost.isEmpty()) {
                lines.add("no data written after the restore point was found");
            }
            for (DataLoss l : lost) {
                lines.add("point of no return: " + l.describe() + (accepted(db, ctx) ? " would be lost (accepted)"
                        : " would be lost; refused without acceptDataLoss() on the plan or this target"));
            }
            if (!lost.isEmpty() && db.exportFormat != null) {
                lines.add("export those rows as " + db.exportFormat + " into the set-aside restore point first");
            }
        }
        lines.add("check integrity: tables and row counts recorded at capture, no orphaned foreign keys, "
                + db.dialect().engine() + "'s own check" + (db.sqlChecks.isEmpty() ? "" : ", "
                + Plural.of(db.sqlChecks.size(), "SQL check")) + (db.flywayTable != null ? ", " + db.flywayTable : ""));
        return lines;
    }

    static List<DataAtRisk> dataAtRisk(DatabaseTarget db, Snapshot s, RestoreContext ctx) throws Exception {
        if (ctx.restoresSetAside() || !db.liveExists(ctx.host())) {
            return List.of();
        }
        boolean ok = accepted(db, ctx);
        return DataLossScan.dataLoss(db, s, ctx.host()).stream().map(l -> new DataAtRisk(db.name(), l.describe(), ok))
                .toList();
    }

    /** Whether the target, or its plan for all its targets, accepts losing data written after the point. */
    private static boolean accepted(DatabaseTarget db, RestoreContext ctx) {
        return db.acceptsDataLoss || ctx.dataLossAccepted();
    }

    static void restore(DatabaseTarget db, Snapshot s, RestoreContext ctx) throws Exception {
        try {
            db.engineRestore(s, ctx);
        } catch (HalfRestored e) {
            throw putBack(db, e, ctx);
        }
    }

    /**
     * After a restore that failed once it had dropped objects, loads the state this rollback set
     * aside just before (the whole of it), so that the database ends where the restore found it;
     * returns the exception to throw, which says which state the database is in.
     */
    private static Exception putBack(DatabaseTarget db, HalfRestored failure, RestoreContext ctx) {
        String name = db.name();
        Optional<Snapshot> aside = ctx.setAside(name);
        if (aside.isEmpty()) {
            return new IllegalStateException(failure.getMessage() + "; no state of '" + name + "' was set aside by "
                    + "this run to put back: the database holds part of the dump; restore it by hand from the restore "
                    + "point, or roll back again once the cause is fixed", failure.getCause());
        }
        ctx.progress("the restore failed after dropping objects: loading the state set aside just before it");
        try {
            db.whole().engineRestore(aside.get(), ctx);
        } catch (Exception again) {
            IllegalStateException both = new IllegalStateException(failure.getMessage() + "; putting back the state "
                    + "set aside just before failed too: " + again.getMessage() + "; the database holds part of a "
                    + "dump: restore it by hand from the set-aside restore point of rollback " + ctx.rollbackId(),
                    failure.getCause());
            both.addSuppressed(again);
            return both;
        }
        return new IllegalStateException(failure.getMessage() + "; the state set aside just before the restore was "
                + "loaded back, so target '" + name + "' is as the rollback found it: fix the cause and roll back "
                + "again", failure.getCause());
    }

    // ---- Flyway's history ------------------------------------------------------------------------------

    /**
     * Problems that would leave Flyway's history where the restore point did not: a restore of some
     * tables that leaves the history out while it stands elsewhere than recorded, or a schema-only
     * restore that would empty a history recorded with migrations.
     */
    private static List<Problem> flywayPreflight(DatabaseTarget db, Snapshot s, Host host) throws Exception {
        String table = db.flywayTable;
        Optional<FlywayHistory.Recorded> recorded = table != null ? FlywayHistory.recorded(s) : Optional.empty();
        if (recorded.isEmpty() || !db.liveExists(host)) {
            return List.of();
        }
        Set<String> only = db.restoredTables(s);
        if (db.emptiesTables(s) && recorded.get().rank() > 0) {
            return List.of(Problem.of(db.name(), "a restore that brings " + table + " back to "
                    + recorded.get().describe(), "a schema-only restore, which empties it",
                    "restore the whole database, or drop flywayHistory() for a schema-only restore"));
        }
        if (only.isEmpty() || only.contains(table)) {
            return List.of();
        }
        FlywayHistory now = db.withLive(host, h -> FlywayHistory.read(h, db.dialect(), table));
        if (recorded.get().matches(now)) {
            return List.of();
        }
        return List.of(Problem.of(db.name(), table + " back at " + recorded.get().describe() + " after the restore",
                "a restore of the tables " + only + " only, which leaves it as it is: " + flywayMismatch(table, recorded.get(), now)
                        + ", with the schema changes of those migrations still in place",
                "restore the whole database (without onlyTables) so schema and history go back together, or fix forward"));
    }

    /** What differs between the history recorded and the one found, naming ranks and versions. */
    static String flywayMismatch(String table, FlywayHistory.Recorded recorded, FlywayHistory now) {
        List<FlywayHistory.Row> ahead = now.after(recorded.rank());
        return table + " is at " + now.describe() + ", expected " + recorded.describe()
                + (ahead.isEmpty() ? "" : "; rows after rank " + recorded.rank() + ": "
                        + ahead.stream().map(FlywayHistory.Row::describe).toList());
    }
}
