package dev.rollback.junit;

import dev.rollback.WatchReport;
import java.time.Duration;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * AssertJ assertions on a {@link WatchReport}; made by {@link RollbackAssertions#assertThat(WatchReport)}.
 * A failure's message says what was expected and found, then shows the watch report as Markdown.
 *
 * <p>Not thread-safe: one assertion chain per thread, as with every AssertJ assert. Open to
 * subclasses only so that {@link RollbackSoftAssertions} can collect its failures.
 *
 * <pre>{@code
 * assertThat(Watchdog.of(plan, before).probe(check).rollBackWhen(Trigger.consecutiveFailures(3))
 *         .watchFor(Duration.ofMinutes(30)).run())
 *     .rolledBack().detectedWithin(Duration.ofMinutes(2));
 * }</pre>
 */
public class WatchReportAssert extends AbstractObjectAssert<WatchReportAssert, WatchReport> {

    /** Assertions on {@code actual}; tests call {@link RollbackAssertions#assertThat(WatchReport)} instead. */
    public WatchReportAssert(WatchReport actual) {
        super(actual, WatchReportAssert.class);
    }

    /** Verifies that a trigger fired and the rollback it started succeeded. */
    public WatchReportAssert rolledBack() {
        isNotNull();
        if (actual.outcome() != WatchReport.Outcome.ROLLED_BACK) {
            fail("Expected watch " + actual.watchId() + " of plan '" + actual.plan() + "' to roll back, but it ended "
                    + actual.outcome() + (actual.error() == null ? "" : ": " + actual.error()));
        }
        return this;
    }

    /** Verifies that a trigger fired at most {@code limit} after the first failure it counted. */
    public WatchReportAssert detectedWithin(Duration limit) {
        Texts.requirePositive(limit, "detectedWithin");
        isNotNull();
        if (actual.timeToDetect() == null) {
            fail("Expected watch " + actual.watchId() + " of plan '" + actual.plan() + "' to detect a failure within "
                    + Texts.human(limit) + ", but no trigger fired; it ended " + actual.outcome());
        } else if (actual.timeToDetect().compareTo(limit) > 0) {
            fail("Expected watch " + actual.watchId() + " of plan '" + actual.plan() + "' to detect a failure within "
                    + Texts.human(limit) + ", but it took " + Texts.human(actual.timeToDetect()) + " ("
                    + actual.reason() + ")");
        }
        return this;
    }

    private void fail(String message) {
        failWithMessage("%s", Texts.withReport(message, actual.toMarkdown()));
    }
}
