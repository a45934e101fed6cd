package dev.rollback.db;

import dev.rollback.db.DroppedData.Drop;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Plural;
import dev.rollback.spi.Problem;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.Target;
import dev.rollback.spi.TargetKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the migration targets ({@link AlembicMigrations}, {@link LiquibaseMigrations}, {@link
 * CommandMigrations}) share: a name, the database they migrate ({@code database(..)}) with the
 * backup kept of it in each set-aside, the acceptance and export of the data a downgrade drops,
 * and the put-back of a downgrade that failed part way from that backup. Not API; subclasses are
 * immutable and thread-safe.
 */
abstract sealed class MigrationTarget implements Target permits AlembicMigrations, LiquibaseMigrations, CommandMigrations {

    // Set only by the factories and the option methods, on a fresh copy.
    String name;
    DatabaseTarget database;
    boolean acceptsDataLoss;
    ExportFormat exportFormat;

    /** A target named {@code name} with no option set. */
    MigrationTarget(String name) {
        this.name = name;
    }

    /** A copy of {@code from}: every field. */
    MigrationTarget(MigrationTarget from) {
        this.name = from.name;
        this.database = from.database;
        this.acceptsDataLoss = from.acceptsDataLoss;
        this.exportFormat = from.exportFormat;
    }

    /** A copy of this target, made by the concrete class's copy constructor. */
    abstract MigrationTarget copy();

    /** How messages name this target: {@code migrations 'schema'}. */
    abstract String subject();

    // ---- the options, for the concrete classes' methods of the same name -----------------------------------

    final MigrationTarget renamed(String newName) {
        DatabaseTarget.requireName(newName);
        MigrationTarget c = copy();
        c.name = newName;
        return c;
    }

    final MigrationTarget withDatabase(DatabaseTarget db) {
        Objects.requireNonNull(db, "db");
        MigrationTarget c = copy();
        c.database = db;
        return c;
    }

    final MigrationTarget acceptingDataLoss() {
        MigrationTarget c = copy();
        c.acceptsDataLoss = true;
        return c;
    }

    final MigrationTarget exporting(ExportFormat format) {
        Objects.requireNonNull(format, "format");
        MigrationTarget c = copy();
        c.exportFormat = format;
        return c;
    }

    // ---- the Target ------------------------------------------------------------------------------------------

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final TargetKind kind() {
        return TargetKind.DATABASE;
    }

    /** Whether this target, or its plan for all its targets, accepts the data a downgrade drops. */
    final boolean dataLossAccepted(RestoreContext ctx) {
        return acceptsDataLoss || ctx.dataLossAccepted();
    }

    /** The capture's data of a set-aside: what {@link #capture} records, and the rollback that set it aside. */
    final Map<String, String> setAsideData(CaptureContext ctx) throws Exception {
        Map<String, String> data = new TreeMap<>(capture(ctx).data());
        data.put("asideOf", ctx.rollbackId().orElse(""));
        return data;
    }

    /**
     * With {@code database(..)}, adds to a set-aside's data the export of {@code drops} (when
     * {@code exportDataLoss(..)} is set and there are any to look for) and a backup of the database.
     */
    final void keepDatabase(CaptureContext ctx, Map<String, String> data, DropSource drops) throws Exception {
        if (database == null) {
            return;
        }
        if (exportFormat != null && drops != null) {
            List<Drop> found = drops.find();
            if (found != null) {
                data.putAll(DroppedData.export(database, ctx, found, exportFormat));
            }
        }
        data.putAll(MigrationBackup.take(database, ctx));
    }

    /** The data a downgrade would drop, looked for only when it is to be exported; null when there is no way to look. */
    @FunctionalInterface
    interface DropSource {
        List<Drop> find() throws Exception;
    }

    /** Whether {@code s} is a state set aside by a rollback, with a backup of the database to put back from. */
    final boolean keepsBackup(Snapshot s) {
        String of = s.data().get("asideOf");
        return of != null && !of.isEmpty() && database != null && MigrationBackup.present(s);
    }

    /** Whether {@code s}, which {@link #keepsBackup}, was set aside by the rollback now running. */
    static boolean setAsideByThisRun(Snapshot s, RestoreContext ctx) {
        return s.data().get("asideOf").equals(ctx.rollbackId());
    }

    /** What the state after a put-back lacks of {@code s} besides the tables: the tool's own position. */
    @FunctionalInterface
    interface PositionCheck {
        List<String> wrong() throws Exception;
    }

