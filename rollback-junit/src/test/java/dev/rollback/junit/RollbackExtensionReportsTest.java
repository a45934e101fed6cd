package dev.rollback.junit;

import static dev.rollback.junit.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.RestorePoint;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.TargetState;
import dev.rollback.Trigger;
import dev.rollback.WatchReport;
import dev.rollback.Watchdog;
import dev.rollback.spi.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The reports of a failed test (of every test, when asked) are published and written as Markdown, named after it. */
class RollbackExtensionReportsTest {

    static volatile Path clones;

    @TempDir
    Path dir;

    Path reports;

    @BeforeEach
    void reset() {
        clones = dir.resolve("clones");
        reports = dir.resolve("rollback-reports");
    }

    /** A rollback of the config in each test; the second test fails after it. */
    abstract static class ConfigRollbacks {
        @TempDir
        Path dir;

        RealShop shop;

        @BeforeEach
        void open() throws Exception {
            shop = new RealShop(dir, clones);
        }

        @Plan
        RollbackPlanBuilder config() {
            return shop.config();
        }

        void rollBack(RollbackPlan plan) throws Exception {
            RestorePoint before = plan.capture("v1.0.0");
            Files.writeString(shop.config, "MODE=broken\n");
            assertThat(plan.rollback(before)).succeeded().targetState("config", TargetState.VERIFIED);
        }

        @Test
        void passes(RollbackPlan plan) throws Exception {
            rollBack(plan);
        }

        @Test
        void fails(RollbackPlan plan) throws Exception {
            rollBack(plan);
            assertThat(shop.config).hasContent("MODE=staging");
        }

        @Test
        void runsNoRollback() {
            throw new AssertionError("failed before any rollback");
        }
    }

    @RollbackTest
    static class OnFailure extends ConfigRollbacks {}

    @RollbackTest(reports = RollbackTest.FileReports.ALWAYS)
    static class Always extends ConfigRollbacks {}

    List<String> written() throws Exception {
        if (!Files.isDirectory(reports)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(reports)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shouldAttachAndWriteTheReportsOfAFailedTestOnly() throws Exception {
        EngineExecutionResults results = Kit.run(OnFailure.class, Map.of(RollbackExtension.REPORTS_DIR,
                reports.toString()));

        results.testEvents().assertStatistics(s -> s.started(3).succeeded(1).failed(2));
        assertThat(written()).containsExactly("RollbackExtensionReportsTest$OnFailure.fails.md");
        String md = Files.readString(reports.resolve("RollbackExtensionReportsTest$OnFailure.fails.md"));
        assertThat(md).startsWith("# Test RollbackExtensionReportsTest$OnFailure.fails: FAILED")
                .contains("- **Failure:** AssertionError: ")
                .contains("# Rollback incident report: shop-config").contains("config");
        assertThat(Kit.entries(results, "passes")).isEmpty();
        assertThat(Kit.entries(results, "runsNoRollback")).as("nothing to file").isEmpty();
        List<ReportEntry> entries = Kit.entries(results, "fails");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).getKeyValuePairs()).hasEntrySatisfying(entries.get(0).getKeyValuePairs().keySet()
                .iterator().next(), v -> assertThat(v).startsWith("# Rollback incident report: shop-config"));
        assertThat(entries.get(0).getKeyValuePairs().keySet()).singleElement().asString().startsWith("rollback ");
        assertThat(entries.get(1).getKeyValuePairs()).containsEntry("rollback reports file",
                reports.resolve("RollbackExtensionReportsTest$OnFailure.fails.md").toAbsolutePath().toString());
    }

    @Test
    void shouldFileTheReportsOfEveryTestWhenAskedAlways() throws Exception {
        EngineExecutionResults results = Kit.run(Always.class, Map.of(RollbackExtension.REPORTS_DIR,
                reports.toString()));

        results.testEvents().assertStatistics(s -> s.started(3).succeeded(1).failed(2));
        assertThat(written()).containsExactly("RollbackExtensionReportsTest$Always.fails.md",
                "RollbackExtensionReportsTest$Always.passes.md");
        assertThat(Files.readString(reports.resolve("RollbackExtensionReportsTest$Always.passes.md")))
                .startsWith("# Test RollbackExtensionReportsTest$Always.passes: passed")
                .doesNotContain("**Failure:**").contains("- **Outcome:** SUCCEEDED");
        assertThat(Kit.entries(results, "passes")).hasSize(2);
    }

    @RollbackTest(testClock = true)
    static class Watches {
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

        @Test
        void rollsBackByItself(RollbackPlan plan, TestReports filed) throws Exception {
            RestorePoint before = plan.capture("v1.0.0");
            Files.writeString(shop.page, "<h1>error 500</h1>\n");
            WatchReport watch = filed.file(Watchdog.of(plan, before)
                    .probe(Check.of("page has no error", () -> !Files.readString(shop.page).contains("error")))
                    .every(Duration.ofSeconds(30)).rollBackWhen(Trigger.consecutiveFailures(3))
                    .watchFor(Duration.ofMinutes(5)).run());
            assertThat(watch).rolledBack().detectedWithin(Duration.ofSeconds(30)); // it took 1 min: fails
        }
    }

    @Test
    void shouldFileTheWatchReportATestFiledWithItsRollbackOnce() throws Exception {
        EngineExecutionResults results = Kit.run(Watches.class, Map.of(RollbackExtension.REPORTS_DIR,
                reports.toString()));

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        String md = Files.readString(reports.resolve("RollbackExtensionReportsTest$Watches.rollsBackByItself.md"));
        assertThat(md).contains("- **Reports:** 1").contains("# Watch report: shop-files");
        assertThat(Kit.entries(results, "rollsBackByItself")).extracting(e -> e.getKeyValuePairs().keySet()
                .iterator().next()).hasSize(2).first().asString().startsWith("rollback watch ");
        assertThat(Kit.failure(results, "rollsBackByItself")).hasMessageContaining("to detect a failure within 30 s, "
                + "but it took 1 min");
    }
}
