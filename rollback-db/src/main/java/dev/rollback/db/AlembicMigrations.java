package dev.rollback.db;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.db.internal.AlembicScripts;
import dev.rollback.db.internal.AlembicScripts.Script;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.DroppedData.Drop;
import dev.rollback.db.internal.HostTrees;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * Target migrations = AlembicMigrations.alembic(Path.of("/srv/gestima"))
 *     .database(SqliteDatabase.at(Path.of("/srv/gestima/gestima.db")))
 *     .exportDataLoss(ExportFormat.CSV);
 * Target flask = AlembicMigrations.flaskMigrate(Path.of("/srv/bankroll")).env("FLASK_APP", "app.py");
 * }</pre>
 */
public final class AlembicMigrations implements Target {

    private static final Pattern REVISION_LINE = Pattern.compile("^([0-9A-Za-z_]+)(\\s+\\(.*\\))*\\s*$");
    private static final Pattern SCRIPT_LOCATION = Pattern.compile("(?m)^script_location\\s*=\\s*(.+?)\\s*$");
    private static final Pattern VERSION_LOCATIONS = Pattern.compile("(?m)^version_locations\\s*=.*$");

    /** The scripts a command runs with: the live folder, or a copy kept in a restore point. */
    private record Scripts(String where, Path versions, List<String> before, List<String> after, boolean kept) {}

    private final String name;
    private final Path projectDir;
    private final List<String> command;
    private final Path versionsDir;
    private final Map<String, String> env;
    private final boolean acceptDataLoss;
    private final boolean acceptStubs;
    private final DatabaseTarget database;
    private final ExportFormat export;
    private final boolean flask;

    private AlembicMigrations(String name, Path projectDir, List<String> command, Path versionsDir,
            Map<String, String> env, boolean acceptDataLoss, boolean acceptStubs, DatabaseTarget database,
            ExportFormat export, boolean flask) {
        this.name = name;
        this.projectDir = projectDir;
        this.command = List.copyOf(command);
        this.versionsDir = versionsDir;
        this.env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        this.acceptDataLoss = acceptDataLoss;
        this.acceptStubs = acceptStubs;
        this.database = database;
        this.export = export;
        this.flask = flask;
    }

    /**
     * The Alembic project in {@code projectDir} (where {@code alembic.ini} is), as a target named
     * {@code "migrations"} run with the command {@code alembic}; the scripts are found through the
     * ini file's {@code script_location}.
     */
    public static AlembicMigrations alembic(Path projectDir) {
        return new AlembicMigrations("migrations", absolute(projectDir), List.of("alembic"), null, Map.of(), false, false,
                null, null, false);
    }

    /**
     * The Flask-Migrate project in {@code appDir}, as a target named {@code "migrations"} run with
     * the command {@code flask db}; the scripts are in {@code migrations/versions}. Name the
     * application with {@code env("FLASK_APP", ...)} when Flask cannot find it by itself.
     */
    public static AlembicMigrations flaskMigrate(Path appDir) {
        Path dir = absolute(appDir);
        return new AlembicMigrations("migrations", dir, List.of("flask", "db"), dir.resolve("migrations").resolve("versions"),
                Map.of(), false, false, null, null, true);
    }

    private static Path absolute(Path dir) {
        Objects.requireNonNull(dir, "dir");
        if (!dir.isAbsolute()) {
            throw new IllegalArgumentException("migrations: expected an absolute project folder, found '" + dir
                    + "'; give dir.toAbsolutePath()");
        }
        return dir.normalize();
    }

    /** This target under another name. */
    public AlembicMigrations named(String newName) {
        return new AlembicMigrations(DatabaseTarget.requireName(newName), projectDir, command, versionsDir, env,
                acceptDataLoss, acceptStubs, database, export, flask);
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
        return new AlembicMigrations(name, projectDir, argv, versionsDir, env, acceptDataLoss, acceptStubs, database,
                export, flask);
    }

