package dev.rollback.db;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.db.internal.AlembicScripts;
import dev.rollback.db.internal.AlembicScripts.Script;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.AlembicSources.Scripts;
import dev.rollback.db.AlembicSources.Way;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An Alembic (or Flask-Migrate) migration history as a rollback target: capture records the
 * current revision ({@code alembic current}) and keeps a copy of the migration scripts; the
 * rollback runs {@code alembic downgrade <revision>} (or {@code flask db downgrade <revision>}) as
 * an argv command in the project's folder, and verification checks the current revision again.
 *
 * <p><b>The target owns its scripts.</b> When a rollback sets the current state aside, this
 * target copies the scripts of the release being rolled back (the script folder with {@code
 * env.py} and {@code versions/}, and for Alembic its {@code alembic.ini}) into the set-aside point,
 * and runs the downgrade with that copy ({@code alembic -c <copy>/alembic.ini}, {@code flask db
 * ... -d <copy>}), never with the live folder. So the plan's order does not matter: a code target
 * restored first may remove the newer scripts from the live folder, and the downgrade still runs;
 * {@code plan.undo(report)} upgrades again with the scripts kept in the set-aside point.
 *
 * <p><b>A failed downgrade loses no row.</b> With {@link #database} named, the set-aside also
 * takes a backup of that database through the database target's own backup code. When the
 * downgrade fails part way, the error names the revisions that ran and what the database now
 * lacks; putting back (the {@link dev.rollback.FailurePolicy#RESTORE_FAILED_STATE} policy, or
 * {@code plan.resume(Resume.undoing())} after a halt) restores that backup instead of upgrading,
 * then checks that the tables, their row counts and the revision equal the state before the
 * rollback, and fails when they do not. Without {@link #database}, putting back upgrades with the
 * kept scripts, which recreates dropped tables and columns empty (the preview says so).
 *
 * <p>Before anything changes, the scripts between the current and the recorded revision are read:
 * a {@code downgrade()} that does nothing ({@code pass}, {@code ...}, only comments) is a stub that
 * leaves the schema as it is (refused unless {@link #acceptStubDowngrades()}), and {@code
 * op.drop_table}/{@code op.drop_column} calls drop data when those tables and columns hold values
 * other than their default (checked when {@link #database} is named; refused unless {@link
 * #acceptDataLoss()}; exported first with {@link #exportDataLoss}). Preview lists both, and where
 * the scripts come from.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * Target migrations = AlembicMigrations.of(Path.of("/srv/gestima"))
 *     .database(SqliteDatabase.of(Path.of("/srv/gestima/gestima.db")))
 *     .exportDataLoss(ExportFormat.CSV);
 * Target flask = AlembicMigrations.ofFlaskMigrate(Path.of("/srv/bankroll")).env("FLASK_APP", "app.py");
 * }</pre>
 */
public final class AlembicMigrations extends MigrationTarget {

    // Set only by the factories and the option methods, on a fresh copy.
    Path projectDir;
    List<String> command;
    Path versionsDir;
    Map<String, String> env;
    boolean acceptStubs;
    boolean flask;

    private AlembicMigrations(Path projectDir, List<String> command, Path versionsDir, boolean flask) {
        super("migrations");
        this.projectDir = projectDir;
        this.command = command;
        this.versionsDir = versionsDir;
        this.env = Map.of();
        this.flask = flask;
    }

    /** A copy of {@code from}: every field. */
    private AlembicMigrations(AlembicMigrations from) {
        super(from);
        this.projectDir = from.projectDir;
        this.command = from.command;
        this.versionsDir = from.versionsDir;
        this.env = from.env;
        this.acceptStubs = from.acceptStubs;
        this.flask = from.flask;
    }

    @Override
    AlembicMigrations copy() {
        return new AlembicMigrations(this);
    }

    @Override
    String subject() {
        return "migrations '" + name + "'";
    }

    /**
     * The Alembic project in {@code projectDir} (where {@code alembic.ini} is), as a target named
     * {@code "migrations"} run with the command {@code alembic}; the scripts are found through the
     * ini file's {@code script_location}.
     *
     * @throws IllegalArgumentException if the folder is not absolute
     */
    public static AlembicMigrations of(Path projectDir) {
        return new AlembicMigrations(absolute(projectDir), List.of("alembic"), null, false);
    }

    /**
     * The same as {@link #of(Path)}.
     *
     * @deprecated use {@link #of(Path)}; this spelling is removed in the next release
     */
    @Deprecated(forRemoval = true)
    public static AlembicMigrations alembic(Path projectDir) {
        return of(projectDir);
    }

    /**
     * The Flask-Migrate project in {@code appDir}, as a target named {@code "migrations"} run with
     * the command {@code flask db}; the scripts are in {@code migrations/versions}. Name the
     * application with {@code env("FLASK_APP", ...)} when Flask cannot find it by itself.
     *
     * @throws IllegalArgumentException if the folder is not absolute
     */
    public static AlembicMigrations ofFlaskMigrate(Path appDir) {
        Path dir = absolute(appDir);
        return new AlembicMigrations(dir, List.of("flask", "db"), dir.resolve("migrations").resolve("versions"), true);
    }

    /**
     * The same as {@link #ofFlaskMigrate(Path)}.
     *
     * @deprecated use {@link #ofFlaskMigrate(Path)}; this spelling is removed in the next release
     */
    @Deprecated(forRemoval = true)
    public static AlembicMigrations flaskMigrate(Path appDir) {
        return ofFlaskMigrate(appDir);
    }

    private static Path absolute(Path dir) {
        Objects.requireNonNull(dir, "dir");
        if (!dir.isAbsolute()) {
            throw new IllegalArgumentException("migrations: expected an absolute project folder, found '" + dir
                    + "'; give dir.toAbsolutePath()");
        }
        return dir.normalize();
    }

    /**
     * This target under another name (letters, digits, {@code . _ -}, at most 64 characters).
     *
     * @throws IllegalArgumentException for a name that breaks these rules
     */
    public AlembicMigrations named(String newName) {
        return (AlembicMigrations) renamed(newName);
    }

    /**
     * This target running another command instead of {@code alembic} (or {@code flask db}), such as
     * {@code List.of("/srv/app/venv/bin/alembic")} or {@code List.of("python3", "-m", "flask", "db")};
     * {@code current}, {@code downgrade} and {@code upgrade} are appended to it.
     */
    public AlembicMigrations command(List<String> argv) {
        if (argv == null || argv.isEmpty() || argv.stream().anyMatch(a -> a == null || a.isEmpty())) {
            throw new IllegalArgumentException("migrations '" + name + "': expected a command such as [alembic], found "
                    + argv);
        }
        AlembicMigrations c = copy();
        c.command = List.copyOf(argv);
        return c;
    }

    /** This target reading the migration scripts from {@code dir} instead of the default folder. */
    public AlembicMigrations versionsDir(Path dir) {
        Path absolute = absolute(dir);
        AlembicMigrations c = copy();
        c.versionsDir = absolute;
        return c;
    }

    /** This target running its commands with one more environment variable (its value is never logged). */
    public AlembicMigrations env(String variable, String value) {
        AlembicMigrations c = copy();
        c.env = MigrationCommands.withVariable(env, variable, value);
        return c;
    }

    /**
     * This target downgrading even through {@code drop_table}/{@code drop_column} calls that drop
     * values: the code goes back and those values are gone from the live database (export them
     * first with {@link #exportDataLoss}; the set-aside backup keeps them too).
     */
    public AlembicMigrations acceptDataLoss() {
        return (AlembicMigrations) acceptingDataLoss();
    }

    /**
     * This target downgrading even through stub {@code downgrade()} functions, whose schema changes
     * then stay in the database: the revision goes back, the schema does not. Prefer writing the
     * downgrade, or restoring the database from a backup (a database target before this one).
     */
    public AlembicMigrations acceptStubDowngrades() {
        AlembicMigrations c = copy();
        c.acceptStubs = true;
        return c;
    }

    /**
     * This target checking in {@code db} whether the tables and columns a downgrade drops hold data,
     * and keeping a backup of {@code db} with its set-aside state, so that a downgrade that fails
     * part way is put back without losing a row.
     */
    public AlembicMigrations database(DatabaseTarget db) {
        return (AlembicMigrations) withDatabase(db);
    }

    /**
     * This target exporting, before a downgrade, the rows whose values it drops (the whole rows of a
     * dropped table; the rows holding values in a dropped column) into the set-aside restore point,
     * one file per table or column, named in the set-aside snapshot ({@code lost.files}). Needs
     * {@link #database}.
     */
    public AlembicMigrations exportDataLoss(ExportFormat format) {
        return (AlembicMigrations) exporting(format);
    }

    // ---- scripts and downgrades ---------------------------------------------------------------------------

    private AlembicSources src() {
        return new AlembicSources(this);
    }

    private AlembicDowngrades downgrades() {
        return new AlembicDowngrades(this);
    }

    /** The current revision as the live folder's scripts read it, {@code base} when none is applied. */
    String current(Host host) {
        return src().current(host, src().live(host));
    }

    // ---- the Target ----------------------------------------------------------------------------------------

    @Override
    public Snapshot capture(CaptureContext ctx) throws Exception {
        Map<String, String> data = new TreeMap<>();
        data.put("revision", src().recorded(ctx.host()));
        data.put("tool", src().tool());
        src().keepScripts(ctx, data);
        if (database != null) {
            DroppedData.recordCatalog(database, ctx.host(), data);
        }
        return Snapshot.of(data);
    }

    /**
     * Records the revision and keeps the scripts like a capture; with {@link #database} also a
     * backup of the database and, with {@link #exportDataLoss}, the rows the downgrade to the point
     * being rolled back to would drop.
     */
    @Override
    public Snapshot setAside(CaptureContext ctx) throws Exception {
        Map<String, String> data = setAsideData(ctx);
        Optional<String> to = ctx.previousSnapshot().flatMap(p -> p.get("revision"));
        to.ifPresent(r -> data.put("downgradeTo", r));
        keepDatabase(ctx, data, to.isEmpty() ? null : () -> {
            List<Script> path = AlembicScripts.path(AlembicScripts.read(ctx.host(), src().liveVersions(ctx.host())),
                    data.get("revision"), to.get());
            return path == null ? null : downgrades().drops(ctx.host(), path, ctx.previousSnapshot().orElse(null));
        });
        return Snapshot.of(data);
    }

    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        List<Problem> problems = new ArrayList<>();
        if (!host.stat(projectDir).map(FileStat::isDirectory).orElse(false)) {
            problems.add(Problem.of(name, "the project folder " + projectDir, "nothing there", "fix the path"));
            return problems;
        }
        if (!host.hasProgram(command.get(0))) {
            problems.add(Problem.of(name, "the program " + command.get(0), "not installed on host " + host.name(),
                    "install it (Debian: alembic, python3-flask-migrate) or give command(...)"));
            return problems;
        }
        problems.addAll(exportProblems("SqliteDatabase.of(...)"));
        String target = snapshot.require("revision");
        List<Scripts> sources = src().plannedSources(snapshot, ctx);
        String current;
        try {
            current = src().revisionNow(host, sources);
        } catch (IllegalStateException e) {
            problems.add(Problem.of(name, "the current revision", e.getMessage(), "fix the project or its database"));
            return problems;
        }
        if (current.equals(target)) {
            return problems;
        }
        Optional<Way> way = src().way(host, sources, current, target);
        if (way.isEmpty()) {
            problems.add(Problem.of(name, "migration scripts that lead from revision " + current + " to " + target
                    + " (in the live folder " + src().liveVersions(host) + " or kept with restore point " + ctx.point().id() + ")",
                    "none", "capture a new restore point with this version (points captured before it keep no scripts), "
                            + "or put the release's scripts back in the live folder"));
            return problems;
        }
        if (way.get().down()) {
            List<String> stubs = downgrades().stubs(way.get().path());
            if (!stubs.isEmpty() && !acceptStubs) {
                problems.add(Problem.of(name, "a downgrade from " + current + " to " + target + " whose every migration "
                        + "undoes its schema changes", stubs.toString(), "write those downgrade() functions, roll the "
                        + "database back from a backup instead (a database target before this one in the plan), or accept "
                        + "that their changes stay with acceptStubDowngrades()"));
            }
            problems.addAll(dropProblems("a downgrade from " + current + " to " + target,
                    downgrades().drops(host, way.get().path(), snapshot), ctx));
        }
        return problems;
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        String target = snapshot.require("revision");
        if (isPutBack(snapshot, ctx)) {
            return List.of("restore the backup of '" + database.name() + "' kept in restore point " + ctx.point().id()
                    + " (the downgrade of rollback " + snapshot.data().get("asideOf") + " did not finish)",
                    "check that the tables, their row counts and revision " + target + " equal the state set aside");
        }
        List<Scripts> sources = src().plannedSources(snapshot, ctx);
        String current = src().revisionNow(host, sources);
        if (current.equals(target)) {
            return List.of("already at revision " + target + "; nothing to do");
        }
        Optional<Way> way = src().way(host, sources, current, target);
        if (way.isEmpty()) {
            return List.of("(no scripts lead from revision " + current + " to " + target + ")");
        }
        List<String> lines = new ArrayList<>();
        Way w = way.get();
        String from = w.scripts().kept() ? "the scripts " + w.scripts().where()
                : "a copy of the scripts of the live folder " + src().liveVersions(host) + ", kept in the set-aside point before "
                        + "anything changes";
        lines.add(src().tool() + " " + (w.down() ? "downgrade" : "upgrade") + " " + target + " (from " + current + ") through "
                + w.path().stream().map(Script::revision).toList() + " with " + from);
        if (w.down()) {
            for (String stub : downgrades().stubs(w.path())) {
                lines.add("stub downgrade: " + stub + (acceptStubs ? " (accepted)" : "; refused without "
                        + "acceptStubDowngrades()"));
            }
            lines.addAll(dropLines(downgrades().drops(host, w.path(), snapshot), ctx));
            lines.add(backupLine("downgrade", "upgrades again, which recreates dropped tables and columns empty"));
        }
        return lines;
    }

    /**
     * Whether restoring {@code s} puts back what a downgrade left unfinished, from the backup kept in
     * {@code s}: {@code s} is a set-aside state with a backup, and either this same rollback is being
     * put back, or the database stands where that rollback's downgrade stopped (a revision strictly
     * between the one set aside and the one it was going to, or Alembic's half-built {@code
     * _alembic_tmp_*} tables are left). A database anywhere else is upgraded, so that no row written
     * since is lost.
     */
    private boolean isPutBack(Snapshot s, RestoreContext ctx) throws Exception {
        if (!keepsBackup(s)) {
            return false;
        }
        if (setAsideByThisRun(s, ctx)) {
            return true;
        }
        boolean halfBuilt = database.withLive(ctx.host(), h -> Catalog.tables(h, database.dialect()).stream()
                .anyMatch(t -> t.startsWith("_alembic_tmp_")));
        String to = s.data().get("downgradeTo");
        if (halfBuilt || to == null) {
            return true;
        }
        String now = src().revisionNow(ctx.host(), src().sources(s, ctx));
        for (Scripts src : src().sources(s, ctx)) {
            if (!ctx.host().exists(src.versions())) {
                continue;
            }
            List<Script> path = AlembicScripts.path(AlembicScripts.read(ctx.host(), src.versions()), s.require("revision"), to);
            if (path != null) {
                return path.stream().skip(1).anyMatch(x -> x.revision().equals(now));
            }
        }
        return false;
    }

    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        String target = snapshot.require("revision");
        if (isPutBack(snapshot, ctx)) {
            putBack(snapshot, ctx);
            return;
        }
        List<Scripts> sources = src().sources(snapshot, ctx);
        String current = src().revisionNow(host, sources);
        if (current.equals(target)) {
            return;
        }
        Way w = src().way(host, sources, current, target).orElseThrow(() -> new IllegalStateException("migrations '" + name
                + "': expected migration scripts that lead from revision " + current + " to " + target + " in "
                + sources.stream().map(Scripts::where).toList() + ", found none; capture a new restore point with this "
                + "version"));
        ctx.progress(src().tool() + " " + (w.down() ? "downgrade" : "upgrade") + " " + target + " with the scripts "
                + w.scripts().where());
        CommandResult r = src().run(host, w.scripts(), w.down() ? "downgrade" : "upgrade", target);
        if (!r.succeeded()) {
            throw new IllegalStateException(downgrades().failure(host, ctx, w, current, target, r));
        }
    }

    /** Restores the backup kept in {@code s} and checks that the database equals the state set aside. */
    private void putBack(Snapshot s, RestoreContext ctx) throws Exception {
        String want = s.require("revision");
        putBack(s, ctx, "revision " + want, () -> {
            String now;
            try {
                now = src().revisionNow(ctx.host(), src().sources(s, ctx));
            } catch (Exception e) {
                now = "unknown (" + e.getMessage() + ")";
            }
            return now.equals(want) ? List.of() : List.of("the database is at revision " + now + ", expected " + want);
        });
    }

    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws Exception {
        String target = snapshot.require("revision");
        return revisionCheck(src().revisionNow(ctx.host(), src().sources(snapshot, ctx)), target);
    }

    @Override
    public String toString() {
        return "AlembicMigrations[" + name + ": " + src().tool() + " in " + projectDir + "]";
    }
}
