package dev.rollback.db;

import static dev.rollback.db.AlembicMicroblog.B;
import static dev.rollback.db.AlembicMicroblog.C;
import static dev.rollback.db.AlembicMicroblog.CHAIN;
import static dev.rollback.db.AlembicMicroblog.D;
import static dev.rollback.db.AlembicMicroblog.F;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.Resume;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPreview;
import dev.rollback.RollbackReport;
import dev.rollback.spi.Snapshot;
import dev.rollback.TargetState;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Codec;
import dev.rollback.db.internal.Dialect;
import dev.rollback.host.Command;
import dev.rollback.host.Hosts;
import dev.rollback.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A microblog's Alembic history (six revisions, SQLite with foreign keys on, batch rebuilds of a
 * parent table, plain drop_column, file names and dates out of chain order) rolled back with the
 * real Alembic through every plan order and failure policy; schemas compared by meaning (columns,
 * indexes, foreign keys) with databases migrated from nothing, and rows compared one by one.
 * {@link FlaskMigrateRealHistoryTest} runs the same through Flask-Migrate.
 */
class AlembicRealHistoryTest {

    @TempDir
    Path dir;

    Path project;
    Path versions;
    Path all;
    Path db;

    /** Whether the project is run through Flask-Migrate ({@code flask db}) instead of Alembic's own command. */
    boolean flask() {
        return false;
    }

    String tool() {
        return String.join(" ", AlembicMicroblog.tool(flask()));
    }