    /** This target reading the migration scripts from {@code dir} instead of the default folder. */
    public AlembicMigrations versionsDir(Path dir) {
        return new AlembicMigrations(name, projectDir, command, absolute(dir), env, acceptDataLoss, acceptStubs, database,
                export, flask);
    }

    /** This target running its commands with one more environment variable (its value is never logged). */
    public AlembicMigrations env(String variable, String value) {
        Map<String, String> more = new LinkedHashMap<>(env);
        more.put(Objects.requireNonNull(variable, "variable"), Objects.requireNonNull(value, "value"));
        return new AlembicMigrations(name, projectDir, command, versionsDir, more, acceptDataLoss, acceptStubs, database,
                export, flask);
    }

    /**
     * This target downgrading even through {@code drop_table}/{@code drop_column} calls that drop
     * values: the code goes back and those values are gone from the live database (export them
     * first with {@link #exportDataLoss}; the set-aside backup keeps them too).
     */
    public AlembicMigrations acceptDataLoss() {
        return new AlembicMigrations(name, projectDir, command, versionsDir, env, true, acceptStubs, database, export,
                flask);
    }

    /**
     * This target downgrading even through stub {@code downgrade()} functions, whose schema changes
     * then stay in the database: the revision goes back, the schema does not. Prefer writing the
     * downgrade, or restoring the database from a backup (a database target before this one).
     */
    public AlembicMigrations acceptStubDowngrades() {
        return new AlembicMigrations(name, projectDir, command, versionsDir, env, acceptDataLoss, true, database, export,
                flask);
    }

    /**
     * This target checking in {@code db} whether the tables and columns a downgrade drops hold data,
     * and keeping a backup of {@code db} with its set-aside state, so that a downgrade that fails
     * part way is put back without losing a row.
     */
    public AlembicMigrations database(DatabaseTarget db) {
        return new AlembicMigrations(name, projectDir, command, versionsDir, env, acceptDataLoss, acceptStubs,
                Objects.requireNonNull(db, "db"), export, flask);
    }

    /**
     * This target exporting, before a downgrade, the rows whose values it drops (the whole rows of a
     * dropped table; the rows holding values in a dropped column) into the set-aside restore point,
     * one file per table or column, named in the set-aside snapshot ({@code lost.files}). Needs
     * {@link #database}.
     */
    public AlembicMigrations exportDataLoss(ExportFormat format) {
        return new AlembicMigrations(name, projectDir, command, versionsDir, env, acceptDataLoss, acceptStubs, database,
                Objects.requireNonNull(format, "format"), flask);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.DATABASE;
    }

    // ---- commands ---------------------------------------------------------------------------------------

    private CommandResult run(Host host, Scripts scripts, String sub, String... args) {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(scripts.before());
        argv.add(sub);
        argv.addAll(scripts.after());
        argv.addAll(List.of(args));
        Command c = Command.of(argv).in(projectDir).timeout(Duration.ofHours(2));
        for (Map.Entry<String, String> e : env.entrySet()) {
            c = c.env(e.getKey(), e.getValue());
        }
        if (scripts.kept()) {
            // the kept copy is an artifact of a restore point: Python must not write its caches there
            c = c.env("PYTHONDONTWRITEBYTECODE", "1");
        }
        return host.run(c);
    }

    private String tool() {
        return String.join(" ", command);
    }

    /** The current revision, {@code base} when none is applied. */
    private String current(Host host, Scripts scripts) {
        CommandResult r = run(host, scripts, "current");
        if (!r.succeeded()) {
            throw new IllegalStateException("migrations '" + name + "': expected '" + tool() + " current' with the scripts "
                    + scripts.where() + " to print the revision, found " + r.describe() + "; check the project folder "
                    + "and the database connection");
        }
        for (String line : r.stdout().split("\n")) {
            Matcher m = REVISION_LINE.matcher(line.strip());
            if (m.matches()) {
                return m.group(1);
            }
        }
        return "base";
    }

