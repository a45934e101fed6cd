package dev.rollback.db;

import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.internal.FlywayHistory;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.DataAtRisk;
import dev.rollback.spi.Problem;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.Target;
import dev.rollback.spi.TargetKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * <p>Configuration methods return a new target (each concrete target returns its own type);
 * targets are immutable and thread-safe.
 *
 * <pre>{@code
 * SqliteDatabase db = SqliteDatabase.of(Path.of("/srv/gestima/gestima.db"))
 *     .writtenAtColumn("parts", "updated_at")     // rows written after the restore point
 *     .exportDataLoss(ExportFormat.CSV)           // kept in the set-aside restore point
 *     .verifiedBy(SqlCheck.of("no part without a drawing", "SELECT id FROM parts WHERE drawing IS NULL"));
 * }</pre>
 */
public abstract sealed class DatabaseTarget implements Target permits SqliteDatabase, PostgresDatabase, MariaDbDatabase {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    // The configuration every database target shares. Set only by the option methods, on a fresh copy.
    String name;
    List<String> expectedTables;
    List<SqlCheck> sqlChecks;
    Map<String, String> writtenAt;
    boolean acceptsDataLoss;
    ExportFormat exportFormat;
    boolean verifiesBackups;
    String flywayTable;

    /** A target named {@code name} with no option set. */
    DatabaseTarget(String name) {
        this.name = name;
        this.expectedTables = List.of();
        this.sqlChecks = List.of();
        this.writtenAt = Map.of();
    }

    /** A copy of {@code from}: every field. */
    DatabaseTarget(DatabaseTarget from) {
        this.name = from.name;
        this.expectedTables = from.expectedTables;
        this.sqlChecks = from.sqlChecks;
        this.writtenAt = from.writtenAt;
        this.acceptsDataLoss = from.acceptsDataLoss;
        this.exportFormat = from.exportFormat;
        this.verifiesBackups = from.verifiesBackups;
        this.flywayTable = from.flywayTable;
    }

    /** A copy of this target, made by the concrete class's copy constructor. */
    abstract DatabaseTarget copy();

    // ---- configuration ---------------------------------------------------------------------------

    /**
     * This target under another name (letters, digits, {@code . _ -}, at most 64 characters).
     *
     * @throws IllegalArgumentException for a name that breaks these rules
     */
    public DatabaseTarget named(String name) {
        requireName(name);
        DatabaseTarget c = copy();
        c.name = name;
        return c;
    }

    /** This target with tables that must exist after a restore, besides those recorded at capture. */
    public DatabaseTarget expectTables(String... tables) {
        List<String> all = new ArrayList<>(expectedTables);
        for (String t : tables) {
            all.add(requireIdentifier(t, "expected table"));
        }
        DatabaseTarget c = copy();
        c.expectedTables = List.copyOf(all);
        return c;
    }

    /**
     * This target with one more SQL check, run by its verify after a restore: it passes when the
     * query returns no rows.
     */
    public DatabaseTarget verifiedBy(SqlCheck check) {
        List<SqlCheck> all = new ArrayList<>(sqlChecks);
        all.add(Objects.requireNonNull(check, "check"));
        DatabaseTarget c = copy();
        c.sqlChecks = List.copyOf(all);
        return c;
    }

    /**
     * The same as {@link #verifiedBy(SqlCheck)}.
     *
     * @deprecated use {@link #verifiedBy(SqlCheck)}; this spelling is removed in the next release
     */
    @Deprecated(forRemoval = true)
    public DatabaseTarget check(SqlCheck check) {
        return verifiedBy(check);
    }

    /**
     * This target watching {@code column} of {@code table}, a timestamp the application sets when it
     * inserts or updates a row: rows whose time is after the restore point count as data a rollback
     * would destroy. Without it, a target still finds inserted rows by their ids and counts.
     */
    public DatabaseTarget writtenAtColumn(String table, String column) {
        Map<String, String> all = new LinkedHashMap<>(writtenAt);
        all.put(requireIdentifier(table, "table"), requireIdentifier(column, "timestamp column"));
        DatabaseTarget c = copy();
        c.writtenAt = Collections.unmodifiableMap(all);
        return c;
    }

