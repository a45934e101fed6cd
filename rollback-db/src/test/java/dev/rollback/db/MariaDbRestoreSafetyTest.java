package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.CaptureFailedException;
import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.StepStatus;
import dev.rollback.testing.db.MariaDbServer;
import dev.rollback.host.Hosts;
import dev.rollback.testing.TestClock;
import dev.rollback.testing.Requirements;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MariaDB dump must always load back into the database it came from, by the account that
 * captured it: objects defined by other accounts, a dump that fails half way, and the undo of a
 * rollback compared row for row.
 */
@ExtendWith(MariaDbServer.Extension.class)
class MariaDbRestoreSafetyTest {

    static final String DATABASE = "ledger";
    static final String PASSWORD = "clerk pw";

    @TempDir
    Path dir;

    final MariaDbServer server;
    final TestClock clock = new TestClock();
    Jdbi admin;

    MariaDbRestoreSafetyTest(MariaDbServer server) {
        this.server = server;
    }

    @BeforeEach
    void createDatabase() {
        Requirements.require(Requirements.onPath("mysqldump") && Requirements.onPath("mysql"),
                "the MariaDB client tools (mysqldump, mysql; .ci/setup-db.sh)");
        admin = server.root();
        admin.useHandle(h -> {
            h.execute("DROP DATABASE IF EXISTS `" + DATABASE + "`");
            h.execute("DROP DATABASE IF EXISTS rates");
            h.execute("CREATE DATABASE `" + DATABASE + "`");
            // an application's account: everything in its database, nothing on the server (no SET USER)
            for (String from : new String[] {"%", "localhost", "127.0.0.1"}) {
                h.execute("DROP USER IF EXISTS 'clerk'@'" + from + "'");
                h.execute("CREATE USER 'clerk'@'" + from + "' IDENTIFIED BY ?", PASSWORD);
                h.execute("GRANT ALL ON `" + DATABASE + "`.* TO 'clerk'@'" + from + "'");
            }
            h.execute("USE `" + DATABASE + "`");
            h.execute("CREATE TABLE entry (id INT AUTO_INCREMENT PRIMARY KEY, account VARCHAR(20) NOT NULL, amount INT)");
            h.execute("CREATE TABLE balance (account VARCHAR(20) PRIMARY KEY, total INT NOT NULL)");
            for (int i = 1; i <= 30; i++) {
                h.execute("INSERT INTO entry (account, amount) VALUES (?, ?)", "a" + (i % 5), i * 10);
            }
            h.execute("INSERT INTO balance SELECT account, sum(amount) FROM entry GROUP BY account");
        });
    }

    Jdbi ledger() {
        return Jdbi.create("jdbc:mariadb://127.0.0.1:" + server.port() + "/" + DATABASE + "?user=admin");
    }

    MariaDbDatabase target() {
        return MariaDbDatabase.of("127.0.0.1", server.port(), DATABASE).user("clerk").password(PASSWORD).named("db")
                .acceptDataLoss();
    }

    RollbackPlan plan(MariaDbDatabase target, FailurePolicy policy) {
        return Rollback.plan("ledger").on(Hosts.local()).store(dir.resolve("store")).clock(clock).target(target)
                .onFailure(policy).build();
    }

    /** A trigger and a view created by the administrator: their DEFINER is 'admin'@'localhost'. */
    void objectsOfAnotherAccount() {
        ledger().useHandle(h -> {
            h.execute("CREATE DEFINER = 'admin'@'localhost' TRIGGER entry_total AFTER INSERT ON entry FOR EACH ROW "
                    + "INSERT INTO balance VALUES (NEW.account, NEW.amount) ON DUPLICATE KEY UPDATE total = total + NEW.amount");
            h.execute("CREATE DEFINER = 'admin'@'localhost' VIEW rich AS SELECT account FROM balance WHERE total > 500");
        });
    }

