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
    void shouldShowThatNoDataWasLostOnlyWhenEveryKeepsCheckRanAndPassed() {
        DrillReport kept = drill(Duration.ofSeconds(20))
                .shows(Check.of("banner shows", () -> Files.readString(shop.page).contains("DRILL")))
                .run();
        DrillReport lost = drill(Duration.ofSeconds(20))
                .shows(Check.of("banner shows", () -> Files.readString(shop.page).contains("DRILL")))
                .keeps(Check.of("a third order", () -> Files.readAllLines(shop.orders).size() == 3))
                .run();
        DrillReport unchecked = Drill.of(shop.plan().build())
                .change("deploy the test banner", ctx -> shop.deploy("<h1>DRILL</h1>\n"))
                .shows(Check.of("banner shows", () -> Files.readString(shop.page).contains("DRILL")))
                .run();

        assertThat(kept).lostNoData();
        assertThatThrownBy(() -> assertThat(lost).lostNoData())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("of plan 'shop' to lose no data, but check 'a third order' failed")
                .hasMessageContaining("| data kept | a third order | FAILED |");
        assertThatThrownBy(() -> assertThat(unchecked).lostNoData())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to show that no data was lost, but no check of the data ran; declare what must "
                        + "survive with keeps(");
    }

    @Test
    void shouldBoundTheTimeTheDrillsRollbackTookToRecover() {
        DrillReport report = drill(Duration.ofMinutes(12))
                .shows(Check.of("banner shows", () -> Files.readString(shop.page).contains("DRILL")))
                .thenGone(Check.of("v1.0.0 is back after a slow start", () -> {
                    shop.clock.advance(Duration.ofSeconds(5));
                    return Files.readString(shop.page).contains("v1.0.0");
                }))
                .run();
        DrillReport refused = Drill.of(shop.plan().build())
                .change("break the store", ctx -> Files.writeString(shop.store.resolve("points").resolve(
                        ctx.point().id()).resolve("manifest.json"), "{}"))
                .shows(Check.of("always", () -> true))
                .run();

        assertThat(report).recoveredWithin(Duration.ofSeconds(1)); // the change's 12 minutes are not the rollback's
        assertThatThrownBy(() -> assertThat(refused).recoveredWithin(Duration.ofMinutes(1)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to recover within 1 min, but no rollback ran: the drill failed at ROLLBACK");
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
