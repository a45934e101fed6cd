package dev.rollback.examples.systems;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.TargetState;
import dev.rollback.junit.RollbackAssertions;
import dev.rollback.junit.RollbackTest;
import dev.rollback.junit.TestReports;
import dev.rollback.testing.Requirements;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runbook 004's system: the point of no return, then a backend-only rollback. The extension files the rollback's
 * report, so a red build shows under {@code target/rollback-reports/} what the rollback did.
 */
@RollbackTest
class GestimaExampleTest {

    @TempDir
    Path work;

    @Test
    void shouldRefuseToDestroyNewPartsAndRollTheBackendBackAlone(TestReports reports) throws Exception {
        Requirements.require(Requirements.onPath("git"), "git on the PATH (.ci/setup-git.sh)");

        GestimaExample.Result r = GestimaExample.run(work);
        reports.file(r.backendOnly());

        assertThat(r.refusal()).contains("refused before any change")
                .containsPattern("rows? of table 'parts' inserted after the restore point").contains("acceptDataLoss()");
        RollbackAssertions.assertThat(r.backendOnly()).succeeded()
                .targetState("database", TargetState.OUT_OF_SCOPE);
        assertThat(work.resolve("gestima/app/main.py")).hasContent("VERSION = '2.0.0'");
        assertThat(work.resolve("gestima/alembic/versions/aa001_parts.py")).content().contains("2.0.0");
        assertThat(work.resolve("gestima/frontend/src/App.vue")).content().contains("with FileManager");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + work.resolve("data/gestima.db"));
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM parts")) {
            assertThat(rs.getInt(1)).as("parts written after the deploy are kept").isEqualTo(4);
        }
    }
}
