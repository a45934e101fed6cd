package dev.rollback.ssh;

import dev.rollback.RestorePoint;
import dev.rollback.RestorePointStore;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.db.PostgresStore;
import dev.rollback.spi.Step;
import dev.rollback.store.StoreBackend;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.DirectoryBackup;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The plan of the team-store tests, built the same way by every "machine": the test JVM and the child JVMs that
 * stand for a CI runner or a second operator, each with a local store of its own and the same server (OpenSSH on
 * 127.0.0.1) whose folder keeps the artifacts and the team's records.
 */
final class TeamPlan {

    private TeamPlan() {}

    /**
     * The plan; {@code records} says where the team's records are: {@code folder} (a folder on the server) or
     * {@code pg <url> <user> <password> <schema>} (PostgreSQL).
     */
    static RollbackPlan build(SshHost server, Path localStore, Path serverDir, String records) {
        Path app = serverDir.resolve("app");
        String[] r = records.split(" ");
        StoreBackend backend = r[0].equals("folder") ? StoreBackend.onHost(server, serverDir.resolve("records"))
                : PostgresStore.of(r[1], r[2], r[3], r[4]);
        RestorePointStore store = RestorePointStore.at(localStore).sharedWith(backend);
        return Rollback.plan("team").on(server).store(store).hostStore(serverDir.resolve("artifacts"))
                .target(ConfigFiles.of(app.resolve("config.json")))
                .target(DirectoryBackup.of(app.resolve("release")))
                .start(Step.of("start app", ctx -> {
                    Path gate = serverDir.resolve("gate");
                    if (Boolean.getBoolean("team.wait")) {
                        System.out.println("holding the lock");
                        System.out.flush();
                        while (!Files.exists(gate)) {
                            ctx.sleep(java.time.Duration.ofMillis(20));
                        }
                    }
                    if (Boolean.getBoolean("team.crash")) {
                        System.out.println("dying mid-rollback");
                        System.out.flush();
                        Runtime.getRuntime().halt(137);
                    }
                }))
                .build();
    }

    /**
     * A machine of the team: {@code <port> <key> <knownHosts> <localStore> <serverDir> <records> capture <label>}
     * prints the new point's id; {@code ... rollback <id>} rolls back to it and prints the outcome.
     */
    public static void main(String[] args) throws Exception {
        try (SshHost host = SshHost.builder("127.0.0.1").port(Integer.parseInt(args[0])).user("root")
                .privateKey(Path.of(args[1])).knownHosts(Path.of(args[2])).connect()) {
            RollbackPlan plan = build(host, Path.of(args[3]), Path.of(args[4]), args[5]);
            switch (args[6]) {
                case "capture" -> {
                    RestorePoint p = plan.capture(args[7]);
                    System.out.println("point " + p.id());
                }
                case "rollback" -> {
                    RollbackReport r = plan.rollback(plan.store().get(args[7]));
                    System.out.println("outcome " + r.outcome());
                }
                default -> throw new IllegalArgumentException(args[6]);
            }
        }
        System.exit(0);
    }
}
