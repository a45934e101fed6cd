package dev.rollback.db;

import dev.rollback.CheckResult;
import dev.rollback.Problem;
import dev.rollback.Snapshot;
import dev.rollback.TargetKind;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Any migration tool with a command line as a rollback target: one argv command prints the current
 * revision (its last non-blank line of standard output), another moves the schema to a revision,
 * with {@value #REVISION} in its arguments replaced by the revision recorded at capture. No shell is
 * involved: the revision is passed as one argument, whatever it holds.
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
public final class CommandMigrations implements Target {

    /** The placeholder for the revision in the downgrade command. */
    public static final String REVISION = "{revision}";

    private final String name;
    private final List<String> current;
    private final List<String> migrate;
    private final Path dir;
    private final Map<String, String> env;

    private CommandMigrations(String name, List<String> current, List<String> migrate, Path dir, Map<String, String> env) {
        this.name = name;
        this.current = List.copyOf(current);
        this.migrate = List.copyOf(migrate);
        this.dir = dir;
        this.env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
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
        if (migrateArgv.stream().noneMatch(a -> a.contains(REVISION))) {
            throw new IllegalArgumentException("migrations '" + name + "': expected " + REVISION + " in the migrate "
                    + "command " + migrateArgv + ", found none; write where the revision goes");
        }
        return new CommandMigrations(name, currentArgv, migrateArgv, null, Map.of());
    }

    /** This target running its commands in {@code workDir}. */
    public CommandMigrations in(Path workDir) {
        return new CommandMigrations(name, current, migrate, Objects.requireNonNull(workDir, "workDir"), env);
    }

    /** This target running its commands with one more environment variable (its value is never logged). */
    public CommandMigrations env(String variable, String value) {
        Map<String, String> more = new LinkedHashMap<>(env);
        more.put(Objects.requireNonNull(variable, "variable"), Objects.requireNonNull(value, "value"));
        return new CommandMigrations(name, current, migrate, dir, more);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.DATABASE;
    }

    private CommandResult run(Host host, List<String> argv) {
        Command c = Command.of(argv).timeout(Duration.ofHours(2));
        if (dir != null) {
            c = c.in(dir);
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            c = c.env(e.getKey(), e.getValue());
        }
        return host.run(c);
    }

    private String revision(Host host) {
        CommandResult r = run(host, current);
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
        return Snapshot.of(Map.of("revision", revision(ctx.host())));
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
        String now = revision(ctx.host());
        return now.equals(target) ? List.of("already at revision " + target + "; nothing to do")
                : List.of(Command.of(migrateArgv(target)).display() + " (from " + now + ")");
    }

    @Override
    public void restore(Snapshot s, RestoreContext ctx) {
        String target = s.require("revision");
        if (revision(ctx.host()).equals(target)) {
            return;
        }
        CommandResult r = run(ctx.host(), migrateArgv(target));
        if (!r.succeeded()) {
            throw new IllegalStateException("migrations '" + name + "': expected the move to revision " + target
                    + ", found " + r.describe() + "; fix the migration and try again");
        }
    }

    @Override
    public CheckResult verify(Snapshot s, RestoreContext ctx) {
        String target = s.require("revision");
        String now = revision(ctx.host());
        return now.equals(target) ? CheckResult.passed("revision of " + name, "at revision " + target)
                : CheckResult.failed("revision of " + name, "at revision " + now + ", expected " + target);
    }

    @Override
    public String toString() {
        return "CommandMigrations[" + name + "]";
    }
}
