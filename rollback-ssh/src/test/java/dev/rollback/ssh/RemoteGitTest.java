package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.git.GitCode;
import dev.rollback.host.Command;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The git program path of {@link GitCode} on an SSH host: a repository on the server (a temp folder
 * reached through the embedded SSH server on 127.0.0.1), reset to the captured commit, with the
 * uncommitted changes it had saved as artifacts on the server and put back.
 */
class RemoteGitTest {

    @TempDir
    Path server;

    @TempDir
    Path store;

    @TempDir
    Path keys;

    private MinaServer sshd;
    private SshHost host;
    private Path repo;
    private final Host local = Hosts.local();

    @BeforeEach
    void start() throws Exception {
        Requirements.require(Requirements.onPath("git"), "the git program on the PATH (Debian: apt-get install git)");
        KeyPair user = TestKeys.rsa();
        sshd = new MinaServer(keys, user.getPublic()).start();
        host = SshHost.builder("127.0.0.1").port(sshd.port()).user("root")
                .privateKey(TestKeys.write(user, keys.resolve("id_test")))
                .knownHosts(TestKeys.knownHosts(keys.resolve("known_hosts"), sshd.port(), sshd.hostKey()))
                .connect();
        repo = Files.createDirectories(server.resolve("srv/site"));
        git("init", "-q", "-b", "main");
        Files.writeString(repo.resolve("app.py"), "print('v1')\n");
        Files.writeString(repo.resolve("settings.py"), "DEBUG = False\n");
        git("add", "-A");
        git("commit", "-q", "-m", "v1");
        git("tag", "v1.0.0");
    }

    @AfterEach
    void stop() throws Exception {
        host.close();
        sshd.close();
    }

    private String git(String... args) {
        List<String> argv = new ArrayList<>(List.of("git", "-C", repo.toString(), "-c", "user.name=Test",
                "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"));
        argv.addAll(List.of(args));
        return local.run(Command.of(argv)).requireSuccess().stdout().strip();
    }

    @Test
    void shouldResetARepositoryOnTheServerThroughTheGitProgramAndPutBackItsUncommittedChanges() throws Exception {
        Files.writeString(repo.resolve("settings.py"), "DEBUG = False\nHOTFIX = True\n");
        String v1 = git("rev-parse", "HEAD");
        Path backups = server.resolve("var/backups");
        RollbackPlan plan = Rollback.plan("site").on(host).store(store).hostStore(backups)
                .target(GitCode.of(repo).using(GitCode.Driver.CLI).allowDirty()).build();

        RestorePoint before = plan.capture("v1.0.0");

        Path artifacts = backups.resolve("site").resolve(before.id()).resolve("code");
        try (Stream<Path> files = Files.walk(artifacts)) {
            assertThat(files.filter(Files::isRegularFile).map(RemoteGitTest::readQuietly))
                    .as("the uncommitted change is saved on the server").anySatisfy(c -> assertThat(c).contains("HOTFIX"));
        }
        try (Stream<Path> files = Files.walk(store.resolve("points"))) {
            assertThat(files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("manifest.json"))
                    .filter(p -> !p.getFileName().toString().equals(".plan")))
                    .as("nothing but the manifest and its plan note in the local store").isEmpty();
        }

        git("checkout", "--", "settings.py");
        Files.writeString(repo.resolve("app.py"), "print('v2')\nraise SystemExit(1)\n");
        git("commit", "-q", "-am", "v2");
        String v2 = git("rev-parse", "HEAD");

        RollbackReport report = plan.rollback(before);

        assertThat(report.isSuccessful()).as(report.toMarkdown()).isTrue();
        assertThat(git("rev-parse", "HEAD")).isEqualTo(v1);
        assertThat(repo.resolve("app.py")).hasContent("print('v1')\n");
        assertThat(repo.resolve("settings.py")).as("uncommitted change put back").hasContent("DEBUG = False\nHOTFIX = True\n");
        assertThat(git("branch", "--list", "rollback/failed-*", "--format=%(objectname)")).as("the failed commit is kept")
                .isEqualTo(v2);
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
