package dev.rollback.junit;

import static dev.rollback.junit.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.spi.Check;
import dev.rollback.Drill;
import dev.rollback.DrillReport;
import dev.rollback.TargetState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrillReportAssertTest {

    @TempDir
    Path dir;

    Shop shop;

    @BeforeEach
    void setUp() throws Exception {
        shop = new Shop(dir);
    }

    Drill drill(Duration deployTakes) {
        return Drill.of(shop.plan().build())
                .change("deploy the test banner", ctx -> {
                    shop.clock.advance(deployTakes);
                    shop.deploy("<h1>DRILL " + ctx.drillId() + "</h1>\n");
                })
                .keeps(Check.of("orders intact", () -> Files.readAllLines(shop.orders).size() == 2));
    }

    @Test
    void shouldPassOnAPassingDrillAndReachItsRollback() {
        DrillReport report = drill(Duration.ofSeconds(20))
                .shows(Check.of("banner shows", () -> Files.readString(shop.page).contains("DRILL")))
                .run();

        assertThat(report).passed().tookAtMost(Duration.ofMinutes(1));
        assertThat(report.rollback()).succeeded().targetState("page", TargetState.VERIFIED).setAside("page");
    }

    @Test
    void shouldFailNamingTheStageAndShowingTheDrillRecordWhenTheDrillFailed() {
        DrillReport report = drill(Duration.ofSeconds(20))
                .shows(Check.of("maintenance page shows", () -> Files.readString(shop.page).contains("MAINTENANCE")))
                .run();

        assertThatThrownBy(() -> assertThat(report).passed())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected drill " + report.drillId() + " of plan 'shop' to pass, but it failed at "
                        + "SHOWS: the change does not show: check 'maintenance page shows' failed")
                .hasMessageContaining("# Rollback drill: shop")
                .hasMessageContaining("## Timing log");
    }

    @Test
    void shouldFailWhenTheDrillTookLongerThanAllowed() {
        DrillReport report = drill(Duration.ofMinutes(12))
                .shows(Check.of("banner shows", () -> Files.readString(shop.page).contains("DRILL")))
                .run();

        assertThat(report).passed().tookAtMost(Duration.ofMinutes(15));
        assertThatThrownBy(() -> assertThat(report).tookAtMost(Duration.ofMinutes(10)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to take at most 10 min, but it took 12 min (the rollback 0 ms)")
                .hasMessageContaining("| CHANGE |");
    }
}
