package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.CaptureFailedException;
import dev.rollback.spi.CheckResult;
import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.spi.Step;
import dev.rollback.testing.db.PostgresServer;
import dev.rollback.host.Hosts;
import dev.rollback.testing.TestClock;
import dev.rollback.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DatabaseTarget#flywayHistory()} against the real Flyway on a real PostgreSQL: the release
 * before the deploy knows V1, V2 and a repeatable view; the deploy adds V3; the rollback restores the
 * backup and Flyway itself must agree that the schema is back at V2.
 */
@ExtendWith(PostgresServer.Extension.class)
class PostgresFlywayTest {

    static final String PASSWORD = "fly'way \"pw\" $(id)";

    @TempDir
    Path dir;

    final PostgresServer server;
    final TestClock clock = new TestClock();
    Jdbi shop;
    Flyway oldRelease;
    Flyway newRelease;

    PostgresFlywayTest(PostgresServer server) {
        this.server = server;
    }

    @BeforeEach
    void migrateTheOldRelease() throws Exception {
        Requirements.require(Requirements.onPath("pg_dump") && Requirements.onPath("pg_restore")
                && Requirements.onPath("psql"), "PostgreSQL 15 client tools (pg_dump, pg_restore, psql; .ci/setup-db.sh)");
        server.role("shop", PASSWORD);
        server.recreate("shop", "shop");
        shop = Jdbi.create("jdbc:postgresql://127.0.0.1:" + server.port() + "/shop", "shop", PASSWORD);
        Path v2 = Files.createDirectories(dir.resolve("release-2"));
        Files.writeString(v2.resolve("V1__customers.sql"),
                "CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL);\n");
        Files.writeString(v2.resolve("V2__orders.sql"), "CREATE TABLE orders (id serial PRIMARY KEY, "
                + "customer_id int NOT NULL REFERENCES customer(id), total int NOT NULL);\n");
        Files.writeString(v2.resolve("R__big_orders.sql"),
                "CREATE OR REPLACE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;\n");
        Path v3 = Files.createDirectories(dir.resolve("release-3"));
        for (String f : List.of("V1__customers.sql", "V2__orders.sql", "R__big_orders.sql")) {
            Files.copy(v2.resolve(f), v3.resolve(f));
        }
        Files.writeString(v3.resolve("V3__loyalty.sql"), "ALTER TABLE customer ADD COLUMN email text;\n"
                + "CREATE TABLE loyalty (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customer(id), "
                + "points int NOT NULL);\n");
        oldRelease = flyway(v2);
        newRelease = flyway(v3);
        oldRelease.migrate();
        shop.useTransaction(h -> {
            h.execute("INSERT INTO customer (name) SELECT 'customer ' || g FROM generate_series(1, 25) g");
            h.execute("INSERT INTO orders (customer_id, total) SELECT 1 + g % 25, g * 7 FROM generate_series(1, 80) g");
        });
    }

    Flyway flyway(Path locations) {
        return Flyway.configure().dataSource("jdbc:postgresql://127.0.0.1:" + server.port() + "/shop", "shop", PASSWORD)
                .locations("filesystem:" + locations).load();
    }

    PostgresDatabase target() {
        return PostgresDatabase.of("127.0.0.1", server.port(), "shop").user("shop").password(PASSWORD).named("db")
                .flywayHistory();
    }

    RollbackPlan plan(PostgresDatabase target) {
        return Rollback.plan("shop").on(Hosts.local()).store(dir.resolve("store")).clock(clock).target(target).build();
    }

    List<Map<String, Object>> rows(String sql) {
        return shop.withHandle(h -> h.createQuery(sql).mapToMap().list());
    }

    void deployTheNewRelease() {
        assertThat(newRelease.migrate().migrationsExecuted).isEqualTo(1);
        shop.useTransaction(h -> {
            h.execute("UPDATE customer SET email = 'c' || id || '@example.org' WHERE id <= 5");
            h.execute("INSERT INTO customer (name, email) VALUES ('after the deploy', 'late@example.org')");
            h.execute("INSERT INTO loyalty (customer_id, points) SELECT id, id * 10 FROM customer WHERE id <= 10");
            h.execute("DELETE FROM orders WHERE total < 50");
        });
    }

