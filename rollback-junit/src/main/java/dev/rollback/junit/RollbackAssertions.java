package dev.rollback.junit;

import dev.rollback.DrillReport;
import dev.rollback.RollbackReport;
import dev.rollback.WatchReport;

/**
 * Entry point of the assertions on reports: {@code assertThat(report)} for a rollback, a drill or a
 * watch. Each assertion's failure message states what was expected and what was found, followed by
 * the whole report as Markdown.
 *
 * <p>Stateless and thread-safe. Import it next to AssertJ's {@code Assertions.assertThat}: the
 * overloads here are chosen for the report types.
 *
 * <pre>{@code
 * import static dev.rollback.junit.RollbackAssertions.assertThat;
 *
 * @Test
 * void shouldRecoverTheShopWithinFiveMinutes() {
 *     DrillReport drill = Drill.of(plan)
 *         .change("deploy the test banner", ctx -> Files.writeString(page, "DRILL " + ctx.drillId()))
 *         .shows(HealthCheck.http(uri).bodyContains("DRILL"))
 *         .run();
 *     assertThat(drill).passed().lostNoData().tookAtMost(Duration.ofMinutes(10));
 *     assertThat(drill.rollback()).succeeded().recoveredWithin(Duration.ofMinutes(5))
 *         .targetState("page", TargetState.VERIFIED).setAside("page");
 * }
 * }</pre>
 *
 * <p>{@link RollbackSoftAssertions} collects failures over several reports; {@link RollbackTest}
 * gives each test its store and plans and runs drills as tests.
 */
public final class RollbackAssertions {

    private RollbackAssertions() {}

    /** Assertions on the report of a rollback. */
    public static RollbackReportAssert assertThat(RollbackReport actual) {
        return new RollbackReportAssert(actual);
    }

    /** Assertions on the report of a drill. */
    public static DrillReportAssert assertThat(DrillReport actual) {
        return new DrillReportAssert(actual);
    }

    /** Assertions on the report of a watch. */
    public static WatchReportAssert assertThat(WatchReport actual) {
        return new WatchReportAssert(actual);
    }
}
