package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Resume;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.RollbackPreview;
import dev.rollback.RollbackReport;
import dev.rollback.spi.Snapshot;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Codec;
import dev.rollback.db.internal.Dialect;
import dev.rollback.testing.db.PostgresServer;
import dev.rollback.targets.Directory;
import dev.rollback.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A shop's Liquibase change log in the test resources (seven files, renames, a default-filled
 * column, modifyDataType, raw SQL without rollback, foreign keys, a hand-written rollback that
 * fails) rolled back on PostgreSQL through both plan orders and every failure policy; schemas
 * compared by meaning with databases migrated from nothing, rows compared one by one.
 */
@ExtendWith(PostgresServer.Extension.class)
class LiquibaseRealHistoryTest {

    static final Pattern INCLUDE = Pattern.compile("<include file=\"([^\"]+)\"[^>]*/>");

    @TempDir
    Path dir;

    final PostgresServer server;
    Path shelf;
    Path live;

    LiquibaseRealHistoryTest(PostgresServer server) {
        this.server = server;
    }

    @BeforeEach
    void createDatabase() throws Exception {
        Requirements.require(Requirements.onPath("pg_dump") && Requirements.onPath("pg_restore"),
                "PostgreSQL 15 client tools (.ci/setup-db.sh)");
        server.role("shop", "pw");
        server.recreate("shop", "shop");
        shelf = Path.of(getClass().getResource("/liquibase-shop").toURI());
        live = dir.resolve("db");
        Files.createDirectories(live.resolve("changes"));
    }

    String url(String db) {
        return "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + db;
    }

    /** The live change log folder holds what release {@code files} of {@code master} ships: its first files. */
    void release(String master, int files) throws IOException {
        String text = Files.readString(shelf.resolve(master));
        List<String> includes = new ArrayList<>();
        Matcher m = INCLUDE.matcher(text);
        while (m.find()) {
            includes.add(m.group(0));
        }
        try (Stream<Path> s = Files.list(live.resolve("changes"))) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        StringBuilder out = new StringBuilder(text.substring(0, text.indexOf("<include")));
        for (String inc : includes.subList(0, files)) {
            out.append(inc).append("\n    ");
            Matcher f = INCLUDE.matcher(inc);
            f.find();
            Files.copy(shelf.resolve(f.group(1)), live.resolve(f.group(1)));
        }
        out.append("\n</databaseChangeLog>\n");
        Files.writeString(live.resolve("changelog.xml"), out.toString());
    }

