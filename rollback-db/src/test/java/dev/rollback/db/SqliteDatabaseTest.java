package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.CaptureFailedException;
import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPreview;
import dev.rollback.RollbackReport;
import dev.rollback.spi.Step;
import dev.rollback.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDatabaseTest {

    @TempDir
    Path dir;

    Path file;
    Jdbi app;
    final TestClock clock = new TestClock();

    @BeforeEach
    void createDatabase() {
        file = dir.resolve("app").resolve("gestima.db");
        file.getParent().toFile().mkdirs();
        app = Jdbi.create("jdbc:sqlite:" + file);
        app.useHandle(h -> h.execute("PRAGMA journal_mode=WAL"));
        app.useTransaction(h -> {
            h.execute("CREATE TABLE parts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at TEXT)");
            h.execute("CREATE TABLE quotes (id INTEGER PRIMARY KEY, part_id INTEGER REFERENCES parts(id), total INTEGER)");
            for (int i = 1; i <= 50; i++) {
                h.execute("INSERT INTO parts (name, updated_at) VALUES (?, datetime('now', '-1 day'))", "part " + i);
                h.execute("INSERT INTO quotes (part_id, total) VALUES (?, ?)", i, i * 10);
            }
        });
    }

    RollbackPlan plan(DatabaseTarget target) {
        return Rollback.plan("gestima").store(dir.resolve("store")).clock(clock).target(target).build();
    }

    long count(String table) {
        return app.withHandle(h -> h.createQuery("SELECT count(*) FROM \"" + table.replace("\"", "\"\"") + "\"")
                .mapTo(Long.class).one());
    }

    String integrity() {
        return app.withHandle(h -> h.createQuery("PRAGMA integrity_check").mapTo(String.class).one());
    }

    @Test
    void shouldRestoreTheCapturedDatabaseAndSetTheFailedStateAsideFirst() throws Exception {
        RollbackPlan plan = plan(SqliteDatabase.of(file).named("db").acceptDataLoss());
        RestorePoint before = plan.capture("v2.0.0");
        app.useHandle(h -> {
            h.execute("ALTER TABLE parts ADD COLUMN file_id INTEGER");
            h.execute("INSERT INTO parts (name, file_id) VALUES ('made after the deploy', 7)");
            h.execute("DELETE FROM quotes WHERE id <= 10");
        });

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(count("parts")).isEqualTo(50);
        assertThat(count("quotes")).isEqualTo(50);
        assertThat(report.checks()).anySatisfy(c -> assertThat(c.detail()).contains("2 tables with the 100 rows"));
        // the state before the rollback is kept: putting it back brings the post-deploy rows again
        RestorePoint aside = plan.store().get(report.setAsidePointId());
        assertThat(aside.snapshot("db").orElseThrow().artifact(SqliteDatabase.ARTIFACT)).isPresent();
        plan.rollback(aside);
        assertThat(count("parts")).isEqualTo(51);
        assertThat(count("quotes")).isEqualTo(40);
    }

    void badDeploy() {
        app.useHandle(h -> {
            h.execute("ALTER TABLE parts ADD COLUMN file_id INTEGER");
            h.execute("INSERT INTO parts (name, file_id) VALUES ('made after the deploy', 7)");
            h.execute("DELETE FROM quotes WHERE id <= 10");
        });
    }

    static Object inode(Path p) throws java.io.IOException {
        return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }

    @Test
    void shouldRestoreByRenamingThePointsCopyIntoPlaceAndRefuseTheConsumedPointAfterwards() throws Exception {
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        RollbackPlan plan = plan(SqliteDatabase.of(file).named("db").acceptDataLoss().consumingRestore());
        RestorePoint before = plan.capture("v2.0.0");
        Path copy = plan.store().artifactDir(before, "db").resolve(SqliteDatabase.ARTIFACT);
        Object copyInode = inode(copy);
        badDeploy();
        assertThat(plan.preview(before).steps()).anySatisfy(step -> assertThat(step.actions())
                .anySatisfy(a -> assertThat(a).contains("a rename, O(1)", "restore point is consumed")));

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(count("parts")).isEqualTo(50);
        assertThat(count("quotes")).isEqualTo(50);
        assertThat(integrity()).isEqualTo("ok");
        assertThat(inode(file)).isEqualTo(copyInode); // moved, not copied
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        assertThat(copy).doesNotExist();
        // the replaced file is kept in the consumed point (freeing it would cost time), until the point goes
        Path replaced = copy.resolveSibling(SqliteDatabase.ARTIFACT + ".replaced");
        assertThat(replaced).isRegularFile();
        // the consumed point is refused before any change, naming the rollback that consumed it
        byte[] live = Files.readAllBytes(file);
        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("consumed: rollback " + report.rollbackId())
                .hasMessageContaining("roll back to another restore point");
        assertThat(Files.readAllBytes(file)).isEqualTo(live);
        assertThat(plan.store().verify(before)).singleElement()
                .satisfies(p -> assertThat(p.found()).startsWith("no such file: consumed: rollback " + report.rollbackId()));
        // the failed state was set aside first: the rollback can be undone
        RollbackReport undo = plan.undo(report);
        assertThat(undo.outcome()).as(undo.toString()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(count("parts")).isEqualTo(51);
        assertThat(count("quotes")).isEqualTo(40);
        assertThat(plan.delete(before)).isEmpty();
        assertThat(replaced).doesNotExist();
    }

    @Test
    void shouldFinishAConsumingRestoreInterruptedRightAfterTheRenameWhenResumed() throws Exception {
        RollbackPlan plan = SqliteCrash.plan(dir, file, new dev.rollback.RollbackListener() { });
        RestorePoint before = plan.capture("v2.0.0");
        badDeploy();
        String jvm = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(jvm, "-cp", System.getProperty("java.class.path"), SqliteCrash.class.getName(),
                dir.toString(), file.toString(), before.id())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("child JVM ended").isTrue();
        assertThat(child.exitValue()).as(Files.readString(dir.resolve("child.log"))).isEqualTo(137);
        assertThat(plan.store().artifactDir(before, "db").resolve(SqliteDatabase.ARTIFACT)).doesNotExist();

        RollbackReport report = plan.resume();

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(count("parts")).isEqualTo(50);
        assertThat(count("quotes")).isEqualTo(50);
        assertThat(integrity()).isEqualTo("ok");
        // only the rollback that consumed the point may go on with it; a new one is refused
        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("consumed: rollback " + report.rollbackId());
    }

    @Test
    void shouldCopyInsteadOfConsumingWhenTheStoreIsOnAnotherFileSystem() throws Exception {
        Path shm = Path.of("/dev/shm");
        dev.rollback.testing.Requirements.require(Files.isDirectory(shm) && Files.isWritable(shm)
                && !Files.getFileStore(shm).equals(Files.getFileStore(dir)), "a tmpfs at /dev/shm beside the test folder");
        Path store = Files.createTempDirectory(shm, "rollback-store-");
        try {
            RollbackPlan plan = Rollback.plan("gestima").store(store).clock(clock)
                    .target(SqliteDatabase.of(file).named("db").acceptDataLoss().consumingRestore()).build();
            RestorePoint before = plan.capture("v2.0.0");
            badDeploy();
            assertThat(plan.preview(before).steps()).anySatisfy(step -> assertThat(step.actions())
                    .anySatisfy(a -> assertThat(a).contains("copy instead of consuming", "different file systems")));

            RollbackReport report = plan.rollback(before);

            assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(count("parts")).isEqualTo(50);
            assertThat(plan.store().verify(before)).isEmpty(); // not consumed: usable again
        } finally {
            try (Stream<Path> all = Files.walk(store)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void shouldCaptureOneConsistentStateWhileTheApplicationKeepsWriting() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> {
            try (Handle h = Jdbi.create("jdbc:sqlite:" + file).open()) {
                h.execute("PRAGMA busy_timeout = 10000");
                while (running.get()) {
                    h.useTransaction(tx -> {
                        long id = tx.createUpdate("INSERT INTO parts (name) VALUES ('live')").executeAndReturnGeneratedKeys("id")
                                .mapTo(Long.class).one();
                        tx.execute("INSERT INTO quotes (part_id, total) VALUES (?, 1)", id);
                        tx.execute("INSERT INTO quotes (part_id, total) VALUES (?, 2)", id);
                    });
                    written.incrementAndGet();
                }
            }
        });
        writer.start();
        try {
            while (written.get() < 50) {
                Thread.onSpinWait();
            }
            RollbackPlan plan = Rollback.plan("gestima").store(dir.resolve("store")).clock(clock)
                    .stop(Step.of("stop the app", ctx -> {
                        running.set(false);
                        writer.join();
                    }))
                    .target(SqliteDatabase.of(file).named("db").acceptDataLoss()
                            .verifiedBy(SqlCheck.of("every live part has two quotes", "SELECT p.id FROM parts p "
                                    + "WHERE p.name = 'live' AND (SELECT count(*) FROM quotes q WHERE q.part_id = p.id) <> 2")))
                    .build();
            RestorePoint before = plan.capture("while writing");
            long atCapture = Long.parseLong(before.snapshot("db").orElseThrow().require("rows.parts"));
            long quotesAtCapture = Long.parseLong(before.snapshot("db").orElseThrow().require("rows.quotes"));
            assertThat(quotesAtCapture).isEqualTo(50 + 2 * (atCapture - 50));
            while (written.get() < atCapture - 50 + 50) {
                Thread.onSpinWait();
            }

            RollbackReport report = plan.rollback(before);

            assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(count("parts")).isEqualTo(atCapture);
            assertThat(count("quotes")).isEqualTo(quotesAtCapture);
            assertThat(integrity()).isEqualTo("ok");
        } finally {
            running.set(false);
            writer.join();
        }
    }

    @Test
    void shouldCopyTheFileInsideAReadTransactionSoRowsCommittedDuringTheCopyAreNotInIt() throws Exception {
        Jdbi other = Jdbi.create("jdbc:sqlite:" + file);
        SqliteDatabase db = SqliteDatabase.of(file).named("db").acceptDataLoss().duringCopy(() -> other.useHandle(h -> {
            // commits while the capture holds its read transaction, then tries to move the WAL into the file
            h.execute("INSERT INTO parts (name) VALUES ('during the copy')");
            h.execute("UPDATE quotes SET total = -1");
            h.createQuery("PRAGMA wal_checkpoint(PASSIVE)").mapToMap().one();
        }));
        RollbackPlan plan = plan(db);

        RestorePoint point = plan.capture("before");

        assertThat(point.snapshot("db").orElseThrow().require("copiedBy")).isEqualTo("file copy in a read transaction");
        assertThat(point.snapshot("db").orElseThrow().require("rows.parts")).isEqualTo("50");
        assertThat(count("parts")).isEqualTo(51);
        RollbackReport report = plan.rollback(point);
        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(count("parts")).isEqualTo(50);
        assertThat(app.withHandle(h -> h.createQuery("SELECT sum(total) FROM quotes").mapTo(Long.class).one()).longValue())
                .isEqualTo(12750);
        assertThat(integrity()).isEqualTo("ok");
    }

    @Test
    void shouldKeepWritersOfARollbackJournalDatabaseWaitingWhileTheFileIsCopied() throws Exception {
        app.useHandle(h -> h.execute("PRAGMA journal_mode=DELETE"));
        AtomicBoolean refused = new AtomicBoolean();
        SqliteDatabase db = SqliteDatabase.of(file).named("db").duringCopy(() -> {
            try (Handle h = Jdbi.create("jdbc:sqlite:" + file).open()) {
                h.execute("PRAGMA busy_timeout = 50");
                h.execute("INSERT INTO parts (name) VALUES ('during the copy')");
            } catch (RuntimeException e) {
                refused.set(e.getMessage().contains("SQLITE_BUSY"));
            }
        });

        RestorePoint point = plan(db).capture("before");

        assertThat(refused).as("the write was held off by the capture's read transaction").isTrue();
        assertThat(point.snapshot("db").orElseThrow().require("copiedBy")).isEqualTo("file copy in a read transaction");
        assertThat(point.snapshot("db").orElseThrow().require("rows.parts")).isEqualTo("50");
        assertThat(count("parts")).isEqualTo(50);
    }

    @Test
    void shouldUseTheOnlineBackupWhenAReaderKeepsTheWalFromBeingCheckpointed() throws Exception {
        try (Handle reader = Jdbi.create("jdbc:sqlite:" + file).open()) {
            reader.begin();
            assertThat(reader.createQuery("SELECT count(*) FROM parts").mapTo(Long.class).one()).isEqualTo(50);
            // committed after the reader's state: a checkpoint cannot move these pages into the file yet
            app.useTransaction(h -> {
                for (int i = 0; i < 20; i++) {
                    h.execute("INSERT INTO parts (name) VALUES ('after the reader')");
                }
            });
            RollbackPlan plan = plan(SqliteDatabase.of(file).named("db").acceptDataLoss());

            RestorePoint point = plan.capture("while a reader is open");

            assertThat(point.snapshot("db").orElseThrow().require("copiedBy")).isEqualTo("online backup");
            assertThat(point.snapshot("db").orElseThrow().require("rows.parts")).isEqualTo("70");
            reader.rollback();
        }
        app.useHandle(h -> h.execute("DELETE FROM parts WHERE name = 'after the reader'"));
        RollbackPlan plan = plan(SqliteDatabase.of(file).named("db").acceptDataLoss());
        RollbackReport report = plan.rollback(plan.restorePoints().get(0));
        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(count("parts")).isEqualTo(70);
        assertThat(integrity()).isEqualTo("ok");
    }

    @Test
    void shouldRemoveTheStaleWalAndShmFilesOfTheReplacedDatabase() throws Exception {
        RollbackPlan plan = plan(SqliteDatabase.of(file).named("db").acceptDataLoss());
        RestorePoint before = plan.capture("v1");
        // a crashed application leaves its last transactions in the -wal file beside the database
        Path crashed = dir.resolve("crashed");
        Files.createDirectories(crashed);
        try (Handle h = app.open()) {
            h.execute("PRAGMA wal_autocheckpoint = 0");
            h.execute("DELETE FROM quotes");
            h.execute("INSERT INTO parts (name) VALUES ('only in the wal')");
            for (String suffix : List.of("", "-wal", "-shm")) {
                Files.copy(file.resolveSibling(file.getFileName() + suffix), crashed.resolve("db" + suffix));
            }
        }
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.copy(crashed.resolve("db" + suffix), file.resolveSibling(file.getFileName() + suffix),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(file.resolveSibling("gestima.db-wal")).exists();

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("gestima.db-shm",
                    "gestima.db.rollback-tmp");
        }
        assertThat(count("quotes")).isEqualTo(50);
        assertThat(count("parts")).isEqualTo(50);
        assertThat(integrity()).isEqualTo("ok");
        // the set-aside copy holds what the crashed application had committed to its WAL
        Path asideCopy = plan.store().artifactDir(plan.store().get(report.setAsidePointId()), "db")
                .resolve(SqliteDatabase.ARTIFACT);
        long quotesAside = Jdbi.create("jdbc:sqlite:" + asideCopy).withHandle(h -> h.createQuery("SELECT count(*) FROM quotes")
                .mapTo(Long.class).one());
        assertThat(quotesAside).isZero();
    }

    @Test
    void shouldRefuseToDestroyRowsWrittenAfterTheRestorePointAndListThemInThePreview() throws Exception {
        SqliteDatabase db = SqliteDatabase.of(file).named("db").writtenAtColumn("parts", "updated_at");
        RollbackPlan plan = plan(db);
        RestorePoint before = plan.capture("v2.0.0");
        app.useHandle(h -> {
            h.execute("ALTER TABLE parts ADD COLUMN file_id INTEGER");
            h.execute("INSERT INTO parts (name, updated_at, file_id) VALUES ('new part', datetime('now', '+1 minute'), 3)");
            h.execute("UPDATE parts SET updated_at = datetime('now', '+1 minute') WHERE id = 2");
            h.execute("CREATE TABLE file_records (id INTEGER PRIMARY KEY, filename TEXT)");
            h.execute("INSERT INTO file_records (filename) VALUES ('drawing.pdf')");
        });
        byte[] live = Files.readAllBytes(file);

        RollbackPreview preview = plan.preview(before);
        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("1 row of table 'parts' inserted after the restore point")
                .hasMessageContaining("2 rows of table 'parts' written after the restore point (by updated_at)")
                .hasMessageContaining("column 'file_id' of table 'parts', added after the restore point")
                .hasMessageContaining("table 'file_records', created after the restore point, holds 1 row")
                .hasMessageContaining("acceptDataLoss()");

        assertThat(preview.isReady()).isFalse();
        assertThat(preview.stepsOf("db").stream().flatMap(s -> s.actions().stream()))
                .anySatisfy(a -> assertThat(a).startsWith("point of no return: 1 row of table 'parts' inserted"));
        assertThat(Files.readAllBytes(file)).isEqualTo(live);
        assertThat(count("file_records")).isEqualTo(1);
    }

    @Test
    void shouldExportTheRowsItDestroysIntoTheSetAsidePointWhenDataLossIsAccepted() throws Exception {
        SqliteDatabase db = SqliteDatabase.of(file).named("db").writtenAtColumn("parts", "updated_at")
                .acceptDataLoss().exportDataLoss(ExportFormat.CSV);
        RollbackPlan plan = plan(db);
        RestorePoint before = plan.capture("v2.0.0");
        app.useHandle(h -> {
            h.execute("INSERT INTO parts (name, updated_at) VALUES ('new, \"quoted\" part', datetime('now', '+1 minute'))");
            h.execute("CREATE TABLE file_records (id INTEGER PRIMARY KEY, filename TEXT)");
            h.execute("INSERT INTO file_records (filename) VALUES ('drawing.pdf')");
        });

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        Path lost = plan.store().artifactDir(plan.store().get(report.setAsidePointId()), "db").resolve("lost");
        try (Stream<Path> files = Files.list(lost)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "01-file_records-all.csv", "02-parts-new.csv", "03-parts-written-after.csv");
        }
        assertThat(Files.readString(lost.resolve("02-parts-new.csv"), StandardCharsets.UTF_8))
                .isEqualTo("id,name,updated_at\r\n51,\"new, \"\"quoted\"\" part\"," + readUpdatedAt(lost) + "\r\n");
        assertThat(Files.readString(lost.resolve("01-file_records-all.csv"))).contains("1,drawing.pdf");
        assertThat(count("parts")).isEqualTo(50);
    }

    private static String readUpdatedAt(Path lost) throws Exception {
        String line = Files.readAllLines(lost.resolve("02-parts-new.csv")).get(1);
        return line.substring(line.lastIndexOf(',') + 1);
    }

    @Test
    void shouldExportAsSqlInsertsThatRecreateTheRows() throws Exception {
        SqliteDatabase db = SqliteDatabase.of(file).named("db").acceptDataLoss().exportDataLoss(ExportFormat.SQL);
        RollbackPlan plan = plan(db);
        RestorePoint before = plan.capture("v1");
        app.useHandle(h -> h.execute("INSERT INTO parts (name) VALUES ('it''s new')"));

        RollbackReport report = plan.rollback(before);

        Path sql = plan.store().artifactDir(plan.store().get(report.setAsidePointId()), "db").resolve("lost")
                .resolve("01-parts-new.sql");
        String text = Files.readString(sql);
        assertThat(text).contains("INSERT INTO \"parts\" (\"id\", \"name\", \"updated_at\") VALUES (51, 'it''s new', NULL);");
        app.useHandle(h -> h.createScript(text).execute());
        assertThat(count("parts")).isEqualTo(51);
    }

    @Test
    void shouldNotLetATableNameWithQuotesAndSemicolonsInjectSql() throws Exception {
        String evil = "x\"; DROP TABLE parts; --";
        app.useHandle(h -> {
            h.execute("CREATE TABLE \"" + evil.replace("\"", "\"\"") + "\" (id INTEGER PRIMARY KEY, \"v\"\"; DROP TABLE quotes; --\" TEXT)");
            h.execute("INSERT INTO \"" + evil.replace("\"", "\"\"") + "\" (id) VALUES (1)");
        });
        SqliteDatabase db = SqliteDatabase.of(file).named("db").acceptDataLoss().exportDataLoss(ExportFormat.SQL)
                .writtenAtColumn(evil, "v\"; DROP TABLE quotes; --").expectTables(evil);
        RollbackPlan plan = plan(db);
        RestorePoint before = plan.capture("v1");
        app.useHandle(h -> h.execute("INSERT INTO \"" + evil.replace("\"", "\"\"") + "\" (id) VALUES (2)"));

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(count("parts")).isEqualTo(50);
        assertThat(count("quotes")).isEqualTo(50);
        assertThat(count(evil)).isEqualTo(1);
        Path lost = plan.store().artifactDir(plan.store().get(report.setAsidePointId()), "db").resolve("lost");
        try (Stream<Path> files = Files.list(lost)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("01-x___DROP_TABLE_parts__---new.sql");
        }
    }

    @Test
    void shouldFailVerificationWhenAForeignKeyIsOrphanedOrAUserCheckFindsRows() throws Exception {
        SqliteDatabase db = SqliteDatabase.of(file).named("db")
                .verifiedBy(SqlCheck.of("no quote of zero", "SELECT id FROM quotes WHERE total = 0"));
        RollbackPlan plan = plan(db);
        app.useHandle(h -> {
            h.execute("INSERT INTO quotes (part_id, total) VALUES (999, 0)");
        });
        RestorePoint broken = plan.capture("broken");

        RollbackReport report = plan.rollback(broken);

        assertThat(report.outcome()).isEqualTo(Outcome.VERIFICATION_FAILED);
        assertThat(report.checks()).anySatisfy(c -> assertThat(c.detail())
                .contains("1 row of 'quotes' refer through [part_id] to rows of 'parts' that do not exist")
                .contains("check 'no quote of zero' found rows"));
    }

    @Test
    void shouldVerifyTheBackupAtCaptureAndInPreflight() throws Exception {
        RollbackPlan plan = plan(SqliteDatabase.of(file).named("db").verifyBackups());
        RestorePoint before = plan.capture("v1");

        RollbackPreview preview = plan.preview(before);

        assertThat(preview.problems()).isEmpty();
        assertThat(before.snapshot("db").orElseThrow().require("rows.parts")).isEqualTo("50");
    }

    @Test
    void shouldFailCaptureWithoutStoringAPointWhenTheDatabaseIsMissing() {
        RollbackPlan plan = plan(SqliteDatabase.of(dir.resolve("nowhere.db")).named("db"));

        assertThatThrownBy(() -> plan.capture("v1")).isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("nowhere.db").hasMessageContaining("found nothing");
        assertThat(plan.restorePoints()).isEmpty();
        assertThat(dir.resolve("nowhere.db")).doesNotExist();
    }

    @Test
    void shouldRestoreAFlywaySchemaFromTheBackupAndCheckItsHistory() throws Exception {
        app.useHandle(h -> {
            h.execute("CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), "
                    + "description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, "
                    + "checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, "
                    + "execution_time INT NOT NULL, success BOOLEAN NOT NULL)");
            h.execute("INSERT INTO flyway_schema_history VALUES (1, '1', 'parts', 'SQL', 'V1__parts.sql', 1, 'app', "
                    + "CURRENT_TIMESTAMP, 3, 1)");
        });
        RollbackPlan plan = plan(SqliteDatabase.of(file).named("db").flywayHistory());
        RestorePoint before = plan.capture("v1");
        assertThat(before.snapshot("db").orElseThrow().require("flyway.version")).isEqualTo("1");
        app.useHandle(h -> {
            h.execute("ALTER TABLE parts ADD COLUMN file_id INTEGER");
            h.execute("INSERT INTO flyway_schema_history VALUES (2, '2', 'file id', 'SQL', 'V2__file_id.sql', 2, 'app', "
                    + "CURRENT_TIMESTAMP, 3, 1)");
        });

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(count("flyway_schema_history")).isEqualTo(1);
        assertThat(report.checks()).anySatisfy(c -> assertThat(c.passed()).isTrue());
    }

    @Test
    void shouldBringBackADatabaseFileTheDeployDeletedAndRemoveItAgainWhenPuttingBack() throws Exception {
        RollbackPlan plan = plan(SqliteDatabase.of(file).named("db"));
        RestorePoint before = plan.capture("v1");
        Files.delete(file);
        Files.deleteIfExists(file.resolveSibling("gestima.db-wal"));
        Files.deleteIfExists(file.resolveSibling("gestima.db-shm"));

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(count("parts")).isEqualTo(50);
        RollbackReport back = plan(SqliteDatabase.of(file).named("db").acceptDataLoss())
                .rollback(plan.store().get(report.setAsidePointId()));
        assertThat(back.outcome()).as(back.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(file).doesNotExist();
    }

    @Test
    void shouldRejectARelativePathAndABadName() {
        assertThatThrownBy(() -> SqliteDatabase.of(Path.of("rel.db"))).hasMessageContaining("absolute path");
        assertThatThrownBy(() -> SqliteDatabase.of(file).named("no spaces")).hasMessageContaining("expected a name");
    }
}
