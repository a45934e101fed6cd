package dev.rollback.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.RestorePoint;
import dev.rollback.RestorePointStore;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.Sleeper;
import dev.rollback.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** Each test gets a fresh store of its own (or the class one, when asked), on the clock it asked for. */
class RollbackExtensionStoreTest {

    /** What the fixtures saw, by test name: the store's folder and the points it held at the start. */
    static final Map<String, Path> STORES = new ConcurrentHashMap<>();
    static final Map<String, List<String>> POINTS_AT_START = new ConcurrentHashMap<>();
    static volatile Path clones;
    static volatile CyclicBarrier together;

    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        STORES.clear();
        POINTS_AT_START.clear();
        clones = dir.resolve("clones");
    }

    static void saw(TestInfo test, RestorePointStore store, RollbackPlan plan) {
        String name = test.getTestMethod().orElseThrow().getName();
        STORES.put(name, store.root());
        POINTS_AT_START.put(name, plan.restorePoints().stream().map(RestorePoint::label).toList());
    }

    @RollbackTest
    static class StorePerMethod {
        @TempDir
        Path dir;

        @TestStore
        RestorePointStore field;

        @Plan
        RollbackPlanBuilder files() throws Exception {
            return new RealShop(dir, clones).files();
        }

        @Test
        void first(RollbackPlan plan, RestorePointStore store, TestInfo test) {
            saw(test, store, plan);
            assertThat(plan.store()).isSameAs(store).isSameAs(field);
            plan.capture("first");
        }

        @Test
        void second(RollbackPlan plan, RestorePointStore store, TestInfo test) {
            saw(test, store, plan);
            plan.capture("second");
        }

        @Test
        void third(RollbackPlan plan, RestorePointStore store, TestInfo test) {
            saw(test, store, plan);
            plan.capture("third");
        }
    }

    @Test
    void shouldGiveEachTestAFreshStoreOfItsOwnInATempFolderAndRemoveItAfter() {
        EngineExecutionResults results = Kit.run(StorePerMethod.class, Map.of());

        results.testEvents().assertStatistics(s -> s.started(3).succeeded(3));
        assertThat(STORES.values()).hasSize(3).doesNotHaveDuplicates()
                .allSatisfy(root -> assertThat(root).doesNotExist()
                        .matches(r -> r.startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath()),
                                "is in the temp folder"));
        assertThat(POINTS_AT_START.values()).allSatisfy(points -> assertThat(points).isEmpty());
    }

    @RollbackTest(store = RollbackTest.StorePer.CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class StorePerClass {
        @TempDir
        static Path dir;

        @Plan
        RollbackPlanBuilder files() throws Exception {
            Path shop = dir.resolve("shop");
            return Files.isDirectory(shop) ? new ShopOf(shop).files() : new RealShop(shop, clones).files();
        }

        @Test
        @Order(1)
        void first(RollbackPlan plan, RestorePointStore store, TestInfo test) {
            saw(test, store, plan);
            plan.capture("first");
        }

        @Test
        @Order(2)
        void second(RollbackPlan plan, RestorePointStore store, TestInfo test) {
            saw(test, store, plan);
            plan.capture("second");
            assertThat(store.root()).exists();
        }
    }

    /** The shop of a folder made earlier, for a second test of a class sharing it. */
    record ShopOf(Path dir) {
        RollbackPlanBuilder files() {
            return dev.rollback.Rollback.plan("shop-files")
                    .target(dev.rollback.targets.DirectoryBackup.of(dir.resolve("www")).named("page"))
                    .target(new ClonedFile("export", dir.resolve("orders.csv"), clones));
        }
    }

    @Test
    void shouldShareOneStoreAcrossTheClassWhenAskedAndEmptyItAfterTheLastTest() throws Exception {
        EngineExecutionResults results = Kit.run(StorePerClass.class, Map.of());

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(STORES.get("first")).isEqualTo(STORES.get("second")).doesNotExist();
        assertThat(POINTS_AT_START.get("first")).isEmpty();
        assertThat(POINTS_AT_START.get("second")).containsExactly("first");
        try (var left = Files.list(clones)) {
            assertThat(left).as("the clones of both tests' points were released").isEmpty();
        }
    }

    @RollbackTest
    static class InParallel {
        @TempDir
        Path dir;

        @Plan
        RollbackPlanBuilder files() throws Exception {
            return new RealShop(dir, clones).files();
        }

        void meet(TestInfo test, RestorePointStore store, RollbackPlan plan) throws Exception {
            saw(test, store, plan);
            String label = test.getTestMethod().orElseThrow().getName();
            plan.capture(label);
            together.await(10, TimeUnit.SECONDS); // every test has captured before any looks
            assertThat(plan.restorePoints()).extracting(RestorePoint::label).containsExactly(label);
            together.await(10, TimeUnit.SECONDS);
        }

        @Test
        void a(TestInfo test, RestorePointStore store, RollbackPlan plan) throws Exception {
            meet(test, store, plan);
        }

        @Test
        void b(TestInfo test, RestorePointStore store, RollbackPlan plan) throws Exception {
            meet(test, store, plan);
        }

        @Test
        void c(TestInfo test, RestorePointStore store, RollbackPlan plan) throws Exception {
            meet(test, store, plan);
        }

        @Test
        void d(TestInfo test, RestorePointStore store, RollbackPlan plan) throws Exception {
            meet(test, store, plan);
        }
    }

    @Test
    void shouldNotShareStoresBetweenTestsRunningInParallel() {
        together = new CyclicBarrier(4);

        EngineExecutionResults results = Kit.run(InParallel.class, Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"));

        results.testEvents().assertStatistics(s -> s.started(4).succeeded(4));
        assertThat(STORES.values()).hasSize(4).doesNotHaveDuplicates().allSatisfy(root -> assertThat(root).doesNotExist());
    }

    @RollbackTest(testClock = true)
    static class OnTheTestClock {
        @TempDir
        Path dir;

        @Plan
        RollbackPlanBuilder config() throws Exception {
            return new RealShop(dir, clones).config();
        }

        @Test
        void timesTheRollbackOnTheTestClock(RollbackPlan plan, TestClock clock, Sleeper sleeper) throws Exception {
            RestorePoint before = plan.capture("v1");
            assertThat(before.createdAt()).isEqualTo(clock.instant());
            sleeper.sleep(Duration.ofHours(2)); // takes no time: it moves the clock
            assertThat(plan.rollback(before).startedAt()).isEqualTo(before.createdAt().plus(Duration.ofHours(2)));
        }
    }

    @ExtendWith(RollbackExtension.class)
    static class WithoutTheTestClock {
        @Test
        void asksForTheClock(TestClock clock) {
            assertThat(clock).isNotNull();
        }
    }

    @Test
    void shouldRunThePlansOnTheTestClockOnlyWhenAsked() {
        Kit.run(OnTheTestClock.class, Map.of()).testEvents().assertStatistics(s -> s.started(1).succeeded(1));

        EngineExecutionResults without = Kit.run(WithoutTheTestClock.class, Map.of());
        assertThat(Kit.failure(without, "asksForTheClock")).hasMessageContaining("expected a test clock for "
                + "parameter clock, found the plans on the system clock; ask for it with "
                + "@RollbackTest(testClock = true)");
    }

    @RollbackTest
    static class TwoPlans {
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

        @Test
        void picksByName(@Plan("shop-config") RollbackPlan config, @Plan("shop-files") RollbackPlan files) {
            assertThat(config.targets()).containsExactly("config");
            assertThat(files.targets()).containsExactly("page", "export");
            assertThat(config.store()).isSameAs(files.store());
        }

        @Test
        void doesNotSay(RollbackPlan plan) {
            assertThat(plan).isNotNull();
        }
    }

    @Test
    void shouldPickADeclaredPlanByItsNameAndRefuseAParameterThatDoesNotSayWhich() {
        EngineExecutionResults results = Kit.run(TwoPlans.class, Map.of());

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        assertThat(Kit.failure(results, "doesNotSay")).hasMessageContaining("rollback test TwoPlans.doesNotSay: "
                + "expected one plan declared with @Plan, found 2 [shop-config, shop-files]; pick one with "
                + "@Plan(\"name\") on the parameter");
    }
}
