package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.host.Command;
import dev.rollback.host.HostException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logging in, host keys, reconnecting and the environment, against an embedded SSH server on 127.0.0.1. */
class SshHostTest {

    @TempDir
    Path dir;

    private MinaServer server;
    private KeyPair user;
    private Path key;
    private Path knownHosts;
    private final List<Duration> waits = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        user = TestKeys.rsa();
        server = new MinaServer(dir, user.getPublic()).start();
        key = TestKeys.write(user, dir.resolve("id_test"));
        knownHosts = TestKeys.knownHosts(dir.resolve("known_hosts"), server.port(), server.hostKey());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private SshHost.Builder builder() {
        return SshHost.builder("127.0.0.1").port(server.port()).user("root").knownHosts(knownHosts)
                .connectAttempts(3, Duration.ofMillis(500)).sleeper(waits::add);
    }

    @Test
    void shouldLogInWithAKeyFileAKeyInMemoryOrAPassword() throws Exception {
        try (SshHost byFile = builder().privateKey(key).connect();
                SshHost inMemory = builder().privateKeyInMemory(TestKeys.pem(user), null).connect();
                SshHost byPassword = builder().password(MinaServer.PASSWORD.toCharArray()).connect()) {
            for (SshHost h : List.of(byFile, inMemory, byPassword)) {
                assertThat(h.run("echo", "hello").requireSuccess().stdout()).isEqualTo("hello\n");
            }
            assertThat(byFile.name()).isEqualTo("root@127.0.0.1:" + server.port());
            // Nagle's algorithm off: each small request goes out at once, not after the server's delayed ACK
            assertThat(byFile.link().connection().client().getSocket().getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void shouldRefuseAWrongKeyNamingWhatWasTried() throws Exception {
        Path other = TestKeys.write(TestKeys.rsa(), dir.resolve("id_other"));

        assertThatThrownBy(() -> builder().privateKey(other).connect()).isInstanceOf(HostException.class)
                .hasMessageContaining("log in to root@127.0.0.1:" + server.port())
                .hasMessageContaining("the key " + other).hasMessageContaining("authorized_keys");
        assertThatThrownBy(() -> builder().password("wrong".toCharArray()).connect())
                .isInstanceOf(HostException.class).hasMessageContaining("refused");
        assertThat(waits).as("a refusal is not retried").isEmpty();
    }

    @Test
    void shouldRefuseAnUnknownHostKeyShowingItsFingerprintAndHowToTrustIt() throws Exception {
        Files.writeString(knownHosts, "");
        String fingerprint = HostKeys.fingerprint(server.hostKey());

        assertThatThrownBy(() -> builder().privateKey(key).connect())
                .isInstanceOfSatisfying(HostKeyRejectedException.class, e -> {
                    assertThat(e.fingerprint()).isEqualTo(fingerprint);
                    assertThat(e.changed()).isFalse();
                })
                .hasMessageContaining("[127.0.0.1]:" + server.port()).hasMessageContaining(fingerprint)
                .hasMessageContaining("ssh-keyscan -p " + server.port())
                .hasMessageContaining("trustHostKey(\"" + fingerprint + "\")");

        try (SshHost pinned = builder().privateKey(key).trustHostKey(fingerprint).connect()) {
            assertThat(pinned.run("true").succeeded()).isTrue();
        }
    }

    @Test
    void shouldRefuseAChangedHostKey() throws Exception {
        java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
        ec.initialize(new java.security.spec.ECGenParameterSpec("secp521r1"));
        TestKeys.knownHosts(knownHosts, server.port(), ec.generateKeyPair().getPublic());

        assertThatThrownBy(() -> builder().privateKey(key).connect())
                .isInstanceOfSatisfying(HostKeyRejectedException.class, e -> assertThat(e.changed()).as(e.getMessage()).isTrue())
                .hasMessageContaining("HAS CHANGED").hasMessageContaining(HostKeys.fingerprint(server.hostKey()))
                .hasMessageContaining("ssh-keygen -R '[127.0.0.1]:" + server.port() + "'");
    }

    @Test
    void shouldConnectWithoutCheckingOnlyWhenToldToLoudly() throws Exception {
        Files.writeString(knownHosts, "");
        try (SshHost h = builder().privateKey(key).trustAnyHostKeyInsecurely().connect()) {
            assertThat(h.run("true").succeeded()).isTrue();
        }
    }

    @Test
    void shouldSayClearlyWhenNoServerAnswersAfterTheBoundedRetries() throws Exception {
        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = probe.getLocalPort();
        }

        assertThatThrownBy(() -> SshHost.builder("127.0.0.1").port(closed).privateKey(key).knownHosts(knownHosts)
                .connectAttempts(3, Duration.ofMillis(500)).sleeper(waits::add).connect())
                .isInstanceOf(HostException.class)
                .hasMessageContaining("connect to")
                .hasMessageContaining("expected an SSH server answering there, found none after 3 tries")
                .hasMessageContaining("check the address and port");
        assertThat(waits).containsExactly(Duration.ofMillis(500), Duration.ofMillis(1000));
    }

    @Test
    void shouldReconnectAfterTheConnectionDrops() throws Exception {
        try (SshHost h = builder().privateKey(key).connect()) {
            Files.writeString(dir.resolve("f"), "x");
            assertThat(h.read(dir.resolve("f"))).isEqualTo("x".getBytes());

            server.stop();
            server.restart();

            assertThat(h.read(dir.resolve("f"))).isEqualTo("x".getBytes());
            assertThat(h.run("echo", "again").stdout()).isEqualTo("again\n");
        }
    }

    @Test
    void shouldPassEnvironmentValuesVerbatimAndOffTheCommandLine() throws Exception {
        String secret = "p%s'w\"d $(id) `x`\nline two\n\n";
        try (SshHost h = builder().privateKey(key).connect()) {
            var r = h.run(Command.of("sh", "-c", "printf '%s' \"$SECRET\"; cat /proc/$PPID/cmdline /proc/$$/cmdline")
                    .env("SECRET", secret).env("EMPTY", ""));

            assertThat(r.stdout()).startsWith(secret);
            assertThat(r.stdout().substring(secret.length())).doesNotContain("line two");
            assertThatThrownBy(() -> h.run(Command.of("true").env("NOT-A-NAME", "x")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NOT-A-NAME");
        }
    }

    @Test
    void shouldRefuseRelativePathsAndAMissingWorkingFolder() throws Exception {
        try (SshHost h = builder().privateKey(key).connect()) {
            assertThatThrownBy(() -> h.read(Path.of("config.json"))).isInstanceOf(HostException.class)
                    .hasMessageContaining("expected an absolute path");
            assertThatThrownBy(() -> h.run(Command.of("true").in(dir.resolve("missing"))))
                    .isInstanceOf(HostException.class).hasMessageContaining("expected the working folder")
                    .hasMessageContaining("create it");
        }
    }
}
