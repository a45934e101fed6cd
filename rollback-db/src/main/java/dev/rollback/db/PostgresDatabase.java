package dev.rollback.db;

import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Dialect;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.ReleaseContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * A PostgreSQL database as a rollback target, with two strategies.
 *
 * <p><b>Backup</b> (the default): capture runs {@code pg_dump -Fc} (at {@link #compression
 * compression} level 1 unless told otherwise) inside one repeatable-read
 * snapshot that also records the tables and row counts, so both describe the same moment. The
 * rollback first sets the current state aside with another dump, then drops the database's schemas
 * and runs {@code pg_restore -j} (parallel jobs) into the same database. {@link #only} restores
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
 * extract of {@link #only} goes to a private temp folder there ({@code mktemp -d}), removed
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
 * PostgresDatabase blog = PostgresDatabase.of("10.0.0.7", 5432, "blog")
 *     .user("blog").passwordFile(Path.of("/etc/blog/db-password"))   // on the plan's host
 *     .jobs(4)
 *     .verifyBackups();
 * RollbackPlan plan = Rollback.plan("blog").on(server)                // an SshHost: the tools run there
 *     .hostStore(Path.of("/var/backups/rollback"))                    // and the dumps stay there
 *     .target(blog).build();
 * }</pre>
 */
public final class PostgresDatabase extends DatabaseTarget {

    static final String ARTIFACT = "database.dump";

    /** The dump's compression level unless {@link #compression(int)} says otherwise. */
    static final int DEFAULT_COMPRESSION = 1;

    // Connection and strategy settings. Set only by the factory and the option methods, on a fresh copy.
    String host;
    int port;
    String database;
    String user;
    String password;
    Path passwordFile;
    String schema;
    int jobs;
    Path toolsDir;
    List<String> only;
    boolean schemaOnly;
    boolean instant;
    String maintenance;
    int compression;
    boolean noOwner;

    private PostgresDatabase(String host, int port, String database) {
        super("database");
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = System.getProperty("user.name");
        this.schema = "public";
        this.jobs = 2;
        this.only = List.of();
        this.maintenance = "postgres";
        this.compression = DEFAULT_COMPRESSION;
    }

    /** A copy of {@code from}: every field. */
    private PostgresDatabase(PostgresDatabase from) {
        super(from);
        this.host = from.host;
        this.port = from.port;
        this.database = from.database;
        this.user = from.user;
        this.password = from.password;
        this.passwordFile = from.passwordFile;
        this.schema = from.schema;
        this.jobs = from.jobs;
        this.toolsDir = from.toolsDir;
        this.only = from.only;
        this.schemaOnly = from.schemaOnly;
        this.instant = from.instant;
        this.maintenance = from.maintenance;
        this.compression = from.compression;
        this.noOwner = from.noOwner;
    }

    @Override
    PostgresDatabase copy() {
        return new PostgresDatabase(this);
    }

    /**
     * The database {@code database} on the server at {@code host}:{@code port}, as a target named
     * {@code "database"}, connecting as the operating system user's name until {@link #user} is given.
     *
     * @throws IllegalStateException if PostgreSQL's JDBC driver ({@code org.postgresql:postgresql}) is not on the
     *     class path
     */
    public static PostgresDatabase of(String host, int port, String database) {
        Drivers.requirePostgres();
        requireIdentifier(host, "host");
        requireIdentifier(database, "database");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("PostgreSQL database " + database + ": expected a port 1..65535, found "
                    + port);
        }
        return new PostgresDatabase(host, port, database);
    }

    /**
     * The same as {@link #of(String, int, String)}.
     *
     * @deprecated use {@link #of(String, int, String)}; this spelling is removed in the next release
     */
    @Deprecated(forRemoval = true)
    public static PostgresDatabase at(String host, int port, String database) {
        return of(host, port, database);
    }

    /** This target connecting as {@code user}. */
    public PostgresDatabase user(String user) {
        requireIdentifier(user, "user");
        PostgresDatabase c = copy();
        c.user = user;
        return c;
    }

    /** This target connecting with {@code password}; it is masked in every message of the plan. */
    public PostgresDatabase password(String password) {
        Objects.requireNonNull(password, "password");
        PostgresDatabase c = copy();
        c.password = password;
        c.passwordFile = null;
        return c;
    }

    /** This target reading its password from the first line of {@code file} on the plan's host, when it connects. */
    public PostgresDatabase passwordFile(Path file) {
        Objects.requireNonNull(file, "file");
        PostgresDatabase c = copy();
        c.password = null;
        c.passwordFile = file;
        return c;
    }

    /** This target counting and checking the tables of {@code schema} (default {@code public}). */
    public PostgresDatabase schema(String schema) {
        requireIdentifier(schema, "schema");
        PostgresDatabase c = copy();
        c.schema = schema;
        return c;
    }

    /** This target restoring with {@code jobs} parallel {@code pg_restore} jobs (default 2). */
    public PostgresDatabase jobs(int jobs) {
        if (jobs < 1 || jobs > 64) {
            throw new IllegalArgumentException("PostgreSQL database " + database + ": expected 1..64 restore jobs, "
                    + "found " + jobs);
        }
        PostgresDatabase c = copy();
        c.jobs = jobs;
        return c;
    }

    /**
     * This target running {@code pg_dump}, {@code pg_restore} and {@code psql} from {@code binDir} on
     * the plan's host instead of the PATH.
     */
    public PostgresDatabase tools(Path binDir) {
        Objects.requireNonNull(binDir, "binDir");
        PostgresDatabase c = copy();
        c.toolsDir = binDir;
        return c;
    }

    /**
     * This target restoring only the data of {@code tables} (of its schema) and of the sequences they
     * own; other tables are left as they are. The restore runs in one transaction as the tables'
     * owner (no superuser needed): it disables the user triggers of the named tables (so they do not
     * fire), drops the foreign keys that point to or from them, replaces their rows and sequences,
     * re-creates those foreign keys (which checks every row against them) and enables the triggers
     * again. A row that would break a foreign key aborts the whole transaction: nothing changes, and
     * the error names the constraint.
     *
     * @throws IllegalArgumentException without a table, or with the instant strategy
     */
    public PostgresDatabase only(String... tables) {
        List<String> names = new ArrayList<>();
        for (String t : tables) {
            names.add(requireIdentifier(t, "table"));
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("PostgreSQL database " + database + ": expected at least one table");
        }
        requireBackupStrategy("onlyTables", instant);
        PostgresDatabase c = copy();
        c.only = List.copyOf(names);
        c.schemaOnly = false;
        return c;
    }

    /**
     * The same as {@link #only(String...)}.
     *
     * @deprecated use {@link #only(String...)}; this spelling is removed in the next release
     */
    @Deprecated(forRemoval = true)
    public PostgresDatabase onlyTables(String... tables) {
        return only(tables);
    }

    /** This target restoring the schema (tables, indexes, constraints, functions) without data. */
    public PostgresDatabase schemaOnly() {
        requireBackupStrategy("schemaOnly", instant);
        PostgresDatabase c = copy();
        c.only = List.of();
        c.schemaOnly = true;
        return c;
    }

    /**
     * This target using the instant strategy: a clone made with {@code CREATE DATABASE … TEMPLATE} at
     * capture, renamed in at restore, while the live database is renamed to the name the set-aside
     * restore point keeps. The role needs the {@code CREATEDB} privilege and must own the database.
     * Capture needs every other connection to the database to be closed for a moment; the restore
     * ends those that remain.
     */
    public PostgresDatabase instant() {
        if (!only.isEmpty() || schemaOnly) {
            throw new IllegalArgumentException("PostgreSQL database " + database + ": the instant strategy restores "
                    + "the whole database; remove onlyTables/schemaOnly or use the backup strategy");
        }
        PostgresDatabase c = copy();
        c.instant = true;
        return c;
    }

    /** This target creating, renaming and dropping databases while connected to {@code database} (default {@code postgres}). */
    public PostgresDatabase maintenanceDatabase(String database) {
        requireIdentifier(database, "maintenance database");
        PostgresDatabase c = copy();
        c.maintenance = database;
        return c;
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
            throw new IllegalArgumentException("PostgreSQL database " + database + ": expected a compression level "
                    + "0..9, found " + level);
        }
        PostgresDatabase c = copy();
        c.compression = level;
        return c;
    }

    /**
     * This target restoring objects whose owner the restoring role cannot become ({@code SET ROLE})
     * as owned by the restoring role instead ({@code pg_restore --no-owner}), so that such a dump
     * can always be loaded back. Without it, preflight refuses a restore of such a dump before
     * anything changes and names the objects and their owners: {@code pg_restore} would stop at the
     * first {@code ALTER … OWNER TO} it may not run, after the database's schemas were dropped.
     */
    public PostgresDatabase noOwner() {
        PostgresDatabase c = copy();
        c.noOwner = true;
        return c;
    }

    private static void requireBackupStrategy(String what, boolean instant) {
        if (instant) {
            throw new IllegalArgumentException("PostgreSQL database: " + what + " needs the backup strategy, found "
                    + "instant(); remove instant()");
        }
    }

    // ---- the options every database target has, returning this type -------------------------------------

    @Override
    public PostgresDatabase named(String name) {
        return (PostgresDatabase) super.named(name);
    }

    @Override
    public PostgresDatabase expectTables(String... tables) {
        return (PostgresDatabase) super.expectTables(tables);
    }

    @Override
    public PostgresDatabase verifiedBy(SqlCheck check) {
        return (PostgresDatabase) super.verifiedBy(check);
    }

    /**
     * The same as {@link #verifiedBy(SqlCheck)}.
     *
     * @deprecated use {@link #verifiedBy(SqlCheck)}; this spelling is removed in the next release
     */
    @Override
    @Deprecated(forRemoval = true)
    public PostgresDatabase check(SqlCheck check) {
        return verifiedBy(check);
    }

    @Override
    public PostgresDatabase writtenAtColumn(String table, String column) {
        return (PostgresDatabase) super.writtenAtColumn(table, column);
    }

    @Override
    public PostgresDatabase acceptDataLoss() {
        return (PostgresDatabase) super.acceptDataLoss();
    }

    @Override
    public PostgresDatabase exportDataLoss(ExportFormat format) {
        return (PostgresDatabase) super.exportDataLoss(format);
    }

    @Override
    public PostgresDatabase verifyBackups() {
        return (PostgresDatabase) super.verifyBackups();
    }

    @Override
    public PostgresDatabase flywayHistory() {
        return (PostgresDatabase) super.flywayHistory();
    }

    @Override
    public PostgresDatabase flywayHistory(String table) {
        return (PostgresDatabase) super.flywayHistory(table);
    }

    // ---- the engine: each job in a class of its own --------------------------------------------------------

    /** This target restoring the whole database, for a state set aside. */
    @Override
    PostgresDatabase whole() {
        if (only.isEmpty() && !schemaOnly) {
            return this;
        }
        PostgresDatabase c = copy();
        c.only = List.of();
        c.schemaOnly = false;
        return c;
    }

    @Override
    public Set<String> secrets() {
        return password == null ? Set.of() : Set.of(password);
    }

    /** The connections and client tools of this target. */
    PgClient client() {
        return new PgClient(this);
    }

    @Override
    Dialect dialect() {
        return Dialect.postgres(schema);
    }

    @Override
    <R> R withLive(Host host, HandleWork<R> work) throws Exception {
        return client().with(host, database, work);
    }

    @Override
    boolean liveExists(Host host) throws Exception {
        return client().exists(host, database);
    }

    @Override
    List<TableState> backup(CaptureContext ctx, Map<String, String> data) throws Exception {
        return instant ? new PgClone(this).capture(ctx, data) : new PgDump(this).capture(ctx, data);
    }

    /**
     * The current state, set aside before a restore: for a restore of a dump, a dump like a
     * capture; for a restore that renames a clone in, what {@link PgClone#setAside} records.
     */
    @Override
    Snapshot engineSetAside(CaptureContext ctx) throws Exception {
        boolean renames = ctx.previousSnapshot().map(PgClone::isInstant).orElse(instant);
        return renames ? new PgClone(this).setAside(ctx) : capture(ctx);
    }

    @Override
    List<Problem> enginePreflight(Snapshot s, RestoreContext ctx) throws Exception {
        return new PgPreflight(this).problems(s, ctx);
    }

    @Override
    List<String> enginePlan(Snapshot s, RestoreContext ctx) throws Exception {
        if (PgClone.isInstant(s)) {
            return new PgClone(this).plan(s, ctx);
        }
        return only.isEmpty() ? new PgDump(this).plan(s) : new PgPartialRestore(this).plan(s, ctx);
    }

    @Override
    Set<String> restoredTables(Snapshot s) {
        return new LinkedHashSet<>(only);
    }

    @Override
    boolean emptiesTables(Snapshot s) {
        return schemaOnly;
    }

    @Override
    void engineRestore(Snapshot s, RestoreContext ctx) throws Exception {
        if (PgClone.isInstant(s)) {
            new PgClone(this).restore(s, ctx);
        } else if (!only.isEmpty()) {
            new PgPartialRestore(this).restore(s, ctx, ctx.artifact(s, ARTIFACT));
        } else {
            new PgDump(this).restore(s, ctx);
        }
    }

    /**
     * Checks the restore as {@link DatabaseTarget#verify} does; a restore of a set-aside that found
     * no database passes when there is still none.
     */
    @Override
    public CheckResult verify(Snapshot s, RestoreContext ctx) throws Exception {
        if (PgClone.isInstant(s) && PgClone.absent(s)) {
            return new PgClone(this).verifyAbsent(ctx);
        }
        return super.verify(s, ctx);
    }

    @Override
    List<String> engineCheck(Handle h) {
        return List.of();
    }

    @Override
    List<String> verifyBackup(Snapshot s, Path artifactDir, Host host) throws Exception {
        return new PgBackupCheck(this).differences(s, artifactDir, host);
    }

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
    public void release(Snapshot s, ReleaseContext ctx) throws Exception {
        new PgClone(this).release(s, ctx);
    }

    @Override
    public String toString() {
        return "PostgresDatabase[" + name() + ": " + user + "@" + host + ":" + port + "/" + database
                + (instant ? ", instant" : "") + "]";
    }
}
