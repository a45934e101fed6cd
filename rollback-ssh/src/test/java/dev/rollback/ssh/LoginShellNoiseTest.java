package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.HeldCommand;
import dev.rollback.host.HostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose login shell writes to standard error before every command, as a {@code ~/.bashrc}
 * with pyenv does when two sessions rehash at once ("pyenv: cannot rehash: ... isn't writable"):
 * bash reads that file for every command sshd starts. Real OpenSSH; the shell's startup file is
 * given to bash through {@code SetEnv BASH_ENV}, so the machine's own files stay untouched. The
 * commands run, their standard error is their own, and the wrapper's reports still reach the error.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginShellNoiseTest {

    private static final String NOISE = "rm: cannot remove '/root/.pyenv/shims/tmp.KBDM0DS2pL': No such file or "
            + "directory\npyenv: cannot rehash: /root/.pyenv/shims isn't writable\n";

    @TempDir
    Path dir;

    private OpenSshServer server;
    private SshHost host;
    private Path startup;

    @BeforeAll
    void start() throws Exception {
        startup = Files.createTempFile("rollback-bash-env", ".sh");
        Files.setPosixFilePermissions(startup, PosixFilePermissions.fromString("rw-r--r--"));
        // the last line has no newline: the wrapper's report then follows it on the same line
        Files.writeString(startup, "printf '%s' \"" + NOISE.replace("\n", "\\n") + "half a line\" >&2\n");
        server = OpenSshServer.start(List.of("SetEnv BASH_ENV=" + startup));
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
        if (startup != null) {
            Files.deleteIfExists(startup);
        }
    }

    @Test
    void shouldRunTheCommandAndKeepTheShellsLinesOutOfItsStandardError() {
        CommandResult bare = host.run(Command.of("bash", "-c", "echo $BASH_ENV"));
        assertThat(bare.stdout()).as("sshd passed BASH_ENV to the login shell").isEqualTo(startup + "\n");

        CommandResult r = host.run(Command.of("sh", "-c", "echo out; echo err >&2; exit 3"));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");

        Path writable = dir.resolve("w");
        assertThat(host.run(Command.of("test", "-w", dir.toString())).exitCode()).isZero();
        host.write(writable, "v1\n".getBytes(StandardCharsets.UTF_8));
        assertThat(host.read(writable)).isEqualTo("v1\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldStillReportAMissingProgramOrFolder() {
        assertThatThrownBy(() -> host.run(Command.of("no-such-program-7f3c")))
                .isInstanceOf(HostException.class)
                .hasMessageContaining("expected the program 'no-such-program-7f3c' on the PATH")
                .hasMessageNotContaining("cannot rehash");
        assertThatThrownBy(() -> host.run(Command.of("true").in(dir.resolve("missing"))))
                .isInstanceOf(HostException.class)
                .hasMessageContaining("expected the working folder " + dir.resolve("missing"));
    }

    @Test
    void shouldHoldACommandAndReadItsLines() {
        try (HeldCommand held = host.hold(Command.of("sh", "-c", "echo ready; echo err >&2; exec cat"))) {
            assertThat(held.awaitLine(Duration.ofSeconds(20))).contains("ready");
            assertThat(held.isAlive()).isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!held.stderr().contains("err") && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(held.stderr()).isEqualTo("err\n");
        }
    }
}
