package dev.rollback.db;

import dev.rollback.FailurePolicy;
import dev.rollback.Rollback;
import dev.rollback.RollbackEvent;
import dev.rollback.RollbackListener;
import dev.rollback.RollbackPlan;
import dev.rollback.targets.Directory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;

/**
 * The plan of the Liquibase crash tests (code, then schema, on PostgreSQL), built the same way by
 * the test JVM and by the child JVM that dies in the middle of the rollback.
 */
final class LiquibaseShop {

    private LiquibaseShop() {}

    static RollbackPlan plan(Path store, Path live, int port, RollbackListener listener) {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/shop";
        LiquibaseMigrations schema = LiquibaseMigrations.of(live, "changelog.xml", url).user("shop").password("pw")
                .named("schema").acceptDataLoss()
                .database(PostgresDatabase.of("127.0.0.1", port, "shop").user("shop").password("pw").named("db"));
        var b = Rollback.plan("shop").store(store).onFailure(FailurePolicy.HALT)
                .target(Directory.backup(live).named("code")).target(schema);
        return (listener == null ? b : b.listener(listener)).build();
    }

    /**
     * Run in a child JVM: rolls back to the given point and dies in the middle of Liquibase's
     * rollback, once the newest change set is rolled back (as a process killed between two change
     * sets leaves it).
     */
    public static void main(String[] args) {
        int port = Integer.parseInt(args[2]);
        RollbackPlan plan = plan(Path.of(args[0]), Path.of(args[1]), port, new RollbackListener() {
            @Override
            public void onProgress(RollbackEvent event) {
                String m = event.message();
                int at = m.indexOf(" with the change log ");
                if (m.startsWith("roll back ") && at > 0) {
                    Path kept = Path.of(m.substring(at + " with the change log ".length()));
                    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/shop",
                            "shop", "pw")) {
                        liquibase.database.Database d = liquibase.database.DatabaseFactory.getInstance()
                                .findCorrectDatabaseImplementation(new liquibase.database.jvm.JdbcConnection(c));
                        try (liquibase.Liquibase lb = new liquibase.Liquibase("changelog.xml",
                                new liquibase.resource.DirectoryResourceAccessor(kept), d)) {
                            lb.rollback(1, "");
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                        Runtime.getRuntime().halt(1);
                    }
                    Runtime.getRuntime().halt(137);
                }
            }
        });
        plan.rollback(plan.store().get(args[3]));
        System.exit(0);
    }
}
