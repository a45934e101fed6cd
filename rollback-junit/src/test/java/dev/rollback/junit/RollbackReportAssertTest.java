package dev.rollback.junit;

import static dev.rollback.junit.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.spi.Check;
import dev.rollback.RestorePoint;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.Scope;
import dev.rollback.TargetState;
import dev.rollback.spi.Phase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackReportAssertTest {

    @TempDir
    Path dir;

    Shop shop;

    @BeforeEach
    void setUp() throws Exception {
        shop = new Shop(dir);
    }

    RollbackReport rollBack(RollbackPlan plan, Scope scope) throws Exception {
        RestorePoint before = plan.capture("v1.0.0");
        shop.deploy("<h1>Shop v2.0.0</h1>\n");
        return plan.rollback(before, scope);
    }

    @Test
    void shouldPassEveryAssertionOnASuccessfulRollback() throws Exception {
        RollbackReport report = rollBack(shop.plan().build(), Scope.all());

        assertThat(report).succeeded().recoveredWithin(Duration.ofSeconds(1))
                .targetState("page", TargetState.VERIFIED).targetState("orders", TargetState.VERIFIED)
                .setAside("page").passedCheck("page is v1.0.0");
        assertThat(Files.readString(shop.page)).contains("v1.0.0"); // AssertJ's own assertThat still applies
    }

    @Test
    void shouldFailShowingTheOutcomeAndTheReportWhenTheRollbackDidNotSucceed() throws Exception {
        RollbackReport report = rollBack(shop.plan().verify(Check.of("orders table has rows", () -> false)).build(),
                Scope.all());

        assertThatThrownBy(() -> assertThat(report).succeeded())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected rollback " + report.rollbackId() + " of plan 'shop' to succeed, but it "
                        + "ended VERIFICATION_FAILED")
                .hasMessageContaining("# Rollback incident report: shop");
        assertThatThrownBy(() -> assertThat(report).passedCheck("orders table has rows"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to pass check 'orders table has rows', but it failed: condition does not hold");
        assertThatThrownBy(() -> assertThat(report).passedCheck("no such check"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no check of that name ran; the checks were [verify page, verify orders, "
                        + "page is v1.0.0, orders table has rows]");
    }

    @Test
    void shouldFailWhenTheRollbackTookLongerThanTheBudget() throws Exception {
        RollbackReport report = rollBack(shop.plan().verify(Check.of("slow warm-up", () -> {
            shop.clock.advance(Duration.ofSeconds(90));
            return true;
        })).build(), Scope.all());

        assertThat(report).recoveredWithin(Duration.ofMinutes(2));
        assertThatThrownBy(() -> assertThat(report).recoveredWithin(Duration.ofMinutes(1)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to recover within 1 min, but it took 1 min 30 s")
                .hasMessageContaining("- **Time to recover:**");
    }

    @Test
    void shouldBoundEachPhaseAndHoldTheRollbackToTheBudgetsOfItsPlan() throws Exception {
        RollbackReport report = rollBack(shop.plan().budget(Phase.VERIFY, Duration.ofMinutes(1))
                .verify(Check.of("slow warm-up", () -> {
                    shop.clock.advance(Duration.ofSeconds(90));
                    return true;
                })).build(), Scope.all());

        assertThat(report).phaseWithin(Phase.VERIFY, Duration.ofMinutes(2)).phaseWithin(Phase.RESTORE,
                Duration.ofSeconds(1));
        assertThatThrownBy(() -> assertThat(report).phaseWithin(Phase.VERIFY, Duration.ofMinutes(1)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected phase VERIFY of rollback " + report.rollbackId() + " of plan 'shop' to "
                        + "take at most 1 min, but it took 1 min 30 s")
                .hasMessageContaining("# Rollback incident report: shop");
        assertThatThrownBy(() -> assertThat(report).withinBudgets())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("within the plan's budgets, but phase VERIFY took 1 min 30 s of a budget of 1 min");
        assertThat(rollBack(shop.plan().budget(Phase.VERIFY, Duration.ofMinutes(1))
                .recoveryBudget(Duration.ofMinutes(1)).build(), Scope.all())).withinBudgets();
        assertThatThrownBy(() -> assertThat(report).phaseWithin(null, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("phaseWithin: expected a phase, found null");
    }

    @Test
    void shouldFailWhenATargetIsMissingInAnotherStateOrNotSetAside() throws Exception {
        RollbackReport report = rollBack(shop.plan().build(), Scope.only("page"));

        assertThat(report).targetState("orders", TargetState.OUT_OF_SCOPE).setAside("page");
        assertThatThrownBy(() -> assertThat(report).targetState("orders", TargetState.VERIFIED))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected target 'orders' of rollback " + report.rollbackId()
                        + " to end VERIFIED, but it ended OUT_OF_SCOPE");
        assertThatThrownBy(() -> assertThat(report).targetState("cache", TargetState.VERIFIED))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to have target 'cache', but its targets are [page, orders]");
        assertThatThrownBy(() -> assertThat(report).setAside("orders"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expected the state of target 'orders' to be set aside")
                .hasMessageContaining("set aside were [page]");
    }

    @Test
    void shouldRefuseABudgetThatIsNotPositive() throws Exception {
        RollbackReport report = rollBack(shop.plan().build(), Scope.all());

        assertThatThrownBy(() -> assertThat(report).recoveredWithin(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("recoveredWithin: expected a positive duration, found PT0S");
    }
}
