package dev.rollback.db.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.db.SqliteDatabase;
import dev.rollback.db.internal.Catalog.ForeignKey;
import dev.rollback.testing.db.MariaDbServer;
import dev.rollback.testing.db.PostgresServer;
import dev.rollback.testing.TestClock;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith({PostgresServer.Extension.class, MariaDbServer.Extension.class})
class CatalogForeignKeysTest {

    static final List<String> SCHEMA = List.of(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, manager_id INTEGER REFERENCES users(id))",
            "CREATE TABLE followers (follower_id INTEGER REFERENCES users(id), followed_id INTEGER REFERENCES users(id))",
            "CREATE TABLE shelf (room INTEGER NOT NULL, slot INTEGER NOT NULL, PRIMARY KEY (room, slot))",
            "CREATE TABLE book (id INTEGER PRIMARY KEY, shelf_room INTEGER, shelf_slot INTEGER, "
                    + "FOREIGN KEY (shelf_room, shelf_slot) REFERENCES shelf(room, slot))",
            "INSERT INTO users VALUES (1, NULL), (2, 1)",
            "INSERT INTO followers VALUES (1, 2), (2, 1)",
            "INSERT INTO shelf VALUES (1, 1), (1, 2)",
            "INSERT INTO book VALUES (10, 1, 2)");

    @TempDir
    Path dir;

    final PostgresServer postgres;
    final MariaDbServer mariadb;

    CatalogForeignKeysTest(PostgresServer postgres, MariaDbServer mariadb) {
        this.postgres = postgres;
        this.mariadb = mariadb;
    }

    static List<ForeignKey> keys(Handle h, Dialect d, String table) {
        return Catalog.foreignKeys(h, d, table).stream().sorted(Comparator.comparing(k -> k.childColumns().toString()))
                .toList();
    }

    static void checkKeys(Jdbi jdbi, Dialect d) {
        jdbi.useHandle(h -> {
            SCHEMA.forEach(h::execute);
            List<ForeignKey> followers = keys(h, d, "followers");
            assertThat(followers).extracting(ForeignKey::childColumns).containsExactly(List.of("followed_id"),
                    List.of("follower_id"));
            assertThat(followers).extracting(ForeignKey::parent).containsOnly("users");
            assertThat(followers).extracting(ForeignKey::parentColumns).containsOnly(List.of("id"));
            assertThat(keys(h, d, "users")).singleElement().satisfies(k -> {
                assertThat(k.childColumns()).containsExactly("manager_id");
                assertThat(k.parent()).isEqualTo("users");
                assertThat(k.parentColumns()).containsExactly("id");
            });
            assertThat(keys(h, d, "book")).singleElement().satisfies(k -> {
                assertThat(k.childColumns()).containsExactly("shelf_room", "shelf_slot");
                assertThat(k.parentColumns()).containsExactly("room", "slot");
            });
            for (String t : List.of("users", "followers", "book")) {
                for (ForeignKey k : Catalog.foreignKeys(h, d, t)) {
                    assertThat(Catalog.orphans(h, d, k)).as("orphans of %s", k).isZero();
                }
            }
            // one row that does refer to a missing parent is still found, through the right key only
            h.execute(d.engine().equals("SQLite") ? "PRAGMA foreign_keys=OFF" : d.engine().equals("MariaDB")
                    ? "SET foreign_key_checks=0" : "ALTER TABLE followers DISABLE TRIGGER ALL");
            h.execute("INSERT INTO followers VALUES (1, 99)");
            assertThat(keys(h, d, "followers")).extracting(k -> Catalog.orphans(h, d, k)).containsExactly(1L, 0L);
        });
    }

    @Test
    void sqliteReadsOneKeyPerConstraint() {
        checkKeys(Jdbi.create("jdbc:sqlite:" + dir.resolve("fk.db")), Dialect.sqlite());
    }

    @Test
    void sqliteReadsAKeyThatNamesNoParentColumn() {
        Jdbi jdbi = Jdbi.create("jdbc:sqlite:" + dir.resolve("short.db"));
        jdbi.useHandle(h -> {
            h.execute("CREATE TABLE user (id INTEGER PRIMARY KEY)");
            h.execute("CREATE TABLE followers (follower_id REFERENCES user(id), followed_id REFERENCES user)");
            List<ForeignKey> keys = keys(h, Dialect.sqlite(), "followers");
            assertThat(keys).extracting(ForeignKey::childColumns).containsExactly(List.of("followed_id"),
                    List.of("follower_id"));
            assertThat(keys).extracting(ForeignKey::parentColumns).containsOnly(List.of("id"));
        });
    }

    @Test
    void shouldRollBackATableWithTwoKeysToOneParentWithoutAnOrphanAlarm() {
        Path file = dir.resolve("app.db");
        Jdbi jdbi = Jdbi.create("jdbc:sqlite:" + file);
        jdbi.useHandle(h -> {
            h.execute("CREATE TABLE user(id INTEGER PRIMARY KEY)");
            h.execute("CREATE TABLE followers(follower_id REFERENCES user(id), followed_id REFERENCES user(id))");
            h.execute("INSERT INTO user VALUES(1),(2)");
            h.execute("INSERT INTO followers VALUES(1,2)");
        });
        RollbackPlan plan = Rollback.plan("app").store(dir.resolve("store")).clock(new TestClock())
                .target(SqliteDatabase.of(file)).build();
        RestorePoint point = plan.capture("v1");
        RollbackReport report = plan.rollback(point);
        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
    }

    @Test
    void postgresReadsOneKeyPerConstraint() {
        postgres.recreate("fkcat", "postgres");
        checkKeys(postgres.jdbi("fkcat"), Dialect.postgres("public"));
    }

    @Test
    void mariadbReadsOneKeyPerConstraint() {
        mariadb.recreate("fkcat", "fkcat", "fkcat");
        Jdbi jdbi = Jdbi.create("jdbc:mariadb://127.0.0.1:" + mariadb.port() + "/fkcat?user=admin");
        checkKeys(jdbi, Dialect.mysql("fkcat"));
    }
}