    /**
     * This target rolling back even when it would destroy data written after the restore point.
     * Without it, preflight refuses such a rollback and names the data. A plan with several targets
     * that may destroy data (this database and its migrations) says it once for all of them with
     * {@link dev.rollback.RollbackPlanBuilder#acceptDataLoss()} instead; either is enough. The
     * preview lists what every target would destroy in one place ({@link
     * dev.rollback.RollbackPreview#dataAtRisk()}).
     */
    public DatabaseTarget acceptDataLoss() {
        DatabaseTarget c = copy();
        c.acceptsDataLoss = true;
        return c;
    }

    /**
     * This target exporting the rows a rollback would destroy, in {@code format}, into the restore
     * point that keeps the state set aside, before anything is overwritten.
     */
    public DatabaseTarget exportDataLoss(ExportFormat format) {
        Objects.requireNonNull(format, "format");
        DatabaseTarget c = copy();
        c.exportFormat = format;
        return c;
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
    public DatabaseTarget verifyBackups() {
        DatabaseTarget c = copy();
        c.verifiesBackups = true;
        return c;
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
    public DatabaseTarget flywayHistory() {
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
    public DatabaseTarget flywayHistory(String table) {
        Objects.requireNonNull(table, "table");
        if (table.isBlank() || table.length() > 63) {
            throw new IllegalArgumentException("target '" + name() + "': expected the name of Flyway's history table "
                    + "(1 to 63 characters), found '" + table + "'; give the table Flyway's table setting names");
        }
        DatabaseTarget c = copy();
        c.flywayTable = table;
        return c;
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

    /** Puts the backup back; a {@link HalfRestored} failure has the set-aside state loaded back. */
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

    /** This target restoring and checking the whole database; itself when it restores nothing less. */
    DatabaseTarget whole() {
        return this;
    }

    /** Work done with an open connection. */
    @FunctionalInterface
    interface HandleWork<R> {
        R run(Handle h) throws Exception;
    }

    // ---- the Target --------------------------------------------------------------------------------

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final TargetKind kind() {
        return TargetKind.DATABASE;
    }

    @Override
    public Snapshot capture(CaptureContext ctx) throws Exception {
        return DatabaseLifecycle.capture(this, ctx);
    }

    @Override
    public final Snapshot setAside(CaptureContext ctx) throws Exception {
        return DatabaseLifecycle.setAside(this, ctx);
    }

    @Override
    public final List<Problem> preflight(Snapshot s, RestoreContext ctx) throws Exception {
        DatabaseTarget t = scoped(ctx);
        return t != this ? t.preflight(s, ctx) : DatabaseLifecycle.preflight(this, s, ctx);
    }

    @Override
    public final List<String> plan(Snapshot s, RestoreContext ctx) throws Exception {
        DatabaseTarget t = scoped(ctx);
        if (t != this) {
            List<String> lines = new ArrayList<>(List.of("restore the whole state set aside, whatever part of the "
                    + "database the target is configured to restore"));
            lines.addAll(t.plan(s, ctx));
            return lines;
        }
        return DatabaseLifecycle.plan(this, s, ctx);
    }

    /**
     * What a restore of {@code s} would destroy, for the preview's list of every target's losses;
     * accepted when this target or the plan accepts data loss. Nothing for a set-aside state: its
     * restore puts back what a rollback replaced.
     */
    @Override
    public final List<DataAtRisk> dataAtRisk(Snapshot s, RestoreContext ctx) throws Exception {
        DatabaseTarget t = scoped(ctx);
        return t != this ? t.dataAtRisk(s, ctx) : DatabaseLifecycle.dataAtRisk(this, s, ctx);
    }

    @Override
    public final void restore(Snapshot s, RestoreContext ctx) throws Exception {
        DatabaseTarget t = scoped(ctx);
        if (t != this) {
            t.restore(s, ctx);
            return;
        }
        DatabaseLifecycle.restore(this, s, ctx);
    }

    @Override
    public CheckResult verify(Snapshot s, RestoreContext ctx) throws Exception {
        DatabaseTarget t = scoped(ctx);
        return t != this ? t.verify(s, ctx) : DatabaseIntegrity.verify(this, s, ctx);
    }

    /**
     * This target as it must act for {@code ctx}: the whole database when the snapshot is a state
     * set aside ({@link RestoreContext#restoresSetAside}), whatever part it is configured to restore.
     */
    private DatabaseTarget scoped(RestoreContext ctx) {
        return ctx.restoresSetAside() ? whole() : this;
    }

    // ---- helpers -------------------------------------------------------------------------------------

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
        return getClass().getSimpleName() + "[" + name + "]";
    }
}
