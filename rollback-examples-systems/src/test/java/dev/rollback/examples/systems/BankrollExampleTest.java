package dev.rollback.examples.systems;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.spi.CheckResult;
import dev.rollback.DrillReport;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.TargetState;
import dev.rollback.junit.RollbackAssertions;
import dev.rollback.testing.Requirements;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BankrollExampleTest {

    @TempDir
    Path work;

    @Test
    void shouldPassTheDrillRollingTheTestDeployBackAndRebuildingTheAssets() throws Exception {
        Requirements.require(Requirements.onPath("git") && Requirements.onPath("mysqldump") && Requirements.onPath("mysql"),
                "git and the MariaDB client tools (.ci/setup-git.sh, .ci/setup-db.sh)");

        DrillReport drill = BankrollExample.run(work);

        RollbackAssertions.assertThat(drill).passed();
        RollbackReport report = drill.rollback();
        RollbackAssertions.assertThat(report).succeeded().setAside("database").setAside("code")
                .targetState("code", TargetState.VERIFIED);
        assertThat(drill.kept()).extracting(CheckResult::name).containsExactly("migration rolled back",
                "bankroll rows kept");
        assertThat(drill.deletedPoints()).containsExactly(drill.pointId(), report.setAsidePointId());
        assertThat(report.steps()).extracting(StepRecord::name).containsSubsequence("restore database", "restore code",
                "rebuild assets", "restart total-bankroll");
        assertThat(work.resolve("total_bankroll/public/index.html")).hasContent("<h1>Dashboard</h1>");
        assertThat(drill.toJson()).doesNotContain("b4nkr0ll-pa$$word");
        assertThat(drill.toMarkdown()).doesNotContain("b4nkr0ll-pa$$word");
    }
}
