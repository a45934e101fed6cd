package dev.rollback.junit;

import dev.rollback.DrillReport;
import dev.rollback.RollbackReport;
import dev.rollback.WatchReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The reports of one test that the {@link RollbackExtension} files when the test fails (or always,
 * {@link RollbackTest#reports()}). The rollbacks of the test's plans and the drills of a {@link
 * DrillTest} are filed without asking; a test that runs a {@link dev.rollback.Drill} or a {@link
 * dev.rollback.Watchdog} itself files its report here, as a parameter of the test.
 *
 * <p>Thread-safe: a test may file from several threads.
 *
 * <pre>{@code
 * @Test
 * void shouldRollBackWhenThePageErrs(RollbackPlan shop, TestReports reports) {
 *     RestorePoint before = shop.capture("v1.0.0");
 *     deployTheBrokenPage();
 *     WatchReport watch = reports.file(Watchdog.of(shop, before).probe(pageHasNoError)
 *             .rollBackWhen(Trigger.consecutiveFailures(3)).watchFor(Duration.ofMinutes(5)).run());
 *     assertThat(watch).rolledBack();
 * }
 * }</pre>
 */
public final class TestReports {

    private final List<Object> reports = new ArrayList<>();

    TestReports() {}

    /** Files the report of a drill and returns it. */
    public DrillReport file(DrillReport report) {
        return add(Objects.requireNonNull(report, "drill report"));
    }

    /** Files the report of a watch and returns it. */
    public WatchReport file(WatchReport report) {
        return add(Objects.requireNonNull(report, "watch report"));
    }

    /**
     * Files the report of a rollback and returns it: one of a plan the test built itself, since those
     * of its declared plans are filed already.
     */
    public RollbackReport file(RollbackReport report) {
        return add(Objects.requireNonNull(report, "rollback report"));
    }

    private synchronized <R> R add(R report) {
        reports.add(report);
        return report;
    }

    /** What was filed, in order: drill, watch and rollback reports. */
    synchronized List<Object> filed() {
        return List.copyOf(reports);
    }

    @Override
    public synchronized String toString() {
        return "TestReports[" + reports.size() + " filed]";
    }
}