    /** The current revision as the live folder's scripts read it, {@code base} when none is applied. */
    String current(Host host) {
        return current(host, live(host));
    }

    /** The current revision, read with the first of {@code sources} whose scripts know it. */
    private String current(Host host, List<Scripts> sources) {
        IllegalStateException first = null;
        for (Scripts s : sources) {
            try {
                return current(host, s);
            } catch (IllegalStateException e) {
                first = first == null ? e : first;
            }
        }
        throw first;
    }

    private Path scriptLocation(Host host) {
        if (flask) {
            return (versionsDir != null ? versionsDir : projectDir.resolve("migrations").resolve("versions")).getParent();
        }
        Path ini = projectDir.resolve("alembic.ini");
        String location = "alembic";
        if (host.exists(ini)) {
            Matcher m = SCRIPT_LOCATION.matcher(new String(host.read(ini), StandardCharsets.UTF_8));
            if (m.find()) {
                location = m.group(1).replace("%(here)s", projectDir.toString());
            }
        }
        return projectDir.resolve(location);
    }

    private Path liveVersions(Host host) {
        return versionsDir != null ? versionsDir : scriptLocation(host).resolve("versions");
    }

    private Scripts live(Host host) {
        return new Scripts("of the live folder " + liveVersions(host), liveVersions(host), List.of(), List.of(), false);
    }

    /** The scripts kept in {@code s}, if it holds a copy. */
    private Optional<Scripts> kept(Snapshot s, RestoreContext ctx, String where) {
        if (s == null || !"kept".equals(s.data().get("scripts"))) {
            return Optional.empty();
        }
        Path dir = ctx.artifactDir(s);
        Path versions = dir.resolve(s.data().getOrDefault("scripts.versions", "scripts/versions"));
        if (flask) {
            return Optional.of(new Scripts(where + " (" + dir.resolve("scripts") + ")", versions, List.of(),
                    List.of("-d", dir.resolve("scripts").toString()), true));
        }
        return Optional.of(new Scripts(where + " (" + dir.resolve("alembic.ini") + ")", versions,
                List.of("-c", dir.resolve("alembic.ini").toString()), List.of(), true));
    }

    /**
     * Where the scripts may come from, in order: the copy this rollback set aside (the release being
     * rolled back), the copy kept with {@code s}, the live folder.
     */
    private List<Scripts> sources(Snapshot s, RestoreContext ctx) {
        List<Scripts> out = new ArrayList<>();
        ctx.setAside(name).filter(a -> a != s).flatMap(a -> kept(a, ctx, "kept in the set-aside point"))
                .ifPresent(out::add);
        kept(s, ctx, "kept in restore point " + ctx.point().id()).ifPresent(out::add);
        out.add(live(ctx.host()));
        return out;
    }

    // ---- keeping the scripts -----------------------------------------------------------------------------

    private void keepScripts(CaptureContext ctx, Map<String, String> data) {
        Host host = ctx.host();
        Path location = scriptLocation(host);
        Path dir = ctx.artifactDir();
        HostTrees.copy(host, location, dir.resolve("scripts"));
        String versions = "scripts/versions";
        Path liveVersions = liveVersions(host);
        if (!liveVersions.startsWith(location)) {
            HostTrees.copy(host, liveVersions, dir.resolve("versions"));
            versions = "versions";
        } else {
            versions = "scripts/" + location.relativize(liveVersions).toString().replace('\\', '/');
        }
        if (!flask) {
            Path ini = projectDir.resolve("alembic.ini");
            if (!host.exists(ini)) {
                throw new IllegalStateException("migrations '" + name + "': expected the Alembic configuration " + ini
                        + ", found nothing; give the folder that holds alembic.ini");
            }
            String text = new String(host.read(ini), StandardCharsets.UTF_8).replace("%(here)s", projectDir.toString());
            text = SCRIPT_LOCATION.matcher(text).replaceFirst("script_location = %(here)s/scripts");
            text = VERSION_LOCATIONS.matcher(text).replaceAll("");
            if (!versions.equals("scripts/versions")) {
                text = text.replaceFirst("(?m)^script_location = %\\(here\\)s/scripts$",
                        "script_location = %(here)s/scripts\nversion_locations = %(here)s/" + versions);
            }
            host.write(dir.resolve("alembic.ini"), text.getBytes(StandardCharsets.UTF_8), 0600);
        }
        data.put("scripts", "kept");
        data.put("scripts.from", location.toString());
        data.put("scripts.versions", versions);
    }

