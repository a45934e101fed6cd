package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Hosts;
import dev.rollback.testing.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server-side wrapper script of {@link SshHost#run}, run here by a real bash: with {@code printf}
 * builtin it sets the environment and runs the command; with the builtin turned off it refuses
 * before any value reaches printf's command line.
 */
class RemoteShellTest {

    @TempDir
    Path dir;

    CommandResult wrapper(boolean printfBuiltin, Path out) {
        String script = (printfBuiltin ? "" : "enable -n printf; ") + RemoteShell.EXEC;
        List<String> env = RemoteShell.envLines(Map.of("SECRET", "pa55 'w\"ord"));
        return Hosts.local().run(Command.of("bash", "-c", script, "sh", "", Integer.toString(env.size()), "bash", "-c",
                "printf '%s' \"$SECRET\" > \"$0\"", out.toString())
                .input((String.join("\n", env) + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldSetTheEnvironmentAndRunTheCommandWhenPrintfIsABuiltin() throws Exception {
        Requirements.require(Requirements.onPath("bash"), "bash");
        Path out = dir.resolve("secret");

        CommandResult r = wrapper(true, out);

        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(Files.readString(out)).isEqualTo("pa55 'w\"ord");
    }

    @Test
    void shouldRefuseToSetTheEnvironmentWhenPrintfIsNotABuiltin() {
        Requirements.require(Requirements.onPath("bash"), "bash");
        Path out = dir.resolve("secret");

        CommandResult r = wrapper(false, out);

        assertThat(r.exitCode()).isEqualTo(125);
        assertThat(r.stderr()).contains(RemoteShell.MARKER + "noprintf");
        assertThat(out).doesNotExist();
    }
}
