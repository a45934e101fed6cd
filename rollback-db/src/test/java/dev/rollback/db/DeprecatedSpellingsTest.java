package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.testing.TestClock;
import java.nio.file.Path;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spellings the configuration rule replaced make the same targets as the new ones, until they go. */
@SuppressWarnings("removal")
class DeprecatedSpellingsTest {

    @TempDir
    Path dir;

    final SqlCheck check = SqlCheck.of("no part without a name", "SELECT id FROM parts WHERE name IS NULL");

    @Test
    void shouldMakeTheSameSqliteTargetWithAtAndCheckAsWithOfAndVerifiedBy() throws Exception {
        Path file = dir.resolve("app.db");
        Jdbi.create("jdbc:sqlite:" + file).useHandle(h -> {
            h.execute("CREATE TABLE parts (id INTEGER PRIMARY KEY, name TEXT, updated_at TEXT)");
            h.execute("INSERT INTO parts (name, updated_at) VALUES ('bolt', datetime('now', '-1 day'))");
        });
        SqliteDatabase old = SqliteDatabase.at(file).named("db").check(check).writtenAtColumn("parts", "updated_at");
        SqliteDatabase now = SqliteDatabase.of(file).named("db").verifiedBy(check).writtenAtColumn("parts", "updated_at");
        DatabaseTarget viaBase = ((DatabaseTarget) SqliteDatabase.of(file).named("db")).check(check)
                .writtenAtColumn("parts", "updated_at");

        for (DatabaseTarget t : List.of(old, viaBase)) {
            assertThat(t.name()).isEqualTo(now.name());
            assertThat(t).hasToString(now.toString());
            assertThat(t.sqlChecks).isEqualTo(now.sqlChecks);
            assertThat(t.writtenAt).isEqualTo(now.writtenAt);
        }
        RestorePoint point = plan(now).capture("v1");
        Jdbi.create("jdbc:sqlite:" + file).useHandle(h -> h.execute("INSERT INTO parts (name) VALUES ('nut')"));
        List<String> expected = actions(plan(now), point);
        assertThat(expected).anySatisfy(a -> assertThat(a).contains("1 SQL check"));
        assertThat(actions(plan(old), point)).isEqualTo(expected);
        assertThat(actions(plan(viaBase), point)).isEqualTo(expected);
    }

    @Test
    void shouldMakeTheSameServerTargetsWithAtAndOnlyTablesAsWithOfAndOnly() {
        PostgresDatabase oldPg = PostgresDatabase.at("127.0.0.1", 5432, "shop").named("shop").onlyTables("orders", "lines")
                .check(check);
        PostgresDatabase newPg = PostgresDatabase.of("127.0.0.1", 5432, "shop").named("shop").only("orders", "lines")
                .verifiedBy(check);
        assertThat(oldPg.name()).isEqualTo(newPg.name());
        assertThat(oldPg).hasToString(newPg.toString());
        assertThat(oldPg.only).isEqualTo(newPg.only).containsExactly("orders", "lines");
        assertThat(oldPg.schemaOnly).isEqualTo(newPg.schemaOnly);
        assertThat(oldPg.sqlChecks).isEqualTo(newPg.sqlChecks);
        assertThat(oldPg.restoredTables(null)).isEqualTo(newPg.restoredTables(null));

        MariaDbDatabase oldMy = MariaDbDatabase.at("127.0.0.1", 3306, "bank").named("bank").check(check);
        MariaDbDatabase newMy = MariaDbDatabase.of("127.0.0.1", 3306, "bank").named("bank").verifiedBy(check);
        assertThat(oldMy.name()).isEqualTo(newMy.name());
        assertThat(oldMy).hasToString(newMy.toString());
        assertThat(oldMy.sqlChecks).isEqualTo(newMy.sqlChecks);
    }

    @Test
    void shouldMakeTheSameAlembicTargetsWithAlembicAndFlaskMigrateAsWithOfAndOfFlaskMigrate() {
        AlembicMigrations oldAlembic = AlembicMigrations.alembic(dir).named("schema");
        AlembicMigrations newAlembic = AlembicMigrations.of(dir).named("schema");
        assertThat(oldAlembic.name()).isEqualTo(newAlembic.name());
        assertThat(oldAlembic).hasToString(newAlembic.toString());
        assertThat(oldAlembic.command).isEqualTo(newAlembic.command).containsExactly("alembic");
        assertThat(oldAlembic.versionsDir).isEqualTo(newAlembic.versionsDir);
        assertThat(oldAlembic.flask).isEqualTo(newAlembic.flask).isFalse();

        AlembicMigrations oldFlask = AlembicMigrations.flaskMigrate(dir);
        AlembicMigrations newFlask = AlembicMigrations.ofFlaskMigrate(dir);
        assertThat(oldFlask.name()).isEqualTo(newFlask.name()).isEqualTo("migrations");
        assertThat(oldFlask).hasToString(newFlask.toString());
        assertThat(oldFlask.command).isEqualTo(newFlask.command).containsExactly("flask", "db");
        assertThat(oldFlask.versionsDir).isEqualTo(newFlask.versionsDir);
        assertThat(oldFlask.flask).isEqualTo(newFlask.flask).isTrue();
    }

    RollbackPlan plan(DatabaseTarget target) {
        return Rollback.plan("app").store(dir.resolve("store")).clock(new TestClock()).target(target).build();
    }

    static List<String> actions(RollbackPlan plan, RestorePoint point) throws Exception {
        return plan.preview(point).stepsOf("db").stream().flatMap(s -> s.actions().stream()).toList();
    }
}