    /**
     * The current revision: with {@link #database}, as its {@code alembic_version} table holds it
     * (what {@code alembic current} reads, without starting Python; it also answers when no scripts
     * know the revision, such as after a code rollback removed the newer ones); otherwise as {@code
     * current} prints it with the first of {@code sources} that knows it.
     */
    private String revisionNow(Host host, List<Scripts> sources) throws Exception {
        if (database == null) {
            return current(host, sources);
        }
        Dialect d = database.dialect();
        return database.withLive(host, h -> {
            if (!Catalog.tables(h, d).contains("alembic_version")) {
                return "base";
            }
            List<String> heads = h.createQuery("SELECT version_num FROM " + d.table("alembic_version") + " ORDER BY 1")
                    .mapTo(String.class).list();
            if (heads.size() > 1) {
                throw new IllegalStateException("migrations '" + name + "': expected one revision in alembic_version, "
                        + "found " + heads + "; merge the heads first");
            }
            return heads.isEmpty() ? "base" : heads.get(0);
        });
    }

    private String recorded(Host host) throws Exception {
        return revisionNow(host, List.of(live(host)));
    }

    // ---- the Target ----------------------------------------------------------------------------------------

    @Override
    public Snapshot capture(CaptureContext ctx) throws Exception {
        Map<String, String> data = new TreeMap<>();
        data.put("revision", recorded(ctx.host()));
        data.put("tool", tool());
        keepScripts(ctx, data);
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
        Map<String, String> data = new TreeMap<>(capture(ctx).data());
        data.put("asideOf", ctx.rollbackId().orElse(""));
        Optional<String> to = ctx.previousSnapshot().flatMap(p -> p.get("revision"));
        to.ifPresent(r -> data.put("downgradeTo", r));
        if (database != null) {
            if (export != null && to.isPresent()) {
                List<Script> path = AlembicScripts.path(AlembicScripts.read(ctx.host(), liveVersions(ctx.host())),
                        data.get("revision"), to.get());
                if (path != null) {
                    List<Drop> drops = drops(ctx.host(), path, ctx.previousSnapshot().orElse(null));
                    data.putAll(DroppedData.export(database, ctx, drops, export));
                }
            }
            data.putAll(MigrationBackup.take(database, ctx));
        }
        return Snapshot.of(data);
    }

