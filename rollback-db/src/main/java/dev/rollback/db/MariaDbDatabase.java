package dev.rollback.db;

import dev.rollback.Problem;
import dev.rollback.Snapshot;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.internal.DumpRows;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

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
 * MariaDbDatabase bankroll = MariaDbDatabase.at("127.0.0.1", 3306, "bankroll")
 *     .user("pythonpydev").passwordFile(Path.of("/home/app/.db-password"));
 * }</pre>
 */
public final class MariaDbDatabase extends DatabaseTarget<MariaDbDatabase> {

    static final String ARTIFACT = "database.sql";

    /** The kinds of stored routines a restore drops before loading the dump. */
    private static final List<String> ROUTINES = List.of("PROCEDURE", "FUNCTION", "PACKAGE BODY", "PACKAGE");

    /** Connection settings. */
    private record My(String host, int port, String database, String user, String password, Path passwordFile,
            Path tools) {}

    private final My my;

    private MariaDbDatabase(Settings settings, My my) {
        super(settings);
        this.my = my;
    }

    /**
     * The database {@code database} on the server at {@code host}:{@code port}, as a target named {@code "database"}.
     *
     * @throws IllegalStateException if MariaDB's JDBC driver ({@code org.mariadb.jdbc:mariadb-java-client}) is not
     *     on the class path
     */
    public static MariaDbDatabase at(String host, int port, String database) {
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
        return new MariaDbDatabase(Settings.named("database"), new My(host, port, database, "root", null, null, null));
    }

    @Override
    MariaDbDatabase with(Settings s) {
        return new MariaDbDatabase(s, my);
    }

    /** This target connecting as {@code user} (default {@code root}). */
    public MariaDbDatabase user(String user) {
        return new MariaDbDatabase(settings, new My(my.host, my.port, my.database, requireIdentifier(user, "user"),
                my.password, my.passwordFile, my.tools));
    }

    /** This target connecting with {@code password}; it is masked in every message of the plan. */
    public MariaDbDatabase password(String password) {
        return new MariaDbDatabase(settings, new My(my.host, my.port, my.database, my.user,
                Objects.requireNonNull(password, "password"), null, my.tools));
    }

    /** This target reading its password from the first line of {@code file} on the plan's host, when it connects. */
    public MariaDbDatabase passwordFile(Path file) {
        return new MariaDbDatabase(settings, new My(my.host, my.port, my.database, my.user, null,
                Objects.requireNonNull(file, "file"), my.tools));
    }

    /** This target running {@code mysqldump} and {@code mysql} from {@code binDir} on the plan's host, not the PATH. */
    public MariaDbDatabase tools(Path binDir) {
        return new MariaDbDatabase(settings, new My(my.host, my.port, my.database, my.user, my.password, my.passwordFile,
                Objects.requireNonNull(binDir, "binDir")));
    }

    @Override
    public Set<String> secrets() {
        return my.password == null ? Set.of() : Set.of(my.password);
    }

    // ---- connections and tools ----------------------------------------------------------------------------

    @Override
    Dialect dialect() {
        return Dialect.mysql(my.database);
    }

    private String password(Host host) {
        return my.passwordFile != null ? Tools.readPassword(host, my.passwordFile) : my.password;
    }

