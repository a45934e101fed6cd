package dev.rollback.db;

import dev.rollback.FailurePolicy;
import dev.rollback.Rollback;
import dev.rollback.RollbackEvent;
import dev.rollback.RollbackListener;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.host.Command;
import dev.rollback.host.Hosts;
import dev.rollback.targets.Directory;
import java.nio.file.Path;
import java.util.List;

/**
 * The plan of the realistic Alembic history tests (a microblog's chain of six revisions in the test
 * resources, SQLite with foreign keys on), built the same way by the test JVM and by the child JVM
 * of the crash test.
 */
final class AlembicMicroblog {

    static final String A = "e517276bb1c2";
    static final String B = "ae346256b650";
    static final String C = "37f06a334dbf";
    static final String D = "d049de007ccf";
    static final String E = "2b017edaa91f";
    static final String F = "f7ac3d27bb1d";
    static final List<String> CHAIN = List.of(A, B, C, D, E, F);

    private AlembicMicroblog() {}

    /** The command a test runs the tool with: Debian's alembic, or Flask-Migrate's {@code flask db}. */
    static List<String> tool(boolean flask) {
        return flask ? List.of("/usr/bin/python3", "-m", "flask", "db") : List.of("/usr/bin/alembic");
    }

    static AlembicMigrations migrations(Path project, boolean flask) {
        AlembicMigrations m = flask ? AlembicMigrations.ofFlaskMigrate(project).env("FLASK_APP", "app.py")
                : AlembicMigrations.of(project);
        return m.command(tool(flask))
                .database(SqliteDatabase.of(project.resolve("microblog.db")).named("db"))
                .acceptDataLoss().exportDataLoss(ExportFormat.CSV);
    }

    /** The plan with the targets in {@code order} ({@code code}, {@code migrations}, {@code db}). */
    static RollbackPlan plan(Path root, Path project, List<String> order, FailurePolicy policy,
            RollbackListener listener, boolean flask) {
        RollbackPlanBuilder b = Rollback.plan("microblog").store(root.resolve("store")).onFailure(policy);
        if (listener != null) {
            b = b.listener(listener);
        }
        for (String t : order) {
            switch (t) {
                case "code" -> b = b.target(Directory.backup(project.resolve("migrations").resolve("versions")).named("code"));
                case "migrations" -> b = b.target(migrations(project, flask));
                case "db" -> b = b.target(SqliteDatabase.of(project.resolve("microblog.db")).named("db").acceptDataLoss());
                default -> throw new IllegalArgumentException(t);
            }
        }
        return b.build();
    }

    /**
     * Run in a child JVM: rolls back to the given point and dies in the middle of the downgrade,
     * once the real Alembic has downgraded the two newest revisions (as a process killed between
     * two revisions leaves it).
     */
    public static void main(String[] args) {
        Path project = Path.of(args[1]);
        boolean flask = args[4].equals("flask");
        String downgrade = String.join(" ", tool(flask)) + " downgrade";
        RollbackPlan plan = plan(Path.of(args[0]), project, List.of(args[3].split(",")), FailurePolicy.HALT,
                new RollbackListener() {
                    @Override
                    public void onProgress(RollbackEvent event) {
                        String m = event.message();
                        if (m.startsWith(downgrade)) {
                            String kept = m.substring(m.indexOf('(') + 1, m.lastIndexOf(')'));
                            List<String> argv = new java.util.ArrayList<>(tool(flask));
                            argv.addAll(flask ? List.of("downgrade", "-d", kept, E) : List.of("-c", kept, "downgrade", E));
                            Hosts.local().run(Command.of(argv).in(project).env("FLASK_APP", "app.py")
                                    .env("PYTHONDONTWRITEBYTECODE", "1")).requireSuccess();
                            Runtime.getRuntime().halt(137);
                        }
                    }
                }, flask);
        plan.rollback(plan.store().get(args[2]));
        System.exit(0);
    }
}
