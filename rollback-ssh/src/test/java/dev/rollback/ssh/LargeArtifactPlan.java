package dev.rollback.ssh;

import dev.rollback.targets.DirectoryBackup;

import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.targets.Directory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The plan of {@link LargeArtifactTest}, run in a child JVM with a small heap: a folder on the server
 * (OpenSSH on loopback, sharing this machine's files) kept in the plan's host store, with a copy in
 * the local store. Arguments: the test's root folder, the server's port, the user key, the
 * known_hosts file, then {@code capture} (writes the point's id to {@code root/point-id}) or
 * {@code rollback <id>} (exits 0 only if the rollback succeeded).
 */
final class LargeArtifactPlan {

    private LargeArtifactPlan() {}

    static RollbackPlan build(SshHost host, Path root) {
        return Rollback.plan("large").on(host).store(root.resolve("store")).hostStore(root.resolve("server/backups"))
                .target(DirectoryBackup.of(root.resolve("server/data")).named("data"))
                .copyArtifactsToStore()
                .build();
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        System.out.println("max heap: " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        try (SshHost host = SshHost.builder("127.0.0.1").port(Integer.parseInt(args[1])).user("root")
                .privateKey(Path.of(args[2])).knownHosts(Path.of(args[3])).connect()) {
            RollbackPlan plan = build(host, root);
            if (args[4].equals("capture")) {
                RestorePoint point = plan.capture("v1");
                Files.writeString(root.resolve("point-id"), point.id());
            } else {
                RollbackReport report = plan.rollback(plan.store().get(args[5]));
                System.out.println(report.toMarkdown());
                if (!report.isSuccessful()) {
                    System.exit(3);
                }
            }
        }
        System.exit(0);
    }
}