    private <R> R with(Host host, String database, HandleWork<R> work) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", my.user);
        String pw = password(host);
        if (pw != null) {
            p.setProperty("password", pw);
        }
        String h = my.host.contains(":") ? "[" + my.host + "]" : my.host;
        try (Handle handle = Jdbi.create("jdbc:mariadb://" + h + ":" + my.port + "/", p).open()) {
            if (database != null) {
                handle.execute("USE " + dialect().quote(database));
            }
            return work.run(handle);
        }
    }

    @Override
    <R> R withLive(Host host, HandleWork<R> work) throws Exception {
        return with(host, my.database, work);
    }

    @Override
    boolean liveExists(Host host) throws Exception {
        return with(host, null, h -> h.createQuery("SELECT count(*) FROM information_schema.schemata WHERE schema_name = :d")
                .bind("d", my.database).mapTo(Integer.class).one() > 0);
    }

    private String tool(String name) {
        return my.tools == null ? name : my.tools.resolve(name).toString();
    }

    private static String optionValue(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /**
     * Runs a client tool with its credentials in a fresh option file (0600, in a private folder)
     * given as its first argument; deletes the file afterwards.
     */
    private CommandResult runTool(Host host, String program, List<String> args) {
        Path dir = Tools.privateTempDir(host);
        try {
            Path options = dir.resolve("client.cnf");
            StringBuilder cnf = new StringBuilder("[client]\n");
            cnf.append("user=").append(optionValue(my.user)).append('\n');
            String pw = password(host);
            if (pw != null) {
                cnf.append("password=").append(optionValue(pw)).append('\n');
            }
            cnf.append("host=").append(optionValue(my.host)).append('\n');
            cnf.append("port=").append(my.port).append('\n');
            cnf.append("protocol=TCP\n");
            // the mysql client goes on after a failed statement of a sourced dump unless told to stop;
            // loose: a client without the option ignores it (load() also reads its errors)
            cnf.append("[mysql]\nloose-abort-source-on-error\n");
            host.write(options, cnf.toString().getBytes(StandardCharsets.UTF_8), 0600);
            List<String> argv = new ArrayList<>();
            argv.add(tool(program));
            argv.add("--defaults-extra-file=" + options);
            argv.addAll(args);
            return host.run(Command.of(argv).timeout(Duration.ofHours(6)));
        } finally {
            host.delete(dir);
        }
    }

    private void requireSuccess(CommandResult r) {
        if (!r.succeeded()) {
            throw new IllegalStateException("target '" + name() + "': expected the command to succeed, found "
                    + r.describe() + "; fix the cause (server reachable, user allowed, disk space), then try again");
        }
    }

    // ---- capture -------------------------------------------------------------------------------------------

    @Override
    List<TableState> backup(CaptureContext ctx, Map<String, String> data) throws Exception {
        data.put("engine", "mariadb");
        data.put("database", my.database);
        Path out = ctx.artifactDir().resolve(ARTIFACT);
        // read before the dump: a row written between this snapshot and the dump's shows as written
        // after the restore point (a false alarm), never the other way round (a silent loss)
        List<TableState> states = withLive(ctx.host(), h -> {
            h.begin();
            try {
                h.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
                data.put("dbTime", h.createQuery(dialect().nowSql()).mapTo(String.class).one());
                return Catalog.states(h, dialect());
            } finally {
                h.rollback();
            }
        });
        ctx.progress("mysqldump --single-transaction of " + my.database);
        requireSuccess(runTool(ctx.host(), "mysqldump", List.of("--single-transaction", "--no-tablespaces", "--routines",
                "--triggers", "--events", "--hex-blob", "--complete-insert", "--result-file=" + out, "--", my.database)));
        ctx.host().setMode(out, 0600);
        if (!ctx.host().sharesLocalFiles()) {
            return states;
        }
        return countedInDump(ctx.host(), out, states);
    }

    /**
     * The tables as the dump holds them: its tables, with the rows and largest keys counted in it,
     * and the columns read before the dump (or, for a table the dump has and the earlier read has
     * not, read now).
     */
    private List<TableState> countedInDump(Host host, Path dump, List<TableState> before) throws Exception {
        Map<String, TableState> known = new java.util.TreeMap<>();
        before.forEach(t -> known.put(t.name(), t));
        Dialect d = dialect();
        return withLive(host, h -> {
            Map<String, TableState> late = new java.util.TreeMap<>();
            Map<String, DumpRows.Table> counted = DumpRows.read(dump, t -> {
                TableState k = known.get(t);
                if (k == null) {
                    k = Catalog.state(h, d, t);
                    late.put(t, k);
                }
                return k.idColumn();
            });
            List<TableState> out = new ArrayList<>();
            counted.forEach((t, c) -> {
                TableState k = known.containsKey(t) ? known.get(t) : late.get(t);
                out.add(new TableState(t, c.rows(), k.idColumn(), k.idColumn() == null ? null : c.maxId(), k.columns()));
            });
            return out;
        });
    }

    // ---- preflight and plan -------------------------------------------------------------------------------

    @Override
    List<Problem> enginePreflight(Snapshot s, RestoreContext ctx) throws Exception {
        List<Problem> problems = new ArrayList<>();
        Host host = ctx.host();
        try {
            with(host, null, h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
        } catch (Exception e) {
            problems.add(Problem.of(name(), "a MariaDB/MySQL server answering at " + my.host + ":" + my.port + " for "
                    + my.user, e.getMessage(), "start the server or fix the connection settings"));
            return problems;
        }
        if (s.artifact(ARTIFACT).isEmpty()) {
            problems.add(Problem.of(name(), "the dump " + ARTIFACT + " in the restore point", "no such artifact",
                    "capture a new restore point"));
        }
        if (!host.hasProgram(tool("mysql"))) {
            problems.add(Problem.of(name(), "the program " + tool("mysql"), "not installed on host " + host.name(),
                    "install the MariaDB client (mariadb-client) or point tools(...) at it"));
        }
        return problems;
    }

    @Override
    List<String> enginePlan(Snapshot s, RestoreContext ctx) {
        return List.of("drop every event, trigger, routine, view, sequence and table of database '" + my.database + "'",
                "load the dump (" + s.artifact(ARTIFACT).map(a -> a.size() + " bytes").orElse("missing")
                        + ") with the mysql client");
    }

    // ---- restore ------------------------------------------------------------------------------------------

    @Override
    void engineRestore(Snapshot s, RestoreContext ctx) throws Exception {
        Path dump = ctx.artifact(s, ARTIFACT);
        Host host = ctx.host();
        withLive(host, h -> {
            List<String> drops = dropStatements(h);
            ctx.progress("dropping " + drops.size() + " object(s) of " + my.database);
            h.execute("SET FOREIGN_KEY_CHECKS = 0");
            try {
                for (String drop : drops) {
                    h.execute(drop);
                }
            } finally {
                h.execute("SET FOREIGN_KEY_CHECKS = 1");
            }
            return null;
        });
        ctx.progress("loading the dump into " + my.database);
        CommandResult r = load(host, my.database, dump);
        if (!loaded(r)) {
            throw new IllegalStateException("target '" + name() + "': expected the mysql client to load the whole dump, "
                    + "found " + r.describe() + "; the database holds part of the dump: fix the cause and roll back "
                    + "again, or undo this rollback");
        }
    }

    /**
     * The statements that empty the database of every object a dump can bring back: events,
     * triggers, stored routines and packages, views, sequences and tables, in that order, names
     * quoted. Lists everything before anything is dropped, so an object of an unknown kind stops
     * the restore before it changes anything.
     */
    private List<String> dropStatements(Handle h) {
        Dialect d = dialect();
        List<String> drops = new ArrayList<>();
        for (String e : h.createQuery("SELECT event_name FROM information_schema.events WHERE event_schema = :d ORDER BY 1")
                .bind("d", my.database).mapTo(String.class).list()) {
            drops.add("DROP EVENT IF EXISTS " + d.quote(e));
        }
        for (String t : h.createQuery("SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = :d "
                + "ORDER BY 1").bind("d", my.database).mapTo(String.class).list()) {
            drops.add("DROP TRIGGER IF EXISTS " + d.quote(t));
        }
        // a package body goes before its package
        List<Map<String, Object>> routines = h.createQuery("SELECT routine_name AS name, routine_type AS type FROM "
                + "information_schema.routines WHERE routine_schema = :d ORDER BY routine_type = 'PACKAGE', 1")
                .bind("d", my.database).mapToMap().list();
        for (Map<String, Object> r : routines) {
            String type = String.valueOf(r.get("type"));
            if (!ROUTINES.contains(type)) {
                throw new IllegalStateException("target '" + name() + "': expected stored routines of the kinds " + ROUTINES
                        + " in database '" + my.database + "', found '" + r.get("name") + "' of kind " + type
                        + "; nothing was dropped: drop it by hand, then roll back again");
            }
            drops.add("DROP " + type + " IF EXISTS " + d.quote(String.valueOf(r.get("name"))));
        }
        List<Map<String, Object>> tables = h.createQuery("SELECT table_name AS name, table_type AS type "
                + "FROM information_schema.tables WHERE table_schema = :d ORDER BY table_type <> 'VIEW', 1")
                .bind("d", my.database).mapToMap().list();
        for (Map<String, Object> o : tables) {
            String type = String.valueOf(o.get("type"));
            String kind = type.equals("VIEW") ? "VIEW" : type.equals("SEQUENCE") ? "SEQUENCE" : "TABLE";
            drops.add("DROP " + kind + " IF EXISTS " + d.quote(String.valueOf(o.get("name"))));
        }
        return drops;
    }

    /** Loads a dump with the mysql client, which stops at the first failed statement. */
    private CommandResult load(Host host, String database, Path dump) {
        return runTool(host, "mysql", List.of("--database=" + database, "-e", "source " + dump));
    }

    /**
     * Whether a {@link #load} loaded the whole dump: it exited 0 and reported no SQL error (a client
     * that does not know {@code abort-source-on-error} exits 0 after one).
     */
    private static boolean loaded(CommandResult r) {
        return r.succeeded() && r.stderr().lines().noneMatch(l -> l.startsWith("ERROR "));
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
    List<String> verifyBackup(Snapshot s, Path artifactDir, Host host) throws Exception {
        String scratch = "rb_verify_" + Tools.randomHex(6);
        Dialect d = dialect();
        with(host, null, h -> h.execute("CREATE DATABASE " + d.quote(scratch)));
        try {
            CommandResult r = load(host, scratch, artifactDir.resolve(ARTIFACT));
            if (!loaded(r)) {
                return List.of("loading the dump into a scratch database failed: " + r.describe());
            }
            MariaDbDatabase scratchTarget = new MariaDbDatabase(settings, new My(my.host, my.port, scratch, my.user,
                    my.password, my.passwordFile, my.tools));
            return scratchTarget.withLive(host, h -> scratchTarget.compareBackup(h, s));
        } finally {
            with(host, null, h -> h.execute("DROP DATABASE IF EXISTS " + d.quote(scratch)));
        }
    }

    @Override
    public String toString() {
        return "MariaDbDatabase[" + name() + ": " + my.user + "@" + my.host + ":" + my.port + "/" + my.database + "]";
    }
}
