package dev.rollback.examples.systems;


import static dev.rollback.Scope.only;

import dev.rollback.spi.Check;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.db.ExportFormat;
import dev.rollback.db.SqliteDatabase;
import dev.rollback.git.GitCode;
import dev.rollback.host.Command;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 004, "Gestima" (FastAPI + SQLite in WAL mode + a Vue front-end): a restore point before
 * the deploy of v2.0.1 (database, code), the deploy, users writing parts after it, then the
 * rollback the runbook describes. Preflight refuses the full rollback because it would destroy the
 * parts written since the deploy (the point of no return), so the on-call engineer rolls back the
 * backend only ({@code git checkout v2.0.0 -- app/ alembic/}), leaving the new front-end and the
 * database, with its new rows, as they are.
 *
 * <p>Needs {@code git} on the PATH.
 *
 * <pre>./mvnw -q -pl rollback-examples-systems -am compile exec:java -Dexec.mainClass=dev.rollback.examples.systems.GestimaExample</pre>
 */
public final class GestimaExample {

    private GestimaExample() {}

    /** What the example did: the refusal of the full rollback, and the backend-only report. */
    public record Result(String refusal, RollbackReport backendOnly) {}

    /** Runs the example in a fresh temp folder and prints what happened. */
    public static void main(String[] args) throws Exception {
        Result r = run(Files.createTempDirectory("rollback-gestima-"));
        System.out.println("Full rollback refused before any change:\n" + r.refusal() + "\n");
        System.out.println(r.backendOnly().toMarkdown());
    }

    /** Runs the example in {@code work}. */
    public static Result run(Path work) throws Exception {
        Host host = Hosts.local();
        Path repo = work.resolve("gestima");
        Path db = work.resolve("data/gestima.db");
        release(host, repo, "2.0.0", "Parts list");
        createDatabase(db);

        // tag::gestima[]
        RollbackPlan plan = Rollback.plan("gestima")
                .store(work.resolve("backups"))
                .target(SqliteDatabase.of(db).named("database")
                        .writtenAtColumn("parts", "updated_at")          // rows written after the point
                        .exportDataLoss(ExportFormat.CSV))
                .target(GitCode.of(repo).named("backend").only("app/", "alembic/"))
                .verify(Check.of("backend is v2.0.0",
                        () -> Files.readString(repo.resolve("app/main.py")).contains("2.0.0")))
                .build();

        RestorePoint before = plan.capture("v2.0.0");              // pre-deployment checklist
        // end::gestima[]

        release(host, repo, "2.0.1", "Parts list with FileManager");
        writeParts(db, List.of("bracket 7", "hinge 12"));            // users keep working after the deploy

        String refusal;
        try {
            plan.rollback(before);
            throw new IllegalStateException("gestima: the full rollback should have been refused");
        } catch (PreflightFailedException e) {
            refusal = e.getMessage();                               // names the rows it would destroy
        }
        // tag::partial[]
        RollbackReport report = plan.rollback(before, only("backend"));   // app/ and alembic/ only
        // end::partial[]
        return new Result(refusal, report);
    }

    /** Commits and tags a release: the backend in app/, a migration in alembic/, the front-end in frontend/. */
    private static void release(Host host, Path repo, String version, String title) throws IOException {
        boolean first = !Files.exists(repo.resolve(".git"));
        Files.createDirectories(repo.resolve("app"));
        Files.createDirectories(repo.resolve("alembic/versions"));
        Files.createDirectories(repo.resolve("frontend/src"));
        Files.writeString(repo.resolve("app/main.py"), "VERSION = '" + version + "'\n");
        Files.writeString(repo.resolve("alembic/versions/aa001_parts.py"), "revision = 'aa001'  # " + version + "\n");
        Files.writeString(repo.resolve("frontend/src/App.vue"), "<template><h1>" + title + "</h1></template>\n");
        if (first) {
            git(host, repo, "init", "--quiet", "--initial-branch=main");
        }
        git(host, repo, "add", "--all");
        git(host, repo, "-c", "user.name=Gestima CI", "-c", "user.email=ci@gestima.invalid", "-c", "commit.gpgsign=false",
                "commit", "--quiet", "-m", "release " + version);
        git(host, repo, "-c", "tag.gpgsign=false", "tag", "v" + version);
    }

    private static void git(Host host, Path repo, String... args) {
        List<String> argv = new ArrayList<>(List.of("git"));
        argv.addAll(List.of(args));
        host.run(Command.of(argv).in(repo)).requireSuccess();
    }

    private static void createDatabase(Path db) throws IOException, SQLException {
        Files.createDirectories(db.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE parts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at TEXT NOT NULL)");
            s.execute("INSERT INTO parts (name, updated_at) VALUES ('bolt 4', datetime('now', '-1 day')), "
                    + "('nut 4', datetime('now', '-1 day'))");
        }
    }

    private static void writeParts(Path db, List<String> names) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                PreparedStatement p = c.prepareStatement(
                        "INSERT INTO parts (name, updated_at) VALUES (?, datetime('now', '+1 second'))")) {
            for (String n : names) {
                p.setString(1, n);
                p.executeUpdate();
            }
        }
    }
}
