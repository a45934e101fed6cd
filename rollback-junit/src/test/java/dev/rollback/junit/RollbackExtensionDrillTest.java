package dev.rollback.junit;

import static dev.rollback.junit.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Drill;
import dev.rollback.DrillReport;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.RestorePointStore;
import dev.rollback.spi.Check;
import dev.rollback.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** A {@link DrillTest} runs its drill for each plan it names, passes when the drill passes, and fails showing it. */
class RollbackExtensionDrillTest {

    /** What each drill invocation saw: the store of its plan, and the drill's report. */
    static final Map<String, Path> STORES = new ConcurrentHashMap<>();
    static final Map<String, DrillReport> DRILLS = new ConcurrentHashMap<>();
    static volatile Path clones;
    static volatile boolean bodyRan;

    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        STORES.clear();
        DRILLS.clear();
        clones = dir.resolve("clones");
        bodyRan = false;
    }

    @RollbackTest
    static class ThreePlans {
        @TempDir
        Path dir;

        RealShop shop;

        @BeforeEach
        void open() throws Exception {
            shop = new RealShop(dir, clones);
        }

        @Plan
        RollbackPlanBuilder files() {
            return shop.files();
        }

        @Plan
        RollbackPlanBuilder config() {
            return shop.config();
        }

        @Plan
        RollbackPlanBuilder sqlite() {
            return shop.sqlite();
        }

        /** The test banner, put where each plan's target can take it away again. */
        Drill banner(RollbackPlan plan, RestorePointStore store) {
            STORES.put(plan.name(), store.root());
            Drill drill = Drill.of(plan);
            return switch (plan.name()) {
                case "shop-files" -> drill
                        .change("deploy the test banner", ctx -> Files.writeString(shop.page, "DRILL " + ctx.drillId()))
                        .shows(Check.of("banner shows", () -> Files.readString(shop.page).startsWith("DRILL")))
                        .thenGone(Check.of("v1.0.0 is back", () -> Files.readString(shop.page).contains("v1.0.0")))
                        .keeps(Check.of("export intact", () -> Files.readString(shop.export)
                                .equals("1,apples\n2,pears\n")));
                case "shop-config" -> drill
                        .change("switch to the drill mode", ctx -> Files.writeString(shop.config, "MODE=drill\n"))
                        .shows(Check.of("drill mode", () -> Files.readString(shop.config).contains("drill")))
                        .thenGone(Check.of("production mode", () -> Files.readString(shop.config)
                                .equals("MODE=production\n")))
                        .keeps(Check.of("page intact", () -> Files.readString(shop.page).contains("v1.0.0")));
                default -> drill
                        .change("record a drill order", ctx -> shop.sql("INSERT INTO orders VALUES (3, 'DRILL')"))
                        .shows(Check.of("drill order", () -> shop.items().contains("DRILL")))
                        .thenGone(Check.of("no drill order", () -> !shop.items().contains("DRILL")))
                        .keeps(Check.of("orders intact", () -> shop.items().equals("1,apples\n2,pears\n")));
            };
        }

        @DrillTest(value = "banner", plans = {"shop-files", "shop-config", "shop-sqlite"}, recoversWithin = "PT1M")
        void theBannerGoesAndTheDataStays(DrillReport drill) {
            assertThat(drill).lostNoData();
            DRILLS.put(drill.plan(), drill);
        }
    }

    @Test
    void shouldRunTheDrillOfEachNamedPlanAsATestOfItsOwnOnAStoreOfItsOwn() {
        EngineExecutionResults results = Kit.run(ThreePlans.class, Map.of());

        results.testEvents().assertStatistics(s -> s.started(3).succeeded(3));
        assertThat(results.testEvents().started().stream().map(e -> e.getTestDescriptor().getDisplayName()))
                .containsExactly("drill of plan 'shop-files'", "drill of plan 'shop-config'",
                        "drill of plan 'shop-sqlite'");
        assertThat(DRILLS).containsOnlyKeys("shop-files", "shop-config", "shop-sqlite");
        assertThat(DRILLS.values()).allSatisfy(d -> assertThat(d).passed().lostNoData());
        assertThat(DRILLS.get("shop-sqlite").kept()).singleElement().satisfies(c -> assertThat(c.name())
                .isEqualTo("orders intact"));
        assertThat(STORES.values()).hasSize(3).doesNotHaveDuplicates().allSatisfy(r -> assertThat(r).doesNotExist());
    }

    @RollbackTest
    static class ShowsNothing {
        @TempDir
        Path dir;

        @Plan
        RollbackPlanBuilder config() throws Exception {
            return new RealShop(dir, clones).config();
        }

        /** The drill of the test of the same name: its change does not show what it checks. */
        Drill maintenancePage(RollbackPlan plan) {
            Path config = dir.resolve("app.env");
            return Drill.of(plan).change("switch to the drill mode", ctx -> Files.writeString(config, "MODE=drill\n"))
                    .shows(Check.of("maintenance mode", () -> Files.readString(config).contains("maintenance")));
        }

        @DrillTest
        void maintenancePage() {
            bodyRan = true;
        }
    }

    @Test
    void shouldFailTheTestOfAFailedDrillWithTheDrillRecordInTheMessageAndFileIt() throws Exception {
        Path reports = dir.resolve("reports");
        EngineExecutionResults results = Kit.run(ShowsNothing.class, Map.of(RollbackExtension.REPORTS_DIR,
                reports.toString()));

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        assertThat(Kit.failure(results, "maintenancePage")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("of plan 'shop-config' to pass, but it failed at SHOWS: the change does not "
                        + "show: check 'maintenance mode' failed")
                .hasMessageContaining("# Rollback drill: shop-config")
                .hasMessageContaining("## Timing log")
                .hasMessageContaining("| CHANGE |");
        assertThat(bodyRan).as("the body runs only after a drill that passed").isFalse();
        assertThat(reports.resolve("RollbackExtensionDrillTest$ShowsNothing.maintenancePage[1].md")).content()
                .contains("# Rollback drill: shop-config").contains("- **Outcome:** FAILED at SHOWS");
    }

    @RollbackTest(testClock = true)
    static class SlowRecovery {
        @TempDir
        Path dir;

        @Plan
        RollbackPlanBuilder config(TestClock clock) throws Exception {
            return new RealShop(dir, clones).config().verify(Check.of("the shop warms up", () -> {
                clock.advance(Duration.ofMinutes(2));
                return true;
            }));
        }

        Drill drill(RollbackPlan plan) {
            Path config = dir.resolve("app.env");
            return Drill.of(plan).change("switch to the drill mode", ctx -> Files.writeString(config, "MODE=drill\n"))
                    .shows(Check.of("drill mode", () -> Files.readString(config).contains("drill")));
        }

        @DrillTest(value = "drill", recoversWithin = "PT1M")
        void recoversInAMinute() {
            bodyRan = true;
        }
    }

    @Test
    void shouldFailADrillWhoseRollbackTookLongerThanItsBound() {
        EngineExecutionResults results = Kit.run(SlowRecovery.class, Map.of(RollbackExtension.REPORTS_DIR,
                dir.resolve("reports").toString()));

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        assertThat(Kit.failure(results, "recoversInAMinute")).hasMessageContaining("of plan 'shop-config' to recover "
                + "within 1 min, but it took 2 min").hasMessageContaining("# Rollback drill: shop-config");
        assertThat(bodyRan).isFalse();
        assertThat(dir.resolve("reports/RollbackExtensionDrillTest$SlowRecovery.recoversInAMinute[1].md")).exists();
    }

    @RollbackTest
    static class Misdeclared {
        @TempDir
        Path dir;

        @Plan
        RollbackPlanBuilder config() throws Exception {
            return new RealShop(dir, clones).config();
        }

        @DrillTest(recoversWithin = "5 minutes")
        void badBound() {
            bodyRan = true;
        }

        @DrillTest("noSuchDrill")
        void noDrill() {
            bodyRan = true;
        }
    }

    @Test
    void shouldRefuseABoundThatIsNoDurationAndADrillMethodThatIsMissing() {
        EngineExecutionResults results = Kit.run(Misdeclared.class, Map.of());

        assertThat(results.allEvents().failed().stream().map(e -> e.getPayload(TestExecutionResult.class)
                .orElseThrow().getThrowable().orElseThrow().getMessage()))
                .anySatisfy(m -> assertThat(m).contains("@DrillTest badBound: expected recoversWithin as a positive "
                        + "ISO-8601 duration, found '5 minutes'; give one such as \"PT5M\""))
                .anySatisfy(m -> assertThat(m).contains("@DrillTest Misdeclared.noDrill: expected one instance method "
                        + "'noSuchDrill' returning Drill in Misdeclared, found 0"));
        assertThat(bodyRan).isFalse();
    }
}
