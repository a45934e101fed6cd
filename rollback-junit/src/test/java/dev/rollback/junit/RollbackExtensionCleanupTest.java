package dev.rollback.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.RestorePointStore;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.spi.Check;
import dev.rollback.spi.Step;
import dev.rollback.targets.ConfigFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * After each test every restore point it made is deleted through its plan, so what targets keep outside the store
 * goes too, whether the test passed or failed, and then the store's folder goes.
 */
class RollbackExtensionCleanupTest {

    static final Map<String, Path> STORES = new ConcurrentHashMap<>();
    static final Map<String, List<String>> CLONES_DURING = new ConcurrentHashMap<>();
    static volatile Path clones;

    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        STORES.clear();
        CLONES_DURING.clear();
        clones = dir.resolve("clones");
    }

    static List<String> clones() throws Exception {
        if (!Files.isDirectory(clones)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(clones)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @RollbackTest
    static class Deploys {
        @TempDir
        Path dir;

        RealShop shop;

        @BeforeEach
        void open() throws Exception {
            shop = new RealShop(dir, clones);
        }

        @Plan
        RollbackPlanBuilder files() {
            return shop.files().verify(Check.of("page is v1.0.0", () -> Files.readString(shop.page).contains("v1.0.0")));
        }

        /** Captures, breaks the release, and rolls back: the point, and the point the rollback set aside. */
        void rollBack(RollbackPlan plan, TestInfo test) throws Exception {
            STORES.put(test.getTestMethod().orElseThrow().getName(), plan.store().root());
            RestorePoint before = plan.capture("v1.0.0");
            Files.writeString(shop.page, "<h1>Shop v2.0.0: error 500</h1>\n");
            Files.writeString(shop.export, "1,apples\n");
            assertThat(plan.rollback(before).outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(shop.export).hasContent("1,apples\n2,pears");
            CLONES_DURING.put(test.getTestMethod().orElseThrow().getName(), clones());
        }

        @Test
        void passes(RollbackPlan plan, TestInfo test) throws Exception {
            rollBack(plan, test);
        }

        @Test
        void fails(RollbackPlan plan, TestInfo test) throws Exception {
            rollBack(plan, test);
            assertThat(Files.readString(shop.page)).contains("v3.0.0");
        }
    }

    @Test
    void shouldDeleteEveryPointThroughItsPlanAfterATestThatPassedAndOneThatFailed() throws Exception {
        EngineExecutionResults results = Kit.run(Deploys.class, Map.of(RollbackExtension.REPORTS_DIR,
                dir.resolve("reports").toString()));

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        assertThat(CLONES_DURING.get("passes")).as("the point and the set-aside point keep a clone each").hasSize(2);
        assertThat(CLONES_DURING.get("fails")).hasSize(2);
        assertThat(clones()).as("released by the plan's delete after both tests").isEmpty();
        assertThat(STORES.values()).hasSize(2).allSatisfy(root -> assertThat(root).doesNotExist());
    }

    @RollbackTest
    static class LeavesARollbackUnfinished {
        @TempDir
        Path dir;

        RealShop shop;

        @BeforeEach
        void open() throws Exception {
            shop = new RealShop(dir, clones);
        }

        @Plan
        RollbackPlanBuilder files() {
            return shop.files().onFailure(FailurePolicy.HALT).start(Step.of("start the shop", ctx -> {
                throw new IllegalStateException("the shop does not start");
            }));
        }

        @Test
        void halts(RollbackPlan plan, TestInfo test) throws Exception {
            STORES.put("halts", plan.store().root());
            RestorePoint before = plan.capture("v1.0.0");
            assertThat(plan.rollback(before).outcome()).isEqualTo(Outcome.HALTED);
        }
    }

    @Test
    void shouldCloseARollbackTheTestLeftUnfinishedAndThenDeleteItsPoints() throws Exception {
        EngineExecutionResults results = Kit.run(LeavesARollbackUnfinished.class, Map.of());

        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertThat(STORES.get("halts")).doesNotExist();
        assertThat(clones()).isEmpty();
    }

    @RollbackTest
    static class BuildsItsOwnPlan {
        @TempDir
        Path dir;

        @Test
        void capturesWithTheStore(RestorePointStore store, TestInfo test) throws Exception {
            STORES.put("own", store.root());
            RealShop shop = new RealShop(dir, clones);
            RollbackPlan plan = Rollback.plan("by-hand").store(store)
                    .target(ConfigFiles.of(shop.config).named("config")).build();
            plan.capture("v1");
        }
    }

    @Test
    void shouldDeleteThePointsOfAPlanTheTestBuiltItselfAndSayWhatCouldNotBeReleased() {
        EngineExecutionResults results = Kit.run(BuildsItsOwnPlan.class, Map.of());

        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertThat(STORES.get("own")).doesNotExist();
        assertThat(Kit.entries(results, "capturesWithTheStore")).extracting(ReportEntry::getKeyValuePairs)
                .anySatisfy(kv -> assertThat(kv.get("rollback cleanup")).contains("of plan 'by-hand' was made by a "
                        + "plan the test built itself: its files in the store are deleted, but what its targets keep "
                        + "outside the store (clone databases, image pins) is not released; declare the plan with "
                        + "@Plan"));
    }
}
