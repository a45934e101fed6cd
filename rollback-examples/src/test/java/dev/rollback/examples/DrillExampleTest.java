package dev.rollback.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackReport;
import dev.rollback.TargetState;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrillExampleTest {

    @TempDir
    Path work;

    @Test
    void shouldRollBackTheBadReleaseAndKeepTheOrders() throws Exception {
        RollbackReport report = DrillExample.drill(work);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.checks()).allSatisfy(c -> assertThat(c.passed()).isTrue());
        assertThat(report.target("config").orElseThrow().state()).isEqualTo(TargetState.VERIFIED);
        assertThat(report.toJson()).doesNotContain("correct-horse-battery");
        assertThat(report.toMarkdown()).contains("- [x] health answers 200");
    }
}
