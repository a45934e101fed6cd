package dev.rollback.db;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Codec;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.internal.Exporter;
import dev.rollback.db.internal.FlywayHistory;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * What every database target does the same way, whatever the engine: it records the tables, their
 * row counts, columns and largest ids at capture; before a rollback it finds the data the restore
 * would destroy (the point of no return) and refuses unless told to {@link #acceptDataLoss()},
 * exporting those rows first when asked; after the restore it checks integrity: the expected tables
 * are there with the row counts recorded at capture, no foreign key points at a missing row, the
 * engine's own check passes, and so do the user's SQL checks.
 *
 * <p>Configuration methods return a new target; targets are immutable and thread-safe.
 *
 * <pre>{@code
 * SqliteDatabase db = SqliteDatabase.at(Path.of("/srv/gestima/gestima.db"))
 *     .writtenAtColumn("parts", "updated_at")     // rows written after the restore point
 *     .exportDataLoss(ExportFormat.CSV)           // kept in the set-aside restore point
 *     .check(SqlCheck.of("no part without a drawing", "SELECT id FROM parts WHERE drawing IS NULL"));
 * }</pre>
 *
 * @param <T> the concrete target type, returned by the configuration methods
 */
public abstract sealed class DatabaseTarget<T extends DatabaseTarget<T>> implements Target
        permits SqliteDatabase, PostgresDatabase, MariaDbDatabase {

    /** Tables where migration tools keep their history: their rows are not the application's data. */
    private static final Set<String> BOOKKEEPING = Set.of("flyway_schema_history", "alembic_version",
            "databasechangelog", "databasechangeloglock");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** The configuration every database target shares. */
    record Settings(String name, List<String> expectTables, List<SqlCheck> checks, Map<String, String> writtenAt,
            boolean acceptDataLoss, ExportFormat export, boolean verifyBackups, String flywayTable) {
        Settings {
            expectTables = List.copyOf(expectTables);
            checks = List.copyOf(checks);
            writtenAt = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(writtenAt));
        }

        static Settings named(String name) {
            return new Settings(name, List.of(), List.of(), Map.of(), false, null, false, null);
        }
    }

    final Settings settings;

    DatabaseTarget(Settings settings) {
        this.settings = settings;
    }

    /** A copy of this target with other settings. */
    abstract T with(Settings s);

    // ---- configuration ---------------------------------------------------------------------------

    /**
     * This target under another name (letters, digits, {@code . _ -}, at most 64 characters).
     *
     * @throws IllegalArgumentException for a name that breaks these rules
     */
    public T named(String name) {
        requireName(name);
        return with(new Settings(name, settings.expectTables, settings.checks, settings.writtenAt,
                settings.acceptDataLoss, settings.export, settings.verifyBackups, settings.flywayTable));
    }

    /** This target with tables that must exist after a restore, besides those recorded at capture. */
    public T expectTables(String... tables) {
        List<String> all = new ArrayList<>(settings.expectTables);
        for (String t : tables) {
            all.add(requireIdentifier(t, "expected table"));
        }
        return with(new Settings(settings.name, all, settings.checks, settings.writtenAt, settings.acceptDataLoss,
                settings.export, settings.verifyBackups, settings.flywayTable));
    }

    /** This target with one more SQL check run after a restore: it passes when the query returns no rows. */
    public T check(SqlCheck check) {
        List<SqlCheck> all = new ArrayList<>(settings.checks);
        all.add(Objects.requireNonNull(check, "check"));
        return with(new Settings(settings.name, settings.expectTables, all, settings.writtenAt, settings.acceptDataLoss,
                settings.export, settings.verifyBackups, settings.flywayTable));
    }

    /**
     * This target watching {@code column} of {@code table}, a timestamp the application sets when it
     * inserts or updates a row: rows whose time is after the restore point count as data a rollback
     * would destroy. Without it, a target still finds inserted rows by their ids and counts.
     */
    public T writtenAtColumn(String table, String column) {
        Map<String, String> all = new LinkedHashMap<>(settings.writtenAt);
        all.put(requireIdentifier(table, "table"), requireIdentifier(column, "timestamp column"));
        return with(new Settings(settings.name, settings.expectTables, settings.checks, all, settings.acceptDataLoss,
                settings.export, settings.verifyBackups, settings.flywayTable));
    }

    /**
     * This target rolling back even when it would destroy data written after the restore point.
     * Without it, preflight refuses such a rollback and names the data. A plan with several targets
     * that may destroy data (this database and its migrations) says it once for all of them with
     * {@link dev.rollback.RollbackPlanBuilder#acceptDataLoss()} instead; either is enough. The
     * preview lists what every target would destroy in one place ({@link
     * dev.rollback.RollbackPreview#dataAtRisk()}).
     */
    public T acceptDataLoss() {
        return with(new Settings(settings.name, settings.expectTables, settings.checks, settings.writtenAt, true,
                settings.export, settings.verifyBackups, settings.flywayTable));
    }

    /**
     * This target exporting the rows a rollback would destroy, in {@code format}, into the restore
     * point that keeps the state set aside, before anything is overwritten.
     */
    public T exportDataLoss(ExportFormat format) {
        return with(new Settings(settings.name, settings.expectTables, settings.checks, settings.writtenAt,
                settings.acceptDataLoss, Objects.requireNonNull(format, "format"), settings.verifyBackups,
                settings.flywayTable));
    }

    /**
     * This target proving each backup by restoring it into a scratch copy and comparing its tables
     * and row counts with those recorded: at capture (a capture with a bad backup fails and stores
     * nothing) and again in preflight, before anything changes.
     *
     * <p>The scratch copy is a database of its own, so the connecting account needs the right to
     * create and drop one: on PostgreSQL the role's {@code CREATEDB} privilege ({@code ALTER ROLE …
     * CREATEDB}; the copy is named {@code <database>_verify_<hex>}); on MariaDB and MySQL {@code
     * CREATE} and {@code DROP} on databases named {@code rb_verify_%} ({@code GRANT ALL ON
     * `rb\_verify\_%`.* TO …}). SQLite copies into a temp file and needs nothing. Without it the
     * capture fails and names the privilege.
     */
    public T verifyBackups() {
        return with(new Settings(settings.name, settings.expectTables, settings.checks, settings.writtenAt,
                settings.acceptDataLoss, settings.export, true, settings.flywayTable));
    }

    /**
     * This target recording Flyway's {@code flyway_schema_history} at capture and checking after a
     * restore that it is back at the recorded migration: Flyway Community has no undo, so a Flyway
     * schema is rolled back by restoring the backup and checking its history.
     *
     * <p>The history is read as Flyway reads it: the last rank of any row, the highest applied
     * version (a baseline counts, a repeatable migration has none, a failed row is no applied
     * version), and the failed rows; all three must be back as recorded. The table is looked for
     * under its default name, in the target's schema ({@link #flywayHistory(String)} names another).
     * Preflight refuses a restore that cannot bring the history back (a restore of some tables
     * without the history while it stands elsewhere, a schema-only restore); the check after the
     * restore also catches a history that something migrated again (an application that runs Flyway
     * on start while its new release is still deployed).
     */
    public T flywayHistory() {
        return flywayHistory(FlywayHistory.TABLE);
    }

    /**
     * The same as {@link #flywayHistory()} for a history table Flyway was told to name otherwise
     * (its {@code table} setting), in the target's schema. A capture (not the set-aside of a
     * rollback) refuses when the table does not exist, so that a misnamed table cannot make the
     * check pass without checking anything.
     *
     * @throws IllegalArgumentException if the name is blank or longer than 63 characters
     */
    public T flywayHistory(String table) {
        Objects.requireNonNull(table, "table");
        if (table.isBlank() || table.length() > 63) {
            throw new IllegalArgumentException("target '" + name() + "': expected the name of Flyway's history table "
                    + "(1 to 63 characters), found '" + table + "'; give the table Flyway's table setting names");
        }
        return with(new Settings(settings.name, settings.expectTables, settings.checks, settings.writtenAt,
                settings.acceptDataLoss, settings.export, settings.verifyBackups, table));
    }

    // ---- what each engine provides ---------------------------------------------------------------

    /** The engine's SQL differences. */
    abstract Dialect dialect();

    /** Opens a connection to the live database and runs {@code work} with it. */
    abstract <R> R withLive(Host host, HandleWork<R> work) throws Exception;

    /** Whether the live database exists now. */
    abstract boolean liveExists(Host host) throws Exception;

    /**
     * Writes the engine's backup into {@code ctx.artifactDir()} and its data into {@code data};
     * returns the tables' states as the backup holds them. An engine that can read the database's
     * time as of its backup puts it under {@code dbTime}; otherwise the time is read afterwards.
     */
    abstract List<TableState> backup(CaptureContext ctx, Map<String, String> data) throws Exception;

    /** Problems that would stop a restore of the engine's backup; changes nothing. */
    abstract List<Problem> enginePreflight(Snapshot s, RestoreContext ctx) throws Exception;

    /** What the engine's restore would do, as sentences. */
    abstract List<String> enginePlan(Snapshot s, RestoreContext ctx) throws Exception;

    /** Puts the backup back. */
    abstract void engineRestore(Snapshot s, RestoreContext ctx) throws Exception;

    /** Problems the engine's own integrity check finds in the live database; empty when it passes. */
    abstract List<String> engineCheck(Handle h);

    /**
     * Restores the backup of {@code s} into a scratch copy, compares it with what was recorded, and
     * removes the copy; returns the differences (empty when the backup is good).
     */
    abstract List<String> verifyBackup(Snapshot s, Path artifactDir, Host host) throws Exception;

    /** The tables a restore of {@code s} replaces; empty when it replaces the whole database. */
    Set<String> restoredTables(Snapshot s) {
        return Set.of();
    }

    /** Whether a restore of {@code s} empties every table it replaces (a schema-only restore). */
    boolean emptiesTables(Snapshot s) {
        return false;
    }

    /** Saves the current state before a rollback: by default a backup like a capture. */
    Snapshot engineSetAside(CaptureContext ctx) throws Exception {
        return capture(ctx);
    }

    /** Work done with an open connection. */
    @FunctionalInterface
    interface HandleWork<R> {
        R run(Handle h) throws Exception;
    }

    // ---- the Target --------------------------------------------------------------------------------

    @Override
    public final String name() {
        return settings.name;
    }

    @Override
    public final TargetKind kind() {
        return TargetKind.DATABASE;
    }

    @Override
    public Snapshot capture(CaptureContext ctx) throws Exception {
        Map<String, String> data = new TreeMap<>();
        if (!liveExists(ctx.host())) {
            throw new IllegalStateException("target '" + name() + "': expected the database " + this + " to exist, found "
                    + "nothing; check the path or connection settings");
        }
        List<TableState> tables = backup(ctx, data);
        if (!data.containsKey("dbTime")) {
            data.put("dbTime", withLive(ctx.host(), h -> h.createQuery(dialect().nowSql()).mapTo(String.class).one()));
        }
        Catalog.write(tables, data);
        if (settings.flywayTable != null) {
            String table = settings.flywayTable;
            boolean there = withLive(ctx.host(), h -> Catalog.tables(h, dialect()).contains(table));
            if (!there && ctx.rollbackId().isEmpty()) {
                throw new IllegalStateException("target '" + name() + "': expected Flyway's history table '" + table
                        + "' in the database, found none; name the table Flyway uses with flywayHistory(\"...\"), or "
                        + "leave flywayHistory() out until Flyway has migrated this database once");
            }
            withLive(ctx.host(), h -> FlywayHistory.read(h, dialect(), table)).write(data);
        }
        Snapshot s = Snapshot.of(data);
        if (settings.verifyBackups) {
            List<String> wrong = verifyBackup(s, ctx.artifactDir(), ctx.host());
            if (!wrong.isEmpty()) {
                throw new IllegalStateException("target '" + name() + "': expected a backup that restores to the "
                        + "tables and row counts just recorded, found " + String.join("; ", wrong)
                        + "; no restore point was stored; check free disk space and the backup tool, then capture again");
            }
        }
        return s;
    }

    @Override
    public final Snapshot setAside(CaptureContext ctx) throws Exception {
        Map<String, String> exported = new TreeMap<>();
        Optional<Snapshot> target = ctx.previousSnapshot();
        if (settings.export != null && target.isPresent() && liveExists(ctx.host())) {
            exported.putAll(export(target.get(), ctx));
        }
        Snapshot aside = engineSetAside(ctx);
        if (exported.isEmpty()) {
            return aside;
        }
        Map<String, String> data = new TreeMap<>(aside.data());
        data.putAll(exported);
        return Snapshot.of(data);
    }

    @Override
    public final List<Problem> preflight(Snapshot s, RestoreContext ctx) throws Exception {
        if (scoped(ctx) != this) {
            return scoped(ctx).preflight(s, ctx);
        }
        List<Problem> problems = new ArrayList<>(enginePreflight(s, ctx));
        if (!problems.isEmpty()) {
            return problems;
        }
        problems.addAll(flywayPreflight(s, ctx.host()));
        if (settings.verifyBackups) {
            List<String> wrong = verifyBackup(s, ctx.artifactDir(s), ctx.host());
            if (!wrong.isEmpty()) {
                problems.add(Problem.of(name(), "a backup that restores to the tables and row counts recorded at capture",
                        String.join("; ", wrong), "do not trust this restore point: choose an older one"));
            }
        }
        if (!accepted(ctx) && liveExists(ctx.host()) && !ctx.point().isSetAside()) {
            List<DataLoss> lost = dataLoss(s, ctx.host());
            if (!lost.isEmpty()) {
                problems.add(Problem.of(name(), "no data written after the restore point " + ctx.point().id(),
                        lost.stream().map(DataLoss::describe).toList().toString(),
                        "export those rows with exportDataLoss(ExportFormat.CSV) and roll back with acceptDataLoss() "
                                + "on the plan (once for all its targets) or on this target, or fix forward"));
            }
        }
        return problems;
    }

    @Override
    public final List<String> plan(Snapshot s, RestoreContext ctx) throws Exception {
        if (scoped(ctx) != this) {
            List<String> lines = new ArrayList<>(List.of("restore the whole state set aside, whatever part of the "
                    + "database the target is configured to restore"));
            lines.addAll(scoped(ctx).plan(s, ctx));
            return lines;
        }
        List<String> lines = new ArrayList<>(enginePlan(s, ctx));
        if (liveExists(ctx.host())) {
            List<DataLoss> lost = dataLoss(s, ctx.host());
            if (lost.isEmpty()) {
                lines.add("no data written after the restore point was found");
            }
            for (DataLoss l : lost) {
                lines.add("point of no return: " + l.describe() + (accepted(ctx) ? " would be lost (accepted)"
                        : " would be lost; refused without acceptDataLoss() on the plan or this target"));
            }
            if (!lost.isEmpty() && settings.export != null) {
                lines.add("export those rows as " + settings.export + " into the set-aside restore point first");
            }
        }
        lines.add("check integrity: tables and row counts recorded at capture, no orphaned foreign keys, "
                + dialect().engine() + "'s own check" + (settings.checks.isEmpty() ? "" : ", "
                + Plural.of(settings.checks.size(), "SQL check")) + (settings.flywayTable != null ? ", " + settings.flywayTable : ""));
        return lines;
    }

    /**
     * What a restore of {@code s} would destroy, for the preview's list of every target's losses;
     * accepted when this target or the plan accepts data loss. Nothing for a set-aside state: its
     * restore puts back what a rollback replaced.
     */
    @Override
    public final List<dev.rollback.spi.DataAtRisk> dataAtRisk(Snapshot s, RestoreContext ctx) throws Exception {
        if (scoped(ctx) != this) {
            return scoped(ctx).dataAtRisk(s, ctx);
        }
        if (ctx.restoresSetAside() || !liveExists(ctx.host())) {
            return List.of();
        }
        boolean ok = accepted(ctx);
        return dataLoss(s, ctx.host()).stream().map(l -> new dev.rollback.spi.DataAtRisk(name(), l.describe(), ok)).toList();
    }

    /** Whether this target, or its plan for all its targets, accepts losing data written after the point. */
    private boolean accepted(RestoreContext ctx) {
        return settings.acceptDataLoss || ctx.dataLossAccepted();
    }

    @Override
    public final void restore(Snapshot s, RestoreContext ctx) throws Exception {
        if (scoped(ctx) != this) {
            scoped(ctx).restore(s, ctx);
            return;
        }
        try {
            engineRestore(s, ctx);
        } catch (HalfRestored e) {
            throw putBack(e, ctx);
        }
    }

    /**
     * After a restore that failed once it had dropped objects, loads the state this rollback set
     * aside just before (the whole of it), so that the database ends where the restore found it;
     * returns the exception to throw, which says which state the database is in.
     */
    private Exception putBack(HalfRestored failure, RestoreContext ctx) {
        Optional<Snapshot> aside = ctx.setAside(name());
        if (aside.isEmpty()) {
            return new IllegalStateException(failure.getMessage() + "; no state of '" + name() + "' was set aside by "
                    + "this run to put back: the database holds part of the dump; restore it by hand from the restore "
                    + "point, or roll back again once the cause is fixed", failure.getCause());
        }
        ctx.progress("the restore failed after dropping objects: loading the state set aside just before it");
        try {
            whole().engineRestore(aside.get(), ctx);
        } catch (Exception again) {
            IllegalStateException both = new IllegalStateException(failure.getMessage() + "; putting back the state "
                    + "set aside just before failed too: " + again.getMessage() + "; the database holds part of a "
                    + "dump: restore it by hand from the set-aside restore point of rollback " + ctx.rollbackId(),
                    failure.getCause());
            both.addSuppressed(again);
            return both;
        }
        return new IllegalStateException(failure.getMessage() + "; the state set aside just before the restore was "
                + "loaded back, so target '" + name() + "' is as the rollback found it: fix the cause and roll back "
                + "again", failure.getCause());
    }

    /**
     * A restore that failed after it changed the database (dropped objects, loaded part of a dump):
     * {@link #restore} puts the set-aside state back before reporting it.
     */
    static final class HalfRestored extends Exception {
        private static final long serialVersionUID = 1L;

        HalfRestored(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * This target as it must act for {@code ctx}: the whole database when the snapshot is a state
     * set aside ({@link RestoreContext#restoresSetAside}), whatever part it is configured to restore.
     */
    private DatabaseTarget<?> scoped(RestoreContext ctx) {
        return ctx.restoresSetAside() ? whole() : this;
    }

    /** This target restoring and checking the whole database; itself when it restores nothing less. */
    DatabaseTarget<?> whole() {
        return this;
    }

    @Override
    public CheckResult verify(Snapshot s, RestoreContext ctx) throws Exception {
        if (scoped(ctx) != this) {
            return scoped(ctx).verify(s, ctx);
        }
        boolean exact = ctx.restoresSetAside();
        String checkName = (exact ? "compare " : "integrity of ") + name() + (exact ? " with the state set aside" : "");
        List<String> wrong = new ArrayList<>();
        int[] counted = new int[2];
        withLive(ctx.host(), h -> {
            wrong.addAll(engineCheck(h));
            wrong.addAll(exact ? compareExactly(h, s, counted) : compare(h, s, counted));
            if (exact) {
                // the state set aside is compared as it was, orphans and all: the user's checks describe the good state
                return null;
            }
            for (String t : Catalog.tables(h, dialect())) {
                for (Catalog.ForeignKey fk : Catalog.foreignKeys(h, dialect(), t)) {
                    long orphans = Catalog.orphans(h, dialect(), fk);
                    if (orphans > 0) {
                        wrong.add(Plural.of(orphans, "row") + " of '" + t + "' refer through " + fk.childColumns() + " to rows of '"
                                + fk.parent() + "' that do not exist");
                    }
                }
            }
            for (SqlCheck c : settings.checks) {
                List<Map<String, Object>> rows = h.createQuery(c.sql()).setMaxRows(3).mapToMap().list();
                if (!rows.isEmpty()) {
                    wrong.add("check '" + c.name() + "' found rows such as " + rows);
                }
            }
            Optional<FlywayHistory.Recorded> flyway = settings.flywayTable != null ? FlywayHistory.recorded(s)
                    : Optional.empty();
            if (flyway.isPresent()) {
                FlywayHistory now = FlywayHistory.read(h, dialect(), settings.flywayTable);
                if (!flyway.get().matches(now)) {
                    wrong.add(flywayMismatch(settings.flywayTable, flyway.get(), now)
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
                    + counted[1] + " in all) and the largest key recorded when it was set aside, " + dialect().engine()
                    + " check passed");
        }
        return CheckResult.passed(checkName, Plural.of(counted[0], "table") + " with the " + Plural.of(counted[1], "row")
                + " recorded at capture, no orphaned foreign keys, " + dialect().engine() + " check passed"
                + (settings.checks.isEmpty() ? "" : ", " + Plural.of(settings.checks.size(), "SQL check") + " passed"));
    }

    /** Differences between the live tables and those recorded in {@code s}, in the restored scope. */
    List<String> compare(Handle h, Snapshot s, int[] counted) {
        List<String> wrong = new ArrayList<>();
        Map<String, TableState> recorded = Catalog.read(s);
        Set<String> only = restoredTables(s);
        List<String> live = Catalog.tables(h, dialect());
        List<String> expected = new ArrayList<>(settings.expectTables);
        recorded.keySet().stream().filter(t -> only.isEmpty() || only.contains(t)).forEach(expected::add);
        for (String t : expected) {
            if (!live.contains(t)) {
                wrong.add("table '" + t + "' is missing");
            }
        }
        boolean empty = emptiesTables(s);
        for (TableState r : recorded.values()) {
            if ((!only.isEmpty() && !only.contains(r.name())) || !live.contains(r.name())) {
                continue;
            }
            long n = Catalog.count(h, dialect(), r.name());
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
    List<String> compareExactly(Handle h, Snapshot s, int[] counted) {
        List<String> wrong = new ArrayList<>();
        Map<String, TableState> recorded = Catalog.read(s);
        List<String> live = Catalog.tables(h, dialect());
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
            TableState now = Catalog.state(h, dialect(), r.name());
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
    List<String> compareBackup(Handle h, Snapshot s) {
        List<String> wrong = new ArrayList<>();
        Map<String, TableState> recorded = Catalog.read(s);
        List<String> tables = Catalog.tables(h, dialect());
        if (!tables.equals(new ArrayList<>(recorded.keySet()))) {
            wrong.add("tables " + tables + ", expected " + recorded.keySet());
        }
        for (TableState r : recorded.values()) {
            if (tables.contains(r.name())) {
                long n = Catalog.count(h, dialect(), r.name());
                if (n != r.rows()) {
                    wrong.add("table '" + r.name() + "' holds " + n + " rows, expected " + r.rows());
                }
            }
        }
        return wrong;
    }

    // ---- the point of no return ---------------------------------------------------------------------

    /**
     * The data a restore of {@code s} would destroy in the live database, found by comparing it with
     * what was recorded at capture. Changes nothing.
     */
    List<DataLoss> dataLoss(Snapshot s, Host host) throws Exception {
        Map<String, TableState> recorded = Catalog.read(s);
        Set<String> only = restoredTables(s);
        boolean empties = emptiesTables(s);
        Dialect d = dialect();
        return withLive(host, h -> {
            List<DataLoss> out = new ArrayList<>();
            for (String t : Catalog.tables(h, d)) {
                if ((!only.isEmpty() && !only.contains(t)) || BOOKKEEPING.contains(t.toLowerCase(java.util.Locale.ROOT))
                        || t.equals(settings.flywayTable)) {
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
                String at = settings.writtenAt.get(t);
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
    private Map<String, String> export(Snapshot s, CaptureContext ctx) throws Exception {
        List<DataLoss> lost = dataLoss(s, ctx.host());
        Map<String, String> data = new TreeMap<>();
        if (lost.isEmpty()) {
            return data;
        }
        Path dir = ctx.artifactDir().resolve("lost");
        ctx.host().createDirectories(dir);
        ctx.host().setMode(dir, 0700);
        Map<String, TableState> recorded = Catalog.read(s);
        boolean sql = settings.export == ExportFormat.SQL;
        Dialect d = dialect();
        List<String> files = new ArrayList<>();
        withLive(ctx.host(), h -> {
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

    // ---- helpers -------------------------------------------------------------------------------------

    /**
     * Problems that would leave Flyway's history where the restore point did not: a restore of some
     * tables that leaves the history out while it stands elsewhere than recorded, or a schema-only
     * restore that would empty a history recorded with migrations.
     */
    private List<Problem> flywayPreflight(Snapshot s, Host host) throws Exception {
        String table = settings.flywayTable;
        Optional<FlywayHistory.Recorded> recorded = table != null ? FlywayHistory.recorded(s) : Optional.empty();
        if (recorded.isEmpty() || !liveExists(host)) {
            return List.of();
        }
        Set<String> only = restoredTables(s);
        if (emptiesTables(s) && recorded.get().rank() > 0) {
            return List.of(Problem.of(name(), "a restore that brings " + table + " back to "
                    + recorded.get().describe(), "a schema-only restore, which empties it",
                    "restore the whole database, or drop flywayHistory() for a schema-only restore"));
        }
        if (only.isEmpty() || only.contains(table)) {
            return List.of();
        }
        FlywayHistory now = withLive(host, h -> FlywayHistory.read(h, dialect(), table));
        if (recorded.get().matches(now)) {
            return List.of();
        }
        return List.of(Problem.of(name(), table + " back at " + recorded.get().describe() + " after the restore",
                "a restore of the tables " + only + " only, which leaves it as it is: " + flywayMismatch(table, recorded.get(), now)
                        + ", with the schema changes of those migrations still in place",
                "restore the whole database (without onlyTables) so schema and history go back together, or fix forward"));
    }

    /** What differs between the history recorded and the one found, naming ranks and versions. */
    private static String flywayMismatch(String table, FlywayHistory.Recorded recorded, FlywayHistory now) {
        List<FlywayHistory.Row> ahead = now.after(recorded.rank());
        return table + " is at " + now.describe() + ", expected " + recorded.describe()
                + (ahead.isEmpty() ? "" : "; rows after rank " + recorded.rank() + ": "
                        + ahead.stream().map(FlywayHistory.Row::describe).toList());
    }

    /** {@code name} if it is a valid target name, else an exception saying the rules. */
    static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("target: expected a name of letters, digits, '.', '_' or '-', "
                    + "at most 64 characters, starting with a letter or digit, found '" + name + "'; choose another name");
        }
        return name;
    }

    static String requireIdentifier(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("database target: expected a " + what + " name, found '"
                    + name.replace("\0", "\\0") + "'; give a name without NUL characters");
        }
        return name;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + settings.name + "]";
    }
}
