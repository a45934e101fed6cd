package dev.rollback.junit;

import dev.rollback.DrillReport;
import java.time.Duration;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * AssertJ assertions on a {@link DrillReport}; made by {@link RollbackAssertions#assertThat(DrillReport)}.
 * A failure's message says what was expected and found, then shows the drill record as Markdown.
 *
 * <p>Not thread-safe: one assertion chain per thread, as with every AssertJ assert.
 *
 * <pre>{@code
 * assertThat(Drill.of(plan).change("deploy the test banner", ctx -> ...).shows(check).run())
 *     .passed().tookAtMost(Duration.ofMinutes(10));
 * }</pre>
 */
public final class DrillReportAssert extends AbstractObjectAssert<DrillReportAssert, DrillReport> {

    DrillReportAssert(DrillReport actual) {
        super(actual, DrillReportAssert.class);
    }

    /** Verifies that the drill passed: the change showed, the rollback succeeded, the after-checks passed. */
    public DrillReportAssert passed() {
        isNotNull();
        if (!actual.passed()) {
            fail("Expected drill " + actual.drillId() + " of plan '" + actual.plan() + "' to pass, but it failed at "
                    + actual.failedStage() + ": " + actual.reason());
        }
        return this;
    }

    /** Verifies that the whole drill, clean-up included, took at most {@code limit}. */
    public DrillReportAssert tookAtMost(Duration limit) {
        Reports.requirePositive(limit, "tookAtMost");
        isNotNull();
        if (actual.total().compareTo(limit) > 0) {
            fail("Expected drill " + actual.drillId() + " of plan '" + actual.plan() + "' to take at most "
                    + Reports.human(limit) + ", but it took " + Reports.human(actual.total())
                    + actual.timeToRecover().map(t -> " (the rollback " + Reports.human(t) + ")").orElse(""));
        }
        return this;
    }

    private void fail(String message) {
        failWithMessage("%s", Reports.withReport(message, actual.toMarkdown()));
    }
}
