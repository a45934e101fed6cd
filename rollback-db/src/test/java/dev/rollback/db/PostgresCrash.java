package dev.rollback.db;

import dev.rollback.Rollback;
import dev.rollback.RollbackEvent;
import dev.rollback.RollbackListener;
import dev.rollback.RollbackPlan;
import java.nio.file.Path;

/**
 * The plan of the instant-restore crash tests, built the same way by the test JVM and by the child
 * JVM that dies between the restore's two renames: after the live database was renamed to its
 * set-aside name, before the clone was renamed in.
 */
final class PostgresCrash {

    private PostgresCrash() {}

    static RollbackPlan plan(Path root, int port, RollbackListener listener) {
        return Rollback.plan("blog").store(root.resolve("store")).listener(listener)
                .target(PostgresDatabase.of("127.0.0.1", port, "blog").user("blog").password(PostgresDatabaseTest.PASSWORD)
                        .named("db").instant().acceptDataLoss()).build();
    }

    /** Run in a child JVM: rolls back to the given point and dies once the live database is renamed away. */
    public static void main(String[] args) {
        RollbackPlan plan = plan(Path.of(args[0]), Integer.parseInt(args[1]), new RollbackListener() {
            @Override
            public void onProgress(RollbackEvent event) {
                if (event.message().startsWith("renamed database 'blog' to '")) {
                    Runtime.getRuntime().halt(137);
                }
            }
        });
        plan.rollback(plan.store().get(args[2]));
        System.exit(0);
    }
}