    @Test
    void shouldBringTheSchemaBackToV2SoFlywaySeesV3PendingAndMigratesItAgain() {
        RollbackPlan plan = plan(target().acceptDataLoss());
        List<Map<String, Object>> customers = rows("SELECT * FROM customer ORDER BY id");
        List<Map<String, Object>> orders = rows("SELECT * FROM orders ORDER BY id");
        List<Map<String, Object>> history = rows("SELECT * FROM flyway_schema_history ORDER BY installed_rank");
        RestorePoint before = plan.capture("v2");
        assertThat(before.snapshot("db").orElseThrow().data()).containsEntry("flyway.rank", "3")
                .containsEntry("flyway.version", "2");
        deployTheNewRelease();

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(rows("SELECT * FROM customer ORDER BY id")).isEqualTo(customers);
        assertThat(rows("SELECT * FROM orders ORDER BY id")).isEqualTo(orders);
        assertThat(rows("SELECT * FROM flyway_schema_history ORDER BY installed_rank")).isEqualTo(history);
        assertThat(rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = 'loyalty'")).isEmpty();
        // the old release's Flyway agrees: at V2, nothing to validate against
        assertThat(oldRelease.info().current().getVersion().getVersion()).isEqualTo("2");
        assertThat(oldRelease.validateWithResult().validationSuccessful).isTrue();
        // the new release's Flyway sees V3 pending again, and applying it works
        assertThat(newRelease.info().pending()).extracting(MigrationInfo::getVersion).extracting(Object::toString)
                .containsExactly("3");
        assertThat(newRelease.migrate().migrationsExecuted).isEqualTo(1);
        assertThat(newRelease.info().current().getVersion().getVersion()).isEqualTo("3");
        assertThat(newRelease.info().all()).extracting(MigrationInfo::getState).doesNotContain(MigrationState.FAILED);
    }

    @Test
    void shouldRefuseARestoreOfSomeTablesThatWouldLeaveTheHistoryAtV3AndChangeNothing() {
        RollbackPlan plan = plan(target().only("customer", "orders").acceptDataLoss());
        RestorePoint before = plan.capture("v2");
        deployTheNewRelease();
        List<Map<String, Object>> customers = rows("SELECT * FROM customer ORDER BY id");
        List<Map<String, Object>> orders = rows("SELECT * FROM orders ORDER BY id");
        List<Map<String, Object>> history = rows("SELECT * FROM flyway_schema_history ORDER BY installed_rank");

        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("flyway_schema_history back at rank 3 (version 2)")
                .hasMessageContaining("flyway_schema_history is at rank 4 (version 3)")
                .hasMessageContaining("rank 4: version 3 'loyalty' (SQL)")
                .hasMessageContaining("restore the whole database (without onlyTables)");

        assertThat(rows("SELECT * FROM customer ORDER BY id")).isEqualTo(customers);
        assertThat(rows("SELECT * FROM orders ORDER BY id")).isEqualTo(orders);
        assertThat(rows("SELECT * FROM flyway_schema_history ORDER BY installed_rank")).isEqualTo(history);
    }

    @Test
    void shouldFailTheCheckNamingTheRanksWhenTheNewReleaseMigratesAgainOnStart() {
        RollbackPlan plan = Rollback.plan("shop").on(Hosts.local()).store(dir.resolve("store")).clock(clock)
                .target(target().acceptDataLoss())
                .start(Step.of("start the app, still at the new release", ctx -> newRelease.migrate()))
                .build();
        RestorePoint before = plan.capture("v2");
        deployTheNewRelease();

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.VERIFICATION_FAILED);
        assertThat(report.checks()).filteredOn(c -> !c.passed()).singleElement().extracting(CheckResult::detail)
                .asString()
                .contains("flyway_schema_history is at rank 4 (version 3), expected rank 3 (version 2)")
                .contains("rows after rank 3: [rank 4: version 3 'loyalty' (SQL)]")
                .contains("stop whatever migrates on start");
    }

    @Test
    void shouldCheckAHistoryTableFlywayWasToldToNameOtherwise() throws Exception {
        server.recreate("shop", "shop");
        Flyway custom = Flyway.configure().dataSource("jdbc:postgresql://127.0.0.1:" + server.port() + "/shop", "shop",
                PASSWORD).locations("filesystem:" + dir.resolve("release-2")).table("deploy_history").load();
        custom.migrate();
        Flyway customNew = Flyway.configure().configuration(custom.getConfiguration())
                .locations("filesystem:" + dir.resolve("release-3")).load();
        RollbackPlan plan = Rollback.plan("shop").on(Hosts.local()).store(dir.resolve("store")).clock(clock)
                .target(PostgresDatabase.of("127.0.0.1", server.port(), "shop").user("shop").password(PASSWORD)
                        .named("db").flywayHistory("deploy_history").acceptDataLoss())
                .start(Step.of("start the app, still at the new release", ctx -> customNew.migrate()))
                .build();
        RestorePoint before = plan.capture("v2");
        assertThat(before.snapshot("db").orElseThrow().data()).containsEntry("flyway.rank", "3")
                .containsEntry("flyway.version", "2");
        assertThat(customNew.migrate().migrationsExecuted).isEqualTo(1);

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.VERIFICATION_FAILED);
        assertThat(report.checks()).filteredOn(c -> !c.passed()).singleElement().extracting(CheckResult::detail)
                .asString().contains("deploy_history is at rank 4 (version 3), expected rank 3 (version 2)");
    }

    @Test
    void shouldRefuseToCaptureWhenTheNamedHistoryTableDoesNotExist() {
        RollbackPlan plan = plan(PostgresDatabase.of("127.0.0.1", server.port(), "shop").user("shop").password(PASSWORD)
                .named("db").flywayHistory("schema_version"));

        assertThatThrownBy(() -> plan.capture("v2")).isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("expected Flyway's history table 'schema_version' in the database, found none")
                .hasMessageContaining("flywayHistory(\"...\")");
        assertThat(plan.restorePoints()).isEmpty();
        assertThatThrownBy(() -> target().flywayHistory(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected the name of Flyway's history table");
    }
}
