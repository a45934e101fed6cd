package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.db.testing.MariaDbServer;
import dev.rollback.host.Hosts;
import dev.rollback.support.TestClock;
import dev.rollback.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(MariaDbServer.Extension.class)
class MariaDbDatabaseTest {

    static final String DATABASE = "pythonpydev$bankroll";
    static final String PASSWORD = "p\"a;ss' $(reboot) \\x";

    @TempDir
    Path dir;

    final MariaDbServer server;
    final TestClock clock = new TestClock();
    final RecordingHost host = new RecordingHost(Hosts.local());
    Jdbi app;

    MariaDbDatabaseTest(MariaDbServer server) {
        this.server = server;
    }

    @BeforeEach
    void createDatabase() {
        Requirements.require(Requirements.onPath("mysqldump") && Requirements.onPath("mysql"),
                "the MariaDB client tools (mysqldump, mysql; .ci/setup-db.sh)");
        server.recreate(DATABASE, "bank", PASSWORD);
        app = Jdbi.create("jdbc:mariadb://127.0.0.1:" + server.port() + "/" + DATABASE + "?user=admin");
        app.useHandle(h -> {
            h.execute("CREATE TABLE session (id INT AUTO_INCREMENT PRIMARY KEY, player VARCHAR(40) NOT NULL, "
                    + "created_at DATETIME(6) NOT NULL DEFAULT NOW(6)) ENGINE=InnoDB");
            h.execute("CREATE TABLE hand (id INT AUTO_INCREMENT PRIMARY KEY, session_id INT NOT NULL, amount INT, "
                    + "FOREIGN KEY (session_id) REFERENCES session(id)) ENGINE=InnoDB");
            for (int i = 1; i <= 10; i++) {
                h.execute("INSERT INTO session (player, created_at) VALUES (?, NOW(6) - INTERVAL 1 DAY)", "p" + i);
                h.execute("INSERT INTO hand (session_id, amount) VALUES (?, ?), (?, ?)", i, i, i, -i);
            }
        });
    }

    MariaDbDatabase target() {
        return MariaDbDatabase.at("127.0.0.1", server.port(), DATABASE).user("bank").password(PASSWORD).named("db");
    }

    RollbackPlan plan(MariaDbDatabase target) {
        return Rollback.plan("bankroll").on(host).store(dir.resolve("store")).clock(clock).target(target).build();
    }

    long count(String table) {
        return app.withHandle(h -> h.createQuery("SELECT count(*) FROM `" + table + "`").mapTo(Long.class).one());
    }

    List<String> tables() {
        return app.withHandle(h -> h.createQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                + "ORDER BY 1").bind(0, DATABASE).mapTo(String.class).list());
    }

    @Test
    void shouldRestoreTheDumpAfterDumpingTheFailedStateAsideAndCheckEveryTable() {
        RollbackPlan plan = plan(target().acceptDataLoss().verifyBackups());
        RestorePoint before = plan.capture("v1");
        app.useHandle(h -> {
            h.execute("ALTER TABLE session ADD COLUMN stake INT");
            h.execute("DELETE FROM hand WHERE amount < 0");
            h.execute("CREATE TABLE tournament (id INT PRIMARY KEY)");
        });

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(tables()).containsExactly("hand", "session");
        assertThat(count("hand")).isEqualTo(20);
        assertThat(host.commands).anySatisfy(c -> assertThat(c.argv()).contains("--single-transaction", "--no-tablespaces"));
        assertThat(host.commands).allSatisfy(c -> {
            assertThat(String.join(" ", c.argv())).doesNotContain("reboot");
            assertThat(c.env().values()).noneMatch(v -> v.contains("reboot"));
        });
        assertThat(report.toJson()).doesNotContain("reboot");
        // the failed state was dumped first
        RollbackReport back = plan.rollback(plan.store().get(report.setAsidePointId()));
        assertThat(back.outcome()).as(back.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(tables()).containsExactly("hand", "session", "tournament");
        assertThat(count("hand")).isEqualTo(10);
    }

    @Test
    void shouldRefuseToDestroySessionsCreatedAfterTheRestorePoint() {
        RollbackPlan plan = plan(target().writtenAtColumn("session", "created_at"));
        RestorePoint before = plan.capture("v1");
        app.useHandle(h -> h.execute("INSERT INTO session (player) VALUES ('late')"));

        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("1 row(s) of table 'session' inserted after the restore point")
                .hasMessageContaining("1 row(s) of table 'session' written after the restore point (by created_at)");
        assertThat(count("session")).isEqualTo(11);
    }

    @Test
    void shouldNotLetATableNameWithBackquotesAndSemicolonsInject() {
        String evil = "x`; DROP TABLE session; --";
        app.useHandle(h -> {
            h.execute("CREATE TABLE `" + evil.replace("`", "``") + "` (id INT PRIMARY KEY)");
            h.execute("INSERT INTO `" + evil.replace("`", "``") + "` VALUES (1)");
        });
        RollbackPlan plan = plan(target().acceptDataLoss().exportDataLoss(ExportFormat.SQL).expectTables(evil));
        RestorePoint before = plan.capture("v1");
        app.useHandle(h -> h.execute("INSERT INTO `" + evil.replace("`", "``") + "` VALUES (2)"));

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(count("session")).isEqualTo(10);
        assertThat(count(evil.replace("`", "``"))).isEqualTo(1);
    }

    @Test
    void shouldFailTheRestoreWhenAStatementOfTheDumpFailsInsteadOfLoadingTheRest() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        // a dump the mysql client cannot load whole: one statement fails, and one follows it
        Path dump = bin.resolve("mysqldump");
        Files.writeString(dump, "#!/bin/bash\nout=\nfor a in \"$@\"; do case $a in --result-file=*) out=${a#*=};; esac; done\n"
                + which("mysqldump") + " \"$@\" || exit $?\n"
                + "printf '%s\\n' 'INSERT INTO nowhere VALUES (1);' 'CREATE TABLE after_the_error (id INT);' >> \"$out\"\n");
        Files.setPosixFilePermissions(dump, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(bin.resolve("mysql"), Path.of(which("mysql")));
        RestorePoint before = plan(target().tools(bin)).capture("v1");
        app.useHandle(h -> h.execute("DELETE FROM hand WHERE amount < 0"));

        RollbackReport report = plan(target().tools(bin).acceptDataLoss()).rollback(before);

        assertThat(report.outcome()).as(report.toString()).isNotEqualTo(Outcome.SUCCEEDED);
        assertThat(report.toString()).contains("expected the mysql client to load the whole dump")
                .contains("Table '" + DATABASE + ".nowhere' doesn't exist");
        assertThat(tables()).as("the client stopped at the failed statement").doesNotContain("after_the_error");
    }

    private static String which(String program) {
        for (String d : System.getenv("PATH").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return Path.of(d, program).toString();
            }
        }
        throw new IllegalStateException(program + " is not on the PATH");
    }
}
