package dev.rollback.db;

import dev.rollback.db.DatabaseTarget.HandleWork;
import dev.rollback.db.internal.Tools;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The plumbing of a {@link MariaDbDatabase}: JDBC connections to the server, and its client tools
 * ({@code mysqldump}, {@code mysql}) run through the plan's host with the credentials in a fresh
 * option file (0600, in a private folder) deleted after each command. Not API; immutable.
 */
final class MariaDbClient {

    private final MariaDbDatabase db;

    MariaDbClient(MariaDbDatabase db) {
        this.db = db;
    }

    private String password(Host host) {
        return db.passwordFile != null ? Tools.readPassword(host, db.passwordFile) : db.password;
    }

    /** Opens a connection to the server, using {@code database} unless null, and runs {@code work} with it. */
    <R> R with(Host host, String database, HandleWork<R> work) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", db.user);
        String pw = password(host);
        if (pw != null) {
            p.setProperty("password", pw);
        }
        String h = db.host.contains(":") ? "[" + db.host + "]" : db.host;
        try (Handle handle = Jdbi.create("jdbc:mariadb://" + h + ":" + db.port + "/", p).open()) {
            if (database != null) {
                handle.execute("USE " + db.dialect().quote(database));
            }
            return work.run(handle);
        }
    }

    /** Whether the database exists now. */
    boolean exists(Host host) throws Exception {
        return with(host, null, h -> h.createQuery("SELECT count(*) FROM information_schema.schemata WHERE schema_name = :d")
                .bind("d", db.database).mapTo(Integer.class).one() > 0);
    }

    /** The program {@code name}, from {@link MariaDbDatabase#tools} when given. */
    String tool(String name) {
        return db.toolsDir == null ? name : db.toolsDir.resolve(name).toString();
    }

    private static String optionValue(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /**
     * Runs a client tool with its credentials in a fresh option file (0600, in a private folder)
     * given as its first argument; deletes the file afterwards.
     */
    CommandResult runTool(Host host, String program, List<String> args) {
        Path dir = Tools.privateTempDir(host);
        try {
            Path options = dir.resolve("client.cnf");
            StringBuilder cnf = new StringBuilder("[client]\n");
            cnf.append("user=").append(optionValue(db.user)).append('\n');
            String pw = password(host);
            if (pw != null) {
                cnf.append("password=").append(optionValue(pw)).append('\n');
            }
            cnf.append("host=").append(optionValue(db.host)).append('\n');
            cnf.append("port=").append(db.port).append('\n');
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

    /** Fails, naming the target, unless {@code r} succeeded. */
    void requireSuccess(CommandResult r) {
        if (!r.succeeded()) {
            throw new IllegalStateException("target '" + db.name() + "': expected the command to succeed, found "
                    + r.describe() + "; fix the cause (server reachable, user allowed, disk space), then try again");
        }
    }

    /** Loads a dump with the mysql client, which stops at the first failed statement. */
    CommandResult load(Host host, String database, Path dump) {
        return runTool(host, "mysql", List.of("--database=" + database, "-e", "source " + dump));
    }

    /**
     * Whether a {@link #load} loaded the whole dump: it exited 0 and reported no SQL error (a client
     * that does not know {@code abort-source-on-error} exits 0 after one).
     */
    static boolean loaded(CommandResult r) {
        return r.succeeded() && r.stderr().lines().noneMatch(l -> l.startsWith("ERROR "));
    }

    /**
     * Loads a copy of the dump, made on the plan's host in a private temp folder, whose definer
     * clauses (outside the rows) name {@code CURRENT_USER}; deletes the copy afterwards.
     */
    CommandResult loadAsDefiner(Host host, String database, Path dump) {
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
}
