package dev.rollback.examples.systems;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.TargetState;
import dev.rollback.testing.Requirements;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GestimaExampleTest {

    @TempDir
    Path work;

    @Test
    void shouldRefuseToDestroyNewPartsAndRollTheBackendBackAlone() throws Exception {
        Requirements.require(Requirements.onPath("git"), "git on the PATH (.ci/setup-git.sh)");

        GestimaExample.Result r = GestimaExample.run(work);

        assertThat(r.refusal()).contains("refused before any change")
                .containsPattern("rows? of table 'parts' inserted after the restore point").contains("acceptDataLoss()");
        assertThat(r.backendOnly().outcome()).as(r.backendOnly().toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(r.backendOnly().target("database").orElseThrow().state()).isEqualTo(TargetState.OUT_OF_SCOPE);
        assertThat(work.resolve("gestima/app/main.py")).hasContent("VERSION = '2.0.0'");
        assertThat(work.resolve("gestima/alembic/versions/aa001_parts.py")).content().contains("2.0.0");
        assertThat(work.resolve("gestima/frontend/src/App.vue")).content().contains("with FileManager");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + work.resolve("data/gestima.db"));
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM parts")) {
            assertThat(rs.getInt(1)).as("parts written after the deploy are kept").isEqualTo(4);
        }
    }
}