    /**
     * Restores the backup kept in {@code s} and checks that the database equals the state set
     * aside: the tables and row counts, and the tool's position {@code state} ("revision 3f2a").
     */
    final void putBack(Snapshot s, RestoreContext ctx, String state, PositionCheck position) throws Exception {
        List<String> wrong = new ArrayList<>(MigrationBackup.restore(database, s, ctx));
        wrong.addAll(position.wrong());
        if (!wrong.isEmpty()) {
            throw new IllegalStateException(subject() + ": expected the restored backup of '" + database.name()
                    + "' to equal the state set aside (tables, row counts, " + state + "), found "
                    + String.join("; ", wrong) + "; restore it by hand from " + ctx.artifactDir(s).resolve(
                            MigrationBackup.DIR));
        }
        ctx.progress("restored the backup of '" + database.name() + "': tables, row counts and " + state
                + " equal the state set aside");
    }

    /**
     * Adds to the message of a failed downgrade what the database lacks now of the state before the
     * rollback and where that state is kept; returns false, adding nothing, when no backup was kept.
     */
    final boolean describeBackup(StringBuilder m, RestoreContext ctx) {
        Optional<Snapshot> aside = ctx.setAside(name);
        if (database == null || aside.isEmpty() || !MigrationBackup.present(aside.get())) {
            return false;
        }
        try {
            List<String> lacking = MigrationBackup.lacking(database, aside.get(), ctx.host());
            m.append(lacking.isEmpty() ? "; no table lacks rows of the state before the rollback"
                    : "; compared with the state before the rollback: " + String.join("; ", lacking));
        } catch (Exception e) {
            m.append("; the live database could not be compared with the backup: ").append(e.getMessage());
        }
        m.append("; no row is lost: the database as it was before the rollback is kept in the set-aside point of "
                + "rollback ").append(ctx.rollbackId()).append("; put it back with plan.resume(Resume.undoing()) after "
                        + "a halt, or plan.undo(report) after the rollback ended");
        return true;
    }

    // ---- preflight and plan ------------------------------------------------------------------------------------

    /** The problem of {@code exportDataLoss(..)} without {@code database(..)}, if it is so. */
    final List<Problem> exportProblems(String example) {
        if (exportFormat == null || database != null) {
            return List.of();
        }
        return List.of(Problem.of(name, "a database(...) to export the dropped rows from", "exportDataLoss("
                + exportFormat + ") without one", "name the database with database(" + example + ") or similar"));
    }

    /** The problem of a downgrade ({@code what}) that drops {@code drops}, unless accepted. */
    final List<Problem> dropProblems(String what, List<Drop> drops, RestoreContext ctx) {
        if (drops.isEmpty() || dataLossAccepted(ctx)) {
            return List.of();
        }
        return List.of(Problem.of(name, what + " that drops no data", drops.stream().map(Drop::describe).toList()
                .toString(), "export those values with exportDataLoss(ExportFormat.CSV) and accept the loss with "
                        + "acceptDataLoss(), or fix forward"));
    }

    /** The plan's lines for the data {@code drops}: each a point of no return, and their export. */
    final List<String> dropLines(List<Drop> drops, RestoreContext ctx) {
        List<String> lines = new ArrayList<>();
        for (Drop x : drops) {
            lines.add("point of no return: " + x.describe() + (dataLossAccepted(ctx) ? " (accepted)"
                    : "; refused without acceptDataLoss()"));
        }
        if (!drops.isEmpty() && exportFormat != null) {
            lines.add("export those " + Plural.of(drops.stream().mapToLong(Drop::rows).sum(), "row") + " as "
                    + exportFormat + " into the set-aside restore point first");
        }
        return lines;
    }

    /**
     * The plan's line on what putting back does should the {@code move} ("downgrade") fail part
     * way: restore the backup, or, without {@code database(..)}, what {@code without} says.
     */
    final String backupLine(String move, String without) {
        return database != null ? "keep a backup of '" + database.name() + "' in the set-aside point: if the " + move
                + " fails part way, putting back restores it"
                : "no database(...) named: if the " + move + " fails part way, putting back " + without;
    }

    /** The check that the revision is {@code target}. */
    final CheckResult revisionCheck(String now, String target) {
        return now.equals(target) ? CheckResult.passed("revision of " + name, "at revision " + target)
                : CheckResult.failed("revision of " + name, "at revision " + now + ", expected " + target);
    }
}
