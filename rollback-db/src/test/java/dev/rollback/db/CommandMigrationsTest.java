package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandMigrationsTest {

    @TempDir
    Path dir;

    @Test
    void shouldMoveToTheCapturedRevisionWithTheRevisionAsOneArgument() throws Exception {
        Path state = dir.resolve("revision");
        String revision = "0042_add_slug'; touch pwned; echo '";
        Files.writeString(state, revision + "\n");
        CommandMigrations m = CommandMigrations.of("schema", List.of("cat", "revision"),
                List.of("python3", "-c", "import sys; open('revision', 'w').write(sys.argv[1] + '\\n')", "{revision}")).in(dir);
        RollbackPlan plan = Rollback.plan("app").store(dir.resolve("store")).clock(new TestClock()).target(m).build();
        RestorePoint before = plan.capture("v1");
        Files.writeString(state, "0043\n");

        RollbackReport report = plan.rollback(before);

        // the migrate command received the revision as one argument, never through a shell
        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(state)).isEqualTo(revision + "\n");
        assertThat(dir.resolve("pwned")).doesNotExist();
    }

    @Test
    void shouldRejectAMigrateCommandWithoutThePlaceholder() {
        assertThatThrownBy(() -> CommandMigrations.of("schema", List.of("tool", "version"), List.of("tool", "down")))
                .hasMessageContaining("expected {revision} in the migrate command");
    }
}
