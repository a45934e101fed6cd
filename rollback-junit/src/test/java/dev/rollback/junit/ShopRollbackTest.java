package dev.rollback.junit;

import static dev.rollback.junit.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Drill;
import dev.rollback.DrillReport;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.TargetState;
import dev.rollback.spi.Check;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.DirectoryBackup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example of {@link RollbackTest}'s documentation, word for word, as a test that runs. */
@RollbackTest
class ShopRollbackTest {

    @TempDir
    Path dir;

    @Plan
    RollbackPlanBuilder shop() {                      // built against the test's store
        return Rollback.plan("shop")
                .target(DirectoryBackup.of(dir.resolve("www")).named("page"))
                .target(ConfigFiles.of(dir.resolve("app.env")).named("config"));
    }

    @BeforeEach
    void release() throws IOException {
        Files.createDirectories(dir.resolve("www"));
        Files.writeString(dir.resolve("www/index.html"), "<h1>Shop v1.0.0</h1>\n");
        Files.writeString(dir.resolve("app.env"), "MODE=production\n");
    }

    @Test
    void shouldPutThePageAndTheConfigBack(RollbackPlan shop) throws IOException {
        RestorePoint before = shop.capture("v1.0.0");
        Files.writeString(dir.resolve("www/index.html"), "<h1>Shop v2.0.0: error 500</h1>\n");

        assertThat(shop.rollback(before)).succeeded()
                .targetState("page", TargetState.VERIFIED).setAside("page");
        assertThat(dir.resolve("www/index.html")).hasContent("<h1>Shop v1.0.0</h1>");
    }                                                 // the points are deleted after the test

    Drill banner(RollbackPlan shop) {
        Path page = dir.resolve("www/index.html");
        return Drill.of(shop)
                .change("deploy the test banner", ctx -> Files.writeString(page, "DRILL " + ctx.drillId()))
                .shows(Check.of("banner shows", () -> Files.readString(page).contains("DRILL")))
                .thenGone(Check.of("v1.0.0 is back", () -> Files.readString(page).contains("v1.0.0")))
                .keeps(Check.of("config intact", () -> Files.readString(dir.resolve("app.env"))
                        .equals("MODE=production\n")));
    }

    @DrillTest(value = "banner", recoversWithin = "PT1M")   // fails with the drill record if it fails
    void theBannerGoesAndTheConfigStays(DrillReport drill) {
        assertThat(drill).lostNoData();
    }
}
