package dev.rollback.db;

import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.internal.DumpRows;
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
            Path tools, boolean rewriteDefiners) {
        My(String host, int port, String database, String user, String password, Path passwordFile, Path tools) {
            this(host, port, database, user, password, passwordFile, tools, false);
        }
    }

    /** A {@code DEFINER=`user`@`host`} clause as mysqldump writes it. */
    private static final java.util.regex.Pattern DEFINER = java.util.regex.Pattern.compile(
            "DEFINER=`((?:[^`]|``)*)`@`((?:[^`]|``)*)`");

    /** The object a definer clause belongs to, on its line or the next (a view's). */
    private static final java.util.regex.Pattern OBJECT = java.util.regex.Pattern.compile(
            "\\b(TRIGGER|VIEW|PROCEDURE|FUNCTION|EVENT|PACKAGE BODY|PACKAGE)\\s+(?:IF NOT EXISTS\\s+)?"
                    + "(?:(?:`(?:[^`]|``)*`|\\w+)\\.)?(?:`((?:[^`]|``)*)`|(\\w+))");

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
                my.password, my.passwordFile, my.tools, my.rewriteDefiners));
    }

    /** This target connecting with {@code password}; it is masked in every message of the plan. */
    public MariaDbDatabase password(String password) {
        return new MariaDbDatabase(settings, new My(my.host, my.port, my.database, my.user,
                Objects.requireNonNull(password, "password"), null, my.tools, my.rewriteDefiners));
    }

    /** This target reading its password from the first line of {@code file} on the plan's host, when it connects. */
    public MariaDbDatabase passwordFile(Path file) {
        return new MariaDbDatabase(settings, new My(my.host, my.port, my.database, my.user, null,
                Objects.requireNonNull(file, "file"), my.tools, my.rewriteDefiners));
    }

    /** This target running {@code mysqldump} and {@code mysql} from {@code binDir} on the plan's host, not the PATH. */
    public MariaDbDatabase tools(Path binDir) {
        return new MariaDbDatabase(settings, new My(my.host, my.port, my.database, my.user, my.password, my.passwordFile,
                Objects.requireNonNull(binDir, "binDir"), my.rewriteDefiners));
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
        return new MariaDbDatabase(settings, new My(my.host, my.port, my.database, my.user, my.password, my.passwordFile,
                my.tools, true));
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
        if (!my.rewriteDefiners && ctx.rollbackId().isEmpty()) {
            List<String> foreign = foreignDefiners(ctx.host(), out);
            if (!foreign.isEmpty()) {
                throw new IllegalStateException("target '" + name() + "': expected a dump the account " + my.user
                        + " can load back, found objects defined by other accounts: " + String.join("; ", foreign)
                        + "; loading them needs the SET USER privilege, which this account lacks; no restore point was "
                        + "stored: restore them as defined by this account with rewriteDefiners(), grant it SET USER, "
                        + "or connect as one that has it");
            }
        }
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
        if (problems.isEmpty() && !my.rewriteDefiners) {
            List<String> inDump = foreignDefiners(host, ctx.artifact(s, ARTIFACT));
            if (!inDump.isEmpty()) {
                problems.add(Problem.of(name(), "a dump the account " + my.user + " can load back", "objects defined by "
                        + "other accounts, which need the SET USER privilege it lacks: " + String.join("; ", inDump),
                        "restore them as defined by this account with rewriteDefiners(), grant it SET USER, or connect "
                        + "as one that has it"));
            }
            List<String> live = liveExists(host) ? withLive(host, this::foreignDefinersLive) : List.of();
            if (!live.isEmpty()) {
                problems.add(Problem.of(name(), "a database whose set-aside the account " + my.user + " can load back "
                        + "should the restore fail", "objects defined by other accounts: " + String.join("; ", live),
                        "use rewriteDefiners(), grant the account SET USER, or connect as one that has it"));
            }
        }
        return problems;
    }

    /**
     * The objects of the dump defined by an account other than the connecting one, each with its
     * definer; empty when the connecting account may create objects for any definer. Reads the
     * dump on the plan's host with {@code grep}, so the dump stays there.
     */
    private List<String> foreignDefiners(Host host, Path dump) throws Exception {
        CommandResult r = host.run(Command.of(List.of("grep", "-a", "-A1", "DEFINER=`", dump.toString()))
                .env("LC_ALL", "C").timeout(Duration.ofHours(1)));
        if (r.exitCode() == 1) {
            return List.of();
        }
        if (!r.succeeded()) {
            throw new IllegalStateException("target '" + name() + "': expected grep to read the dump " + dump
                    + ", found " + r.describe() + "; check the dump and that grep is installed on host " + host.name());
        }
        Account me = withLive(host, this::account);
        if (me.anyDefiner()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        List<String> lines = r.stdout().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("INSERT ")) {
                continue;
            }
            java.util.regex.Matcher d = DEFINER.matcher(line);
            while (d.find()) {
                String user = d.group(1).replace("``", "`");
                String from = d.group(2).replace("``", "`");
                if (me.is(user, from)) {
                    continue;
                }
                java.util.regex.Matcher o = OBJECT.matcher(line.substring(d.end()));
                boolean named = o.find();
                if (!named && i + 1 < lines.size()) {
                    o = OBJECT.matcher(lines.get(i + 1));
                    named = o.find();
                }
                String tail = line.substring(d.end());
                String what = named ? o.group(1).toLowerCase(java.util.Locale.ROOT) + " `" + (o.group(2) != null
                        ? o.group(2).replace("``", "`") : o.group(3)) + "`"
                        : "the object defined by \"" + tail.substring(0, Math.min(80, tail.length())) + "\"";
                out.add(what + " (DEFINER `" + user + "`@`" + from + "`)");
            }
        }
        return out;
    }

    /** The objects of the live database defined by another account, unless the account may use any definer. */
    private List<String> foreignDefinersLive(Handle h) {
        Account me = account(h);
        if (me.anyDefiner()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        String sql = "SELECT 'trigger' AS k, trigger_name AS n, definer AS d FROM information_schema.triggers WHERE trigger_schema = :s "
                + "UNION ALL SELECT 'view', table_name, definer FROM information_schema.views WHERE table_schema = :s "
                + "UNION ALL SELECT lower(routine_type), routine_name, definer FROM information_schema.routines WHERE routine_schema = :s "
                + "UNION ALL SELECT 'event', event_name, definer FROM information_schema.events WHERE event_schema = :s ORDER BY 1, 2";
        for (Map<String, Object> row : h.createQuery(sql).bind("s", my.database).mapToMap().list()) {
            String definer = String.valueOf(row.get("d"));
            int at = definer.lastIndexOf('@');
            if (at < 0 || !me.is(definer.substring(0, at), definer.substring(at + 1))) {
                out.add(row.get("k") + " `" + row.get("n") + "` (DEFINER " + definer + ")");
            }
        }
        return out;
    }

    /** The connecting account as the server knows it, and whether it may create objects for any definer. */
    private record Account(String user, String host, boolean anyDefiner) {
        boolean is(String u, String h) {
            return user.equals(u) && host.equals(h);
        }
    }

    private Account account(Handle h) {
        String current = h.createQuery("SELECT CURRENT_USER()").mapTo(String.class).one();
        int at = current.lastIndexOf('@');
        String user = current.substring(0, at);
        String from = current.substring(at + 1);
        String grantee = "'" + user.replace("'", "''") + "'@'" + from.replace("'", "''") + "'";
        boolean any = h.createQuery("SELECT count(*) FROM information_schema.user_privileges WHERE grantee = :g "
                + "AND privilege_type IN ('SUPER', 'SET USER', 'SET_USER_ID')").bind("g", grantee).mapTo(Integer.class)
                .one() > 0;
        return new Account(user, from, any);
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
            ctx.progress("dropping " + Plural.of(drops.size(), "object") + " of " + my.database);
            h.execute("SET FOREIGN_KEY_CHECKS = 0");
            try {
                int dropped = 0;
                for (String drop : drops) {
                    try {
                        h.execute(drop);
                    } catch (RuntimeException e) {
                        if (dropped == 0) {
                            throw e; // nothing changed yet
                        }
                        throw new HalfRestored("target '" + name() + "': expected to drop every object of database '"
                                + my.database + "', found '" + drop + "' failing after " + dropped + " were dropped: "
                                + e.getMessage(), e);
                    }
                    dropped++;
                }
            } finally {
                h.execute("SET FOREIGN_KEY_CHECKS = 1");
            }
            return null;
        });
        ctx.progress("loading the dump into " + my.database + (my.rewriteDefiners ? ", every DEFINER as CURRENT_USER"
                : ""));
        CommandResult r = my.rewriteDefiners ? loadAsDefiner(host, my.database, dump) : load(host, my.database, dump);
        if (!loaded(r)) {
            throw new HalfRestored("target '" + name() + "': expected the mysql client to load the whole dump, found "
                    + r.describe() + " after every object of the database was dropped", null);
        }
    }

    /**
     * Loads a copy of the dump, made on the plan's host in a private temp folder, whose definer
     * clauses (outside the rows) name {@code CURRENT_USER}; deletes the copy afterwards.
     */
    private CommandResult loadAsDefiner(Host host, String database, Path dump) {
        Path dir = Tools.privateTempDir(host);
        try {
            Path copy = dir.resolve("definers.sql");
            // GNU sed: rewrite each line that is not a row, and write every line to the copy
            CommandResult sed = host.run(Command.of(List.of("sed", "-n", "-E", "-e",
                    "/^INSERT /!s/DEFINER=`([^`]|``)*`@`([^`]|``)*`/DEFINER=CURRENT_USER/g", "-e", "w " + copy,
                    dump.toString())).env("LC_ALL", "C").timeout(Duration.ofHours(1)));
            requireSuccess(sed);
            return load(host, database, copy);
        } finally {
            host.delete(dir);
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
        try {
            with(host, null, h -> h.execute("CREATE DATABASE " + d.quote(scratch)));
        } catch (Exception e) {
            throw new IllegalStateException("target '" + name() + "': expected to create the scratch database '" + scratch
                    + "' to verify the backup in, found: " + e.getMessage() + "; grant the account CREATE and DROP on "
                    + "databases named rb_verify_% (GRANT ALL ON `rb\\_verify\\_%`.* TO ...), or do not use verifyBackups()", e);
        }
        try {
            Path file = artifactDir.resolve(ARTIFACT);
            CommandResult r = my.rewriteDefiners ? loadAsDefiner(host, scratch, file) : load(host, scratch, file);
            if (!loaded(r)) {
                return List.of("loading the dump into a scratch database failed: " + r.describe());
            }
            MariaDbDatabase scratchTarget = new MariaDbDatabase(settings, new My(my.host, my.port, scratch, my.user,
                    my.password, my.passwordFile, my.tools, my.rewriteDefiners));
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
