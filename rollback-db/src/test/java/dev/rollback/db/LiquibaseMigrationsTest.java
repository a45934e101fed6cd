package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPreview;
import dev.rollback.RollbackReport;
import dev.rollback.testing.db.PostgresServer;
import dev.rollback.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresServer.Extension.class)
class LiquibaseMigrationsTest {

    static final String CHANGESETS = """
            <changeSet id="1" author="blog"><createTable tableName="post">
              <column name="id" type="int"><constraints primaryKey="true"/></column>
              <column name="title" type="varchar(100)"/></createTable></changeSet>
            <changeSet id="2" author="blog"><addColumn tableName="post"><column name="slug" type="varchar(100)"/></addColumn></changeSet>
            <changeSet id="3" author="blog"><createTable tableName="post_section">
              <column name="id" type="int"><constraints primaryKey="true"/></column></createTable></changeSet>
            <changeSet id="4" author="blog"><sql>UPDATE post SET slug = lower(title)</sql></changeSet>
            """;

    @TempDir
    Path dir;

    final PostgresServer server;
    final TestClock clock = new TestClock();

    LiquibaseMigrationsTest(PostgresServer server) {
        this.server = server;
    }

    @BeforeEach
    void createDatabase() throws Exception {
        server.role("blog", "pw");
        server.recreate("lb", "blog");
        Files.writeString(dir.resolve("changelog.xml"), "<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\" "
                + "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://www.liquibase.org/xml/ns/dbchangelog "
                + "http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd\">\n"
                + CHANGESETS + "</databaseChangeLog>\n");
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + server.port() + "/lb";
    }

    LiquibaseMigrations schema() {
        return LiquibaseMigrations.of(dir, "changelog.xml", url()).user("blog").password("pw");
    }

    void update(int changeSets) throws Exception {
        try (Connection c = DriverManager.getConnection(url(), "blog", "pw")) {
            liquibase.database.Database db = liquibase.database.DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new liquibase.database.jvm.JdbcConnection(c));
            try (liquibase.Liquibase lb = new liquibase.Liquibase("changelog.xml",
                    new liquibase.resource.DirectoryResourceAccessor(dir), db)) {
                lb.update(changeSets, "");
            }
        }
    }

    List<String> tables() {
        return server.jdbi("lb").withHandle(h -> h.createQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                + "AND tablename NOT LIKE 'databasechangelog%' ORDER BY 1").mapTo(String.class).list());
    }

    RollbackPlan plan(LiquibaseMigrations target) {
        return Rollback.plan("blog").store(dir.resolve("store")).clock(clock).target(target).build();
    }

    @Test
    void shouldRollBackToThePositionRecordedAtCaptureAndApplyAgainWhenPuttingBack() throws Exception {
        update(2);
        RollbackPlan plan = plan(schema());
        RestorePoint before = plan.capture("v1");
        update(1);
        assertThat(tables()).containsExactly("post", "post_section");

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(tables()).containsExactly("post");
        plan.rollback(plan.store().get(report.setAsidePointId()));
        assertThat(tables()).containsExactly("post", "post_section");
    }

    @Test
    void shouldReportAChangeSetWithoutRollbackAndRefuseIt() throws Exception {
        update(3);
        RollbackPlan plan = plan(schema());
        RestorePoint before = plan.capture("v1");
        update(1);

        RollbackPreview preview = plan.preview(before);

        assertThat(preview.isReady()).isFalse();
        assertThat(preview.stepsOf("schema").stream().flatMap(s -> s.actions().stream()))
                .anySatisfy(a -> assertThat(a).isEqualTo("roll back 4 (blog, changelog.xml): NOT reversible, no <rollback> "
                        + "and no automatic inverse of [sql]"));
        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("change sets that Liquibase can roll back");
        assertThat(PostgresDatabaseTest.one(server.jdbi("lb"), "SELECT count(*) FROM databasechangelog", Integer.class))
                .isEqualTo(4);
    }

    @Test
    void shouldRollBackToAPointCapturedByTheEarlierVersionThroughItsTag() throws Exception {
        update(2);
        RollbackPlan plan = plan(schema());
        String id = plan.capture("v1").id();
        // the point as the earlier version wrote it: a tag on the last row and the count, no position
        try (Connection c = DriverManager.getConnection(url(), "blog", "pw"); var st = c.createStatement()) {
            st.execute("UPDATE databasechangelog SET tag = 'rollback-v1-0a1b' WHERE id = '2'");
        }
        // (sealed again, as the store now seals every manifest it writes)
        Path manifest = dir.resolve("store").resolve("points").resolve(id).resolve("manifest.json");
        String earlier = Files.readString(manifest).replace("\"position.", "\"earlier.")
                .replace("\"applied\" : \"2\",", "\"applied\" : \"2\",\n      \"tag\" : \"rollback-v1-0a1b\",");
        Files.write(manifest, dev.rollback.internal.engine.Manifest.bytes(dev.rollback.internal.engine.Json.read(earlier,
                dev.rollback.RestorePoint.class)));
        update(1);

        RollbackReport report = plan.rollback(plan.store().get(id));

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(tables()).containsExactly("post");
    }
}
