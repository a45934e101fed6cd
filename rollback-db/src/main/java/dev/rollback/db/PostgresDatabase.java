package dev.rollback.db;

import dev.rollback.Problem;
import dev.rollback.Snapshot;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Codec;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.internal.Tools;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A PostgreSQL database as a rollback target, with two strategies.
 *
 * <p><b>Backup</b> (the default): capture runs {@code pg_dump -Fc} (at {@link #compression
 * compression} level 1 unless told otherwise) inside one repeatable-read
 * snapshot that also records the tables and row counts, so both describe the same moment. The
 * rollback first sets the current state aside with another dump, then drops the database's schemas
 * and runs {@code pg_restore -j} (parallel jobs) into the same database. {@link #onlyTables} restores
 * the data of named tables and their sequences only, in one transaction, leaving the other tables
 * untouched (foreign keys are checked afterwards); {@link #schemaOnly()} restores the definitions
 * without data.
 *
 * <p><b>Instant</b> ({@link #instant()}), for databases the application can release for a moment:
 * capture clones the database with {@code CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY}; the
 * set-aside renames the live database away and the restore renames the clone in: both O(1) in the
 * size of the data. The clone is consumed by the restore; the replaced database is kept under its
 * set-aside name.
 *
 * <p><b>What runs where.</b> {@code pg_dump}, {@code pg_restore} and {@code psql} run on the plan's
 * host, through it: on this machine, or on a server the plan reaches with {@code .on(sshHost)}. There
 * the dump is written into the restore point's artifact folder on that host (the plan's host store)
 * and restored from it, the scratch restore of {@link #verifyBackups()} reads it there, and the data
 * extract of {@link #onlyTables} goes to a private temp folder there ({@code mktemp -d}), removed
 * afterwards: no dump crosses the network between the machines. A {@link #passwordFile} is read on
 * the plan's host. Row counts, the point of no return, integrity checks, the instant strategy's SQL
 * and the rows of {@link #exportDataLoss} go over JDBC from the machine running the plan to {@code
 * host:port}, as the plan's HTTP checks do (the exported files are written to the plan's host
 * through it). So that address must reach the database both from the plan's machine and from the
 * host: the database server's network address, or {@code 127.0.0.1} when the plan runs on the
 * database's machine or reaches it through a tunnel to the same port.
 *
 * <p>Credentials never reach a command line, a log or a report: the tools get the password through
 * {@code PGPASSWORD}, and connection details through {@code PGHOST}, {@code PGPORT}, {@code PGUSER}
 * and a quoted {@code dbname=} connection string. On an SSH host the environment travels on the
 * command's standard input, never on the server's process list. Use client tools of the server's
 * major version or newer ({@link #tools(Path)} points at them, on the plan's host); preflight checks
 * this. The JDBC driver ({@code org.postgresql:postgresql}) is the user's dependency. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * PostgresDatabase blog = PostgresDatabase.at("10.0.0.7", 5432, "blog")
 *     .user("blog").passwordFile(Path.of("/etc/blog/db-password"))   // on the plan's host
 *     .jobs(4)
 *     .verifyBackups();
 * RollbackPlan plan = Rollback.plan("blog").on(server)                // an SshHost: the tools run there
 *     .hostStore(Path.of("/var/backups/rollback"))                    // and the dumps stay there
 *     .target(blog).build();
 * }</pre>
 */
public final class PostgresDatabase extends DatabaseTarget<PostgresDatabase> {

    static final String ARTIFACT = "database.dump";

    /** The dump's compression level unless {@link #compression(int)} says otherwise. */
    static final int DEFAULT_COMPRESSION = 1;

    /** Connection and strategy settings. */
    private record Pg(String host, int port, String database, String user, String password, Path passwordFile,
            String schema, int jobs, Path tools, List<String> only, boolean schemaOnly, boolean instant,
            String maintenance, int compression) {
        Pg {
            only = List.copyOf(only);
        }
    }

    private final Pg pg;

    private PostgresDatabase(Settings settings, Pg pg) {
        super(settings);
        this.pg = pg;
    }

    /**
     * The database {@code database} on the server at {@code host}:{@code port}, as a target named
     * {@code "database"}, connecting as the operating system user's name until {@link #user} is given.
     */
    public static PostgresDatabase at(String host, int port, String database) {
        requireIdentifier(host, "host");
        requireIdentifier(database, "database");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("PostgreSQL database " + database + ": expected a port 1..65535, found "
                    + port);
        }
        return new PostgresDatabase(Settings.named("database"), new Pg(host, port, database,
                System.getProperty("user.name"), null, null, "public", 2, null, List.of(), false, false, "postgres",
                DEFAULT_COMPRESSION));
    }

    @Override
    PostgresDatabase with(Settings s) {
        return new PostgresDatabase(s, pg);
    }

    private PostgresDatabase with(Pg p) {
        return new PostgresDatabase(settings, p);
    }

    /** This target connecting as {@code user}. */
    public PostgresDatabase user(String user) {
        return with(new Pg(pg.host, pg.port, pg.database, requireIdentifier(user, "user"), pg.password, pg.passwordFile,
                pg.schema, pg.jobs, pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression));
    }

    /** This target connecting with {@code password}; it is masked in every message of the plan. */
    public PostgresDatabase password(String password) {
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, Objects.requireNonNull(password, "password"), null,
                pg.schema, pg.jobs, pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression));
    }

    /** This target reading its password from the first line of {@code file} on the plan's host, when it connects. */
    public PostgresDatabase passwordFile(Path file) {
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, null, Objects.requireNonNull(file, "file"),
                pg.schema, pg.jobs, pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression));
    }

    /** This target counting and checking the tables of {@code schema} (default {@code public}). */
    public PostgresDatabase schema(String schema) {
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile,
                requireIdentifier(schema, "schema"), pg.jobs, pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression));
    }

    /** This target restoring with {@code jobs} parallel {@code pg_restore} jobs (default 2). */
    public PostgresDatabase jobs(int jobs) {
        if (jobs < 1 || jobs > 64) {
            throw new IllegalArgumentException("PostgreSQL database " + pg.database + ": expected 1..64 restore jobs, "
                    + "found " + jobs);
        }
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, jobs,
                pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression));
    }

    /**
     * This target running {@code pg_dump}, {@code pg_restore} and {@code psql} from {@code binDir} on
     * the plan's host instead of the PATH.
     */
    public PostgresDatabase tools(Path binDir) {
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, pg.jobs,
                Objects.requireNonNull(binDir, "binDir"), pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression));
    }

    /**
     * This target restoring only the data of {@code tables} (of its schema) and of the sequences they
     * own, in one transaction; other tables are left as they are. Needs a role that may set
     * {@code session_replication_role} (a superuser), so rows other tables refer to can be replaced.
     */
    public PostgresDatabase onlyTables(String... tables) {
        List<String> names = new ArrayList<>();
        for (String t : tables) {
            names.add(requireIdentifier(t, "table"));
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("PostgreSQL database " + pg.database + ": expected at least one table");
        }
        requireBackupStrategy("onlyTables", pg.instant);
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, pg.jobs,
                pg.tools, names, false, pg.instant, pg.maintenance, pg.compression));
    }

    /** This target restoring the schema (tables, indexes, constraints, functions) without data. */
    public PostgresDatabase schemaOnly() {
        requireBackupStrategy("schemaOnly", pg.instant);
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, pg.jobs,
                pg.tools, List.of(), true, pg.instant, pg.maintenance, pg.compression));
    }

    /**
     * This target using the instant strategy: a clone made with {@code CREATE DATABASE … TEMPLATE} at
     * capture, renamed in at restore. Capture and set-aside need every other connection to the
     * database to be closed for a moment (the set-aside ends those that remain).
     */
    public PostgresDatabase instant() {
        if (!pg.only.isEmpty() || pg.schemaOnly) {
            throw new IllegalArgumentException("PostgreSQL database " + pg.database + ": the instant strategy restores "
                    + "the whole database; remove onlyTables/schemaOnly or use the backup strategy");
        }
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, pg.jobs,
                pg.tools, pg.only, pg.schemaOnly, true, pg.maintenance, pg.compression));
    }

    /** This target creating, renaming and dropping databases while connected to {@code database} (default {@code postgres}). */
    public PostgresDatabase maintenanceDatabase(String database) {
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, pg.jobs,
                pg.tools, pg.only, pg.schemaOnly, pg.instant, requireIdentifier(database, "maintenance database"),
                pg.compression));
    }

    /**
     * This target compressing its dumps at {@code level}, 0 (none) to 9 (smallest), passed to
     * {@code pg_dump -Z}. The default is 1: compression is most of {@code pg_dump}'s work, and the
     * capture runs on the way to every deploy; level 1 halves the dump's time against {@code pg_dump}'s
     * own default (6) for a dump about a tenth larger. Give 6 for {@code pg_dump}'s default.
     *
     * @throws IllegalArgumentException for a level outside 0..9
     */
    public PostgresDatabase compression(int level) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("PostgreSQL database " + pg.database + ": expected a compression level "
                    + "0..9, found " + level);
        }
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, pg.jobs,
                pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, level));
    }

    private static void requireBackupStrategy(String what, boolean instant) {
        if (instant) {
            throw new IllegalArgumentException("PostgreSQL database: " + what + " needs the backup strategy, found "
                    + "instant(); remove instant()");
        }
    }

    @Override
    public Set<String> secrets() {
        return pg.password == null ? Set.of() : Set.of(pg.password);
    }

    // ---- connections and tools ---------------------------------------------------------------------------

    @Override
    Dialect dialect() {
        return Dialect.postgres(pg.schema);
    }

    private String password(Host host) {
        return pg.passwordFile != null ? Tools.readPassword(host, pg.passwordFile) : pg.password;
    }

    private Jdbi jdbi(Host host, String database) {
        Properties p = new Properties();
        p.setProperty("user", pg.user);
        String pw = password(host);
        if (pw != null) {
            p.setProperty("password", pw);
        }
        p.setProperty("ApplicationName", "rollback");
        StringBuilder db = new StringBuilder();
        for (byte b : database.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.') {
                db.append(c);
            } else {
                db.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        String server = pg.host.contains(":") ? "[" + pg.host + "]" : pg.host;
        return Jdbi.create("jdbc:postgresql://" + server + ":" + pg.port + "/" + db, p);
    }

    private <R> R with(Host host, String database, HandleWork<R> work) throws Exception {
        try (Handle h = jdbi(host, database).open()) {
            return work.run(h);
        }
    }

    @Override
    <R> R withLive(Host host, HandleWork<R> work) throws Exception {
        return with(host, pg.database, work);
    }

    private <R> R withMaintenance(Host host, HandleWork<R> work) throws Exception {
        return with(host, pg.maintenance, work);
    }

    @Override
    boolean liveExists(Host host) throws Exception {
        return exists(host, pg.database);
    }

    private boolean exists(Host host, String database) throws Exception {
        return withMaintenance(host, h -> h.createQuery("SELECT count(*) FROM pg_database WHERE datname = :d")
                .bind("d", database).mapTo(Integer.class).one() > 0);
    }

    private String tool(String name) {
        return pg.tools == null ? name : pg.tools.resolve(name).toString();
    }

    /** A libpq connection string naming only the database, quoted so that no name can add parameters. */
    private static String conninfo(String database) {
        return "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** A tool's command with the connection in its environment and the password in PGPASSWORD. */
    private Command command(Host host, List<String> argv) {
        Command c = Command.of(argv).env("PGHOST", pg.host).env("PGPORT", Integer.toString(pg.port))
                .env("PGUSER", pg.user).env("PGAPPNAME", "rollback").timeout(Duration.ofHours(6));
        String pw = password(host);
        return pw == null ? c : c.env("PGPASSWORD", pw);
    }

    private CommandResult run(Host host, List<String> argv) {
        CommandResult r = host.run(command(host, argv));
        if (!r.succeeded()) {
            throw new IllegalStateException("target '" + name() + "': expected " + r.describe()
                    .replaceFirst(" exited \\d+.*", "") + " to succeed, found " + r.describe()
                    + "; fix the cause (server reachable, role allowed, disk space), then try again");
        }
        return r;
    }

    // ---- capture -----------------------------------------------------------------------------------------

    @Override
    List<TableState> backup(CaptureContext ctx, Map<String, String> data) throws Exception {
        data.put("engine", "postgresql");
        data.put("database", pg.database);
        if (pg.instant) {
            String clone = cloneName("rp");
            createClone(ctx.host(), clone, pg.database);
            data.put("strategy", "instant");
            data.put("clone", clone);
            return with(ctx.host(), clone, h -> {
                List<TableState> states = Catalog.states(h, dialect());
                data.putAll(sequences(h, states));
                return states;
            });
        }
        data.put("strategy", "backup");
        Path out = ctx.artifactDir().resolve(ARTIFACT);
        return withLive(ctx.host(), h -> {
            h.begin();
            try {
                h.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                String snapshot = h.createQuery("SELECT pg_export_snapshot()").mapTo(String.class).one();
                data.put("dbTime", h.createQuery("SELECT CAST(now() AS text)").mapTo(String.class).one());
                // one process counts, so pg_dump keeps the other cores
                h.execute("SET LOCAL max_parallel_workers_per_gather = 0");
                ctx.progress("pg_dump -Fc -Z " + pg.compression + " of " + pg.database);
                // pg_dump and the counts read the same exported snapshot, side by side
                Command pgDump = command(ctx.host(), List.of(tool("pg_dump"), "-Fc", "-Z", Integer.toString(pg.compression),
                        "--snapshot=" + snapshot, "-f",
                        out.toString(), "-d", conninfo(pg.database)));
                java.util.concurrent.ExecutorService side = java.util.concurrent.Executors.newSingleThreadExecutor();
                java.util.concurrent.Future<CommandResult> dump = side.submit(() -> ctx.host().run(pgDump));
                side.shutdown();
                List<TableState> states;
                try {
                    states = Catalog.states(h, dialect());
                    data.putAll(sequences(h, states));
                } finally {
                    CommandResult r;
                    try {
                        r = dump.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                    }
                    if (!r.succeeded()) {
                        throw new IllegalStateException("target '" + name() + "': expected pg_dump to succeed, found "
                                + r.describe() + "; fix the cause (server reachable, role allowed, disk space), then "
                                + "try again");
                    }
                }
                ctx.host().setMode(out, 0600);
                return states;
            } finally {
                h.rollback();
            }
        });
    }

    /** The sequences each table owns (serial and identity columns), as snapshot data. */
    private Map<String, String> sequences(Handle h, List<TableState> states) {
        Map<String, String> out = new TreeMap<>();
        for (TableState t : states) {
            List<String> seqs = h.createQuery("SELECT s.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
                    + "JOIN pg_class t ON d.refobjid = t.oid JOIN pg_namespace n ON n.oid = t.relnamespace "
                    + "WHERE s.relkind = 'S' AND d.deptype IN ('a', 'i') AND n.nspname = :s AND t.relname = :t ORDER BY 1")
                    .bind("s", pg.schema).bind("t", t.name()).mapTo(String.class).list();
            if (!seqs.isEmpty()) {
                out.put("sequences." + t.name(), Codec.encode(seqs));
            }
        }
        return out;
    }

    private String cloneName(String kind) {
        String base = pg.database.length() > 40 ? pg.database.substring(0, 40) : pg.database;
        return base + "_" + kind + "_" + Tools.randomHex(6);
    }

    private void createClone(Host host, String clone, String template) throws Exception {
        Dialect d = dialect();
        withMaintenance(host, h -> {
            int others = h.createQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()")
                    .bind("d", template).mapTo(Integer.class).one();
            if (others > 0) {
                throw new IllegalStateException("target '" + name() + "': expected no other connection to database '"
                        + template + "' while it is cloned, found " + others + "; let the application release it "
                        + "(stop it or pause its pool) and capture again");
            }
            h.execute("CREATE DATABASE " + d.quote(clone) + " TEMPLATE " + d.quote(template) + " STRATEGY FILE_COPY");
            return null;
        });
    }

    @Override
    Snapshot engineSetAside(CaptureContext ctx) throws Exception {
        if (!pg.instant) {
            return capture(ctx);
        }
        Host host = ctx.host();
        Map<String, String> data = new TreeMap<>();
        data.put("engine", "postgresql");
        data.put("database", pg.database);
        data.put("strategy", "instant");
        if (!liveExists(host)) {
            data.put("clone", "");
            data.put("tables", "");
            return Snapshot.of(data);
        }
        String now = withLive(host, h -> h.createQuery(dialect().nowSql()).mapTo(String.class).one());
        String aside = cloneName("aside");
        renameDatabase(host, pg.database, aside);
        data.put("clone", aside);
        data.put("dbTime", now);
        with(host, aside, h -> {
            List<TableState> states = Catalog.states(h, dialect());
            Catalog.write(states, data);
            data.putAll(sequences(h, states));
            return null;
        });
        ctx.progress("renamed database " + pg.database + " to " + aside);
        return Snapshot.of(data);
    }

    /** Ends other connections to {@code from} and renames it: O(1). */
    private void renameDatabase(Host host, String from, String to) throws Exception {
        Dialect d = dialect();
        withMaintenance(host, h -> {
            h.createQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :d "
                    + "AND pid <> pg_backend_pid()").bind("d", from).mapTo(Long.class).one();
            h.execute("ALTER DATABASE " + d.quote(from) + " RENAME TO " + d.quote(to));
            return null;
        });
    }

    // ---- preflight and plan ------------------------------------------------------------------------------

    private boolean isInstant(Snapshot s) {
        return "instant".equals(s.get("strategy").orElse("backup"));
    }

    @Override
    List<Problem> enginePreflight(Snapshot s, RestoreContext ctx) throws Exception {
        List<Problem> problems = new ArrayList<>();
        Host host = ctx.host();
        int server;
        try {
            server = withMaintenance(host, h -> h.createQuery("SHOW server_version_num").mapTo(Integer.class).one()) / 10000;
        } catch (Exception e) {
            problems.add(Problem.of(name(), "a PostgreSQL server answering at " + pg.host + ":" + pg.port + " for "
                    + pg.user, e.getMessage(), "start the server or fix the connection settings"));
            return problems;
        }
        if (isInstant(s)) {
            String clone = s.require("clone");
            if (clone.isEmpty()) {
                return problems;
            }
            if (!exists(host, clone)) {
                problems.add(Problem.of(name(), "the clone database '" + clone + "' made at capture", "no such database",
                        "a restore consumes the clone; capture a new restore point, or use the backup strategy"));
            }
            return problems;
        }
        if (s.artifact(ARTIFACT).isEmpty()) {
            problems.add(Problem.of(name(), "the dump " + ARTIFACT + " in the restore point", "no such artifact",
                    "capture a new restore point"));
        }
        for (String t : pg.only.isEmpty() ? List.of("pg_restore") : List.of("pg_restore", "psql")) {
            if (!host.hasProgram(tool(t))) {
                problems.add(Problem.of(name(), "the program " + tool(t), "not installed on host " + host.name(),
                        "install the PostgreSQL client tools (postgresql-client-" + server + ") or point tools(...) at them"));
                continue;
            }
            int major = Tools.majorVersion(host, tool(t));
            if (major < server) {
                problems.add(Problem.of(name(), tool(t) + " of version " + server + " or newer (the server's)", "version "
                        + major, "install postgresql-client-" + server + " or point tools(...) at matching tools"));
            }
        }
        Map<String, TableState> recorded = Catalog.read(s);
        for (String t : pg.only) {
            if (!recorded.containsKey(t)) {
                problems.add(Problem.of(name(), "table '" + t + "' in the restore point", "tables " + recorded.keySet(),
                        "fix onlyTables(...)"));
            }
        }
        return problems;
    }

    @Override
    List<String> enginePlan(Snapshot s, RestoreContext ctx) {
        if (isInstant(s)) {
            return List.of("end the remaining connections to database '" + pg.database + "'",
                    "rename the clone '" + s.require("clone") + "' to '" + pg.database + "' (O(1); the clone is consumed)");
        }
        String jobs = "pg_restore -j " + pg.jobs;
        if (!pg.only.isEmpty()) {
            List<String> lines = new ArrayList<>();
            lines.add("in one transaction, with triggers and foreign keys deferred to the check afterwards: replace the "
                    + "rows of " + pg.only + " and the sequences " + sequencesOf(s) + " with those of the dump");
            lines.add("leave every other table of '" + pg.database + "' untouched");
            return lines;
        }
        return List.of("drop every schema of database '" + pg.database + "' and recreate an empty 'public'",
                (pg.schemaOnly ? "pg_restore --schema-only" : jobs) + " of the dump (" + s.artifact(ARTIFACT)
                        .map(a -> a.size() + " bytes").orElse("missing") + ") into '" + pg.database + "'");
    }

    private List<String> sequencesOf(Snapshot s) {
        List<String> out = new ArrayList<>();
        for (String t : pg.only) {
            out.addAll(Codec.decode(s.data().get("sequences." + t)));
        }
        return out;
    }

    @Override
    Set<String> restoredTables(Snapshot s) {
        return new LinkedHashSet<>(pg.only);
    }

    @Override
    boolean emptiesTables(Snapshot s) {
        return pg.schemaOnly;
    }

    // ---- restore -----------------------------------------------------------------------------------------

    @Override
    void engineRestore(Snapshot s, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        if (isInstant(s)) {
            String clone = s.require("clone");
            if (clone.isEmpty()) {
                if (liveExists(host)) {
                    renameDatabase(host, pg.database, cloneName("replaced"));
                }
                return;
            }
            String replaced = cloneName("replaced");
            Dialect d = dialect();
            withMaintenance(host, h -> {
                List<String> there = h.createQuery("SELECT datname FROM pg_database WHERE datname IN (:c, :l)")
                        .bind("c", clone).bind("l", pg.database).mapTo(String.class).list();
                boolean live = there.contains(pg.database);
                if (!there.contains(clone)) {
                    if (live) {
                        ctx.progress("the clone '" + clone + "' is already renamed to '" + pg.database + "'");
                        return null;
                    }
                    throw new IllegalStateException("target '" + name() + "': expected the clone database '" + clone
                            + "', found none; restore from another restore point");
                }
                if (live) {
                    h.createQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :d "
                            + "AND pid <> pg_backend_pid()").bind("d", pg.database).mapTo(Long.class).one();
                    h.execute("ALTER DATABASE " + d.quote(pg.database) + " RENAME TO " + d.quote(replaced));
                    ctx.progress("kept the replaced database as '" + replaced + "'");
                }
                h.execute("ALTER DATABASE " + d.quote(clone) + " RENAME TO " + d.quote(pg.database));
                return null;
            });
            return;
        }
        Path dump = ctx.artifact(s, ARTIFACT);
        if (!pg.only.isEmpty()) {
            restoreTables(s, ctx, dump);
            return;
        }
        Dialect d = dialect();
        withLive(host, h -> {
            h.useTransaction(tx -> {
                List<String> schemas = tx.createQuery("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                        + "AND nspname <> 'information_schema' ORDER BY 1").mapTo(String.class).list();
                for (String schema : schemas) {
                    tx.execute("DROP SCHEMA " + d.quote(schema) + " CASCADE");
                }
                tx.execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner");
                tx.execute("GRANT USAGE ON SCHEMA public TO PUBLIC");
                tx.execute("COMMENT ON SCHEMA public IS 'standard public schema'");
            });
            return null;
        });
        List<String> argv = new ArrayList<>(List.of(tool("pg_restore"), "--exit-on-error", "-j", Integer.toString(pg.jobs)));
        if (pg.schemaOnly) {
            argv.add("--schema-only");
        }
        argv.addAll(List.of("-d", conninfo(pg.database), dump.toString()));
        ctx.progress(String.join(" ", argv.subList(0, argv.size() - 3)) + " into " + pg.database);
        run(host, argv);
    }

    /** Replaces the rows of the named tables and their sequences in one transaction. */
    private void restoreTables(Snapshot s, RestoreContext ctx, Path dump) {
        Host host = ctx.host();
        Dialect d = dialect();
        Path tmp = Tools.privateTempDir(host);
        try {
            Path data = tmp.resolve("tables.sql");
            List<String> extract = new ArrayList<>(List.of(tool("pg_restore"), "--data-only", "-n", pg.schema));
            for (String t : pg.only) {
                extract.addAll(List.of("-t", t));
            }
            for (String q : sequencesOf(s)) {
                extract.addAll(List.of("-t", q));
            }
            extract.addAll(List.of("-f", data.toString(), dump.toString()));
            run(host, extract);
            List<String> argv = new ArrayList<>(List.of(tool("psql"), "-X", "-q", "--single-transaction", "-v",
                    "ON_ERROR_STOP=1", "-d", conninfo(pg.database), "-c", "SET session_replication_role = replica"));
            for (String t : pg.only) {
                argv.addAll(List.of("-c", "DELETE FROM " + d.table(t)));
            }
            argv.addAll(List.of("-f", data.toString()));
            run(host, argv);
        } finally {
            host.delete(tmp);
        }
    }

    @Override
    List<String> engineCheck(Handle h) {
        return List.of();
    }

    // ---- release ---------------------------------------------------------------------------------------------

    /**
     * Drops the clone database that an instant-strategy snapshot keeps (the copy made at capture, or
     * the failed state a set-aside renamed away) when its restore point is deleted. A clone that a
     * restore already consumed is gone and left so; a snapshot of the backup strategy keeps nothing
     * outside the store. Only a name this target makes for this database ({@code <database>_rp_<hex>}
     * or {@code <database>_aside_<hex>}) is dropped, never the live database, so an altered manifest
     * cannot drop anything else.
     *
     * @throws IllegalStateException if the clone cannot be dropped (the server does not answer, a
     *     session uses it): the message names the clone and the statement to drop it by hand
     */
    @Override
    public void release(Snapshot s, dev.rollback.spi.ReleaseContext ctx) throws Exception {
        if (!isInstant(s) || !"postgresql".equals(s.get("engine").orElse("")) || s.require("clone").isEmpty()) {
            return;
        }
        String clone = s.require("clone");
        if (!s.get("database").orElse("").equals(pg.database) || !isCloneName(clone)) {
            throw new IllegalStateException("target '" + name() + "': expected a clone of database '" + pg.database
                    + "' named " + pg.database + "_rp_… or _aside_…, found '" + clone + "' of database '"
                    + s.get("database").orElse("?") + "'; nothing was dropped: check that database by hand");
        }
        Dialect d = dialect();
        try {
            boolean dropped = withMaintenance(ctx.host(), h -> {
                boolean there = h.createQuery("SELECT count(*) FROM pg_database WHERE datname = :d").bind("d", clone)
                        .mapTo(Integer.class).one() > 0;
                h.execute("DROP DATABASE IF EXISTS " + d.quote(clone));
                return there;
            });
            ctx.progress(dropped ? "dropped the clone database '" + clone + "'"
                    : "the clone database '" + clone + "' was already gone (consumed by a restore)");
        } catch (Exception e) {
            throw new IllegalStateException("target '" + name() + "': expected to drop the clone database '" + clone
                    + "' of the deleted restore point, found: " + e.getMessage() + "; drop it by hand: DROP DATABASE "
                    + d.quote(clone), e);
        }
    }

    /** Whether {@code name} is a clone name {@link #cloneName} makes for this database at capture or set-aside. */
    private boolean isCloneName(String name) {
        String base = pg.database.length() > 40 ? pg.database.substring(0, 40) : pg.database;
        return !name.equals(pg.database) && name.startsWith(base + "_")
                && name.substring(base.length()).matches("_(rp|aside)_[0-9a-f]{12}");
    }

    // ---- backup verification ----------------------------------------------------------------------------------

    @Override
    List<String> verifyBackup(Snapshot s, Path artifactDir, Host host) throws Exception {
        if (isInstant(s)) {
            String clone = s.require("clone");
            if (clone.isEmpty() || !exists(host, clone)) {
                return List.of("the clone database '" + clone + "' does not exist");
            }
            return with(host, clone, h -> compareBackup(h, s));
        }
        String scratch = cloneName("verify");
        Dialect d = dialect();
        try {
            withMaintenance(host, h -> h.execute("CREATE DATABASE " + d.quote(scratch) + " TEMPLATE template0"));
        } catch (Exception e) {
            throw new IllegalStateException("target '" + name() + "': expected to create the scratch database '" + scratch
                    + "' to verify the backup in, found: " + e.getMessage() + "; give role '" + pg.user
                    + "' the CREATEDB privilege, or do not use verifyBackups()", e);
        }
        try {
            CommandResult r = host.run(command(host, List.of(tool("pg_restore"), "--exit-on-error", "--no-owner", "-j",
                    Integer.toString(pg.jobs), "-d", conninfo(scratch), artifactDir.resolve(ARTIFACT).toString())));
            if (!r.succeeded()) {
                return List.of("pg_restore of the dump into a scratch database failed: " + r.describe());
            }
            return with(host, scratch, h -> compareBackup(h, s));
        } finally {
            withMaintenance(host, h -> h.execute("DROP DATABASE IF EXISTS " + d.quote(scratch) + " WITH (FORCE)"));
        }
    }


    @Override
    public String toString() {
        return "PostgresDatabase[" + name() + ": " + pg.user + "@" + pg.host + ":" + pg.port + "/" + pg.database
                + (pg.instant ? ", instant" : "") + "]";
    }
}
