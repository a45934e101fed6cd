package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.host.Command;
import dev.rollback.host.HeldCommand;
import dev.rollback.testing.Requirements;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lock held on OpenSSH's sshd with {@link SshHost#hold} is freed by the server, without anyone
 * guessing, when the holder goes away in the ways the contract's tests cannot show: the server
 * kills the session, the connection is reset with no SSH goodbye, or the connection goes silent (a
 * holder's machine losing power) where the server checks that its clients are alive.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenSshHoldTest {

    /** Every 1 s a silent client is asked whether it is alive; after 2 unanswered asks it is dropped. */
    private static final List<String> CLIENT_ALIVE = List.of("ClientAliveInterval 1", "ClientAliveCountMax 2");
    private static final Duration PROMPT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private OpenSshServer server;
    private SshHost host;

    @BeforeAll
    void start() throws Exception {
        server = OpenSshServer.start(CLIENT_ALIVE);
        host = server.host("root").connect();
    }

    @AfterAll
    void stop() throws Exception {
        if (host != null) {
            host.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Takes the lock on {@code file} or ends at once; prints the pid of flock, then reads its input. */
    private static Command flock(Path file) {
        return Command.of("flock", "-n", "-E", "75", file.toString(), "sh", "-c", "echo $PPID; exec cat");
    }

    private boolean free(Path file) {
        return host.run(Command.of("flock", "-n", "-E", "75", file.toString(), "true")).exitCode() == 0;
    }

    private static Duration await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > limit.toNanos()) {
                throw new AssertionError("expected " + what + " within " + limit + ", found it not so");
            }
            Thread.sleep(20);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Holds the lock through {@code holder}: the pid of the flock process on the server. */
    private long holdLock(SshHost holder, Path file) {
        HeldCommand held = holder.hold(flock(file));
        long pid = Long.parseLong(held.awaitLine(PROMPT).orElseThrow(() -> new AssertionError(
                "expected flock to take the lock, found it ended: " + held.exitStatus() + " " + held.stderr())));
        assertThat(free(file)).isFalse();
        return pid;
    }

    @Test
    void shouldHoldAsRootThroughSudoAndEndWithItsInputOrBeKilled() throws Exception {
        Requirements.require(new ProcessBuilder("id", "rollback-sudo").start().waitFor() == 0,
                "the user rollback-sudo (run .ci/setup-ssh.sh)");
        Path file = dir.resolve("sudo.lock");
        try (SshHost holder = server.host("rollback-sudo").sudo().connect()) {
            HeldCommand held = holder.hold(Command.of("flock", "-n", file.toString(), "sh", "-c", "id -un; exec cat"));
            assertThat(held.awaitLine(PROMPT)).contains("root");
            assertThat(free(file)).isFalse();

            long start = System.nanoTime();
            held.close();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("ended by the end of its input, through sudo")
                    .isLessThan(HeldCommand.GRACE);
            assertThat(held.exitStatus()).hasValue(0);
            assertThat(free(file)).isTrue();

            HeldCommand stubborn = holder.hold(Command.of("flock", "-n", file.toString(), "sh", "-c",
                    "echo held; exec sleep 300"));
            assertThat(stubborn.awaitLine(PROMPT)).contains("held");
            stubborn.close();
            await("the lock freed once the command is killed", PROMPT, () -> free(file));
        }
    }

    @Test
    void shouldFreeTheLockWhenTheServerKillsTheSession() throws Exception {
        Path file = dir.resolve("deploy.lock");
        try (SshHost holder = server.host("root").connect()) {
            HeldCommand held = holder.hold(flock(file));
            long flock = Long.parseLong(held.awaitLine(PROMPT).orElseThrow());
            ProcessHandle session = ProcessHandle.of(flock).orElseThrow().parent().orElseThrow();
            assertThat(session.info().commandLine().orElse("")).as("the session process of the connection")
                    .contains("sshd");

            long start = System.nanoTime();
            assertThat(session.destroyForcibly()).isTrue(); // kill -9

            Duration took = await("the lock freed", Duration.ofSeconds(10), () -> free(file));
            System.out.printf("lock freed %d ms after kill -9 of the sshd session process%n",
                    Duration.ofNanos(System.nanoTime() - start).toMillis());
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            await("the holder to see the command ended", PROMPT, () -> !held.isAlive());
            held.close();
        }
    }

    @Test
    void shouldFreeTheLockWhenTheConnectionIsResetWithoutAGoodbye() throws Exception {
        Path file = dir.resolve("reset.lock");
        try (TcpProxy proxy = new TcpProxy(server.port()); SshHost holder = server.host("root", proxy.port()).connect()) {
            long flock = holdLock(holder, file);

            long start = System.nanoTime();
            proxy.cut();

            Duration took = await("the lock freed", Duration.ofSeconds(10), () -> free(file));
            System.out.printf("lock freed %d ms after the connection was reset%n",
                    Duration.ofNanos(System.nanoTime() - start).toMillis());
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            await("flock to be gone", PROMPT, () -> ProcessHandle.of(flock).map(h -> !h.isAlive()).orElse(true));
        }
    }

    @Test
    void shouldFreeTheLockWhenTheConnectionGoesSilentAndTheServerChecksItsClients() throws Exception {
        Path file = dir.resolve("silent.lock");
        try (TcpProxy proxy = new TcpProxy(server.port()); SshHost holder = server.host("root", proxy.port()).connect()) {
            holdLock(holder, file);

            long start = System.nanoTime();
            proxy.freeze();

            Duration took = await("the lock freed", Duration.ofSeconds(15), () -> free(file));
            System.out.printf("lock freed %d ms after the connection went silent (%s)%n",
                    Duration.ofNanos(System.nanoTime() - start).toMillis(), CLIENT_ALIVE);
            assertThat(took).as("about ClientAliveInterval x (ClientAliveCountMax + 1)")
                    .isLessThan(Duration.ofSeconds(10));
        }
    }
}
