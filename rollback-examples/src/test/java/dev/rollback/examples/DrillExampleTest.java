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
    void shouldRollTheBadReleaseBackWithTheServiceHealthyAgain() throws Exception {
        RollbackReport report = DrillExample.drill(work);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.checks()).allSatisfy(c -> assertThat(c.passed()).as(c.name()).isTrue());
        assertThat(report.target("rosey-bot").orElseThrow().state()).isEqualTo(TargetState.VERIFIED);
        assertThat(report.target("config").orElseThrow().state()).isEqualTo(TargetState.VERIFIED);
        assertThat(work.resolve("opt/rosey-bot/VERSION")).hasContent("1.0.0");
        assertThat(work.resolve("etc/rosey-bot/config.json")).content().contains("\"production\"");
        assertThat(report.toMarkdown()).contains("stop rosey-bot").contains("start rosey-bot");
        assertThat(work.resolve("run/rosey-bot.pid")).doesNotExist();
    }
}
