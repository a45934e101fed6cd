package dev.rollback.db;

import dev.rollback.Rollback;
import dev.rollback.RollbackEvent;
import dev.rollback.RollbackListener;
import dev.rollback.RollbackPlan;
import java.nio.file.Path;

/**
 * The plan of the consuming-restore crash test, built the same way by the test JVM and by the child
 * JVM that dies right after the restore point's copy was renamed into place.
 */
final class SqliteCrash {

    private SqliteCrash() {}

    static RollbackPlan plan(Path root, Path file, RollbackListener listener) {
        return Rollback.plan("gestima").store(root.resolve("store")).listener(listener)
                .target(SqliteDatabase.of(file).named("db").acceptDataLoss().consumingRestore()).build();
    }

    /** Run in a child JVM: rolls back to the given point and dies once the copy is renamed in. */
    public static void main(String[] args) {
        RollbackPlan plan = plan(Path.of(args[0]), Path.of(args[1]), new RollbackListener() {
            @Override
            public void onProgress(RollbackEvent event) {
                if (event.message().startsWith("renamed the restore point's copy over")) {
                    Runtime.getRuntime().halt(137);
                }
            }
        });
        plan.rollback(plan.store().get(args[2]));
        System.exit(0);
    }
}
