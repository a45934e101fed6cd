package dev.rollback.db;

import dev.rollback.CheckResult;
import dev.rollback.Problem;
import dev.rollback.Snapshot;
import dev.rollback.TargetKind;
import dev.rollback.db.internal.AlembicScripts;
import dev.rollback.db.internal.AlembicScripts.Script;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Dialect;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Alembic (or Flask-Migrate) migration history as a rollback target: capture records the
 * current revision ({@code alembic current}); the rollback runs {@code alembic downgrade <revision>}
 * (or {@code flask db downgrade <revision>}) as an argv command in the project's folder, and
 * verification checks the current revision again. Putting back a state set aside upgrades to it.
 *
 * <p>Before anything changes, the migration scripts between the current and the recorded revision
 * are read: a {@code downgrade()} that does nothing ({@code pass}, {@code ...}, only comments) is a
 * stub that leaves the schema as it is, and {@code op.drop_table}/{@code op.drop_column} calls drop
 * data when those tables and columns hold rows (checked when {@link #database} names the database).
 * Preview lists both, and preflight refuses them unless {@link #acceptDataLoss()} is set.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * Target migrations = AlembicMigrations.alembic(Path.of("/srv/gestima"))
 *     .database(SqliteDatabase.at(Path.of("/srv/gestima/gestima.db")));
 * Target flask = AlembicMigrations.flaskMigrate(Path.of("/srv/bankroll")).env("FLASK_APP", "app.py");
 * }</pre>
 */
public final class AlembicMigrations implements Target {

    private static final Pattern REVISION_LINE = Pattern.compile("^([0-9A-Za-z_]+)(\\s+\\(.*\\))*\\s*$");
    private static final Pattern SCRIPT_LOCATION = Pattern.compile("(?m)^script_location\\s*=\\s*(.+?)\\s*$");

    private final String name;
    private final Path projectDir;
    private final List<String> command;
    private final Path versionsDir;
    private final Map<String, String> env;
    private final boolean acceptDataLoss;
    private final DatabaseTarget<?> database;

    private AlembicMigrations(String name, Path projectDir, List<String> command, Path versionsDir,
            Map<String, String> env, boolean acceptDataLoss, DatabaseTarget<?> database) {
        this.name = name;
        this.projectDir = projectDir;
        this.command = List.copyOf(command);
        this.versionsDir = versionsDir;
        this.env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        this.acceptDataLoss = acceptDataLoss;
        this.database = database;
    }

    /**
     * The Alembic project in {@code projectDir} (where {@code alembic.ini} is), as a target named
     * {@code "migrations"} run with the command {@code alembic}; the scripts are found through the
     * ini file's {@code script_location}.
     */
    public static AlembicMigrations alembic(Path projectDir) {
        return new AlembicMigrations("migrations", absolute(projectDir), List.of("alembic"), null, Map.of(), false, null);
    }

    /**
     * The Flask-Migrate project in {@code appDir}, as a target named {@code "migrations"} run with
     * the command {@code flask db}; the scripts are in {@code migrations/versions}. Name the
     * application with {@code env("FLASK_APP", ...)} when Flask cannot find it by itself.
     */
    public static AlembicMigrations flaskMigrate(Path appDir) {
        Path dir = absolute(appDir);
        return new AlembicMigrations("migrations", dir, List.of("flask", "db"), dir.resolve("migrations").resolve("versions"),
                Map.of(), false, null);
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
        return new AlembicMigrations(DatabaseTarget.requireName(newName), projectDir, command,
                versionsDir, env, acceptDataLoss, database);
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
        return new AlembicMigrations(name, projectDir, argv, versionsDir, env, acceptDataLoss, database);
    }

    /** This target reading the migration scripts from {@code dir} instead of the default folder. */
    public AlembicMigrations versionsDir(Path dir) {
        return new AlembicMigrations(name, projectDir, command, absolute(dir), env, acceptDataLoss, database);
    }

    /** This target running its commands with one more environment variable (its value is never logged). */
    public AlembicMigrations env(String variable, String value) {
        Map<String, String> more = new LinkedHashMap<>(env);
        more.put(Objects.requireNonNull(variable, "variable"), Objects.requireNonNull(value, "value"));
        return new AlembicMigrations(name, projectDir, command, versionsDir, more, acceptDataLoss, database);
    }

    /** This target downgrading even through stub downgrades and drops of tables or columns that hold data. */
    public AlembicMigrations acceptDataLoss() {
        return new AlembicMigrations(name, projectDir, command, versionsDir, env, true, database);
    }

    /** This target checking in {@code db} whether the tables and columns a downgrade drops hold data. */
    public AlembicMigrations database(DatabaseTarget<?> db) {
        return new AlembicMigrations(name, projectDir, command, versionsDir, env, acceptDataLoss,
                Objects.requireNonNull(db, "db"));
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

    private CommandResult run(Host host, String... args) {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(List.of(args));
        Command c = Command.of(argv).in(projectDir).timeout(Duration.ofHours(2));
        for (Map.Entry<String, String> e : env.entrySet()) {
            c = c.env(e.getKey(), e.getValue());
        }
        return host.run(c);
    }

    /** The current revision, {@code base} when none is applied. */
    String current(Host host) {
        CommandResult r = run(host, "current");
        if (!r.succeeded()) {
            throw new IllegalStateException("migrations '" + name + "': expected '" + String.join(" ", command)
                    + " current' to print the revision, found " + r.describe() + "; check the project folder and the "
                    + "database connection");
        }
        for (String line : r.stdout().split("\n")) {
            Matcher m = REVISION_LINE.matcher(line.strip());
            if (m.matches()) {
                return m.group(1);
            }
        }
        return "base";
    }

    private Path versions(Host host) {
        if (versionsDir != null) {
            return versionsDir;
        }
        Path ini = projectDir.resolve("alembic.ini");
        String location = "alembic";
        if (host.exists(ini)) {
            Matcher m = SCRIPT_LOCATION.matcher(new String(host.read(ini), StandardCharsets.UTF_8));
            if (m.find()) {
                location = m.group(1).replace("%(here)s", projectDir.toString());
            }
        }
        return projectDir.resolve(location).resolve("versions");
    }

    // ---- the Target ----------------------------------------------------------------------------------------

    @Override
    public Snapshot capture(CaptureContext ctx) {
        return Snapshot.of(Map.of("revision", current(ctx.host()), "tool", String.join(" ", command)));
    }

    /** Stub downgrades and dropped data between the current revision and {@code target}, as sentences. */
    private List<String> risks(Host host, String current, String target) throws Exception {
        List<String> out = new ArrayList<>();
        List<Script> path = AlembicScripts.path(AlembicScripts.read(host, versions(host)), current, target);
        if (path == null) {
            return out;
        }
        for (Script s : path) {
            if (s.stubDowngrade()) {
                out.add("migration " + s.revision() + " (" + s.file() + ") has a stub downgrade(): its changes stay; "
                        + "reverse them by hand");
            }
            if (database != null) {
                out.addAll(droppedData(host, s));
            }
        }
        return out;
    }

    private List<String> droppedData(Host host, Script s) throws Exception {
        Dialect d = database.dialect();
        return database.withLive(host, h -> {
            List<String> out = new ArrayList<>();
            List<String> tables = Catalog.tables(h, d);
            for (String t : s.dropsTables()) {
                if (tables.contains(t)) {
                    long n = Catalog.count(h, d, t);
                    if (n > 0) {
                        out.add("migration " + s.revision() + " drops table '" + t + "', which holds " + n + " row(s)");
                    }
                }
            }
            for (String[] c : s.dropsColumns()) {
                if (tables.contains(c[0]) && Catalog.columns(h, d, c[0]).contains(c[1])) {
                    long n = h.createQuery("SELECT count(*) FROM " + d.table(c[0]) + " WHERE " + d.quote(c[1])
                            + " IS NOT NULL").mapTo(Long.class).one();
                    if (n > 0) {
                        out.add("migration " + s.revision() + " drops column '" + c[1] + "' of table '" + c[0]
                                + "', which holds values in " + n + " row(s)");
                    }
                }
            }
            return out;
        });
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
        String target = snapshot.require("revision");
        String current;
        try {
            current = current(host);
        } catch (IllegalStateException e) {
            problems.add(Problem.of(name, "the current revision", e.getMessage(), "fix the project or its database"));
            return problems;
        }
        if (!"base".equals(target) && !AlembicScripts.read(host, versions(host)).containsKey(target)) {
            problems.add(Problem.of(name, "a migration script of revision " + target + " in " + versions(host),
                    "none", "restore the code with the migration scripts first (order the code target before this one)"));
        }
        List<String> risks = risks(host, current, target);
        if (!risks.isEmpty() && !acceptDataLoss) {
            problems.add(Problem.of(name, "a downgrade from " + current + " to " + target + " that undoes every change "
                    + "and drops no data", risks.toString(), "reverse stub migrations by hand or accept it with "
                    + "acceptDataLoss(); export the data first"));
        }
        return problems;
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        String target = snapshot.require("revision");
        String current = current(host);
        if (current.equals(target)) {
            return List.of("already at revision " + target + "; nothing to do");
        }
        List<Script> path = AlembicScripts.path(AlembicScripts.read(host, versions(host)), current, target);
        List<String> lines = new ArrayList<>();
        String verb = path == null ? "upgrade" : "downgrade";
        lines.add(String.join(" ", command) + " " + verb + " " + target + " (from " + current + ")"
                + (path == null ? "" : " through " + path.stream().map(Script::revision).toList()));
        for (String r : risks(host, current, target)) {
            lines.add("point of no return: " + r + (acceptDataLoss ? " (accepted)" : "; refused without acceptDataLoss()"));
        }
        return lines;
    }

    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        String target = snapshot.require("revision");
        String current = current(host);
        if (current.equals(target)) {
            return;
        }
        boolean down = AlembicScripts.path(AlembicScripts.read(host, versions(host)), current, target) != null;
        CommandResult r = run(host, down ? "downgrade" : "upgrade", target);
        if (!r.succeeded()) {
            throw new IllegalStateException("migrations '" + name + "': expected " + (down ? "a downgrade" : "an upgrade")
                    + " from " + current + " to " + target + ", found " + r.describe() + "; the database is at "
                    + current(host) + "; fix the migration and try again");
        }
    }

    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) {
        String target = snapshot.require("revision");
        String current = current(ctx.host());
        return current.equals(target) ? CheckResult.passed("revision of " + name, "at revision " + target)
                : CheckResult.failed("revision of " + name, "at revision " + current + ", expected " + target);
    }

    @Override
    public String toString() {
        return "AlembicMigrations[" + name + ": " + String.join(" ", command) + " in " + projectDir + "]";
    }
}
