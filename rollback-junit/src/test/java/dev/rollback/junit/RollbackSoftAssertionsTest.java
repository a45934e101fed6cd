package dev.rollback.junit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.DrillReport;
import dev.rollback.RestorePoint;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.Scope;
import dev.rollback.TargetState;
import dev.rollback.Drill;
import dev.rollback.spi.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackSoftAssertionsTest {

    @TempDir
    Path dir;

    Shop shop;

    @BeforeEach
    void setUp() throws Exception {
        shop = new Shop(dir);
    }

    RollbackReport rollBack(Scope scope) throws Exception {
        RollbackPlan plan = shop.plan().build();
        RestorePoint before = plan.capture("v1.0.0");
        shop.deploy("<h1>Shop v2.0.0</h1>\n");
        return plan.rollback(before, scope);
    }

    @Test
    void shouldCollectTheFailuresOfSeveralReportsAndFailOnceWithEveryOne() throws Exception {
        RollbackReport partial = rollBack(Scope.only("page"));
        RollbackReport whole = rollBack(Scope.all());
        DrillReport drill = Drill.of(shop.plan().build())
                .change("deploy the test banner", ctx -> shop.deploy("<h1>DRILL</h1>\n"))
                .shows(Check.of("maintenance page shows", () -> Files.readString(shop.page).contains("MAINTENANCE")))
                .run();

        assertThatThrownBy(() -> RollbackSoftAssertions.assertSoftly(softly -> {
            softly.assertThat(partial).succeeded().targetState("orders", TargetState.VERIFIED);
            softly.assertThat(whole).succeeded().targetState("orders", TargetState.VERIFIED)
                    .recoveredWithin(Duration.ofMinutes(1));
            softly.assertThat(drill).passed();
        }))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Multiple Failures (2 failures)")
                .hasMessageContaining("Expected target 'orders' of rollback " + partial.rollbackId()
                        + " to end VERIFIED, but it ended OUT_OF_SCOPE")
                .hasMessageContaining("Expected drill " + drill.drillId() + " of plan 'shop' to pass, but it failed at "
                        + "SHOWS")
                .hasMessageNotContaining("Expected rollback " + whole.rollbackId());
    }

    @Test
    void shouldPassWhenEveryReportMeetsItsAssertions() throws Exception {
        RollbackReport whole = rollBack(Scope.all());
        RollbackSoftAssertions softly = new RollbackSoftAssertions();

        softly.assertThat(whole).succeeded().targetState("page", TargetState.VERIFIED).setAside("page");
        softly.assertAll();
    }
}
