package dev.rollback.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.testing.Requirements;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BankrollExampleTest {

    @TempDir
    Path work;

    @Test
    void shouldRollTheTestDeployBackAndRebuildTheAssets() throws Exception {
        Requirements.require(Requirements.onPath("git") && Requirements.onPath("mysqldump") && Requirements.onPath("mysql"),
                "git and the MariaDB client tools (.ci/setup-git.sh, .ci/setup-db.sh)");

        RollbackReport report = BankrollExample.run(work);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.steps()).extracting(StepRecord::name).containsSubsequence("restore database", "restore code",
                "rebuild assets", "restart total-bankroll");
        assertThat(work.resolve("total_bankroll/public/index.html")).hasContent("<h1>Dashboard</h1>");
        assertThat(report.toJson()).doesNotContain("b4nkr0ll-pa$$word");
    }
}
