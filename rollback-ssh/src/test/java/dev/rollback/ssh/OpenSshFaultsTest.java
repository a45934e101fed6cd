package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.host.Command;
import dev.rollback.host.HostException;
import dev.rollback.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults and logins that need OpenSSH's sshd and real users: an ordinary user meeting a read-only
 * folder, sudo asking for a password, sudo without one, a full disk (for a write, a download and an
 * upload), an ssh-agent, an encrypted key. The users come from {@code .ci/setup-ssh.sh}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenSshFaultsTest {

    private OpenSshServer server;
    private Path shared;

    @BeforeAll
    void start() throws Exception {
        server = OpenSshServer.start();
        // a folder every user can enter, owned by root: an ordinary user may read but not write it
        shared = Files.createTempDirectory("rollback-ssh-shared");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (shared != null) {
            new ProcessBuilder("rm", "-rf", "--", shared.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void requireUser(String user) throws Exception {
        Process p = new ProcessBuilder("id", user).start();
        Requirements.require(p.waitFor() == 0, "the user " + user + " (run .ci/setup-ssh.sh)");
    }

    @Test
    void shouldRefuseAWriteToAReadOnlyFolderAndLeaveTheFileUnchanged() throws Exception {
        requireUser(OpenSshServer.PLAIN_USER);
        Path dir = Files.createDirectories(shared.resolve("etc-app"));
        Path file = dir.resolve("app.env");
        Files.writeString(file, "MODEL=v1\n");

        try (SshHost host = server.host(OpenSshServer.PLAIN_USER).connect()) {
            assertThat(host.canChangeOwners()).isFalse();
            assertThatThrownBy(() -> host.write(file, "MODEL=v2\n".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(HostException.class).hasMessageContaining("write " + file)
                    .hasMessageContaining("permission denied").hasMessageContaining("sudo()");
        }
        assertThat(Files.readString(file)).isEqualTo("MODEL=v1\n");
        try (var left = Files.list(dir)) {
            assertThat(left).containsExactly(file);
        }
    }

    @Test
    void shouldFailAtOnceWhenSudoWantsAPassword() throws Exception {
        requireUser(OpenSshServer.PLAIN_USER);

        assertThatThrownBy(() -> server.host(OpenSshServer.PLAIN_USER).sudo().connect())
                .isInstanceOf(HostException.class).hasMessageContaining("sudo -n")
                .hasMessageContaining("a password is required").hasMessageContaining("NOPASSWD");
    }

    @Test
    void shouldRunCommandsAndFilesAsRootThroughSudo() throws Exception {
        requireUser("rollback-sudo");
        Path file = shared.resolve("root-owned.conf");
        Files.writeString(file, "old\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        try (SshHost host = server.host("rollback-sudo").sudo().connect()) {
            assertThat(host.run("id", "-un").requireSuccess().stdout()).isEqualTo("root\n");
            assertThat(host.canChangeOwners()).isTrue();
            assertThat(host.read(file)).isEqualTo("old\n".getBytes(StandardCharsets.UTF_8));
            host.write(file, "new\n".getBytes(StandardCharsets.UTF_8));
            host.setOwner(file, "rollback-test", "rollback-test");
            assertThat(host.stat(file).orElseThrow().owner()).isEqualTo("rollback-test");
        }
        assertThat(Files.readString(file)).isEqualTo("new\n");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void shouldRefuseAWriteToAFullDiskAndLeaveTheFileUnchanged() throws Exception {
        Path mount = Files.createDirectories(shared.resolve("small-disk"));
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        Requirements.require(m.waitFor() == 0, "permission to mount a small tmpfs (root with CAP_SYS_ADMIN): "
                + new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        try (SshHost host = server.host("root").connect()) {
            Path file = mount.resolve("data.json");
            Files.writeString(file, "{\"v\": 1}\n");

            assertThatThrownBy(() -> host.write(file, new byte[1024 * 1024])).isInstanceOf(HostException.class)
                    .hasMessageContaining("write " + file).hasMessageContaining("not full");

            assertThat(Files.readString(file)).isEqualTo("{\"v\": 1}\n");
            try (var left = Files.list(mount)) {
                assertThat(left).containsExactly(file);
            }
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldLeaveNoPartialFileWhenADownloadOrAnUploadRunsOutOfSpace() throws Exception {
        Path mount = Files.createDirectories(shared.resolve("small-disk-2"));
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        Requirements.require(m.waitFor() == 0, "permission to mount a small tmpfs (root with CAP_SYS_ADMIN): "
                + new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        Path big = shared.resolve("big.bin");
        Files.write(big, new byte[4 * 1024 * 1024]);
        try (SshHost host = server.host("root").connect()) {
            Path target = mount.resolve("data.bin");
            Files.writeString(target, "old\n");

            assertThatThrownBy(() -> host.download(big, mount.resolve("copy.bin"))).isInstanceOf(HostException.class)
                    .hasMessageContaining("download " + big).hasMessageContaining("this machine")
                    .hasMessageContaining("free space");
            assertThatThrownBy(() -> host.upload(big, target, 0600)).isInstanceOf(HostException.class)
                    .hasMessageContaining("upload " + big + " to " + target).hasMessageContaining("not full");

            assertThat(Files.readString(target)).isEqualTo("old\n");
            try (var left = Files.list(mount)) {
                assertThat(left).as("no partial download, no temp file").containsExactly(target);
            }
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
            Files.deleteIfExists(big);
        }
    }

    @Test
    void shouldLogInWithAnEncryptedKeyAndNameAWrongPassphrase(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("id_locked");
        Files.copy(server.userKey(), key);
        run(Map.of(), "ssh-keygen", "-q", "-p", "-P", "", "-N", "open sesame", "-f", key.toString());

        try (SshHost host = SshHost.builder("127.0.0.1").port(server.port()).user("root")
                .privateKey(key, "open sesame".toCharArray()).knownHosts(server.knownHosts()).connect()) {
            assertThat(host.run("true").succeeded()).isTrue();
        }
        assertThatThrownBy(() -> SshHost.builder("127.0.0.1").port(server.port()).user("root")
                .privateKey(key, "wrong".toCharArray()).knownHosts(server.knownHosts()).connect())
                .isInstanceOf(HostException.class).hasMessageContaining("the key " + key)
                .hasMessageContaining("passphrase");
    }

    @Test
    void shouldLogInWithTheKeysOfAnSshAgent(@TempDir Path dir) throws Exception {
        Requirements.require(Requirements.onPath("ssh-agent") && Requirements.onPath("ssh-add"),
                "ssh-agent and ssh-add (package openssh-client)");
        Path socket = dir.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString()).redirectErrorStream(true).start();
        try {
            // the agent prints its settings once its socket listens
            agent.getInputStream().read();
            run(Map.of("SSH_AUTH_SOCK", socket.toString()), "ssh-add", "-q", server.userKey().toString());

            try (SshHost host = SshHost.builder("127.0.0.1").port(server.port()).user("root").agent(socket)
                    .knownHosts(server.knownHosts()).connect()) {
                assertThat(host.run(Command.of("echo", "signed by the agent")).stdout()).isEqualTo("signed by the agent\n");
            }
        } finally {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void run(Map<String, String> env, String... argv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", argv) + ": " + out).isZero();
    }
}