    /** Every table's rows in order, and the views, triggers and routines with their definers. */
    Map<String, List<String>> state() {
        return ledger().withHandle(h -> {
            Map<String, List<String>> out = new TreeMap<>();
            for (String t : h.createQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                    + "AND table_type = 'BASE TABLE' ORDER BY 1").bind(0, DATABASE).mapTo(String.class).list()) {
                out.put("table " + t, h.createQuery("SELECT * FROM `" + t + "`").mapToMap().list().stream()
                        .map(r -> new TreeMap<>(r).toString()).sorted().toList());
            }
            out.put("objects", h.createQuery("SELECT concat('trigger ', trigger_name, ' ', definer) FROM "
                    + "information_schema.triggers WHERE trigger_schema = :d UNION ALL SELECT concat('view ', table_name, "
                    + "' ', definer) FROM information_schema.views WHERE table_schema = :d ORDER BY 1")
                    .bind("d", DATABASE).mapTo(String.class).list());
            return out;
        });
    }

    void badDeploy() {
        ledger().useHandle(h -> {
            h.execute("ALTER TABLE entry ADD COLUMN note VARCHAR(40)");
            h.execute("INSERT INTO entry (account, amount, note) VALUES ('a1', -500, 'refund'), ('a9', 1, 'new')");
            h.execute("DELETE FROM entry WHERE id < 8");
            h.execute("CREATE TABLE fee (id INT PRIMARY KEY, percent INT)");
            h.execute("INSERT INTO fee VALUES (1, 3)");
        });
    }

    @Test
    void shouldRefuseToCaptureADumpWithObjectsOfAnotherAccountNamingThem() {
        objectsOfAnotherAccount();
        RollbackPlan plan = plan(target(), FailurePolicy.HALT);

        assertThatThrownBy(() -> plan.capture("v1")).isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("expected a dump the account clerk can load back")
                .hasMessageContaining("trigger `entry_total` (DEFINER `admin`@`localhost`)")
                .hasMessageContaining("view `rich` (DEFINER `admin`@`localhost`)")
                .hasMessageContaining("rewriteDefiners()");
        assertThat(plan.restorePoints()).isEmpty();
    }

    @Test
    void shouldRefuseBeforeAnyChangeToRestoreSuchADumpAndRestoreItWithTheDefinersRewritten() {
        objectsOfAnotherAccount();
        RollbackPlan rewriting = plan(target().rewriteDefiners(), FailurePolicy.HALT);
        RestorePoint before = rewriting.capture("v1");
        Map<String, List<String>> good = state();
        badDeploy();
        ledger().useHandle(h -> h.execute("DROP TRIGGER entry_total"));
        Map<String, List<String>> bad = state();

        assertThatThrownBy(() -> plan(target(), FailurePolicy.HALT).rollback(before))
                .isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("objects defined by other accounts, which need the SET USER privilege it lacks: "
                        + "trigger `entry_total` (DEFINER `admin`@`localhost`); view `rich` (DEFINER `admin`@`localhost`)")
                .hasMessageContaining("a database whose set-aside the account clerk can load back");
        assertThat(state()).isEqualTo(bad);

        RollbackReport report = rewriting.rollback(before);

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        Map<String, List<String>> now = state();
        assertThat(now).containsAllEntriesOf(Map.of("table entry", good.get("table entry"), "table balance",
                good.get("table balance")));
        assertThat(now.get("objects")).hasSize(2).allSatisfy(o -> assertThat(o).contains(" clerk@"))
                .anySatisfy(o -> assertThat(o).startsWith("trigger entry_total "))
                .anySatisfy(o -> assertThat(o).startsWith("view rich "));
        // the trigger works as the clerk's
        ledger().useHandle(h -> h.execute("INSERT INTO entry (account, amount) VALUES ('a2', 1000)"));
        int total = ledger().withHandle(h -> h.createQuery("SELECT total FROM balance WHERE account = 'a2'")
                .mapTo(Integer.class).one());
        assertThat(total).isEqualTo(1000 + 20 + 70 + 120 + 170 + 220 + 270);
    }

    @Test
    void shouldPutTheSetAsideDumpBackWhenARestoreFailsHalfWay() {
        // a view over another database that the bad deploy dropped: the dump's tables load, then the view fails
        admin.useHandle(h -> {
            h.execute("CREATE DATABASE rates");
            h.execute("CREATE TABLE rates.fx (currency CHAR(3) PRIMARY KEY, rate DECIMAL(8, 4))");
            h.execute("INSERT INTO rates.fx VALUES ('EUR', 1.0000), ('CHF', 0.9400)");
            for (String from : new String[] {"%", "localhost", "127.0.0.1"}) {
                h.execute("GRANT SELECT ON rates.* TO 'clerk'@'" + from + "'");
            }
        });
        Jdbi clerk = Jdbi.create("jdbc:mariadb://127.0.0.1:" + server.port() + "/" + DATABASE, "clerk", PASSWORD);
        clerk.useHandle(h -> h.execute("CREATE VIEW priced AS "
                + "SELECT e.id, e.amount * f.rate AS eur FROM entry e JOIN rates.fx f ON f.currency = 'CHF'"));
        RollbackPlan plan = plan(target(), FailurePolicy.CONTINUE);
        RestorePoint before = plan.capture("v1");
        badDeploy();
        ledger().useHandle(h -> h.execute("DROP VIEW priced"));
        admin.useHandle(h -> h.execute("DROP DATABASE rates"));
        Map<String, List<String>> bad = state();

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.COMPLETED_WITH_ERRORS);
        assertThat(report.steps()).filteredOn(s -> s.status() == StepStatus.FAILED).extracting(StepRecord::detail)
                .singleElement().asString().contains("ERROR 1146", "after every object of the database was dropped",
                        "the state set aside just before the restore was loaded back, so target 'db' is as the rollback "
                                + "found it");
        assertThat(state()).isEqualTo(bad);
    }

    @Test
    void shouldBringTheFailedStateBackExactlyWhenUndoingARollback() {
        RollbackPlan plan = plan(target(), FailurePolicy.HALT);
        Map<String, List<String>> good = state();
        RestorePoint before = plan.capture("v1");
        badDeploy();
        Map<String, List<String>> bad = state();
        RollbackReport rollback = plan.rollback(before);
        assertThat(rollback.outcome()).as(rollback.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(state()).isEqualTo(good);

        RollbackReport undo = plan.undo(rollback);

        assertThat(undo.outcome()).as(undo.toMarkdown()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(state()).isEqualTo(bad);
        assertThat(undo.checks()).singleElement().satisfies(c -> assertThat(c.detail())
                .startsWith("3 tables, no more, each with the columns, the rows (31 in all)"));
    }
}
