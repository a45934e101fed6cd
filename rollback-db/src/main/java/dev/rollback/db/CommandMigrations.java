package dev.rollback.db;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.db.internal.HostTrees;
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
 * Any migration tool with a command line as a rollback target: one argv command prints the current
 * revision (its last non-blank line of standard output), another moves the schema to a revision,
 * with {@value #REVISION} in its arguments replaced by the revision recorded at capture. No shell is
 * involved: the revision is passed as one argument, whatever it holds.
 *
 * <p>With {@link #scripts(Path)} the target owns the tool's migration scripts: capture and set-aside
 * keep a copy of that folder, and {@value #SCRIPTS} in either command is replaced by a kept copy
 * (during a rollback, the copy this rollback set aside, which holds the newer release's down
 * migrations; when undoing a rollback, the copy kept with the state set aside), so the plan's order
 * and a code target restored first do not matter. With {@link #database} the set-aside also keeps
 * a backup of the database: when the move fails part way, putting back restores it and checks that
 * the tables, their row counts and the revision equal the state before the rollback.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * Target schema = CommandMigrations.of("schema",
 *         List.of("goose", "-dir", "migrations", "postgres", dsn, "version"),
 *         List.of("goose", "-dir", "migrations", "postgres", dsn, "down-to", "{revision}"))
 *     .in(Path.of("/srv/app"));
 * }</pre>
 */
public final class CommandMigrations extends MigrationTarget {

    /** The placeholder for the revision in the downgrade command. */
    public static final String REVISION = "{revision}";

    /** The placeholder for the folder of migration scripts, a copy kept in a restore point ({@link #scripts(Path)}). */
    public static final String SCRIPTS = "{scripts}";

    // Set only by the factory and the option methods, on a fresh copy.
    private List<String> current;
    private List<String> migrate;
    private Path dir;
    private Map<String, String> env;
    private Path scripts;

    private CommandMigrations(String name, List<String> current, List<String> migrate) {
        super(name);
        this.current = List.copyOf(current);
        this.migrate = List.copyOf(migrate);
        this.env = Map.of();
    }

    /** A copy of {@code from}: every field. */
    private CommandMigrations(CommandMigrations from) {
        super(from);
        this.current = from.current;
        this.migrate = from.migrate;
        this.dir = from.dir;
        this.env = from.env;
        this.scripts = from.scripts;
    }

    @Override
    CommandMigrations copy() {
        return new CommandMigrations(this);
    }

    @Override
    String subject() {
        return "migrations '" + name + "'";
    }

    /**
     * A target named {@code name} whose revision {@code currentArgv} prints and that
     * {@code migrateArgv} (holding {@value #REVISION}) moves to a revision.
     *
     * @throws IllegalArgumentException if a command is empty or the migrate command lacks {@value #REVISION}
     */
    public static CommandMigrations of(String name, List<String> currentArgv, List<String> migrateArgv) {
        DatabaseTarget.requireName(name);
        Command.of(currentArgv);
        Command.of(migrateArgv);
        if (currentArgv.get(0).contains(SCRIPTS) || migrateArgv.get(0).contains(SCRIPTS)) {
            throw new IllegalArgumentException("migrations '" + name + "': expected a program, found " + SCRIPTS
                    + " as the program of a command; put the placeholder in an argument");
        }
        if (migrateArgv.stream().noneMatch(a -> a.contains(REVISION))) {
            throw new IllegalArgumentException("migrations '" + name + "': expected " + REVISION + " in the migrate "
                    + "command " + migrateArgv + ", found none; write where the revision goes");
        }
        return new CommandMigrations(name, currentArgv, migrateArgv);
    }

    /**
     * This target under another name (letters, digits, {@code . _ -}, at most 64 characters).
     *
     * @throws IllegalArgumentException for a name that breaks these rules
     */
    public CommandMigrations named(String newName) {
        return (CommandMigrations) renamed(newName);
    }

    /** This target running its commands in {@code workDir}. */
    public CommandMigrations in(Path workDir) {
        Objects.requireNonNull(workDir, "workDir");
        CommandMigrations c = copy();
        c.dir = workDir;
        return c;
    }

    /** This target running its commands with one more environment variable (its value is never logged). */
    public CommandMigrations env(String variable, String value) {
        CommandMigrations c = copy();
        c.env = MigrationCommands.withVariable(env, variable, value);
        return c;
    }

    /**
     * This target keeping a copy of the tool's migration scripts in {@code folder} (absolute) with
     * each capture and set-aside, and giving the commands a kept copy where they say {@value
     * #SCRIPTS}.
     */
    public CommandMigrations scripts(Path folder) {
        Objects.requireNonNull(folder, "folder");
        if (!folder.isAbsolute()) {
            throw new IllegalArgumentException("migrations '" + name + "': expected an absolute scripts folder, found '"
                    + folder + "'; give folder.toAbsolutePath()");
        }
        CommandMigrations c = copy();
        c.scripts = folder.normalize();
        return c;
    }

    /**
     * This target keeping a backup of {@code db} with its set-aside state, so that a move that fails
     * part way is put back without losing a row.
     */
    public CommandMigrations database(DatabaseTarget db) {
        return (CommandMigrations) withDatabase(db);
    }

    private CommandResult run(Host host, List<String> argv) {
        return host.run(MigrationCommands.command(argv, dir, env));
    }

    /** The argv with {@value #SCRIPTS} replaced by {@code folder}. */
    private static List<String> with(List<String> argv, Path folder) {
        return folder == null ? argv : argv.stream().map(a -> a.replace(SCRIPTS, folder.toString())).toList();
    }

    /** The scripts folder for commands restoring {@code s}: a kept copy, else the live folder. */
    private Path scriptsFor(Snapshot s, RestoreContext ctx) {
        if (scripts == null) {
            return null;
        }
        boolean undo = s != null && !s.data().getOrDefault("asideOf", "").isEmpty();
        Optional<Snapshot> aside = ctx.setAside(name).filter(a -> a != s && "kept".equals(a.data().get("scripts")));
        if (!undo && aside.isPresent()) {
            return ctx.artifactDir(aside.get()).resolve("scripts");
        }
        if (s != null && "kept".equals(s.data().get("scripts"))) {
            return ctx.artifactDir(s).resolve("scripts");
        }
        return scripts;
    }

    private String revision(Host host) {
        return revision(host, scripts);
    }

    private String revision(Host host, Path folder) {
        CommandResult r = run(host, with(current, folder));
        if (!r.succeeded()) {
            throw new IllegalStateException("migrations '" + name + "': expected the current revision from "
                    + r.describe() + "; check the command and the database");
        }
        String last = "";
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank()) {
                last = line.strip();
            }
        }
        return last;
    }

    @Override
    public Snapshot capture(CaptureContext ctx) {
        Map<String, String> data = new TreeMap<>();
        data.put("revision", revision(ctx.host()));
        if (scripts != null) {
            HostTrees.copy(ctx.host(), scripts, ctx.artifactDir().resolve("scripts"));
            data.put("scripts", "kept");
        }
        return Snapshot.of(data);
    }

    /** Records the revision and keeps the scripts like a capture; with {@link #database} also a backup of it. */
    @Override
    public Snapshot setAside(CaptureContext ctx) throws Exception {
        Map<String, String> data = setAsideData(ctx);
        ctx.previousSnapshot().flatMap(p -> p.get("revision")).ifPresent(r -> data.put("movingTo", r));
        keepDatabase(ctx, data, null);
        return Snapshot.of(data);
    }

    /** Whether restoring {@code s} puts back a move that did not finish, from the backup kept in {@code s}. */
    private boolean isPutBack(Snapshot s, RestoreContext ctx) {
        if (!keepsBackup(s)) {
            return false;
        }
        if (setAsideByThisRun(s, ctx)) {
            return true;
        }
        try {
            return !s.data().getOrDefault("movingTo", "").equals(revision(ctx.host(), scriptsFor(s, ctx)));
        } catch (IllegalStateException e) {
            return true;
        }
    }

    @Override
    public List<Problem> preflight(Snapshot s, RestoreContext ctx) {
        List<Problem> problems = new ArrayList<>();
        for (String program : List.of(current.get(0), migrate.get(0))) {
            if (!ctx.host().hasProgram(program)) {
                problems.add(Problem.of(name, "the program " + program, "not installed on host " + ctx.host().name(),
                        "install it or fix the command"));
            }
        }
        return problems;
    }

    private List<String> migrateArgv(String revision) {
        return migrate.stream().map(a -> a.replace(REVISION, revision)).toList();
    }

    @Override
    public List<String> plan(Snapshot s, RestoreContext ctx) {
        String target = s.require("revision");
        if (isPutBack(s, ctx)) {
            return List.of("restore the backup of '" + database.name() + "' kept in restore point " + ctx.point().id()
                    + " (the move of rollback " + s.data().get("asideOf") + " did not finish), then check its tables, "
                    + "row counts and revision " + target);
        }
        Path folder = scriptsFor(s, ctx);
        String now = revision(ctx.host(), folder);
        if (now.equals(target)) {
            return List.of("already at revision " + target + "; nothing to do");
        }
        List<String> lines = new ArrayList<>();
        lines.add(Command.of(with(migrateArgv(target), folder)).display() + " (from " + now + ")");
        if (scripts != null) {
            lines.add(folder.equals(scripts) && ctx.setAside(name).isEmpty() && !"kept".equals(s.data().get("scripts"))
                    ? "with the scripts of the live folder " + scripts
                    : "with the scripts of " + scripts + " as kept in a restore point; during the rollback, the copy "
                            + "set aside before anything changes");
        }
        lines.add(backupLine("move", "runs the move to the revision set aside"));
        return lines;
    }

    @Override
    public void restore(Snapshot s, RestoreContext ctx) throws Exception {
        String target = s.require("revision");
        if (isPutBack(s, ctx)) {
            putBack(s, ctx, "revision " + target, () -> {
                String now = revision(ctx.host(), scriptsFor(s, ctx));
                return now.equals(target) ? List.of() : List.of("the revision is " + now + ", expected " + target);
            });
            return;
        }
        Path folder = scriptsFor(s, ctx);
        String from = revision(ctx.host(), folder);
        if (from.equals(target)) {
            return;
        }
        CommandResult r = run(ctx.host(), with(migrateArgv(target), folder));
        if (!r.succeeded()) {
            StringBuilder m = new StringBuilder("migrations '" + name + "': expected the move from revision " + from
                    + " to " + target + ", found " + r.describe());
            try {
                m.append("; the revision is now ").append(revision(ctx.host(), folder));
            } catch (IllegalStateException e) {
                m.append("; the revision cannot be read now: ").append(e.getMessage());
            }
            if (!describeBackup(m, ctx)) {
                m.append("; fix the migration and try again");
            }
            throw new IllegalStateException(m.toString());
        }
    }

    @Override
    public CheckResult verify(Snapshot s, RestoreContext ctx) {
        return revisionCheck(revision(ctx.host(), scriptsFor(s, ctx)), s.require("revision"));
    }

    @Override
    public String toString() {
        return "CommandMigrations[" + name + "]";
    }
}
