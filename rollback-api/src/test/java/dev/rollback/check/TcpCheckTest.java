package dev.rollback.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.spi.CheckAttempt;
import dev.rollback.spi.CheckResult;
import dev.rollback.testing.TestStepContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TcpCheckTest {

    final TestStepContext ctx = new TestStepContext();

    static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        return s;
    }

    static int closedPort() throws IOException {
        try (ServerSocket s = listen(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void shouldPassWhenThePortAcceptsConnections() throws Exception {
        try (ServerSocket server = listen(0)) {
            TcpCheck check = HealthCheck.tcp("127.0.0.1", server.getLocalPort());

            CheckResult result = check.run(ctx);

            assertThat(result.passed()).isTrue();
            assertThat(result.name()).isEqualTo("TCP 127.0.0.1:" + server.getLocalPort());
            assertThat(result.detail()).isEqualTo("connected to 127.0.0.1:" + server.getLocalPort() + " in 0 ms");
        }
    }

    @Test
    void shouldFailEveryAttemptOnAClosedPortTakingOnlyClockTime() throws Exception {
        int port = closedPort();

        CheckResult result = HealthCheck.tcp("127.0.0.1", port).attempts(5).every(Duration.ofMillis(200)).run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.attempts()).isEqualTo(5);
        assertThat(result.history()).extracting(CheckAttempt::passed).containsOnly(false);
        assertThat(result.history().get(0).observed()).startsWith("no connection to 127.0.0.1:" + port + ": ")
                .contains("Connection refused");
        assertThat(result.took()).isEqualTo(Duration.ofMillis(800));
        assertThat(ctx.sleeps()).hasSize(4).containsOnly(Duration.ofMillis(200));
    }

    @Test
    void shouldPassOnceTheServiceStartsListeningBetweenAttempts() throws Exception {
        int port = closedPort();
        ServerSocket[] started = new ServerSocket[1];
        ctx.whileSleeping(() -> {
            if (ctx.sleeps().size() == 2) {
                try {
                    started[0] = listen(port);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        try {
            CheckResult result = HealthCheck.tcp("127.0.0.1", port).attempts(5).every(Duration.ofSeconds(1)).run(ctx);

            assertThat(result.passed()).isTrue();
            assertThat(result.history()).extracting(CheckAttempt::passed).containsExactly(false, false, true);
            assertThat(result.took()).isEqualTo(Duration.ofSeconds(2));
        } finally {
            if (started[0] != null) {
                started[0].close();
            }
        }
    }
}
