package dev.rollback.ssh;

import dev.rollback.targets.DirectoryBackup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.spi.ArtifactLocation;
import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.RollbackReport;
import dev.rollback.spi.Snapshot;
import dev.rollback.StepRecord;
import dev.rollback.check.HealthCheck;
import dev.rollback.host.Hosts;
import dev.rollback.testing.Trees;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.Directory;
import dev.rollback.targets.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed-001 story over real SSH (an embedded server on 127.0.0.1): a release directory, its JSON
 * config, a real service process and a health check, with every artifact kept on the server in the
 * plan's host store and only the manifests in the local store. The server shares this machine's
 * files, so the tests look directly at both places.
 */
class RemoteArtifactsTest {

    @TempDir
    Path server;

    @TempDir
    Path store;

    @TempDir
    Path keys;

    private MinaServer sshd;
    private SshHost host;
    private Path release;
    private Path config;
    private Path backups;
    private Service bot;

    @BeforeEach
    void start() throws Exception {
        KeyPair user = TestKeys.rsa();
        sshd = new MinaServer(keys, user.getPublic()).start();
        host = SshHost.builder("127.0.0.1").port(sshd.port()).user("root")
                .privateKey(TestKeys.write(user, keys.resolve("id_test")))
                .knownHosts(TestKeys.knownHosts(keys.resolve("known_hosts"), sshd.port(), sshd.hostKey()))
                .connect();
        release = server.resolve("opt/rosey-bot");
        config = server.resolve("etc/rosey-bot/config.json");
        backups = server.resolve("var/backups/rollback");
        Files.createDirectories(release.resolve("bot"));
        Files.createDirectories(release.resolve("public"));
        Files.createDirectories(release.resolve("logs"));
        Files.createDirectories(config.getParent());
        Files.createDirectories(server.resolve("run"));
        Files.writeString(release.resolve("public/index.html"), "<h1>Rosey bot</h1>\n");
        Files.writeString(release.resolve("bot/main.py"), "VERSION = '1.0.0'\n");
        Files.setPosixFilePermissions(release.resolve("bot/main.py"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(release.resolve("VERSION"), "1.0.0\n");
        Files.createSymbolicLink(release.resolve("public/latest"), Path.of("index.html"));
        Files.writeString(release.resolve("logs/bot.log"), "started 1.0.0\n");
        Files.writeString(config, "{\n  \"mode\": \"production\",\n  \"channel\": \"movies\"\n}\n");
        bot = Service.ofProcess("rosey-bot", List.of("sleep", "300"), server.resolve("run/rosey-bot.pid"))
                .every(Duration.ofMillis(50)).timeout(Duration.ofSeconds(20));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            bot.stop(Hosts.local());
        } finally {
            host.close();
            sshd.close();
        }
    }

    private RollbackPlanBuilder rosey() {
        return Rollback.plan("rosey").on(host).store(store).hostStore(backups)
                .stop(bot.stopping())
                .target(DirectoryBackup.of(release).excluding("logs"))
                .target(ConfigFiles.of(config))
                .start(bot.starting())
                .verify(HealthCheck.command("grep", "-q", "\"mode\": \"production\"", config.toString()))
                .verify(bot.running())
                .onFailure(FailurePolicy.RESTORE_FAILED_STATE);
    }

    /** The team's bad deploy: a test banner, a broken config, a restart; the bot keeps logging. */
    private void badDeploy() throws Exception {
        Files.writeString(release.resolve("public/index.html"), "<h1>Rosey bot [TEST DEPLOYMENT]</h1>\n");
        Files.writeString(release.resolve("bot/main.py"), "VERSION = '1.1.0'\nthis will cause error\n");
        Files.writeString(release.resolve("VERSION"), "1.1.0\n");
        Files.writeString(release.resolve("bot/new_feature.py"), "broken = True\n");
        Files.writeString(config, "{\n  \"mode\": \"debug-typo\",\n  \"channel\": \"movies\"\n}\n");
        Files.writeString(release.resolve("logs/bot.log"), "started 1.1.0\nerror in main.py\n",
                java.nio.file.StandardOpenOption.APPEND);
        bot.stop(host);
        bot.start(host);
    }

    private Map<String, String> liveRelease() throws IOException {
        Map<String, String> tree = Trees.fingerprint(release);
        tree.keySet().removeIf(p -> p.startsWith("logs"));
        return tree;
    }

    /** Path to content (or link target), without times: what a copy over SFTP can keep exactly. */
    private Map<String, String> releaseContents() throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> all = Files.walk(release)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String key = release.relativize(p).toString();
                if (key.startsWith("logs")) {
                    continue;
                }
                out.put(key, Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p) ? "dir" : Files.readString(p) + " "
                                + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            }
        }
        return out;
    }

    private static List<Path> regularFiles(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("manifest.json"))
                    .filter(p -> !p.getFileName().toString().equals(".plan")) // the note naming the point's plan
                    .filter(p -> !p.startsWith(root.resolve("journals")) && !p.startsWith(root.resolve("reports")))
                    .filter(p -> !p.startsWith(root.resolve("locks")) && !p.startsWith(root.resolve("history"))).toList();
        }
    }

    private Path onHost(RestorePoint point, String target) {
        return backups.resolve("rosey").resolve(point.id()).resolve(target);
    }

    @Test
    void shouldRollBackTheSeedStoryOverSshWithEveryArtifactKeptOnTheServer() throws Exception {
        bot.start(host);
        RollbackPlan plan = rosey().build();
        Map<String, String> v1 = liveRelease();
        Map<String, String> v1Contents = releaseContents();
        byte[] v1Config = Files.readAllBytes(config);

        RestorePoint before = plan.capture("v1.0.0");

        assertThat(regularFiles(store)).as("no artifact in the local store").isEmpty();
        assertThat(onHost(before, "rosey-bot").resolve("tree/VERSION")).hasContent("1.0.0\n");
        assertThat(onHost(before, "rosey-bot").resolve("tree/logs")).as("excluded").doesNotExist();
        assertThat(onHost(before, "config").resolve("file-0")).hasBinaryContent(v1Config);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backups))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(onHost(before, "config"))))
                .isEqualTo("rwx------");
        Snapshot tree = before.snapshot("rosey-bot").orElseThrow();
        assertThat(tree.location()).isEqualTo(new ArtifactLocation(host.name(),
                onHost(before, "rosey-bot").toString(), false));
        assertThat(tree.artifacts()).extracting(a -> a.path()).contains("tree/VERSION", "tree/bot/main.py");
        assertThat(Files.readString(store.resolve("points").resolve(before.id()).resolve("manifest.json")))
                .as("the manifest says where the artifacts live").contains(onHost(before, "config").toString())
                .contains(host.name());

        badDeploy();
        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(liveRelease()).as("the release is back byte for byte, with its times").isEqualTo(v1);
        assertThat(releaseContents()).as("modes and links too").isEqualTo(v1Contents);
        assertThat(Files.readAllBytes(config)).isEqualTo(v1Config);
        assertThat(release.resolve("logs/bot.log")).as("logs written since the capture survive")
                .hasContent("started 1.0.0\nstarted 1.1.0\nerror in main.py\n");
        assertThat(bot.status(host).running()).isTrue();
        try (Stream<Path> siblings = Files.list(release.getParent())) {
            Path failed = siblings.filter(p -> p.getFileName().toString().startsWith("rosey-bot-failed-"))
                    .findFirst().orElseThrow();
            assertThat(failed.resolve("VERSION")).as("the failed tree is kept aside").hasContent("1.1.0\n");
            assertThat(failed.resolve("bot/new_feature.py")).exists();
        }
        RestorePoint aside = plan.store().get(report.setAsidePointId());
        assertThat(onHost(aside, "config").resolve("file-0")).as("the set-aside state is on the server too")
                .content().contains("debug-typo");
        assertThat(report.setAside()).isNotEmpty().allSatisfy(s -> assertThat(s.location()).contains(host.name()));
        assertThat(regularFiles(store)).as("still nothing but manifests in the local store").isEmpty();
    }

    @Test
    void shouldRefuseACorruptedArtifactOnTheServerInPreflightChangingNothing() throws Exception {
        bot.start(host);
        RollbackPlan plan = rosey().build();
        RestorePoint before = plan.capture("v1.0.0");
        badDeploy();
        Path version = onHost(before, "rosey-bot").resolve("tree/VERSION");
        Files.writeString(version, "1.0.1\n");
        Map<String, String> bad = liveRelease();
        byte[] badConfig = Files.readAllBytes(config);
        String pid = Files.readString(server.resolve("run/rosey-bot.pid"));

        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .satisfies(e -> assertThat(((PreflightFailedException) e).problems()).singleElement()
                        .satisfies(p -> assertThat(p.message()).contains("tree/VERSION").contains(host.name())
                                .contains("corrupted")));

        assertThat(liveRelease()).isEqualTo(bad);
        assertThat(Files.readAllBytes(config)).isEqualTo(badConfig);
        assertThat(Files.readString(server.resolve("run/rosey-bot.pid"))).as("the bot was not stopped").isEqualTo(pid);
        assertThat(plan.restorePoints()).containsExactly(before);
        assertThat(plan.history()).isEmpty();
    }

    @Test
    void shouldCopyArtifactsToTheStoreAndPushThemBackWhenTheServerLostItsCopy() throws Exception {
        bot.start(host);
        RollbackPlan plan = rosey().copyArtifactsToStore().build();
        Map<String, String> v1 = releaseContents();
        byte[] v1Config = Files.readAllBytes(config);

        RestorePoint before = plan.capture("v1.0.0");

        Path local = store.resolve("points").resolve(before.id()).resolve("artifacts");
        assertThat(local.resolve("rosey-bot/tree/VERSION")).hasContent("1.0.0\n");
        assertThat(local.resolve("config/file-0")).hasBinaryContent(v1Config);
        assertThat(Files.isSymbolicLink(local.resolve("rosey-bot/tree/public/latest"))).isTrue();
        assertThat(before.snapshot("config").orElseThrow().location().storeCopy()).isTrue();
        assertThat(plan.store().verify(before)).as("the local copy matches the checksums taken on the server").isEmpty();

        badDeploy();
        host.delete(onHost(before, "config"));
        Files.writeString(onHost(before, "rosey-bot").resolve("tree/bot/main.py"), "tampered\n");
        assertThat(plan.preview(before).problems()).isEmpty();
        assertThat(plan.preview(before).steps().get(0).actions()).anySatisfy(a -> assertThat(a)
                .contains("push the local copy").contains("config").contains("rosey-bot"));

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).as(report.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        StepRecord preflight = report.steps().get(0);
        assertThat(preflight.detail()).contains("pushed the local copy");
        assertThat(releaseContents()).as("contents, modes and links; file times are those of the push").isEqualTo(v1);
        assertThat(Files.readAllBytes(config)).isEqualTo(v1Config);
        assertThat(onHost(before, "config").resolve("file-0")).as("the server has its copy again").hasBinaryContent(v1Config);
        assertThat(onHost(before, "rosey-bot").resolve("tree/bot/main.py")).hasContent("VERSION = '1.0.0'\n");
        assertThat(onHost(before, "rosey-bot").resolveSibling("." + "rosey-bot.damaged-" + report.rollbackId())
                .resolve("tree/bot/main.py")).as("the damaged copy is kept, not deleted").hasContent("tampered\n");
    }

    @Test
    void shouldRefuseWhenBothTheServerCopyAndTheLocalCopyAreDamaged() throws Exception {
        RollbackPlan plan = Rollback.plan("rosey").on(host).store(store).hostStore(backups)
                .target(ConfigFiles.of(config)).copyArtifactsToStore().build();
        RestorePoint before = plan.capture("v1.0.0");
        Files.writeString(config, "{\"mode\": \"debug-typo\"}\n");
        host.delete(onHost(before, "config"));
        Files.writeString(store.resolve("points").resolve(before.id()).resolve("artifacts/config/file-0"), "{}");

        assertThatThrownBy(() -> plan.rollback(before)).isInstanceOf(PreflightFailedException.class)
                .satisfies(e -> assertThat(((PreflightFailedException) e).problems()).hasSize(2)
                        .anySatisfy(p -> assertThat(p.found()).isEqualTo("no such file"))
                        .anySatisfy(p -> assertThat(p.action()).contains("corrupted")));
        assertThat(config).hasContent("{\"mode\": \"debug-typo\"}\n");
        assertThat(onHost(before, "config")).doesNotExist();
    }

    @Test
    void shouldRemoveTheServerFoldersOfPointsThatRetentionAndDeleteDrop() throws Exception {
        RollbackPlan plan = Rollback.plan("rosey").on(host).store(store).hostStore(backups)
                .target(DirectoryBackup.of(release).excluding("logs")).target(ConfigFiles.of(config)).keepLast(2).build();
        RestorePoint first = plan.capture("v1.0.0");
        Files.writeString(release.resolve("VERSION"), "1.1.0\n");
        RestorePoint second = plan.capture("v1.1.0");
        assertThat(onHost(first, "rosey-bot").resolve("tree/bot/main.py")).exists();
        assertThat(Files.isSameFile(onHost(first, "rosey-bot").resolve("tree/bot/main.py"),
                onHost(second, "rosey-bot").resolve("tree/bot/main.py")))
                .as("an unchanged file is a hard link to the previous point's copy, on the server").isTrue();
        Files.writeString(release.resolve("VERSION"), "1.2.0\n");

        RestorePoint third = plan.capture("v1.2.0");

        assertThat(plan.restorePoints()).containsExactly(second, third);
        assertThat(backups.resolve("rosey").resolve(first.id())).as("retention removed it on the server").doesNotExist();
        assertThat(onHost(second, "rosey-bot").resolve("tree/VERSION")).hasContent("1.1.0\n");
        assertThat(third.snapshot("rosey-bot").orElseThrow().artifact("tree/bot/main.py").orElseThrow())
                .isEqualTo(second.snapshot("rosey-bot").orElseThrow().artifact("tree/bot/main.py").orElseThrow());

        plan.delete(second);

        assertThat(plan.restorePoints()).containsExactly(third);
        assertThat(backups.resolve("rosey").resolve(second.id())).doesNotExist();
        assertThat(onHost(third, "config").resolve("file-0")).exists();
    }

    @Test
    void shouldRemoveWhatAFailedCaptureLeftOnTheServer() throws Exception {
        Path missing = server.resolve("etc/rosey-bot/missing.json");
        RollbackPlan plan = Rollback.plan("rosey").on(host).store(store).hostStore(backups)
                .target(ConfigFiles.of(config)).target(ConfigFiles.of(missing).named("extra")).build();

        assertThatThrownBy(() -> plan.capture("v1.0.0")).hasMessageContaining("extra");

        assertThat(plan.restorePoints()).isEmpty();
        try (Stream<Path> left = Files.list(backups.resolve("rosey"))) {
            assertThat(left).isEmpty();
        }
    }
}
