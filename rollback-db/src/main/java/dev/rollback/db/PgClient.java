package dev.rollback.db;

import dev.rollback.db.DatabaseTarget.HandleWork;
import dev.rollback.db.internal.Tools;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The plumbing of a {@link PostgresDatabase}: JDBC connections to its databases, and its client
 * tools ({@code pg_dump}, {@code pg_restore}, {@code psql}) run through the plan's host with the
 * connection in their environment and the password in {@code PGPASSWORD}. Not API; immutable.
 */
final class PgClient {

    private final PostgresDatabase db;

    PgClient(PostgresDatabase db) {
        this.db = db;
    }

    private String password(Host host) {
        return db.passwordFile != null ? Tools.readPassword(host, db.passwordFile) : db.password;
    }

    private Jdbi jdbi(Host host, String database) {
        Properties p = new Properties();
        p.setProperty("user", db.user);
        String pw = password(host);
        if (pw != null) {
            p.setProperty("password", pw);
        }
        p.setProperty("ApplicationName", "rollback");
        StringBuilder name = new StringBuilder();
        for (byte b : database.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.') {
                name.append(c);
            } else {
                name.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        String server = db.host.contains(":") ? "[" + db.host + "]" : db.host;
        return Jdbi.create("jdbc:postgresql://" + server + ":" + db.port + "/" + name, p);
    }

    /** Opens a connection to {@code database} and runs {@code work} with it. */
    <R> R with(Host host, String database, HandleWork<R> work) throws Exception {
        try (Handle h = jdbi(host, database).open()) {
            return work.run(h);
        }
    }

    /** Runs {@code work} connected to the maintenance database, which creates, renames and drops the others. */
    <R> R withMaintenance(Host host, HandleWork<R> work) throws Exception {
        return with(host, db.maintenance, work);
    }

    /** Whether {@code database} exists now. */
    boolean exists(Host host, String database) throws Exception {
        return withMaintenance(host, h -> h.createQuery("SELECT count(*) FROM pg_database WHERE datname = :d")
                .bind("d", database).mapTo(Integer.class).one() > 0);
    }

    /** The program {@code name}, from {@link PostgresDatabase#tools} when given. */
    String tool(String name) {
        return db.toolsDir == null ? name : db.toolsDir.resolve(name).toString();
    }

    /** A libpq connection string naming only the database, quoted so that no name can add parameters. */
    static String conninfo(String database) {
        return "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** A tool's command with the connection in its environment and the password in PGPASSWORD. */
    Command command(Host host, List<String> argv) {
        Command c = Command.of(argv).env("PGHOST", db.host).env("PGPORT", Integer.toString(db.port))
                .env("PGUSER", db.user).env("PGAPPNAME", "rollback").timeout(Duration.ofHours(6));
        String pw = password(host);
        return pw == null ? c : c.env("PGPASSWORD", pw);
    }

    /** Runs a tool's command and returns its result; fails, naming the target, unless it succeeded. */
    CommandResult run(Host host, List<String> argv) {
        CommandResult r = host.run(command(host, argv));
        if (!r.succeeded()) {
            throw new IllegalStateException("target '" + db.name() + "': expected " + r.describe()
                    .replaceFirst(" exited \\d+.*", "") + " to succeed, found " + r.describe()
                    + "; fix the cause (server reachable, role allowed, disk space), then try again");
        }
        return r;
    }
}
