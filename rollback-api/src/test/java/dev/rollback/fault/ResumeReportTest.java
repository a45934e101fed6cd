package dev.rollback.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of a resumed rollback says which errors of the earlier attempt it overcame. */
class ResumeReportTest {

    @TempDir
    Path root;

    @Test
    void shouldSayTheFirstAttemptsErrorWasOvercomeWhenTheResumeSucceeds() throws Exception {
        Files.createDirectories(root.resolve("app"));
        Files.writeString(root.resolve("app/a.txt"), "a v1\n");
        Files.writeString(root.resolve("app/b.txt"), "b v1\n");
        RollbackPlan plan = FullDiskPlan.build(root, root.resolve("store"), FailurePolicy.HALT, () -> { });
        RestorePoint v1 = plan.capture("v1");
        Files.writeString(root.resolve("app/b.txt"), "b v2\n");
        Files.createFile(root.resolve("app/b.fail")); // b's restore fails once

        RollbackReport halted = plan.rollback(v1);
        RollbackReport resumed = plan.resume();

        assertThat(halted.outcome()).isEqualTo(Outcome.HALTED);
        assertThat(halted.errors()).singleElement().satisfies(e -> assertThat(e).startsWith("restore b: "));
        assertThat(resumed.outcome()).as(resumed.toMarkdown()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(resumed.errors()).singleElement()
                .satisfies(e -> assertThat(e).startsWith("overcome on resume 1: restore b: ").contains("refuses writes"));
        assertThat(Files.readString(root.resolve("app/b.txt"))).isEqualTo("b v1\n");
    }
}