    /**
     * The values the downgrade through {@code path} drops, as the live database holds them now: a
     * dropped table's rows, a dropped column's values other than NULL and other than the column's
     * literal default (a default fills rows no one wrote). One query counts and exports each.
     */
    private List<Drop> drops(Host host, List<Script> path, Snapshot target) throws Exception {
        if (database == null) {
            return List.of();
        }
        Dialect d = database.dialect();
        Map<String, TableState> before = DroppedData.catalogOf(target);
        Map<String, String> renamed = new LinkedHashMap<>();
        for (Script s : path) {
            s.renames().forEach((from, to) -> {
                String key = renamed.entrySet().stream().filter(e -> (e.getKey().contains(".") == from.contains("."))
                        && (from.contains(".") ? e.getKey().substring(0, e.getKey().indexOf('.') + 1) + e.getValue()
                        : e.getValue()).equals(from)).map(Map.Entry::getKey).findFirst().orElse(from);
                renamed.put(key, to.contains(".") ? to.substring(to.indexOf('.') + 1) : to);
            });
        }
        String target0 = target == null ? "" : target.data().getOrDefault("revision", "");
        List<Drop> scripted = database.withLive(host, h -> {
            List<Drop> out = new ArrayList<>();
            for (Script s : path) {
                String cause = "migration " + s.revision();
                for (String t : s.dropsTables()) {
                    Drop x = DroppedData.table(h, d, cause, t);
                    if (x != null) {
                        out.add(x);
                    }
                }
                for (String[] c : s.dropsColumns()) {
                    Drop x = DroppedData.column(h, d, cause, c[0], c[1]);
                    if (x != null) {
                        out.add(x);
                    }
                }
            }
            return out;
        });
        if (before == null) {
            return scripted;
        }
        // what the scripts drop in ways they do not spell out (op.execute, a rebuilt table), from the catalog
        List<Drop> cataloged = database.withLive(host, h -> DroppedData.fromCatalog(h, d, "rolling back to revision "
                + target0, before, renamed));
        cataloged.removeIf(x -> x.table().equals("alembic_version") || x.table().startsWith("_alembic_tmp_"));
        return DroppedData.merge(scripted, cataloged);
    }

    /** The stub downgrades on {@code path}, as sentences. */
    private static List<String> stubs(List<Script> path) {
        List<String> out = new ArrayList<>();
        for (Script s : path) {
            if (s.stubDowngrade()) {
                out.add("migration " + s.revision() + " (" + s.file() + ") has a stub downgrade(): the revision goes "
                        + "back but its schema changes stay");
            }
        }
        return out;
    }

    /** The way from the current revision to {@code target}: which scripts, which direction, which revisions. */
    private record Way(Scripts scripts, boolean down, List<Script> path) {}

    private Optional<Way> way(Host host, List<Scripts> sources, String current, String target) {
        for (Scripts s : sources) {
            if (!host.exists(s.versions())) {
                continue;
            }
            Map<String, Script> all = AlembicScripts.read(host, s.versions());
            List<Script> down = AlembicScripts.path(all, current, target);
            if (down != null) {
                return Optional.of(new Way(s, true, down));
            }
            List<Script> up = AlembicScripts.path(all, target, current);
            if (up != null) {
                return Optional.of(new Way(s, false, up));
            }
        }
        return Optional.empty();
    }

    /** Sources as a preflight sees them: the live folder first (it becomes the set-aside copy), then the point's. */
    private List<Scripts> plannedSources(Snapshot s, RestoreContext ctx) {
        List<Scripts> out = new ArrayList<>();
        out.add(live(ctx.host()));
        kept(s, ctx, "kept in restore point " + ctx.point().id()).ifPresent(out::add);
        return out;
    }

