package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.testing.db.MariaDbServer;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Hosts;
import dev.rollback.testing.TestClock;
import dev.rollback.testing.ForwardingHost;
import dev.rollback.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
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
        return MariaDbDatabase.of("127.0.0.1", server.port(), DATABASE).user("bank").password(PASSWORD).named("db");
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
                .hasMessageContaining("1 row of table 'session' inserted after the restore point")
                .hasMessageContaining("1 row of table 'session' written after the restore point (by created_at)");
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

    List<String> objects(String sql) {
        return app.withHandle(h -> h.createQuery(sql).bind(0, DATABASE).mapTo(String.class).list());
    }

    List<String> routines() {
        return objects("SELECT concat(routine_type, ' ', routine_name) FROM information_schema.routines "
                + "WHERE routine_schema = ? ORDER BY 1");
    }

    List<String> triggers() {
        return objects("SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = ? ORDER BY 1");
    }

    List<String> events() {
        return objects("SELECT event_name FROM information_schema.events WHERE event_schema = ? ORDER BY 1");
    }

    List<String> views() {
        return objects("SELECT table_name FROM information_schema.views WHERE table_schema = ? ORDER BY 1");
    }

    @Test
    void shouldLeaveNoRoutineTriggerEventOrViewCreatedAfterTheCaptureAndBringBackThoseThatExisted() {
        app.useHandle(h -> {
            h.execute("CREATE PROCEDURE add_hand(IN sid INT, IN amt INT) MODIFIES SQL DATA "
                    + "INSERT INTO hand (session_id, amount) VALUES (sid, amt)");
            h.execute("CREATE FUNCTION balance(sid INT) RETURNS INT READS SQL DATA "
                    + "RETURN (SELECT COALESCE(SUM(amount), 0) FROM hand WHERE session_id = sid)");
            h.execute("CREATE TRIGGER hand_default BEFORE INSERT ON hand FOR EACH ROW SET NEW.amount = COALESCE(NEW.amount, 0)");
            h.execute("CREATE EVENT purge_nothing ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM hand WHERE 1 = 0");
            h.execute("CREATE VIEW totals AS SELECT session_id, SUM(amount) AS total FROM hand GROUP BY session_id");
        });
        RollbackPlan plan = plan(target().acceptDataLoss());
        RestorePoint before = plan.capture("v1");
        app.useHandle(h -> {
            h.execute("DROP PROCEDURE add_hand");
            h.execute("DROP FUNCTION balance");
            h.execute("CREATE FUNCTION balance(sid INT) RETURNS INT DETERMINISTIC RETURN 42");
            h.execute("CREATE PROCEDURE `pay``out; DROP DATABASE x`() MODIFIES SQL DATA DELETE FROM hand");
            h.execute("CREATE FUNCTION rake(x INT) RETURNS INT DETERMINISTIC RETURN x DIV 20");
            h.execute("CREATE TRIGGER session_stamp BEFORE UPDATE ON session FOR EACH ROW SET NEW.created_at = NOW(6)");
            h.execute("CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM session WHERE 1 = 0");
            h.execute("CREATE VIEW late AS SELECT * FROM session WHERE id > 10");
        });
        assertThat(events()).as("the server allows events").containsExactly("nightly", "purge_nothing");
        assertThat(plan.preview(before).toString()).contains("drop every event, trigger, routine, view, sequence and table");

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(routines()).containsExactly("FUNCTION balance", "PROCEDURE add_hand");
        assertThat(triggers()).containsExactly("hand_default");
        assertThat(events()).containsExactly("purge_nothing");
        assertThat(views()).containsExactly("totals");
        assertThat(tables()).containsExactly("hand", "session", "totals");
        // those that existed at capture work as they did
        app.useHandle(h -> {
            h.execute("CALL add_hand(3, NULL)");
            assertThat(h.createQuery("SELECT balance(2)").mapTo(Integer.class).one()).isZero();
            assertThat(h.createQuery("SELECT count(*) FROM hand WHERE session_id = 3 AND amount = 0").mapTo(Integer.class)
                    .one()).isEqualTo(1);
            assertThat(h.createQuery("SELECT total FROM totals WHERE session_id = 4").mapTo(Integer.class).one()).isZero();
        });
    }

    /** A real host on which the application writes just before mysqldump starts: inside the capture. */
    static final class WritingDuringDumpHost extends ForwardingHost {
        final Runnable write;

        WritingDuringDumpHost(Runnable write) {
            super(Hosts.local());
            this.write = write;
        }

        @Override
        public CommandResult run(Command command) {
            if (command.argv().get(0).endsWith("mysqldump")) {
                write.run();
            }
            return super.run(command);
        }
    }

    @Test
    void shouldRecordTheRowsTheDumpHoldsWhenTheApplicationWritesDuringTheCapture() {
        String tricky = "o'brien \\ '),(' \n ; `x`\r\\'\n";
        String quotes = "x\\\\n'),(''";
        app.useHandle(h -> h.execute("INSERT INTO session (player) VALUES (?), (?)", tricky, quotes));
        RollbackPlan plan = Rollback.plan("bankroll").on(new WritingDuringDumpHost(() -> app.useHandle(h -> {
            h.execute("INSERT INTO session (player) VALUES ('during 1'), ('during 2'), (?)", tricky + ")");
            h.execute("DELETE FROM hand WHERE id IN (1, 2)");
        }))).store(dir.resolve("store")).clock(clock).target(target().verifyBackups()).build();

        RestorePoint before = plan.capture("v1");

        Map<String, String> recorded = before.snapshot("db").orElseThrow().data();
        assertThat(recorded).containsEntry("rows.session", "15").containsEntry("maxId.session", "15")
                .containsEntry("rows.hand", "18").containsEntry("maxId.hand", "20");
        app.useHandle(h -> h.execute("INSERT INTO session (player) VALUES ('after')"));
        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("1 row of table 'session' inserted after the restore point");
        RollbackReport report = Rollback.plan("bankroll").on(host).store(dir.resolve("store")).clock(clock)
                .target(target().acceptDataLoss()).build().rollback(before);
        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(count("session")).isEqualTo(15);
        assertThat(count("hand")).isEqualTo(18);
        List<String> players = app.withHandle(h -> h.createQuery("SELECT player FROM session WHERE id > 10 ORDER BY id")
                .mapTo(String.class).list());
        assertThat(players).containsExactly(tricky, quotes, "during 1", "during 2", tricky + ")");
    }

    Flyway flyway(Path locations) {
        return Flyway.configure().dataSource("jdbc:mariadb://127.0.0.1:" + server.port() + "/" + DATABASE, "bank", PASSWORD)
                .locations("filesystem:" + locations).baselineOnMigrate(true).baselineVersion("1").load();
    }

    List<Map<String, Object>> history() {
        return app.withHandle(h -> h.createQuery("SELECT installed_rank, version, type, script, checksum, success "
                + "FROM flyway_schema_history ORDER BY installed_rank").mapToMap().list());
    }

    @Test
    void shouldTakeAFlywayHistoryWithABaselineARepeatableAndAFailedMigrationBackToTheCapturedVersion() throws Exception {
        Path release2 = Files.createDirectories(dir.resolve("release-2"));
        Files.writeString(release2.resolve("V2__stake.sql"), "ALTER TABLE session ADD COLUMN stake INT;\n");
        Files.writeString(release2.resolve("R__totals.sql"),
                "CREATE OR REPLACE VIEW totals AS SELECT session_id, SUM(amount) AS total FROM hand GROUP BY session_id;\n");
        Path release3 = Files.createDirectories(dir.resolve("release-3"));
        Files.copy(release2.resolve("V2__stake.sql"), release3.resolve("V2__stake.sql"));
        Files.copy(release2.resolve("R__totals.sql"), release3.resolve("R__totals.sql"));
        Files.writeString(release3.resolve("V3__tournament.sql"), "CREATE TABLE tournament (id INT PRIMARY KEY);\n"
                + "ALTER TABLE no_such_table ADD COLUMN prize INT;\n");
        flyway(release2).migrate();
        List<Map<String, Object>> captured = history();
        assertThat(captured).extracting(r -> r.get("type")).containsExactly("BASELINE", "SQL", "SQL");
        RollbackPlan plan = plan(target().flywayHistory());
        RestorePoint before = plan.capture("v2");
        assertThat(before.snapshot("db").orElseThrow().data()).containsEntry("flyway.rank", "3")
                .containsEntry("flyway.version", "2").containsEntry("flyway.failed", "");
        // MariaDB cannot take DDL back: the broken V3 leaves its table and a failed row behind
        assertThatThrownBy(() -> flyway(release3).migrate()).isInstanceOf(FlywayException.class);
        assertThat(history()).last().satisfies(r -> assertThat(r.get("success")).isIn(false, 0, (byte) 0));
        assertThat(tables()).contains("tournament");

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(history()).isEqualTo(captured);
        assertThat(tables()).containsExactly("flyway_schema_history", "hand", "session", "totals");
        assertThat(plan.store().get(report.setAsidePointId()).snapshot("db").orElseThrow().data())
                .containsEntry("flyway.rank", "4").containsEntry("flyway.version", "2").containsEntry("flyway.failed", "4");
        Flyway old = flyway(release2);
        assertThat(old.validateWithResult().validationSuccessful).isTrue();
        assertThat(old.info().current().getVersion().getVersion()).isEqualTo("2");
        // the fixed V3 applies cleanly on the restored schema
        Files.writeString(release3.resolve("V3__tournament.sql"), "CREATE TABLE tournament (id INT PRIMARY KEY);\n");
        assertThat(flyway(release3).migrate().migrationsExecuted).isEqualTo(1);
    }
}
