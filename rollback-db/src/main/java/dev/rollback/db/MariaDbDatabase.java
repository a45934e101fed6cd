package dev.rollback.db;

import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Dialect;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Problem;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * A MySQL or MariaDB database as a rollback target.
 *
 * <p>Capture runs {@code mysqldump --single-transaction --no-tablespaces} (a consistent dump without
 * locking InnoDB tables, and without the tablespace privilege hosted servers do not grant), with
 * routines, triggers and events (the user needs the {@code EVENT} privilege, which {@code ALL} on
 * the database includes). The row counts and largest keys it records are counted in the dump file
 * itself, so they are those of the dump's own snapshot and exact even while the application writes
 * during the capture. On a remote host, where the dump stays on that host, they are read instead in
 * a snapshot of their own just before the dump: exact only when nothing writes during the capture;
 * a row written in between then makes the check after a restore fail and {@link #verifyBackups()}
 * refuse the capture, and preflight may name it as written after the restore point; none of
 * these loses data. The columns are read in that snapshot before the dump on every host.
 *
 * <p>The rollback sets the current state aside with another dump, then drops every event,
 * trigger, stored routine (and package), view, sequence and table of the database, and loads the
 * dump with the {@code mysql} client, so that nothing created after the capture stays behind; the
 * client stops at the first failed statement ({@code abort-source-on-error}) and fails the restore. The
 * database itself is kept, not dropped and created again: its character set and collation, the
 * grants on it and the sessions using it stay as they are, and no moment exists in which it is
 * missing. Verification runs {@code CHECK TABLE} on every table besides the checks every {@link
 * DatabaseTarget} runs; {@link #verifyBackups()} loads each dump into a scratch database and
 * compares it.
 *
 * <p><b>What runs where.</b> {@code mysqldump} and {@code mysql} run on the plan's host, through it:
 * on this machine, or on a server the plan reaches with {@code .on(sshHost)}. There the dump is
 * written into the restore point's artifact folder on that host (the plan's host store) and loaded
 * from it, also into the scratch database of {@link #verifyBackups()}: no dump crosses the network
 * between the machines. A {@link #passwordFile} is read on the plan's host. Row counts, the point of
 * no return, {@code CHECK TABLE}, integrity checks and the rows of {@link #exportDataLoss} go over
 * JDBC from the machine running the plan to {@code host:port}, as the plan's HTTP checks do (the
 * exported files are written to the plan's host through it). So that address must reach the
 * database both from the plan's machine and from the host: the database server's network address,
 * or {@code 127.0.0.1} when the plan runs on the database's machine or reaches it through a tunnel
 * to the same port.
 *
 * <p>Credentials never reach a command line, a log or a report: the tools read them from an option
 * file ({@code --defaults-extra-file}), mode 0600, written through the plan's host for each command
 * into a temp folder only its owner can enter (0700; {@code mktemp -d} on a server) and deleted with
 * that folder after the command, also when it fails. The JDBC driver ({@code
 * org.mariadb.jdbc:mariadb-java-client}) is the user's dependency. Immutable and thread-safe.
 *
 * <pre>{@code
 * MariaDbDatabase bankroll = MariaDbDatabase.of("127.0.0.1", 3306, "bankroll")
 *     .user("pythonpydev").passwordFile(Path.of("/home/app/.db-password"));
 * }</pre>
 */
public final class MariaDbDatabase extends DatabaseTarget {

    static final String ARTIFACT = "database.sql";

    // Connection settings. Set only by the factory and the option methods, on a fresh copy.
    String host;
    int port;
    String database;
    String user;
    String password;
    Path passwordFile;
    Path toolsDir;
    boolean rewriteDefiners;

    private MariaDbDatabase(String host, int port, String database) {
        super("database");
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = "root";
    }

    /** A copy of {@code from}: every field. */
    private MariaDbDatabase(MariaDbDatabase from) {
        super(from);
        this.host = from.host;
        this.port = from.port;
        this.database = from.database;
        this.user = from.user;
        this.password = from.password;
        this.passwordFile = from.passwordFile;
        this.toolsDir = from.toolsDir;
        this.rewriteDefiners = from.rewriteDefiners;
    }

    @Override
    MariaDbDatabase copy() {
        return new MariaDbDatabase(this);
    }

    /**
     * The database {@code database} on the server at {@code host}:{@code port}, as a target named {@code "database"}.
     *
     * @throws IllegalStateException if MariaDB's JDBC driver ({@code org.mariadb.jdbc:mariadb-java-client}) is not
     *     on the class path
     */
    public static MariaDbDatabase of(String host, int port, String database) {
        Drivers.requireMariaDb();
        requireIdentifier(host, "host");
        requireIdentifier(database, "database");
        if (database.startsWith("-")) {
            throw new IllegalArgumentException("MariaDB database: expected a database name, found '" + database
                    + "', which the tools would read as an option; rename the database");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("MariaDB database " + database + ": expected a port 1..65535, found " + port);
        }
        return new MariaDbDatabase(host, port, database);
    }

    /**
     * The same as {@link #of(String, int, String)}.
     *
     * @deprecated use {@link #of(String, int, String)}; this spelling is removed in the next release
     */
    @Deprecated(forRemoval = true)
    public static MariaDbDatabase at(String host, int port, String database) {
        return of(host, port, database);
    }

    /** This target connecting as {@code user} (default {@code root}). */
    public MariaDbDatabase user(String user) {
        requireIdentifier(user, "user");
        MariaDbDatabase c = copy();
        c.user = user;
        return c;
    }

    /** This target connecting with {@code password}; it is masked in every message of the plan. */
    public MariaDbDatabase password(String password) {
        Objects.requireNonNull(password, "password");
        MariaDbDatabase c = copy();
        c.password = password;
        c.passwordFile = null;
        return c;
    }

    /** This target reading its password from the first line of {@code file} on the plan's host, when it connects. */
    public MariaDbDatabase passwordFile(Path file) {
        Objects.requireNonNull(file, "file");
        MariaDbDatabase c = copy();
        c.password = null;
        c.passwordFile = file;
        return c;
    }

    /** This target running {@code mysqldump} and {@code mysql} from {@code binDir} on the plan's host, not the PATH. */
    public MariaDbDatabase tools(Path binDir) {
        Objects.requireNonNull(binDir, "binDir");
        MariaDbDatabase c = copy();
        c.toolsDir = binDir;
        return c;
    }

    /**
     * This target loading views, triggers, stored routines and events whose {@code DEFINER} is
     * another account as defined by the connecting account instead ({@code DEFINER=CURRENT_USER}),
     * so that its dumps can always be loaded back by the account that captured them. Creating an
     * object for another definer needs the {@code SET USER} privilege (MariaDB; {@code SUPER} on
     * older servers and MySQL's {@code SET_USER_ID}), which an application's account rarely has;
     * without it, the load stops at the first such object, after the database was emptied.
     *
     * <p>Without this option, a capture refuses a dump holding such objects, and preflight refuses
     * a restore of one (or of a database holding one, which its set-aside would have to load back)
     * before anything changes, naming the objects and their definers. The objects then run with
     * the connecting account's privileges ({@code SQL SECURITY DEFINER}): grant it what they need.
     */
    public MariaDbDatabase rewriteDefiners() {
        MariaDbDatabase c = copy();
        c.rewriteDefiners = true;
        return c;
    }

    /** This target on another database of the same server, with the same account (a scratch copy). */
    MariaDbDatabase on(String otherDatabase) {
        MariaDbDatabase c = copy();
        c.database = otherDatabase;
        return c;
    }

    // ---- the options every database target has, returning this type -------------------------------------

    @Override
    public MariaDbDatabase named(String name) {
        return (MariaDbDatabase) super.named(name);
    }

    @Override
    public MariaDbDatabase expectTables(String... tables) {
        return (MariaDbDatabase) super.expectTables(tables);
    }

    @Override
    public MariaDbDatabase verifiedBy(SqlCheck check) {
        return (MariaDbDatabase) super.verifiedBy(check);
    }

    /**
     * The same as {@link #verifiedBy(SqlCheck)}.
     *
     * @deprecated use {@link #verifiedBy(SqlCheck)}; this spelling is removed in the next release
     */
    @Override
    @Deprecated(forRemoval = true)
    public MariaDbDatabase check(SqlCheck check) {
        return verifiedBy(check);
    }

    @Override
    public MariaDbDatabase writtenAtColumn(String table, String column) {
        return (MariaDbDatabase) super.writtenAtColumn(table, column);
    }

    @Override
    public MariaDbDatabase acceptDataLoss() {
        return (MariaDbDatabase) super.acceptDataLoss();
    }

    @Override
    public MariaDbDatabase exportDataLoss(ExportFormat format) {
        return (MariaDbDatabase) super.exportDataLoss(format);
    }

    @Override
    public MariaDbDatabase verifyBackups() {
        return (MariaDbDatabase) super.verifyBackups();
    }

    @Override
    public MariaDbDatabase flywayHistory() {
        return (MariaDbDatabase) super.flywayHistory();
    }

    @Override
    public MariaDbDatabase flywayHistory(String table) {
        return (MariaDbDatabase) super.flywayHistory(table);
    }

    @Override
    public Set<String> secrets() {
        return password == null ? Set.of() : Set.of(password);
    }

    // ---- the engine ----------------------------------------------------------------------------------------

    /** The connections and client tools of this target. */
    MariaDbClient client() {
        return new MariaDbClient(this);
    }

    @Override
    Dialect dialect() {
        return Dialect.mysql(database);
    }

    @Override
    <R> R withLive(Host host, HandleWork<R> work) throws Exception {
        return client().with(host, database, work);
    }

    @Override
    boolean liveExists(Host host) throws Exception {
        return client().exists(host);
    }

    @Override
    List<TableState> backup(CaptureContext ctx, Map<String, String> data) throws Exception {
        return new MariaDbDump(this).capture(ctx, data);
    }

    @Override
    void engineRestore(Snapshot s, RestoreContext ctx) throws Exception {
        new MariaDbDump(this).restore(s, ctx);
    }

    @Override
    List<String> verifyBackup(Snapshot s, Path artifactDir, Host host) throws Exception {
        return new MariaDbDump(this).differences(s, artifactDir, host);
    }

    @Override
    List<Problem> enginePreflight(Snapshot s, RestoreContext ctx) throws Exception {
        List<Problem> problems = new ArrayList<>();
        Host host = ctx.host();
        try {
            client().with(host, null, h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
        } catch (Exception e) {
            problems.add(Problem.of(name(), "a MariaDB/MySQL server answering at " + this.host + ":" + port + " for "
                    + user, e.getMessage(), "start the server or fix the connection settings"));
            return problems;
        }
        if (s.artifact(ARTIFACT).isEmpty()) {
            problems.add(Problem.of(name(), "the dump " + ARTIFACT + " in the restore point", "no such artifact",
                    "capture a new restore point"));
        }
        if (!host.hasProgram(client().tool("mysql"))) {
            problems.add(Problem.of(name(), "the program " + client().tool("mysql"), "not installed on host " + host.name(),
                    "install the MariaDB client (mariadb-client) or point tools(...) at it"));
        }
        if (problems.isEmpty() && !rewriteDefiners) {
            List<String> inDump = new MariaDbDefiners(this).inDump(host, ctx.artifact(s, ARTIFACT));
            if (!inDump.isEmpty()) {
                problems.add(Problem.of(name(), "a dump the account " + user + " can load back", "objects defined by "
                        + "other accounts, which need the SET USER privilege it lacks: " + String.join("; ", inDump),
                        "restore them as defined by this account with rewriteDefiners(), grant it SET USER, or connect "
                        + "as one that has it"));
            }
            List<String> live = liveExists(host) ? withLive(host, new MariaDbDefiners(this)::live) : List.of();
            if (!live.isEmpty()) {
                problems.add(Problem.of(name(), "a database whose set-aside the account " + user + " can load back "
                        + "should the restore fail", "objects defined by other accounts: " + String.join("; ", live),
                        "use rewriteDefiners(), grant the account SET USER, or connect as one that has it"));
            }
        }
        return problems;
    }

    @Override
    List<String> enginePlan(Snapshot s, RestoreContext ctx) {
        return List.of("drop every event, trigger, routine, view, sequence and table of database '" + database + "'",
                "load the dump (" + s.artifact(ARTIFACT).map(a -> a.size() + " bytes").orElse("missing")
                        + ") with the mysql client");
    }

    @Override
    List<String> engineCheck(Handle h) {
        List<String> wrong = new ArrayList<>();
        for (String t : Catalog.tables(h, dialect())) {
            for (Map<String, Object> row : h.createQuery("CHECK TABLE " + dialect().quote(t)).mapToMap().list()) {
                String type = String.valueOf(row.get("msg_type")).toLowerCase();
                String text = String.valueOf(row.get("msg_text"));
                if (type.equals("error") || (type.equals("status") && !text.equalsIgnoreCase("OK"))) {
                    wrong.add("CHECK TABLE '" + t + "' says " + type + ": " + text);
                }
            }
        }
        return wrong;
    }

    @Override
    public String toString() {
        return "MariaDbDatabase[" + name() + ": " + user + "@" + host + ":" + port + "/" + database + "]";
    }
}