    /** Whether this target, or its plan for all its targets, accepts the data a downgrade drops. */
    private boolean dataLossAccepted(RestoreContext ctx) {
        return acceptDataLoss || ctx.dataLossAccepted();
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
        if (export != null && database == null) {
            problems.add(Problem.of(name, "a database(...) to export the dropped rows from", "exportDataLoss("
                    + export + ") without one", "name the database with database(SqliteDatabase.at(...)) or similar"));
        }
        String target = snapshot.require("revision");
        List<Scripts> sources = plannedSources(snapshot, ctx);
        String current;
        try {
            current = revisionNow(host, sources);
        } catch (IllegalStateException e) {
            problems.add(Problem.of(name, "the current revision", e.getMessage(), "fix the project or its database"));
            return problems;
        }
        if (current.equals(target)) {
            return problems;
        }
        Optional<Way> way = way(host, sources, current, target);
        if (way.isEmpty()) {
            problems.add(Problem.of(name, "migration scripts that lead from revision " + current + " to " + target
                    + " (in the live folder " + liveVersions(host) + " or kept with restore point " + ctx.point().id() + ")",
                    "none", "capture a new restore point with this version (points captured before it keep no scripts), "
                            + "or put the release's scripts back in the live folder"));
            return problems;
        }
        if (way.get().down()) {
            List<String> stubs = stubs(way.get().path());
            if (!stubs.isEmpty() && !acceptStubs) {
                problems.add(Problem.of(name, "a downgrade from " + current + " to " + target + " whose every migration "
                        + "undoes its schema changes", stubs.toString(), "write those downgrade() functions, roll the "
                        + "database back from a backup instead (a database target before this one in the plan), or accept "
                        + "that their changes stay with acceptStubDowngrades()"));
            }
            List<Drop> drops = drops(host, way.get().path(), snapshot);
            if (!drops.isEmpty() && !dataLossAccepted(ctx)) {
                problems.add(Problem.of(name, "a downgrade from " + current + " to " + target + " that drops no data",
                        drops.stream().map(Drop::describe).toList().toString(), "export those values with exportDataLoss("
                                + "ExportFormat.CSV) and accept the loss with acceptDataLoss(), or fix forward"));
            }
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
        List<Scripts> sources = plannedSources(snapshot, ctx);
        String current = revisionNow(host, sources);
        if (current.equals(target)) {
            return List.of("already at revision " + target + "; nothing to do");
        }
        Optional<Way> way = way(host, sources, current, target);
        if (way.isEmpty()) {
            return List.of("(no scripts lead from revision " + current + " to " + target + ")");
        }
        List<String> lines = new ArrayList<>();
        Way w = way.get();
        String from = w.scripts().kept() ? "the scripts " + w.scripts().where()
                : "a copy of the scripts of the live folder " + liveVersions(host) + ", kept in the set-aside point before "
                        + "anything changes";
        lines.add(tool() + " " + (w.down() ? "downgrade" : "upgrade") + " " + target + " (from " + current + ") through "
                + w.path().stream().map(Script::revision).toList() + " with " + from);
        if (w.down()) {
            for (String stub : stubs(w.path())) {
                lines.add("stub downgrade: " + stub + (acceptStubs ? " (accepted)" : "; refused without "
                        + "acceptStubDowngrades()"));
            }
            List<Drop> drops = drops(host, w.path(), snapshot);
            for (Drop x : drops) {
                lines.add("point of no return: " + x.describe() + (dataLossAccepted(ctx) ? " (accepted)"
                        : "; refused without acceptDataLoss()"));
            }
            if (!drops.isEmpty() && export != null) {
                lines.add("export those " + Plural.of(drops.stream().mapToLong(Drop::rows).sum(), "row") + " as " + export
                        + " into the set-aside restore point first");
            }
            lines.add(database != null ? "keep a backup of '" + database.name() + "' in the set-aside point: if the "
                    + "downgrade fails part way, putting back restores it"
                    : "no database(...) named: if the downgrade fails part way, putting back upgrades again, which "
                            + "recreates dropped tables and columns empty");
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
        String of = s.data().get("asideOf");
        if (of == null || of.isEmpty() || database == null || !MigrationBackup.present(s)) {
            return false;
        }
        if (of.equals(ctx.rollbackId())) {
            return true;
        }
        boolean halfBuilt = database.withLive(ctx.host(), h -> Catalog.tables(h, database.dialect()).stream()
                .anyMatch(t -> t.startsWith("_alembic_tmp_")));
        String to = s.data().get("downgradeTo");
        if (halfBuilt || to == null) {
            return true;
        }
        String now = revisionNow(ctx.host(), sources(s, ctx));
        for (Scripts src : sources(s, ctx)) {
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
        List<Scripts> sources = sources(snapshot, ctx);
        String current = revisionNow(host, sources);
        if (current.equals(target)) {
            return;
        }
        Way w = way(host, sources, current, target).orElseThrow(() -> new IllegalStateException("migrations '" + name
                + "': expected migration scripts that lead from revision " + current + " to " + target + " in "
                + sources.stream().map(Scripts::where).toList() + ", found none; capture a new restore point with this "
                + "version"));
        ctx.progress(tool() + " " + (w.down() ? "downgrade" : "upgrade") + " " + target + " with the scripts "
                + w.scripts().where());
        CommandResult r = run(host, w.scripts(), w.down() ? "downgrade" : "upgrade", target);
        if (!r.succeeded()) {
            throw new IllegalStateException(failure(host, ctx, w, current, target, r));
        }
    }

    /** What a failed downgrade or upgrade did, what the database lacks now, and how to put it back. */
    private String failure(Host host, RestoreContext ctx, Way w, String current, String target, CommandResult r) {
        StringBuilder m = new StringBuilder("migrations '" + name + "': expected " + (w.down() ? "a downgrade" : "an upgrade")
                + " from " + current + " to " + target + " through " + w.path().stream().map(Script::revision).toList()
                + ", found " + r.describe());
        String now;
        try {
            now = revisionNow(host, List.of(w.scripts()));
        } catch (Exception e) {
            now = "unknown (" + e.getMessage() + ")";
        }
        List<String> ran = new ArrayList<>();
        for (Script s : w.path()) {
            if (s.revision().equals(now)) {
                break;
            }
            ran.add(s.revision());
        }
        m.append("; the database is at revision ").append(now);
        if (ran.size() < w.path().size()) {
            m.append(ran.isEmpty() ? "; no revision finished" : "; revisions " + (w.down() ? "downgraded" : "upgraded")
                    + " before the failure: " + ran);
        }
        Optional<Snapshot> aside = ctx.setAside(name);
        if (database != null && aside.isPresent() && MigrationBackup.present(aside.get())) {
            try {
                List<String> lacking = MigrationBackup.lacking(database, aside.get(), host);
                m.append(lacking.isEmpty() ? "; no table lacks rows of the state before the rollback"
                        : "; compared with the state before the rollback: " + String.join("; ", lacking));
            } catch (Exception e) {
                m.append("; the live database could not be compared with the backup: ").append(e.getMessage());
            }
            m.append("; no row is lost: the database as it was before the rollback is kept in the set-aside point of "
                    + "rollback ").append(ctx.rollbackId())
                    .append("; put it back with plan.resume(Resume.undoing()) after a halt, or plan.undo(report) after "
                            + "the rollback ended");
        } else {
            m.append("; no backup of the database was kept (name it with database(...)); fix the migration and run '")
                    .append(tool()).append(" ").append(w.down() ? "downgrade " : "upgrade ").append(target).append("' by hand");
        }
        return m.toString();
    }

    /** Restores the backup kept in {@code s} and checks that the database equals the state set aside. */
    private void putBack(Snapshot s, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        List<String> wrong = new ArrayList<>(MigrationBackup.restore(database, s, ctx));
        String want = s.require("revision");
        String now;
        try {
            now = revisionNow(host, sources(s, ctx));
        } catch (Exception e) {
            now = "unknown (" + e.getMessage() + ")";
        }
        if (!now.equals(want)) {
            wrong.add("the database is at revision " + now + ", expected " + want);
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("migrations '" + name + "': expected the restored backup of '" + database.name()
                    + "' to equal the state set aside (tables, row counts, revision " + want + "), found "
                    + String.join("; ", wrong) + "; restore it by hand from " + ctx.artifactDir(s).resolve(
                            MigrationBackup.DIR));
        }
        ctx.progress("restored the backup of '" + database.name() + "': tables, row counts and revision " + want
                + " equal the state set aside");
    }

    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws Exception {
        String target = snapshot.require("revision");
        String current = revisionNow(ctx.host(), sources(snapshot, ctx));
        return current.equals(target) ? CheckResult.passed("revision of " + name, "at revision " + target)
                : CheckResult.failed("revision of " + name, "at revision " + current + ", expected " + target);
    }

    @Override
    public String toString() {
        return "AlembicMigrations[" + name + ": " + tool() + " in " + projectDir + "]";
    }
}