    @BeforeEach
    void copyProject() throws Exception {
        Requirements.require(Files.isExecutable(Path.of("/usr/bin/alembic")), "Debian's alembic (.ci/setup-db.sh)");
        project = dir.resolve("microblog");
        if (flask()) {
            Requirements.require(Hosts.local().run(Command.of("/usr/bin/python3", "-c", "import flask_migrate, "
                    + "flask_sqlalchemy")).succeeded(), "Debian's python3-flask-migrate (.ci/setup-db.sh)");
            copyTree(Path.of(getClass().getResource("/flask-microblog").toURI()), project);
            copyTree(Path.of(getClass().getResource("/alembic-microblog/migrations/versions").toURI()),
                    project.resolve("migrations").resolve("versions"));
        } else {
            copyTree(Path.of(getClass().getResource("/alembic-microblog").toURI()), project);
        }
        versions = project.resolve("migrations").resolve("versions");
        all = dir.resolve("all-scripts");
        copyTree(versions, all);
        db = project.resolve("microblog.db");
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    /** Leaves in {@code folder} exactly the scripts of the chain up to {@code head}: what release {@code head} ships. */
    void release(Path folder, String head) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.toList()) {
                if (Files.isRegularFile(p)) {
                    Files.delete(p);
                }
            }
        }
        for (String r : CHAIN.subList(0, CHAIN.indexOf(head) + 1)) {
            try (Stream<Path> s = Files.list(all)) {
                Path f = s.filter(p -> p.getFileName().toString().startsWith(r)).findFirst().orElseThrow();
                Files.copy(f, folder.resolve(f.getFileName()));
            }
        }
    }

    void alembic(Path in, String... args) {
        List<String> argv = new ArrayList<>(AlembicMicroblog.tool(flask()));
        argv.addAll(List.of(args));
        Hosts.local().run(Command.of(argv).in(in).env("PYTHONDONTWRITEBYTECODE", "1").env("FLASK_APP", "app.py"))
                .requireSuccess();
    }

    String revision() {
        return sql(db, h -> h.createQuery("SELECT version_num FROM alembic_version").mapTo(String.class).one());
    }

    static <R> R sql(Path file, org.jdbi.v3.core.HandleCallback<R, RuntimeException> work) {
        return Jdbi.create("jdbc:sqlite:" + file).withHandle(work);
    }

    void exec(String... statements) {
        Jdbi.create("jdbc:sqlite:" + db).useHandle(h -> {
            h.execute("PRAGMA foreign_keys=ON");
            for (String s : statements) {
                h.execute(s);
            }
        });
    }

    /** Release v1 (up to {@code head}) deployed and used: users who post and follow each other. */
    void v1(String head) throws IOException {
        release(versions, head);
        alembic(project, "upgrade", "head");
        exec("INSERT INTO user (id, username, email) VALUES (1, 'susan', 'susan@example.com'), "
                        + "(2, 'john', 'john@example.com'), (3, 'mary', 'mary@example.com')",
                "INSERT INTO post (id, body, timestamp, user_id) VALUES (1, 'first!', '2017-09-20 10:00:00', 1), "
                        + "(2, 'hello', '2017-09-20 11:00:00', 2), (3, 'tea?', '2017-09-21 08:30:00', 1)",
                "INSERT INTO followers VALUES (1, 2), (2, 1), (3, 1)");
        if (CHAIN.indexOf(head) >= CHAIN.indexOf(C)) {
            exec("UPDATE user SET about_me = 'writes', last_seen = '2017-09-21 09:00:00' WHERE id IN (1, 2)");
        }
    }

    /** Release v2 (up to F) deployed over it and used: messages, languages, a pinned post, notifications. */
    void v2() throws IOException {
        release(versions, F);
        alembic(project, "upgrade", "head");
        exec("INSERT INTO user (id, username, email, about_me) VALUES (4, 'ana', 'ana@example.com', 'new here')",
                "UPDATE user SET about_me = 'reads', last_seen = '2017-12-01 10:00:00', "
                        + "last_message_read_time = '2017-12-01 10:05:00' WHERE id = 3",
                "INSERT INTO post (id, body, timestamp, user_id, language, pinned) VALUES "
                        + "(4, 'hola', '2017-12-01 09:00:00', 4, 'es', 1), (5, 'bonjour', '2017-12-01 09:30:00', 3, 'fr', 0)",
                "UPDATE post SET language = 'en' WHERE id = 1",
                "INSERT INTO followers VALUES (4, 1)",
                "INSERT INTO message (id, sender_id, recipient_id, body, timestamp) VALUES "
                        + "(1, 1, 2, 'hi john', '2017-12-01 10:00:00'), (2, 2, 1, 'hi susan', '2017-12-01 10:01:00'), "
                        + "(3, 4, 1, 'hello', '2017-12-01 10:02:00')",
                "INSERT INTO notification (id, name, user_id, timestamp, payload_json) VALUES "
                        + "(1, 'unread_message_count', 1, 1512122520.0, '2'), (2, 'unread_message_count', 2, 1512122460.0, '1')");
    }

    /** Every row of every table but Alembic's, as maps sorted by the row's text, by table. */
    static Map<String, List<Map<String, Object>>> rows(Path file) {
        return sql(file, h -> {
            Map<String, List<Map<String, Object>>> out = new TreeMap<>();
            for (String t : Catalog.tables(h, Dialect.sqlite())) {
                if (!t.equals("alembic_version")) {
                    List<Map<String, Object>> rows = new ArrayList<>(h.createQuery("SELECT * FROM \"" + t + "\"")
                            .mapToMap().list().stream().map(r -> (Map<String, Object>) new TreeMap<>(r)).toList());
                    rows.sort((a, b) -> a.toString().compareTo(b.toString()));
                    out.put(t, rows);
                }
            }
            return out;
        });
    }

    /** The rows with only the columns each table has in {@code schema}. */
    static Map<String, List<Map<String, Object>>> project(Map<String, List<Map<String, Object>>> rows,
            Map<String, List<String>> columns) {
        Map<String, List<Map<String, Object>>> out = new TreeMap<>();
        rows.forEach((t, list) -> {
            if (columns.containsKey(t)) {
                out.put(t, new ArrayList<>(list.stream().map(r -> {
                    Map<String, Object> m = new TreeMap<>(r);
                    m.keySet().retainAll(columns.get(t));
                    return (Map<String, Object>) m;
                }).toList()));
            }
        });
        return out;
    }

    /** The schema by meaning: per table its columns (name, type, not null, key), indexes and foreign keys. */
    static Map<String, String> schema(Path file) {
        return sql(file, h -> {
            Map<String, String> out = new TreeMap<>();
            for (String t : Catalog.tables(h, Dialect.sqlite())) {
                List<String> cols = h.createQuery("SELECT name || ' ' || upper(type) || CASE WHEN \"notnull\" THEN ' NOT NULL' "
                        + "ELSE '' END || CASE WHEN pk > 0 THEN ' KEY' ELSE '' END FROM pragma_table_info(?) ORDER BY name")
                        .bind(0, t).mapTo(String.class).list();
                List<String> indexes = h.createQuery("SELECT il.name || CASE WHEN il.\"unique\" THEN ' UNIQUE' ELSE '' END || ' ('"
                        + " || (SELECT group_concat(name) FROM pragma_index_info(il.name)) || ')' FROM pragma_index_list(?) il "
                        + "WHERE il.origin = 'c' ORDER BY il.name").bind(0, t).mapTo(String.class).list();
                List<String> fks = Catalog.foreignKeys(h, Dialect.sqlite(), t).stream().map(k -> k.childColumns() + "->"
                        + k.parent() + k.parentColumns()).sorted().toList();
                out.put(t, cols + " " + indexes + " " + fks);
            }
            return out;
        });
    }

    static Map<String, List<String>> columns(Path file) {
        return sql(file, h -> {
            Map<String, List<String>> out = new TreeMap<>();
            for (String t : Catalog.tables(h, Dialect.sqlite())) {
                out.put(t, Catalog.columns(h, Dialect.sqlite(), t));
            }
            return out;
        });
    }

    /** A database migrated from nothing to {@code head} by release {@code head}'s scripts. */
    Path reference(String head) throws Exception {
        Path ref = dir.resolve("reference-" + head);
        if (!Files.exists(ref)) {
            copyTree(project.resolve("migrations"), ref.resolve("migrations"));
            for (String f : List.of("alembic.ini", "app.py")) {
                if (Files.exists(project.resolve(f))) {
                    Files.copy(project.resolve(f), ref.resolve(f));
                }
            }
            release(ref.resolve("migrations").resolve("versions"), head);
            alembic(ref, "upgrade", "head");
        }
        return ref.resolve("microblog.db");
    }

    RollbackPlan plan(List<String> order, FailurePolicy policy) {
        return AlembicMicroblog.plan(dir, project, order, policy, null, flask());
    }

    static List<String> actions(RollbackPreview p, String target) {
        return p.stepsOf(target).stream().flatMap(s -> s.actions().stream()).toList();
    }

    static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> !l.isEmpty()).toList();
    }

    // ---- a downgrade that completes -----------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"code,migrations", "migrations,code", "db,migrations,code", "code,migrations,db"})
    void shouldRollBackAndUndoInEveryOrderWithoutLosingARow(String orderText) throws Exception {
        List<String> order = List.of(orderText.split(","));
        boolean withDb = order.contains("db");
        v1(C);
        RollbackPlan plan = plan(order, FailurePolicy.HALT);
        RestorePoint v1 = plan.capture("v1.1");
        Map<String, List<Map<String, Object>>> atCapture = rows(db);
        v2();
        Map<String, List<Map<String, Object>>> beforeRollback = rows(db);
        Map<String, String> schemaV2 = schema(db);

        RollbackPreview preview = plan.preview(v1);
        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(revision()).isEqualTo(C);
        assertThat(schema(db)).isEqualTo(schema(reference(C)));
        assertThat(Files.list(versions).map(p -> p.getFileName().toString().substring(0, 12)).sorted().toList())
                .containsExactlyInAnyOrderElementsOf(CHAIN.subList(0, 3));
        if (withDb) {
            assertThat(rows(db)).isEqualTo(atCapture);
        } else {
            // the rows written after the deploy stay; only what the downgrade drops goes, and it is exported
            assertThat(rows(db)).isEqualTo(project(beforeRollback, columns(reference(C))));
            List<String> plan1 = actions(preview, "migrations");
            assertThat(plan1).anySatisfy(a -> assertThat(a).startsWith(tool() + " downgrade " + C + " (from " + F
                    + ") through [" + F + ", 2b017edaa91f, " + D + "] with a copy of the scripts of the live folder"));
            assertThat(plan1).contains(
                    "point of no return: migration " + F + " drops table 'notification', which holds 2 rows (accepted)",
                    "point of no return: migration 2b017edaa91f drops column 'pinned' of table 'post', which holds values "
                            + "in 1 row (accepted)",
                    "point of no return: migration 2b017edaa91f drops column 'language' of table 'post', which holds "
                            + "values in 3 rows (accepted)",
                    "point of no return: migration " + D + " drops column 'last_message_read_time' of table 'user', which "
                            + "holds values in 1 row (accepted)",
                    "point of no return: migration " + D + " drops table 'message', which holds 3 rows (accepted)");
            Snapshot aside = plan.store().get(report.setAsidePointId()).snapshot("migrations").orElseThrow();
            Path asideDir = plan.store().artifactDir(plan.store().get(report.setAsidePointId()), "migrations");
            List<String> files = Codec.decode(aside.require("lost.files"));
            assertThat(files).hasSize(5);
            Map<String, Integer> exported = new LinkedHashMap<>();
            for (String f : files) {
                exported.put(f, lines(asideDir.resolve(f)).size() - 1);
            }
            // the counts in the preview are the rows exported
            assertThat(exported.values()).containsExactly(2, 1, 3, 3, 1);
            assertThat(Files.readString(asideDir.resolve(files.get(3)))).contains("hi john", "hi susan", "hello");
        }

        if (!withDb) {
            // written while release v1 runs again: undoing the rollback upgrades, it does not restore the backup
            exec("INSERT INTO post (id, body, timestamp, user_id) VALUES (6, 'back on v1', '2017-12-02 08:00:00', 2)");
        }
        RollbackReport undo = plan.undo(report);

        assertThat(undo.outcome()).as(undo.toMarkdown()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(revision()).isEqualTo(F);
        assertThat(schema(db)).isEqualTo(schemaV2).isEqualTo(schema(reference(F)));
        assertThat(Files.list(versions).count()).isEqualTo(CHAIN.size());
        if (withDb) {
            assertThat(rows(db)).isEqualTo(beforeRollback);
        } else {
            // upgraded again: the surviving columns' rows are all there, and the post written on v1; the dropped
            // values are in the exports and the backup of the set-aside point
            Map<String, List<Map<String, Object>>> now = project(rows(db), columns(reference(C)));
            assertThat(now.get("post")).hasSize(6).anySatisfy(r -> assertThat(r).containsEntry("body", "back on v1"));
            now.get("post").removeIf(r -> "back on v1".equals(r.get("body")));
            assertThat(now).isEqualTo(project(beforeRollback, columns(reference(C))));
        }

        RollbackReport again = plan.rollback(v1);
        assertThat(again.outcome()).as(again.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(revision()).isEqualTo(C);
        assertThat(schema(db)).isEqualTo(schema(reference(C)));
    }

    // ---- a downgrade that fails half way ------------------------------------------------------

    /** v1 at B, v2 deployed: the downgrade to B runs F, E and D, then fails rebuilding 'user' under its children. */
    RollbackReport halfDone(List<String> order, FailurePolicy policy, Map<String, List<Map<String, Object>>> before)
            throws Exception {
        v1(B);
        RollbackPlan plan = plan(order, policy);
        RestorePoint v1 = plan.capture("v1.0");
        v2();
        before.putAll(rows(db));
        return plan.rollback(v1);
    }

    void assertBackAsBefore(Map<String, List<Map<String, Object>>> before, Map<String, String> schemaBefore)
            throws Exception {
        assertThat(revision()).isEqualTo(F);
        assertThat(rows(db)).isEqualTo(before);
        assertThat(schema(db)).isEqualTo(schemaBefore).isEqualTo(schema(reference(F)));
        List<String> tables = sql(db, h -> Catalog.tables(h, Dialect.sqlite()));
        assertThat(tables).noneMatch(t -> t.startsWith("_alembic_tmp"));
        assertThat(Files.list(versions).count()).isEqualTo(CHAIN.size());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"code,migrations", "migrations,code"})
    void shouldPutBackAHalfDoneDowngradeRowForRowUnderRestoreFailedState(String orderText) throws Exception {
        Map<String, List<Map<String, Object>>> before = new TreeMap<>();
        RollbackReport report = halfDone(List.of(orderText.split(",")), FailurePolicy.RESTORE_FAILED_STATE, before);

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.PUT_BACK);
        assertThat(report.target("migrations").orElseThrow().state()).isEqualTo(TargetState.PUT_BACK);
        assertThat(String.join("\n", report.errors())).contains("FOREIGN KEY constraint failed",
                "revisions downgraded before the failure: [" + F + ", 2b017edaa91f, " + D + "]",
                "table 'message' (3 rows) is gone", "_alembic_tmp_user");
        assertBackAsBefore(before, schema(reference(F)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"code,migrations", "migrations,code"})
    void shouldHaltAHalfDoneDowngradeSayWhatRanAndPutItBackOnResume(String orderText) throws Exception {
        List<String> order = List.of(orderText.split(","));
        Map<String, List<Map<String, Object>>> before = new TreeMap<>();
        RollbackReport report = halfDone(order, FailurePolicy.HALT, before);

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.HALTED);
        String detail = report.target("migrations").orElseThrow().detail();
        assertThat(detail).contains("revisions downgraded before the failure: [" + F + ", 2b017edaa91f, " + D + "]",
                "the database is at revision " + C, "table 'message' (3 rows) is gone",
                "table 'notification' (2 rows) is gone", "lacks columns [language, pinned]",
                "table '_alembic_tmp_user' was not in the database before the rollback",
                "no row is lost", "plan.resume(Resume.undoing())");

        RollbackReport undone = plan(order, FailurePolicy.HALT).resume(Resume.undoing());

        assertThat(undone.outcome()).as(undone.toMarkdown()).isEqualTo(Outcome.PUT_BACK);
        assertBackAsBefore(before, schema(reference(F)));
    }

    @Test
    void shouldContinuePastAHalfDoneDowngradeAndUndoItFromTheBackup() throws Exception {
        Map<String, List<Map<String, Object>>> before = new TreeMap<>();
        List<String> order = List.of("code", "migrations");
        RollbackReport report = halfDone(order, FailurePolicy.CONTINUE, before);

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.COMPLETED_WITH_ERRORS);
        assertThat(report.target("migrations").orElseThrow().state()).isEqualTo(TargetState.RESTORE_FAILED);

        RollbackReport undo = plan(order, FailurePolicy.CONTINUE).undo(report);

        assertThat(undo.outcome()).as(undo.toMarkdown()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertBackAsBefore(before, schema(reference(F)));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = FailurePolicy.class)
    void shouldPutBackAHalfDoneDowngradeWithTheDatabaseTargetInThePlan(FailurePolicy policy) throws Exception {
        Map<String, List<Map<String, Object>>> before = new TreeMap<>();
        List<String> order = List.of("code", "migrations", "db");
        RollbackReport report = halfDone(order, policy, before);
        RollbackPlan plan = plan(order, policy);
        RollbackReport last = switch (policy) {
            case RESTORE_FAILED_STATE -> report;
            case HALT -> plan.resume(Resume.undoing());
            default -> plan.undo(report);
        };
        assertThat(last.outcome()).as(report.toMarkdown() + "\n" + last.toMarkdown())
                .isIn(Outcome.PUT_BACK, Outcome.FAILED_STATE_RESTORED);
        assertBackAsBefore(before, schema(reference(F)));
    }

    // ---- a crash in the middle of the downgrade -------------------------------------------------

    /** Rolls back in a child JVM that dies once Alembic has downgraded F of the three revisions. */
    void crashMidDowngrade(RestorePoint v1) throws Exception {
        String jvm = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(jvm, "-cp", System.getProperty("java.class.path"),
                AlembicMicroblog.class.getName(), dir.toString(), project.toString(), v1.id(), "code,migrations",
                flask() ? "flask" : "alembic")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("child JVM ended").isTrue();
        assertThat(child.exitValue()).as(Files.readString(dir.resolve("child.log"))).isEqualTo(137);
        assertThat(revision()).isEqualTo("2b017edaa91f");
    }

    @Test
    void shouldFinishADowngradeAChildJvmDiedInTheMiddleOfOnResume() throws Exception {
        v1(C);
        RollbackPlan plan = plan(List.of("code", "migrations"), FailurePolicy.HALT);
        RestorePoint v1 = plan.capture("v1.1");
        v2();
        Map<String, List<Map<String, Object>>> before = rows(db);
        crashMidDowngrade(v1);

        RollbackReport report = plan.resume();

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.resumed()).isEqualTo(1);
        assertThat(revision()).isEqualTo(C);
        assertThat(schema(db)).isEqualTo(schema(reference(C)));
        assertThat(rows(db)).isEqualTo(project(before, columns(reference(C))));
        // what the downgrade dropped was exported before it began
        Snapshot aside = plan.store().get(report.setAsidePointId()).snapshot("migrations").orElseThrow();
        assertThat(Codec.decode(aside.require("lost.files"))).hasSize(5);
    }

    @Test
    void shouldPutBackADowngradeAChildJvmDiedInTheMiddleOfRowForRow() throws Exception {
        v1(C);
        RollbackPlan plan = plan(List.of("code", "migrations"), FailurePolicy.HALT);
        RestorePoint v1 = plan.capture("v1.1");
        v2();
        Map<String, List<Map<String, Object>>> before = rows(db);
        Map<String, String> schemaBefore = schema(db);
        crashMidDowngrade(v1);

        RollbackReport report = plan.resume(Resume.undoing());

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.PUT_BACK);
        assertBackAsBefore(before, schemaBefore);
    }
}
