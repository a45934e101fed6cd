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
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Hosts;
import dev.rollback.spi.Target;
import dev.rollback.testing.TestClock;
import dev.rollback.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlembicMigrationsTest {

    static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    Path project;
    Path db;
    final TestClock clock = new TestClock();

    static String script(String revision, String down, String upgrade, String downgrade) {
        return "\"\"\"" + revision + "\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n"
                + "revision = '" + revision + "'\ndown_revision = " + (down == null ? "None" : "'" + down + "'")
                + "\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n" + upgrade
                + "\n\n\ndef downgrade() -> None:\n" + downgrade + "\n";
    }

    static void writeScripts(Path versions) throws Exception {
        Files.createDirectories(versions);
        Files.writeString(versions.resolve("aa001_parts.py"), script("aa001", null,
                "    op.create_table('parts', sa.Column('id', sa.Integer, primary_key=True), sa.Column('name', sa.String(50)))",
                "    op.drop_table('parts')"));
        Files.writeString(versions.resolve("bb002_drawing_number.py"), script("bb002", "aa001",
                "    op.add_column('parts', sa.Column('drawing_number', sa.String(20)))",
                "    op.drop_column('parts', 'drawing_number')"));
        Files.writeString(versions.resolve("cc003_file_records.py"), script("cc003", "bb002",
                "    op.create_table('file_records', sa.Column('id', sa.Integer, primary_key=True), sa.Column('filename', sa.String(200)))",
                "    op.drop_table('file_records')"));
        Files.writeString(versions.resolve("dd004_file_id.py"), script("dd004", "cc003",
                "    op.add_column('parts', sa.Column('file_id', sa.Integer))",
                "    # TODO: Implement rollback\n    pass"));
    }

    CommandResult alembic(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("/usr/bin/alembic"));
        argv.addAll(List.of(args));
        return Hosts.local().run(Command.of(argv).in(project)).requireSuccess();
    }

    @BeforeEach
    void createProject() throws Exception {
        Requirements.require(Files.isExecutable(Path.of("/usr/bin/alembic")), "Debian's alembic (.ci/setup-db.sh)");
        project = dir.resolve("gestima");
        Files.createDirectories(project);
        db = project.resolve("gestima.db");
        alembic("init", "alembic");
        Path ini = project.resolve("alembic.ini");
        Files.writeString(ini, Files.readString(ini).replace("driver://user:pass@localhost/dbname", "sqlite:///" + db));
        writeScripts(project.resolve("alembic").resolve("versions"));
    }

    RollbackPlan plan(Target target) {
        return Rollback.plan("gestima").store(dir.resolve("store")).clock(clock).target(target).build();
    }

    AlembicMigrations migrations() {
        return AlembicMigrations.of(project).command(List.of("/usr/bin/alembic"));
    }

    List<String> tables() {
        return Jdbi.create("jdbc:sqlite:" + db).withHandle(h -> h.createQuery(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'alembic_version' ORDER BY 1")
                .mapTo(String.class).list());
    }

    @Test
    void shouldDowngradeToTheRevisionRecordedAtCaptureAndUpgradeWhenPuttingBack() {
        alembic("upgrade", "bb002");
        RollbackPlan plan = plan(migrations());
        RestorePoint before = plan.capture("v2.0.0");
        assertThat(before.snapshot("migrations").orElseThrow().require("revision")).isEqualTo("bb002");
        alembic("upgrade", "cc003");

        RollbackPreview preview = plan.preview(before);
        RollbackReport report = plan.rollback(before);

        assertThat(preview.stepsOf("migrations").stream().flatMap(s -> s.actions().stream())).anySatisfy(a -> assertThat(a)
                .startsWith("/usr/bin/alembic downgrade bb002 (from cc003) through [cc003] with a copy of the scripts of "
                        + "the live folder"));
        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(migrations().current(Hosts.local())).isEqualTo("bb002");
        assertThat(tables()).containsExactly("parts");
        // the revision before the rollback was set aside: putting it back upgrades again
        plan.rollback(plan.store().get(report.setAsidePointId()));
        assertThat(migrations().current(Hosts.local())).isEqualTo("cc003");
    }

    @Test
    void shouldReportAStubDowngradeInPreviewAndRefuseItInPreflight() throws Exception {
        alembic("upgrade", "cc003");
        RollbackPlan plan = plan(migrations());
        RestorePoint before = plan.capture("v2.0.0");
        alembic("upgrade", "dd004");
        byte[] live = Files.readAllBytes(db);

        RollbackPreview preview = plan.preview(before);

        assertThat(preview.stepsOf("migrations").stream().flatMap(s -> s.actions().stream())).anySatisfy(a -> assertThat(a)
                .contains("migration dd004 (dd004_file_id.py) has a stub downgrade()"));
        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("stub downgrade").hasMessageContaining("acceptStubDowngrades()")
                .hasMessageNotContaining("acceptDataLoss()");
        assertThat(Files.readAllBytes(db)).isEqualTo(live);
        // accepting data loss is another matter: it does not let a stub through
        assertThatThrownBy(() -> plan(migrations().acceptDataLoss()).rollback(before))
                .isInstanceOf(PreflightFailedException.class).hasMessageContaining("stub downgrade");
        RollbackReport accepted = plan(migrations().acceptStubDowngrades()).rollback(before);
        assertThat(accepted.outcome()).as(accepted.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(migrations().current(Hosts.local())).isEqualTo("cc003");
    }

    @Test
    void shouldRefuseADowngradeThatDropsATableHoldingRows() {
        alembic("upgrade", "bb002");
        AlembicMigrations m = migrations().database(SqliteDatabase.of(db));
        RollbackPlan plan = plan(m);
        RestorePoint before = plan.capture("v2.0.0");
        alembic("upgrade", "cc003");
        Jdbi.create("jdbc:sqlite:" + db).useHandle(h -> {
            h.execute("INSERT INTO file_records (filename) VALUES ('drawing.pdf')");
            h.execute("INSERT INTO parts (name, drawing_number) VALUES ('p', 'D-1')");
        });

        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("migration cc003 drops table 'file_records', which holds 1 row");
        assertThat(tables()).contains("file_records");
    }

    @Test
    void shouldDowngradeAFlaskMigrateApplicationWithFlaskDb() throws Exception {
        Requirements.require(Hosts.local().run(Command.of(PYTHON.toString(), "-c", "import flask_migrate, flask_sqlalchemy"))
                .succeeded(), "Debian's python3-flask-migrate (.ci/setup-db.sh)");
        Path app = dir.resolve("bankroll");
        Files.createDirectories(app);
        Files.writeString(app.resolve("app.py"), String.join("\n",
                "import os",
                "from flask import Flask",
                "from flask_sqlalchemy import SQLAlchemy",
                "from flask_migrate import Migrate",
                "app = Flask(__name__)",
                "app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite:///' + os.environ['BANKROLL_DB']",
                "db = SQLAlchemy(app)",
                "migrate = Migrate(app, db)", ""));
        Path bankrollDb = app.resolve("bankroll.db");
        AlembicMigrations flask = AlembicMigrations.ofFlaskMigrate(app).command(List.of(PYTHON.toString(), "-m", "flask", "db"))
                .env("FLASK_APP", "app.py").env("BANKROLL_DB", bankrollDb.toString());
        Command init = Command.of(PYTHON.toString(), "-m", "flask", "db", "init").in(app).env("FLASK_APP", "app.py")
                .env("BANKROLL_DB", bankrollDb.toString());
        Hosts.local().run(init).requireSuccess();
        writeScripts(app.resolve("migrations").resolve("versions"));
        Hosts.local().run(new Command(List.of(PYTHON.toString(), "-m", "flask", "db", "upgrade", "bb002"), app,
                init.env(), null, null)).requireSuccess();
        RollbackPlan plan = plan(flask);
        RestorePoint before = plan.capture("v1");
        Hosts.local().run(new Command(List.of(PYTHON.toString(), "-m", "flask", "db", "upgrade", "cc003"), app,
                init.env(), null, null)).requireSuccess();

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(flask.current(Hosts.local())).isEqualTo("bb002");
    }

    @Test
    void shouldFindDataDroppedByRawSqlFromTheCatalogAndTakeARenameForARename() throws Exception {
        Path versions = project.resolve("alembic").resolve("versions");
        Files.writeString(versions.resolve("ee005_raw_notes.py"), script("ee005", "dd004",
                "    op.execute('CREATE TABLE raw_notes (id INTEGER PRIMARY KEY, body TEXT)')",
                "    op.execute('DROP TABLE raw_notes')"));
        Files.writeString(versions.resolve("ff006_rename_name.py"), script("ff006", "ee005",
                "    with op.batch_alter_table('parts') as batch_op:\n"
                        + "        batch_op.alter_column('name', new_column_name='title', existing_type=sa.String(50))",
                "    with op.batch_alter_table('parts') as batch_op:\n"
                        + "        batch_op.alter_column('title', new_column_name='name', existing_type=sa.String(50))"));
        alembic("upgrade", "dd004");
        Jdbi.create("jdbc:sqlite:" + db).useHandle(h -> h.execute("INSERT INTO parts (name) VALUES ('bolt'), ('nut')"));
        AlembicMigrations m = migrations().database(SqliteDatabase.of(db));
        RollbackPlan plan = plan(m);
        RestorePoint before = plan.capture("v1");
        alembic("upgrade", "ff006");
        Jdbi.create("jdbc:sqlite:" + db).useHandle(h -> h.execute("INSERT INTO raw_notes (body) VALUES ('a'), ('b')"));

        RollbackPreview preview = plan.preview(before);

        List<String> actions = preview.stepsOf("migrations").stream().flatMap(s -> s.actions().stream()).toList();
        assertThat(actions).contains("point of no return: rolling back to revision dd004 drops table 'raw_notes', which "
                + "holds 2 rows; refused without acceptDataLoss()");
        // the renamed column goes back to its old name with its values: no loss
        assertThat(actions).noneMatch(a -> a.contains("title"));
        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("drops table 'raw_notes', which holds 2 rows");
        RollbackReport report = plan(m.acceptDataLoss().exportDataLoss(ExportFormat.SQL)).rollback(before);
        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(tables()).doesNotContain("raw_notes");
        List<String> names = Jdbi.create("jdbc:sqlite:" + db).withHandle(h -> h.createQuery("SELECT name FROM parts "
                + "ORDER BY 1").mapTo(String.class).list());
        assertThat(names).containsExactly("bolt", "nut");
    }
}
