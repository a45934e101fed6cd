package dev.rollback.db;

import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Codec;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.internal.Tools;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Plural;
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
 * the data of named tables and their sequences only, in one transaction, as the database's owner
 * (no superuser needed), leaving the other tables untouched; {@link #schemaOnly()} restores the
 * definitions without data.
 *
 * <p><b>Instant</b> ({@link #instant()}), for databases the application can release for a moment:
 * capture clones the database with {@code CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY}; the
 * restore renames the live database to the name its set-aside restore point keeps, then renames the
 * clone in. Set-aside and restore are O(1) in the size of the data: the set-aside only records the
 * name, and the replaced database <i>is</i> the state set aside. Every database the strategy makes
 * belongs to exactly one restore point and is dropped with it ({@link #release}).
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
            String maintenance, int compression, boolean noOwner) {
        Pg {
            only = List.copyOf(only);
        }

        Pg(String host, int port, String database, String user, String password, Path passwordFile, String schema,
                int jobs, Path tools, List<String> only, boolean schemaOnly, boolean instant, String maintenance,
                int compression) {
            this(host, port, database, user, password, passwordFile, schema, jobs, tools, only, schemaOnly, instant,
                    maintenance, compression, false);
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
     *
     * @throws IllegalStateException if PostgreSQL's JDBC driver ({@code org.postgresql:postgresql}) is not on the
     *     class path
     */
    public static PostgresDatabase at(String host, int port, String database) {
        Drivers.requirePostgres();
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
                pg.schema, pg.jobs, pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression, pg.noOwner));
    }

    /** This target connecting with {@code password}; it is masked in every message of the plan. */
    public PostgresDatabase password(String password) {
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, Objects.requireNonNull(password, "password"), null,
                pg.schema, pg.jobs, pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression, pg.noOwner));
    }

    /** This target reading its password from the first line of {@code file} on the plan's host, when it connects. */
    public PostgresDatabase passwordFile(Path file) {
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, null, Objects.requireNonNull(file, "file"),
                pg.schema, pg.jobs, pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression, pg.noOwner));
    }

    /** This target counting and checking the tables of {@code schema} (default {@code public}). */
    public PostgresDatabase schema(String schema) {
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile,
                requireIdentifier(schema, "schema"), pg.jobs, pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression, pg.noOwner));
    }

    /** This target restoring with {@code jobs} parallel {@code pg_restore} jobs (default 2). */
    public PostgresDatabase jobs(int jobs) {
        if (jobs < 1 || jobs > 64) {
            throw new IllegalArgumentException("PostgreSQL database " + pg.database + ": expected 1..64 restore jobs, "
                    + "found " + jobs);
        }
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, jobs,
                pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression, pg.noOwner));
    }

    /**
     * This target running {@code pg_dump}, {@code pg_restore} and {@code psql} from {@code binDir} on
     * the plan's host instead of the PATH.
     */
    public PostgresDatabase tools(Path binDir) {
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, pg.jobs,
                Objects.requireNonNull(binDir, "binDir"), pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression, pg.noOwner));
    }

    /**
     * This target restoring only the data of {@code tables} (of its schema) and of the sequences they
     * own; other tables are left as they are. The restore runs in one transaction as the tables'
     * owner (no superuser needed): it disables the user triggers of the named tables (so they do not
     * fire), drops the foreign keys that point to or from them, replaces their rows and sequences,
     * re-creates those foreign keys (which checks every row against them) and enables the triggers
     * again. A row that would break a foreign key aborts the whole transaction: nothing changes, and
     * the error names the constraint.
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
                pg.tools, names, false, pg.instant, pg.maintenance, pg.compression, pg.noOwner));
    }

    /** This target restoring the schema (tables, indexes, constraints, functions) without data. */
    public PostgresDatabase schemaOnly() {
        requireBackupStrategy("schemaOnly", pg.instant);
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, pg.jobs,
                pg.tools, List.of(), true, pg.instant, pg.maintenance, pg.compression, pg.noOwner));
    }

    /**
     * This target using the instant strategy: a clone made with {@code CREATE DATABASE … TEMPLATE} at
     * capture, renamed in at restore, while the live database is renamed to the name the set-aside
     * restore point keeps. The role needs the {@code CREATEDB} privilege and must own the database.
     * Capture needs every other connection to the database to be closed for a moment; the restore
     * ends those that remain.
     */
    public PostgresDatabase instant() {
        if (!pg.only.isEmpty() || pg.schemaOnly) {
            throw new IllegalArgumentException("PostgreSQL database " + pg.database + ": the instant strategy restores "
                    + "the whole database; remove onlyTables/schemaOnly or use the backup strategy");
        }
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, pg.jobs,
                pg.tools, pg.only, pg.schemaOnly, true, pg.maintenance, pg.compression, pg.noOwner));
    }

    /** This target creating, renaming and dropping databases while connected to {@code database} (default {@code postgres}). */
    public PostgresDatabase maintenanceDatabase(String database) {
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, pg.jobs,
                pg.tools, pg.only, pg.schemaOnly, pg.instant, requireIdentifier(database, "maintenance database"),
                pg.compression, pg.noOwner));
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
                pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, level, pg.noOwner));
    }

    /**
     * This target restoring objects whose owner the restoring role cannot become ({@code SET ROLE})
     * as owned by the restoring role instead ({@code pg_restore --no-owner}), so that such a dump
     * can always be loaded back. Without it, preflight refuses a restore of such a dump before
     * anything changes and names the objects and their owners: {@code pg_restore} would stop at the
     * first {@code ALTER … OWNER TO} it may not run, after the database's schemas were dropped.
     */
    public PostgresDatabase noOwner() {
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, pg.jobs,
                pg.tools, pg.only, pg.schemaOnly, pg.instant, pg.maintenance, pg.compression, true));
    }

    /** This target restoring the whole database, for a state set aside. */
    @Override
    PostgresDatabase whole() {
        if (pg.only.isEmpty() && !pg.schemaOnly) {
            return this;
        }
        return with(new Pg(pg.host, pg.port, pg.database, pg.user, pg.password, pg.passwordFile, pg.schema, pg.jobs,
                pg.tools, List.of(), false, pg.instant, pg.maintenance, pg.compression, pg.noOwner));
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
                List<TableState> states = null;
                RuntimeException counting = null;
                try {
                    states = Catalog.states(h, dialect());
                    data.putAll(sequences(h, states));
                } catch (RuntimeException e) {
                    counting = e; // reported once pg_dump has ended: its own failure would follow from this one
                }
                CommandResult r;
                try {
                    r = dump.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
                            : new IllegalStateException(e.getCause());
                    if (counting != null) {
                        counting.addSuppressed(cause);
                        throw counting;
                    }
                    throw cause;
                }
                if (counting != null) {
                    throw new IllegalStateException("target '" + name() + "': expected to count the rows of every table "
                            + "of schema '" + pg.schema + "' as role '" + pg.user + "', found: " + counting.getMessage()
                            + "; grant the role SELECT on every table, or connect as their owner", counting);
                }
                if (!r.succeeded()) {
                    throw new IllegalStateException("target '" + name() + "': expected pg_dump to succeed, found "
                            + r.describe() + "; fix the cause (server reachable, role allowed, disk space), then "
                            + "try again");
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

    /**
     * The current state, set aside before a restore. For a restore of a dump, a dump like a capture.
     * For a restore that renames a clone in, nothing is copied or changed: the snapshot names the
     * database the restore will rename the live one to ({@link #asideName}), so the replaced
     * database becomes the set-aside state, and records its tables as they are now. It also records
     * the clone that restore consumes, so that undoing the restore gives the clone back to its point.
     */
    @Override
    Snapshot engineSetAside(CaptureContext ctx) throws Exception {
        boolean renames = ctx.previousSnapshot().map(this::isInstant).orElse(pg.instant);
        if (!renames) {
            return capture(ctx);
        }
        String rollback = ctx.rollbackId().orElseThrow(() -> new IllegalStateException("target '" + name()
                + "': expected the set-aside of a rollback, found a capture without a rollback id"));
        Host host = ctx.host();
        Map<String, String> data = new TreeMap<>();
        data.put("engine", "postgresql");
        data.put("database", pg.database);
        data.put("strategy", "instant");
        String aside = asideName(rollback);
        data.put("clone", aside);
        data.put("setAsideBy", rollback);
        data.put("replaces", ctx.previousSnapshot().map(this::consumes).orElse(""));
        if (!liveExists(host)) {
            data.put("absent", "true");
            data.put("tables", "");
            ctx.progress("database " + pg.database + " does not exist: set aside as absent");
            return Snapshot.of(data);
        }
        data.put("absent", "false");
        withLive(host, h -> {
            data.put("dbTime", h.createQuery(dialect().nowSql()).mapTo(String.class).one());
            List<TableState> states = Catalog.states(h, dialect());
            Catalog.write(states, data);
            data.putAll(sequences(h, states));
            return null;
        });
        ctx.progress("database " + pg.database + " will be kept as '" + aside + "' when the restore replaces it");
        return Snapshot.of(data);
    }

    /**
     * The name the restore of rollback {@code rollbackId} renames the live database to, and its
     * set-aside snapshot keeps: the same in the set-aside, the restore and after a resume.
     */
    private String asideName(String rollbackId) {
        String base = pg.database.length() > 40 ? pg.database.substring(0, 40) : pg.database;
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((pg.database + "\0" + rollbackId).getBytes(StandardCharsets.UTF_8));
            return base + "_aside_" + java.util.HexFormat.of().formatHex(hash, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Whether an instant snapshot records a database that did not exist (a set-aside of nothing). */
    private static boolean absent(Snapshot s) {
        return "true".equals(s.get("absent").orElse("false")) || s.require("clone").isEmpty();
    }

    /** The clone a restore of {@code s} renames in, or "" when it consumes none. */
    private String consumes(Snapshot s) {
        return isInstant(s) && !absent(s) ? s.require("clone") : "";
    }

    /** Ends the other connections to {@code database} and renames it to {@code to}: O(1). */
    private void rename(Handle h, String database, String to) {
        Dialect d = dialect();
        try {
            h.createQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :d "
                    + "AND pid <> pg_backend_pid()").bind("d", database).mapTo(Long.class).one();
            h.execute("ALTER DATABASE " + d.quote(database) + " RENAME TO " + d.quote(to));
        } catch (RuntimeException e) {
            throw new IllegalStateException("target '" + name() + "': expected to rename database '" + database
                    + "' to '" + to + "', found: " + e.getMessage() + "; the database was not renamed; end the sessions "
                    + "on it that role '" + pg.user + "' may not end (a superuser's), check that the role owns it and "
                    + "has CREATEDB, then try again", e);
        }
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
            if (absent(s)) {
                return problems;
            }
            String clone = s.require("clone");
            if (!exists(host, clone)) {
                problems.add(Problem.of(name(), "the clone database '" + clone + "' that restore point "
                        + ctx.point().id() + " keeps", "no such database", "a restore consumes the clone (and the "
                        + "state set aside is kept only once the restore replaced the database); choose another "
                        + "restore point, or capture a new one"));
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
        if (pg.only.isEmpty() && !pg.noOwner && problems.isEmpty()) {
            problems.addAll(ownerProblems(s, ctx));
        }
        if (!pg.only.isEmpty() && liveExists(host)) {
            List<String> foreign = withLive(host, this::notOwned);
            if (!foreign.isEmpty()) {
                problems.add(Problem.of(name(), "role '" + pg.user + "' to own the restored tables and the tables whose "
                        + "foreign keys refer to them (the partial restore alters their triggers and foreign keys)",
                        "tables owned by other roles: " + foreign, "connect as the tables' owner with user(...), or "
                        + "make role '" + pg.user + "' a member of the owning role"));
            }
        }
        return problems;
    }

    /**
     * The objects of the dump, and of the live database a restore drops (and its set-aside would
     * load back), whose owner the restoring role cannot become: {@code pg_restore} would stop at the
     * first of them after every schema was dropped.
     */
    private List<Problem> ownerProblems(Snapshot s, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        CommandResult toc = host.run(command(host, List.of(tool("pg_restore"), "--schema-only", "-f", "-",
                ctx.artifact(s, ARTIFACT).toString())));
        if (!toc.succeeded()) {
            // verifyBackups() restores the dump next and names what is wrong with it
            return settings.verifyBackups() ? List.of() : List.of(Problem.of(name(), "pg_restore to read the dump's "
                    + "definitions", toc.describe(), "do not trust this restore point: choose an older one"));
        }
        java.util.Map<String, List<String>> byOwner = new java.util.TreeMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^ALTER (.+) OWNER TO (.+);$").matcher(toc.stdout());
        while (m.find()) {
            String owner = m.group(2).startsWith("\"") ? m.group(2).substring(1, m.group(2).length() - 1)
                    .replace("\"\"", "\"") : m.group(2);
            byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).add(m.group(1));
        }
        List<Problem> problems = new ArrayList<>();
        withMaintenance(host, h -> {
            List<String> foreign = new ArrayList<>();
            for (java.util.Map.Entry<String, List<String>> e : byOwner.entrySet()) {
                boolean exists = h.createQuery("SELECT count(*) FROM pg_roles WHERE rolname = :r").bind("r", e.getKey())
                        .mapTo(Integer.class).one() > 0;
                boolean may = exists && h.createQuery("SELECT pg_has_role(current_user, :r, 'MEMBER')")
                        .bind("r", e.getKey()).mapTo(Boolean.class).one();
                if (!may) {
                    List<String> objects = e.getValue();
                    foreign.add((objects.size() > 5 ? objects.subList(0, 5) + " and " + (objects.size() - 5) + " more"
                            : objects.toString()) + " owned by " + (exists ? "role '" : "the missing role '")
                            + e.getKey() + "'");
                }
            }
            if (!foreign.isEmpty()) {
                problems.add(Problem.of(name(), "a dump role '" + pg.user + "' can load back: every object owned by a "
                        + "role it may become (SET ROLE)", "objects " + String.join("; ", foreign), "restore them "
                        + "owned by '" + pg.user + "' with noOwner(), make '" + pg.user + "' a member of those roles, "
                        + "or connect as one that is"));
            }
            return null;
        });
        if (!liveExists(host)) {
            return problems;
        }
        withLive(host, h -> {
            List<String> live = h.createQuery("SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT LIKE 'pg\\_%' "
                    + "AND n.nspname <> 'information_schema' AND NOT pg_has_role(current_user, c.relowner, 'MEMBER') "
                    + "ORDER BY 1").mapTo(String.class).list();
            if (!live.isEmpty()) {
                problems.add(Problem.of(name(), "role '" + pg.user + "' to own, or be a member of the owners of, every "
                        + "relation of '" + pg.database + "' (the restore drops them, and loads back the state set aside "
                        + "should it fail)", "relations owned by " + live, "restore them owned by '" + pg.user
                        + "' with noOwner(), make '" + pg.user + "' a member of those roles, or connect as one that is"));
            }
            return null;
        });
        return problems;
    }

    /**
     * The tables a partial restore alters (the restored ones and those on the other side of their
     * foreign keys) that the connected role may not alter, each with its owner.
     */
    private List<String> notOwned(Handle h) {
        Set<String> tables = new java.util.TreeSet<>();
        for (String t : pg.only) {
            tables.add(pg.schema + "." + t);
        }
        for (ForeignKey k : foreignKeys(h)) {
            tables.add(k.schema + "." + k.table);
        }
        return h.createQuery("SELECT n.nspname || '.' || c.relname || ' (owner ' || pg_get_userbyid(c.relowner) || ')' "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname || '.' || c.relname = ANY(:t) AND c.relkind IN ('r', 'p') "
                + "AND NOT pg_has_role(current_user, c.relowner, 'USAGE') ORDER BY 1")
                .bindArray("t", String.class, List.copyOf(tables)).mapTo(String.class).list();
    }

    @Override
    List<String> enginePlan(Snapshot s, RestoreContext ctx) throws Exception {
        if (isInstant(s)) {
            String keep = "rename database '" + pg.database + "' to the name the set-aside restore point keeps (O(1))";
            if (absent(s)) {
                return List.of("end the remaining connections to database '" + pg.database + "'", keep
                        + ", leaving no database '" + pg.database + "', as at " + ctx.point().label());
            }
            return List.of("end the remaining connections to database '" + pg.database + "'", keep,
                    "rename the clone '" + s.require("clone") + "' to '" + pg.database + "' (O(1); the clone is consumed)");
        }
        String jobs = "pg_restore -j " + pg.jobs;
        if (!pg.only.isEmpty()) {
            List<String> lines = new ArrayList<>();
            List<String> keys = withLive(ctx.host(), h -> foreignKeys(h).stream().map(ForeignKey::describe).toList());
            lines.add("in one transaction: disable the user triggers of " + pg.only + ", drop the foreign keys "
                    + (keys.isEmpty() ? "to or from them (none)" : keys));
            lines.add("replace the rows of " + pg.only + " and the sequences " + sequencesOf(s) + " with those of the dump");
            lines.add("re-create those foreign keys, checking every row (a broken one aborts the transaction: nothing "
                    + "changes), and enable the triggers again");
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
            boolean undo = s.get("setAsideBy").filter(ctx.rollbackId()::equals).isPresent();
            withMaintenance(host, h -> {
                if (undo) {
                    putBack(h, s, ctx);
                } else {
                    renameIn(h, s, ctx);
                }
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
        if (pg.noOwner) {
            argv.add("--no-owner");
        }
        argv.addAll(List.of("-d", conninfo(pg.database), dump.toString()));
        ctx.progress(String.join(" ", argv.subList(0, argv.size() - 3)) + " into " + pg.database);
        CommandResult r = host.run(command(host, argv));
        if (!r.succeeded()) {
            throw new HalfRestored("target '" + name() + "': expected pg_restore to load the whole dump into '"
                    + pg.database + "', found " + r.describe() + " after the database's schemas were dropped", null);
        }
    }

    /** Which of {@code names} are databases now (empty names are left out). */
    private static Set<String> databases(Handle h, String... names) {
        List<String> wanted = java.util.Arrays.stream(names).filter(n -> !n.isEmpty()).toList();
        return new java.util.HashSet<>(h.createQuery("SELECT datname FROM pg_database WHERE datname = ANY(:n)")
                .bindArray("n", String.class, wanted).mapTo(String.class).list());
    }

    /**
     * The restore of a rollback: renames the live database to the name the rollback's set-aside
     * point keeps, then the clone of {@code s} to the live name (or leaves no live database when
     * {@code s} records none). Run again after a crash, it finishes what is left: each rename that
     * already happened is seen in the catalog and not repeated.
     */
    private void renameIn(Handle h, Snapshot s, RestoreContext ctx) {
        String aside = asideName(ctx.rollbackId());
        String clone = consumes(s);
        Set<String> there = databases(h, pg.database, aside, clone);
        boolean live = there.contains(pg.database);
        if (!clone.isEmpty() && !there.contains(clone)) {
            if (live) {
                ctx.progress("the clone '" + clone + "' is already renamed to '" + pg.database + "'");
                return;
            }
            throw new IllegalStateException("target '" + name() + "': expected the clone database '" + clone + "' of "
                    + "restore point " + ctx.point().id() + ", found none" + (live ? "" : " and no database '"
                    + pg.database + "'") + "; nothing was renamed; restore from another restore point");
        }
        if (live) {
            if (there.contains(aside)) {
                throw new IllegalStateException("target '" + name() + "': expected no database '" + aside + "' before "
                        + "renaming '" + pg.database + "' to it, found one; nothing was renamed; check which of the two "
                        + "holds the state to keep, and rename or drop the other by hand");
            }
            rename(h, pg.database, aside);
            ctx.progress("renamed database '" + pg.database + "' to '" + aside + "', kept by the set-aside restore point");
        }
        if (!clone.isEmpty()) {
            rename(h, clone, pg.database);
            ctx.progress("renamed the clone '" + clone + "' to '" + pg.database + "'");
        }
    }

    /**
     * The undo of this rollback's own restore, from the snapshot its set-aside made: the restored
     * database goes back to the clone name it came from (its restore point keeps it again), and the
     * database set aside is renamed in. Each case a crash or a failure can leave is handled: when the
     * restore never renamed the live database away, it is still the state set aside and nothing is
     * done.
     */
    private void putBack(Handle h, Snapshot s, RestoreContext ctx) {
        String aside = s.require("clone");
        String consumed = s.get("replaces").orElse("");
        Set<String> there = databases(h, pg.database, aside, consumed);
        boolean live = there.contains(pg.database);
        boolean wasAbsent = absent(s);
        boolean canGiveBack = !consumed.isEmpty() && !there.contains(consumed);
        if (there.contains(aside) || (wasAbsent && live)) {
            if (live) {
                if (!canGiveBack) {
                    throw new IllegalStateException("target '" + name() + "': expected database '" + pg.database
                            + "' to be the one this rollback renamed in" + (consumed.isEmpty() ? "" : " from '" + consumed
                            + "'") + ", found " + (consumed.isEmpty() ? "a database this rollback did not create"
                            : "that the clone '" + consumed + "' is still there") + "; nothing was renamed; check which "
                            + "database holds the state to keep, and rename or drop the other by hand");
                }
                rename(h, pg.database, consumed);
                ctx.progress("renamed database '" + pg.database + "' back to '" + consumed + "', the clone it came from");
            }
            if (there.contains(aside)) {
                rename(h, aside, pg.database);
                ctx.progress("renamed the database set aside, '" + aside + "', back to '" + pg.database + "'");
            }
            return;
        }
        if (wasAbsent) {
            ctx.progress("no database '" + pg.database + "', as when it was set aside: nothing to put back");
            return;
        }
        if (live) {
            ctx.progress("the restore had not renamed database '" + pg.database + "' away: it still holds the state set "
                    + "aside, nothing to put back");
            return;
        }
        throw new IllegalStateException("target '" + name() + "': expected database '" + pg.database + "' or the "
                + "database set aside, '" + aside + "', found neither; nothing was renamed; look for the database among "
                + "those named " + pg.database + "_… and rename it by hand");
    }

    /** A foreign key to or from a restored table, with its definition as {@code pg_get_constraintdef} gives it. */
    private record ForeignKey(String schema, String table, String name, String definition) {
        String describe() {
            return name + " of " + schema + "." + table;
        }
    }

    /** A user trigger of a restored table that is enabled now, with its mode ({@code O}, {@code R} or {@code A}). */
    private record Trigger(String table, String name, String mode) {}

    /**
     * The foreign keys that point to or from the restored tables, with every name in their
     * definitions qualified by its schema (read with only {@code pg_catalog} on the search path), so
     * that they can be re-created whatever the search path.
     */
    private List<ForeignKey> foreignKeys(Handle h) {
        return h.inTransaction(tx -> {
            tx.execute("SET LOCAL search_path = pg_catalog");
            return tx.createQuery("SELECT n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid) "
                    + "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
                    + "JOIN pg_class p ON p.oid = c.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace "
                    + "WHERE c.contype = 'f' AND c.conparentid = 0 AND ((n.nspname = :s AND t.relname = ANY(:t)) "
                    + "OR (pn.nspname = :s AND p.relname = ANY(:t))) ORDER BY 1, 2, 3")
                    .bind("s", pg.schema).bindArray("t", String.class, pg.only)
                    .map((rs, c) -> new ForeignKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                    .list();
        });
    }

    /** The user triggers of the restored tables that are enabled now. */
    private List<Trigger> triggers(Handle h) {
        return h.createQuery("SELECT c.relname, g.tgname, g.tgenabled FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT g.tgisinternal AND g.tgenabled <> 'D' "
                + "AND n.nspname = :s AND c.relname = ANY(:t) ORDER BY 1, 2")
                .bind("s", pg.schema).bindArray("t", String.class, pg.only)
                .map((rs, c) -> new Trigger(rs.getString(1), rs.getString(2), rs.getString(3))).list();
    }

    /**
     * Replaces the rows of the named tables and their sequences in one transaction, as the tables'
     * owner: user triggers of those tables are disabled (and enabled again in the mode each had),
     * the foreign keys to or from them are dropped and re-created, which checks every row. A broken
     * foreign key aborts the transaction: nothing changes.
     */
    private void restoreTables(Snapshot s, RestoreContext ctx, Path dump) throws Exception {
        Host host = ctx.host();
        Dialect d = dialect();
        List<ForeignKey> keys = new ArrayList<>();
        List<Trigger> triggers = new ArrayList<>();
        withLive(host, h -> {
            keys.addAll(foreignKeys(h));
            triggers.addAll(triggers(h));
            return null;
        });
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
                    "ON_ERROR_STOP=1", "-d", conninfo(pg.database)));
            for (String t : pg.only) {
                argv.addAll(List.of("-c", "ALTER TABLE " + d.table(t) + " DISABLE TRIGGER USER"));
            }
            for (ForeignKey k : keys) {
                argv.addAll(List.of("-c", "ALTER TABLE " + qualified(k) + " DROP CONSTRAINT " + d.quote(k.name)));
            }
            argv.addAll(List.of("-c", "TRUNCATE ONLY " + String.join(", ", pg.only.stream().map(d::table).toList())));
            argv.addAll(List.of("-f", data.toString()));
            for (ForeignKey k : keys) {
                argv.addAll(List.of("-c", "ALTER TABLE " + qualified(k) + " ADD CONSTRAINT " + d.quote(k.name) + " "
                        + k.definition));
            }
            for (Trigger g : triggers) {
                String mode = switch (g.mode) {
                    case "R" -> "ENABLE REPLICA TRIGGER ";
                    case "A" -> "ENABLE ALWAYS TRIGGER ";
                    default -> "ENABLE TRIGGER ";
                };
                argv.addAll(List.of("-c", "ALTER TABLE " + d.table(g.table) + " " + mode + d.quote(g.name)));
            }
            ctx.progress("psql --single-transaction: replace the rows of " + pg.only + " with "
                    + Plural.of(triggers.size(), "user trigger") + " disabled and " + Plural.of(keys.size(), "foreign key")
                    + " re-created");
            CommandResult r = host.run(command(host, argv));
            if (!r.succeeded()) {
                java.util.regex.Matcher broken = java.util.regex.Pattern
                        .compile("violates foreign key constraint \"([^\"]+)\"[^\n]*(?:\n\s*DETAIL:\s*([^\n]*))?")
                        .matcher(r.stderr());
                if (broken.find()) {
                    throw new IllegalStateException("target '" + name() + "': expected the restored rows of " + pg.only
                            + " to satisfy foreign key " + broken.group(1) + ", found " + (broken.group(2) == null
                            ? "rows that break it" : broken.group(2)) + "; nothing was changed (the restore ran in one "
                            + "transaction); restore the tables on the other side of that key too (onlyTables(...)), "
                            + "or restore the whole database");
                }
                throw new IllegalStateException("target '" + name() + "': expected the partial restore of " + pg.only
                        + " to succeed, found " + r.describe() + "; nothing was changed (the restore ran in one "
                        + "transaction); fix the cause (the role must own the tables and those referring to them), "
                        + "then try again");
            }
        } finally {
            host.delete(tmp);
        }
    }

    /** The table a foreign key belongs to, quoted and qualified by its schema. */
    private String qualified(ForeignKey k) {
        Dialect d = dialect();
        return d.quote(k.schema) + "." + d.quote(k.table);
    }

    /**
     * Checks the restore as {@link DatabaseTarget#verify} does; a restore of a set-aside that found
     * no database passes when there is still none.
     */
    @Override
    public dev.rollback.spi.CheckResult verify(Snapshot s, RestoreContext ctx) throws Exception {
        if (isInstant(s) && absent(s)) {
            String check = "integrity of " + name();
            return liveExists(ctx.host()) ? dev.rollback.spi.CheckResult.failed(check, "database '" + pg.database
                    + "' exists, expected none (there was none when the state was set aside)")
                    : dev.rollback.spi.CheckResult.passed(check, "no database '" + pg.database + "', as when the state was "
                    + "set aside");
        }
        return super.verify(s, ctx);
    }

    @Override
    List<String> engineCheck(Handle h) {
        return List.of();
    }

    // ---- release ---------------------------------------------------------------------------------------------

    /**
     * Drops the database that an instant-strategy snapshot keeps when its restore point is deleted:
     * the clone made at capture, or, for a set-aside point, the database its rollback's restore
     * renamed away. A database that is not there is left so: a clone a restore consumed, a set-aside
     * whose restore never renamed the live database away, or one an undo renamed back. A snapshot of
     * the backup strategy keeps nothing outside the store. Only a name this target makes for this database ({@code <database>_rp_<hex>}
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
            ctx.progress(dropped ? "dropped the database '" + clone + "' of restore point " + ctx.point().id()
                    : "the database '" + clone + "' of restore point " + ctx.point().id() + " was not there (renamed in "
                    + "by a restore, or never made)");
        } catch (Exception e) {
            throw new IllegalStateException("target '" + name() + "': expected to drop the clone database '" + clone
                    + "' of the deleted restore point, found: " + e.getMessage() + "; drop it by hand: DROP DATABASE "
                    + d.quote(clone), e);
        }
    }

    /** Whether {@code name} is a name {@link #cloneName} or {@link #asideName} makes for this database. */
    private boolean isCloneName(String name) {
        String base = pg.database.length() > 40 ? pg.database.substring(0, 40) : pg.database;
        return !name.equals(pg.database) && name.startsWith(base + "_")
                && name.substring(base.length()).matches("_(rp|aside)_[0-9a-f]{12}");
    }

    // ---- backup verification ----------------------------------------------------------------------------------

    @Override
    List<String> verifyBackup(Snapshot s, Path artifactDir, Host host) throws Exception {
        if (isInstant(s)) {
            if (absent(s)) {
                return List.of();
            }
            String clone = s.require("clone");
            if (!exists(host, clone)) {
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
