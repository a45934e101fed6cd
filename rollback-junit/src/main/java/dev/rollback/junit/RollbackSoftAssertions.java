package dev.rollback.junit;

import dev.rollback.DrillReport;
import dev.rollback.RollbackReport;
import dev.rollback.WatchReport;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractSoftAssertions;

/**
 * Soft assertions over several reports: every failed assertion is collected, and {@link #assertAll()}
 * fails once with all of them (each with its report as Markdown), so a test of several plans or
 * drills shows every one that went wrong, not only the first.
 *
 * <p>Not thread-safe: one instance per test thread, as with AssertJ's own soft assertions.
 *
 * <pre>{@code
 * RollbackSoftAssertions.assertSoftly(softly -> {
 *     softly.assertThat(files.rollback(filesPoint)).succeeded().targetState("page", TargetState.VERIFIED);
 *     softly.assertThat(sqlite.rollback(dbPoint)).succeeded().recoveredWithin(Duration.ofSeconds(30));
 *     softly.assertThat(drill).passed().lostNoData();
 * });
 * }</pre>
 */
public class RollbackSoftAssertions extends AbstractSoftAssertions {

    /** Soft assertions with nothing collected yet; call {@link #assertAll()} at the end. */
    public RollbackSoftAssertions() {}

    /** Runs {@code assertions} on a new instance, then fails with every failure it collected, if any. */
    public static void assertSoftly(Consumer<RollbackSoftAssertions> assertions) {
        RollbackSoftAssertions softly = new RollbackSoftAssertions();
        assertions.accept(softly);
        softly.assertAll();
    }

    /** Soft assertions on the report of a rollback. */
    public RollbackReportAssert assertThat(RollbackReport actual) {
        return proxy(RollbackReportAssert.class, RollbackReport.class, actual);
    }

    /** Soft assertions on the report of a drill. */
    public DrillReportAssert assertThat(DrillReport actual) {
        return proxy(DrillReportAssert.class, DrillReport.class, actual);
    }

    /** Soft assertions on the report of a watch. */
    public WatchReportAssert assertThat(WatchReport actual) {
        return proxy(WatchReportAssert.class, WatchReport.class, actual);
    }
}