    void liquibase(String db, Path folder, LiquibaseWork work) throws Exception {
        try (Connection c = DriverManager.getConnection(url(db), "shop", "pw")) {
            liquibase.database.Database d = liquibase.database.DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new liquibase.database.jvm.JdbcConnection(c));
            try (liquibase.Liquibase lb = new liquibase.Liquibase("changelog.xml",
                    new liquibase.resource.DirectoryResourceAccessor(folder), d)) {
                work.run(lb);
            }
        }
    }

    @FunctionalInterface
    interface LiquibaseWork {
        void run(liquibase.Liquibase lb) throws Exception;
    }

    void update() throws Exception {
        liquibase("shop", live, lb -> lb.update(""));
    }

    Jdbi shop() {
        return server.jdbi("shop");
    }

    void exec(String... statements) {
        shop().useHandle(h -> {
            for (String s : statements) {
                h.execute(s);
            }
        });
    }

    /** Every row of every table, the change log table's by id, author, file and order. */
    Map<String, List<String>> rows(String db) {
        return server.jdbi(db).withHandle(h -> {
            Map<String, List<String>> out = new TreeMap<>();
            for (String t : Catalog.tables(h, Dialect.postgres("public"))) {
                String sql = t.equals("databasechangelog") ? "SELECT id, author, filename, orderexecuted, tag FROM "
                        + "databasechangelog" : t.equals("databasechangeloglock") ? null : "SELECT * FROM \"" + t + "\"";
                if (sql != null) {
                    List<String> rows = new ArrayList<>(h.createQuery(sql).mapToMap().list().stream()
                            .map(r -> new TreeMap<>(r).toString()).toList());
                    rows.sort(null);
                    out.put(t, rows);
                }
            }
            return out;
        });
    }

    /** The schema by meaning: columns (name, type, null), indexes and foreign keys, per table. */
    Map<String, String> schema(String db) {
        return server.jdbi(db).withHandle(h -> {
            Map<String, String> out = new TreeMap<>();
            for (String t : Catalog.tables(h, Dialect.postgres("public"))) {
                if (t.startsWith("databasechangelog")) {
                    continue;
                }
                List<String> cols = h.createQuery("SELECT column_name || ' ' || data_type || coalesce('(' || "
                        + "numeric_precision || ',' || numeric_scale || ')', '') || ' ' || is_nullable FROM "
                        + "information_schema.columns WHERE table_schema = 'public' AND table_name = ? ORDER BY 1")
                        .bind(0, t).mapTo(String.class).list();
                List<String> idx = h.createQuery("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND "
                        + "tablename = ? ORDER BY 1").bind(0, t).mapTo(String.class).list();
                List<String> fks = Catalog.foreignKeys(h, Dialect.postgres("public"), t).stream().map(k -> k.name() + " "
                        + k.childColumns() + "->" + k.parent() + k.parentColumns()).sorted().toList();
                out.put(t, cols + " " + idx + " " + fks);
            }
            return out;
        });
    }

    /** A database migrated from nothing by the release in the live folder. */
    Map<String, String> reference() throws Exception {
        server.recreate("shopref", "shop");
        liquibase("shopref", live, lb -> lb.update(""));
        return schema("shopref");
    }

    LiquibaseMigrations schemaTarget() {
        return LiquibaseMigrations.of(live, "changelog.xml", url("shop")).user("shop").password("pw").named("schema")
                .database(PostgresDatabase.of("127.0.0.1", server.port(), "shop").user("shop").password("pw").named("db"));
    }

    RollbackPlan plan(List<String> order, FailurePolicy policy, LiquibaseMigrations schema) {
        RollbackPlanBuilder b = Rollback.plan("shop").store(dir.resolve("store")).onFailure(policy);
        for (String t : order) {
            b = b.target(t.equals("code") ? Directory.backup(live).named("code") : schema);
        }
        return b.build();
    }

    static List<String> actions(RollbackPreview p, String target) {
        return p.stepsOf(target).stream().flatMap(s -> s.actions().stream()).toList();
    }

    /** Release 1 (files 001 and 002) in use: customers, orders, products, order lines. */
    void release1(String master) throws Exception {
        release(master, 2);
        update();
        exec("INSERT INTO customer (name, email) VALUES ('Ada Lovelace', 'ada@example.com'), ('Alan Turing', 'alan@example.com')",
                "INSERT INTO product (sku, price) VALUES ('tea-01', 4.50), ('mug-02', 9.00)",
                "INSERT INTO orders (customer_id, total) VALUES (1, 13.50), (2, 4.50)",
                "INSERT INTO order_line VALUES (1, 1, 1, 1), (1, 2, 2, 1), (2, 1, 1, 1)");
    }

    /** Release 2 (up to file 005) deployed and used: a renamed column, tiers, notes, reviews. */
    void release2(String master, int files) throws Exception {
        release(master, files);
        update();
        exec("INSERT INTO customer (" + (master.contains("broken") ? "name" : "full_name") + ", email, tier, notes) VALUES "
                + "('Grace Hopper', 'grace@example.com', 'gold', 'prefers email')",
                "INSERT INTO orders (customer_id, total) VALUES (3, 9.00)",
                "INSERT INTO review (product_id, customer_id, stars, body) VALUES (1, 1, 5, 'lovely'), (2, 3, 4, 'solid')");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"code,schema", "schema,code"})
    void shouldRollBackKeepTheOperatorsTagAndEveryPointAtOneHeadAndUndo(String orderText) throws Exception {
        List<String> order = List.of(orderText.split(","));
        release1("db.changelog-master.xml");
        liquibase("shop", live, lb -> lb.tag("v4.15"));
        Map<String, String> schema1 = reference();
        LiquibaseMigrations target = schemaTarget().acceptDataLoss().exportDataLoss(ExportFormat.CSV);
        RollbackPlan plan = plan(order, FailurePolicy.HALT, target);
        RestorePoint first = plan.capture("v1");
        RestorePoint retry = plan.capture("v1-retry");
        Map<String, List<String>> atCapture = rows("shop");
        release2("db.changelog-master.xml", 5);
        Map<String, String> schema2 = schema("shop");
        assertThat(schema2).isEqualTo(reference());
        Map<String, List<String>> beforeRollback = rows("shop");

        RollbackPreview preview = plan.preview(first);
        RollbackReport report = plan.rollback(first);

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(actions(preview, "schema")).contains(
                "roll back 2.1-review (shop, changes/005-reviews.xml): reversible",
                "roll back 2.0-tier (maria, changes/004-customer-tier.xml): reversible",
                "roll back 2.0-rename-name (shop, changes/003-rename-customer-name.xml): reversible",
                "point of no return: rolling back 3 change sets drops column 'notes' of table 'customer', which holds "
                        + "values in 1 row (accepted)",
                "point of no return: rolling back 3 change sets drops column 'tier' of table 'customer', which holds "
                        + "values in 1 row (accepted)",
                "point of no return: rolling back 3 change sets drops table 'review', which holds 2 rows (accepted)");
        // the renamed column is a rename, not a loss; the default 'basic' filled rows no one wrote
        assertThat(actions(preview, "schema")).noneMatch(a -> a.contains("full_name"));
        Snapshot aside = plan.store().get(report.setAsidePointId()).snapshot("schema").orElseThrow();
        Path asideDir = plan.store().artifactDir(plan.store().get(report.setAsidePointId()), "schema");
        List<Integer> exported = new ArrayList<>();
        for (String f : Codec.decode(aside.require("lost.files"))) {
            exported.add((int) Files.readAllLines(asideDir.resolve(f)).stream().filter(l -> !l.isEmpty()).count() - 1);
        }
        assertThat(exported).containsExactlyInAnyOrder(1, 1, 2);
        // release 1's schema, the rows written since in the tables that stay, the operator's tag kept
        assertThat(schema("shop")).isEqualTo(schema1);
        assertThat(rows("shop").get("databasechangelog")).isEqualTo(atCapture.get("databasechangelog"));
        assertThat(rows("shop").get("orders")).hasSize(3);
        assertThat(rows("shop").get("customer")).hasSize(3).anySatisfy(r -> assertThat(r).contains("name=Grace Hopper"));

        RollbackReport undo = plan.undo(report);

        assertThat(undo.outcome()).as(undo.toMarkdown()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(schema("shop")).isEqualTo(schema2);
        assertThat(rows("shop").get("databasechangelog")).hasSize(beforeRollback.get("databasechangelog").size());

        RollbackReport again = plan.rollback(retry);
        assertThat(again.outcome()).as(again.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(schema("shop")).isEqualTo(schema1);
        // the operator's own Liquibase rollback to their tag still works
        plan.undo(again);
        liquibase("shop", live, lb -> lb.rollback("v4.15", ""));
        assertThat(schema("shop")).isEqualTo(schema1);
    }

    @Test
    void shouldNameEveryChangeSetLiquibaseCannotReverseAndRefuseWhateverTheOptions() throws Exception {
        release1("db.changelog-master.xml");
        release2("db.changelog-master.xml", 5);
        RollbackPlan plan = plan(List.of("schema"), FailurePolicy.HALT, schemaTarget().acceptDataLoss());
        RestorePoint v2 = plan.capture("v2");
        release("db.changelog-master.xml", 6);
        update();
        Map<String, List<String>> before = rows("shop");

        RollbackPreview preview = plan.preview(v2);

        assertThat(preview.isReady()).isFalse();
        assertThat(actions(preview, "schema")).contains(
                "roll back 3.0-upper-sku (maria, changes/006-money-precision.xml): NOT reversible, no <rollback> and no "
                        + "automatic inverse of [sql]",
                "roll back 3.0-total-precision (shop, changes/006-money-precision.xml): NOT reversible, no <rollback> "
                        + "and no automatic inverse of [modifyDataType]");
        assertThatThrownBy(() -> plan.rollback(v2)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("3.0-upper-sku (maria, changes/006-money-precision.xml)")
                .hasMessageContaining("3.0-total-precision (shop, changes/006-money-precision.xml)")
                .hasMessageContaining("roll the database back from a backup instead");
        assertThat(rows("shop")).isEqualTo(before);
    }

    /** The broken history: release 1, then a coupon table whose hand-written rollback names the wrong table. */
    RollbackReport halfDone(List<String> order, FailurePolicy policy, Map<String, List<String>> before,
            Map<String, String> schemaBefore) throws Exception {
        release1("db.changelog-broken.xml");
        RollbackPlan plan = plan(order, policy, schemaTarget().acceptDataLoss());
        RestorePoint v1 = plan.capture("v1");
        release2("db.changelog-broken.xml", 5);
        exec("INSERT INTO coupon VALUES ('WELCOME', 10)");
        before.putAll(rows("shop"));
        schemaBefore.putAll(schema("shop"));
        assertThat(schemaBefore).isEqualTo(reference());
        return plan.rollback(v1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(FailurePolicy.class)
    void shouldPutBackAHalfDoneRollbackRowForRowUnderEveryPolicy(FailurePolicy policy) throws Exception {
        Map<String, List<String>> before = new TreeMap<>();
        List<String> order = List.of("code", "schema");
        Map<String, String> schemaBefore = new TreeMap<>();
        RollbackReport report = halfDone(order, policy, before, schemaBefore);
        RollbackPlan plan = plan(order, policy, schemaTarget().acceptDataLoss());

        String failed = String.join("\n", report.errors());
        assertThat(failed).contains("change sets rolled back before the failure: [2.1-review (shop, changes/005-reviews.xml), "
                + "2.0-tier (maria, changes/004-customer-tier.xml)]", "table 'review' (2 rows) is gone", "no row is lost");
        RollbackReport last = switch (policy) {
            case RESTORE_FAILED_STATE -> report;
            case HALT -> {
                assertThat(report.outcome()).isEqualTo(Outcome.HALTED);
                yield plan.resume(Resume.undoing());
            }
            default -> {
                assertThat(report.outcome()).isEqualTo(Outcome.COMPLETED_WITH_ERRORS);
                yield plan.undo(report);
            }
        };

        assertThat(last.outcome()).as(report.toMarkdown() + "\n" + last.toMarkdown()).isIn(Outcome.PUT_BACK,
                Outcome.FAILED_STATE_RESTORED);
        assertThat(rows("shop")).isEqualTo(before);
        assertThat(schema("shop")).isEqualTo(schemaBefore);
    }

    // ---- a crash in the middle of the rollback ------------------------------------------------

    /** Release 2 deployed over release 1; a child JVM rolls back to release 1 and dies after one change set. */
    RestorePoint crash(RollbackPlan plan, Map<String, List<String>> before, Map<String, Map<String, String>> schemas)
            throws Exception {
        release1("db.changelog-master.xml");
        schemas.put("v1", schema("shop"));
        RestorePoint v1 = plan.capture("v1");
        release2("db.changelog-master.xml", 5);
        schemas.put("v2", schema("shop"));
        before.putAll(rows("shop"));
        String jvm = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(jvm, "-cp", System.getProperty("java.class.path"), LiquibaseShop.class.getName(),
                dir.resolve("store").toString(), live.toString(), Integer.toString(server.port()), v1.id())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("child JVM ended").isTrue();
        assertThat(child.exitValue()).as(Files.readString(dir.resolve("child.log"))).isEqualTo(137);
        assertThat(rows("shop").get("databasechangelog")).hasSize(before.get("databasechangelog").size() - 1);
        return v1;
    }

    @Test
    void shouldFinishARollbackAChildJvmDiedInTheMiddleOfOnResume() throws Exception {
        RollbackPlan plan = LiquibaseShop.plan(dir.resolve("store"), live, server.port(), null);
        Map<String, List<String>> before = new TreeMap<>();
        Map<String, Map<String, String>> schemas = new TreeMap<>();
        crash(plan, before, schemas);
        Map<String, String> schema1 = schemas.get("v1");

        RollbackReport report = plan.resume();

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(schema("shop")).isEqualTo(schema1);
        assertThat(rows("shop").get("customer")).hasSize(3);
        assertThat(rows("shop").get("orders")).isEqualTo(before.get("orders"));
    }

    @Test
    void shouldPutBackARollbackAChildJvmDiedInTheMiddleOfRowForRow() throws Exception {
        RollbackPlan plan = LiquibaseShop.plan(dir.resolve("store"), live, server.port(), null);
        Map<String, List<String>> before = new TreeMap<>();
        Map<String, Map<String, String>> schemas = new TreeMap<>();
        crash(plan, before, schemas);
        Map<String, String> schema2 = schemas.get("v2");

        RollbackReport report = plan.resume(Resume.undoing());

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.PUT_BACK);
        assertThat(rows("shop")).isEqualTo(before);
        assertThat(schema("shop")).isEqualTo(schema2);
    }
}
