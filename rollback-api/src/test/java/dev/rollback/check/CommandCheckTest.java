package dev.rollback.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.spi.CheckAttempt;
import dev.rollback.spi.CheckResult;
import dev.rollback.testing.TestStepContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandCheckTest {

    @TempDir
    Path dir;

    final TestStepContext ctx = new TestStepContext();

    @Test
    void shouldPassWhenTheCommandExitsZero() throws Exception {
        CommandCheck check = HealthCheck.command("true");

        CheckResult result = check.run(ctx);

        assertThat(result.passed()).isTrue();
        assertThat(result.name()).isEqualTo("command true");
        assertThat(result.detail()).isEqualTo("exit 0");
        assertThat(result.history()).singleElement().extracting(CheckAttempt::number).isEqualTo(1);
    }

    @Test
    void shouldFailWithTheExitCodeWhenTheCommandExitsNonZero() throws Exception {
        CheckResult result = HealthCheck.command("false").run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).isEqualTo("exit 1; expected exit 0");
    }

    @Test
    void shouldShowTheEndOfStandardErrorOfAFailingCommand() throws Exception {
        CheckResult result = HealthCheck.command("sh", "-c", "echo starting; echo 'unit rosey-bot is failed' >&2; exit 3")
                .run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).isEqualTo("exit 3: unit rosey-bot is failed; expected exit 0");
        assertThat(result.name()).isEqualTo("command sh -c 'echo starting; echo '\\''unit rosey-bot is failed'\\'' >&2; "
                + "exit 3'");
    }

    @Test
    void shouldRetryUntilTheCommandSucceeds() throws Exception {
        Path ready = dir.resolve("ready");
        ctx.whileSleeping(() -> {
            if (ctx.sleeps().size() == 2) {
                try {
                    Files.writeString(ready, "up");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });

        CheckResult result = HealthCheck.command("test", "-f", ready.toString()).attempts(5)
                .every(Duration.ofSeconds(2)).run(ctx);

        assertThat(result.passed()).isTrue();
        assertThat(result.history()).extracting(CheckAttempt::observed)
                .containsExactly("exit 1; expected exit 0", "exit 1; expected exit 0", "exit 0");
        assertThat(result.took()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void shouldKillACommandThatRunsPastItsAttemptTimeout() throws Exception {
        CheckResult result = HealthCheck.command("sleep", "30").attemptTimeout(Duration.ofMillis(300)).run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).startsWith("killed after its timeout of 300 ms");
    }

    @Test
    void shouldFailTheAttemptWhenTheProgramIsNotInstalled() throws Exception {
        CheckResult result = HealthCheck.command("no-such-program-rb-test", "status").attempts(2)
                .every(Duration.ofSeconds(1)).run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(result.history().get(0).observed()).contains("expected the program 'no-such-program-rb-test' on the PATH")
                .doesNotContain("HostException");
    }
}
