package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.targets.Directory;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandMigrationsTest {

    @TempDir
    Path dir;

    @Test
    void shouldMoveToTheCapturedRevisionWithTheRevisionAsOneArgument() throws Exception {
        Path state = dir.resolve("revision");
        String revision = "0042_add_slug'; touch pwned; echo '";
        Files.writeString(state, revision + "\n");
        CommandMigrations m = CommandMigrations.of("schema", List.of("cat", "revision"),
                List.of("python3", "-c", "import sys; open('revision', 'w').write(sys.argv[1] + '\\n')", "{revision}")).in(dir);
        RollbackPlan plan = Rollback.plan("app").store(dir.resolve("store")).clock(new TestClock()).target(m).build();
        RestorePoint before = plan.capture("v1");
        Files.writeString(state, "0043\n");

        RollbackReport report = plan.rollback(before);

        // the migrate command received the revision as one argument, never through a shell
        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(state)).isEqualTo(revision + "\n");
        assertThat(dir.resolve("pwned")).doesNotExist();
    }

    @Test
    void shouldRejectAMigrateCommandWithoutThePlaceholder() {
        assertThatThrownBy(() -> CommandMigrations.of("schema", List.of("tool", "version"), List.of("tool", "down")))
                .hasMessageContaining("expected {revision} in the migrate command");
    }

    // ---- a team's own tool on a history of numbered SQL scripts ------------------------------------

    Path scripts;
    Path db;
    Path shelf;

    void release(String head) throws Exception {
        try (Stream<Path> s = Files.list(scripts)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        try (Stream<Path> s = Files.list(shelf)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().compareTo(head + "_~") < 0) {
                    Files.copy(p, scripts.resolve(p.getFileName()));
                }
            }
        }
    }

    void migrate(String revision) throws Exception {
        dev.rollback.host.Hosts.local().run(dev.rollback.host.Command.of("/usr/bin/python3", tool().toString(), scripts.toString(),
                db.toString(), "goto", revision)).requireSuccess();
    }

    Path tool() throws Exception {
        return Path.of(getClass().getResource("/sqlmigrate/migrate.py").toURI());
    }

    RollbackPlan teamPlan(List<String> order, FailurePolicy policy) throws Exception {
        CommandMigrations m = CommandMigrations.of("migrations",
                List.of("/usr/bin/python3", tool().toString(), "{scripts}", db.toString(), "current"),
                List.of("/usr/bin/python3", tool().toString(), "{scripts}", db.toString(), "goto", "{revision}"))
                .scripts(scripts).database(SqliteDatabase.of(db).named("db"));
        RollbackPlanBuilder b = Rollback.plan("crm").store(dir.resolve("store")).onFailure(policy);
        for (String t : order) {
            b = b.target(t.equals("code") ? Directory.backup(scripts).named("code") : m);
        }
        return b.build();
    }

    Map<String, List<Map<String, Object>>> rows() {
        return Jdbi.create("jdbc:sqlite:" + db).withHandle(h -> {
            Map<String, List<Map<String, Object>>> out = new java.util.TreeMap<>();
            for (String t : dev.rollback.db.internal.Catalog.tables(h, dev.rollback.db.internal.Dialect.sqlite())) {
                out.put(t, new ArrayList<>(h.createQuery("SELECT * FROM \"" + t + "\" ORDER BY 1").mapToMap().list()));
            }
            return out;
        });
    }

    void setUpTeamTool() throws Exception {
        scripts = dir.resolve("app").resolve("migrations");
        Files.createDirectories(scripts);
        shelf = tool().resolveSibling("scripts");
        db = dir.resolve("app").resolve("crm.db");
    }

    @Test
    void shouldMoveWithTheScriptsItKeptWhenTheCodeGoesBackFirstAndUndo() throws Exception {
        setUpTeamTool();
        release("003");
        migrate("003");
        RollbackPlan plan = teamPlan(List.of("code", "migrations"), FailurePolicy.HALT);
        RestorePoint v1 = plan.capture("v1");
        release("004");
        migrate("004");
        Jdbi.create("jdbc:sqlite:" + db).useHandle(h -> {
            h.execute("INSERT INTO customer (id, name, email) VALUES (1, 'Ada', 'ada@example.com')");
            h.execute("INSERT INTO audit (customer_id, what) VALUES (1, 'created')");
        });

        RollbackReport report = plan.rollback(v1);

        // the code went back first and took 004's scripts away; the kept copy still had its down migration
        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(rows()).doesNotContainKey("audit").containsKey("customer");
        assertThat(scripts.resolve("004_audit.up.sql")).doesNotExist();
        RollbackReport undo = plan.undo(report);
        assertThat(undo.outcome()).as(undo.toMarkdown()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(rows()).containsKey("audit");
        assertThat(scripts.resolve("004_audit.up.sql")).exists();
    }

    @Test
    void shouldPutBackAMoveThatFailedHalfWayFromTheBackupRowForRow() throws Exception {
        setUpTeamTool();
        release("002");
        migrate("002");
        RollbackPlan plan = teamPlan(List.of("migrations", "code"), FailurePolicy.RESTORE_FAILED_STATE);
        RestorePoint v1 = plan.capture("v1");
        release("004");
        migrate("004");
        Jdbi.create("jdbc:sqlite:" + db).useHandle(h -> {
            h.execute("INSERT INTO customer (id, name, email) VALUES (1, 'Ada', 'ada@example.com'), (2, 'Alan', NULL)");
            h.execute("INSERT INTO orders (customer_id, total) VALUES (1, 9.5)");
            h.execute("INSERT INTO audit (customer_id, what) VALUES (1, 'created'), (2, 'created')");
        });
        Map<String, List<Map<String, Object>>> before = rows();

        RollbackReport report = plan.rollback(v1);

        // 004 went down (audit dropped with its rows), then 003's hand-written down failed: the backup put it all back
        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.PUT_BACK);
        assertThat(String.join("\n", report.errors())).contains("down 003 failed", "the revision is now 003",
                "table 'audit' (2 rows) is gone", "no row is lost");
        assertThat(rows()).isEqualTo(before);
    }
}
