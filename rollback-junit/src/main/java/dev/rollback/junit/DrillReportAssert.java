package dev.rollback.junit;

import dev.rollback.DrillReport;
import dev.rollback.spi.CheckResult;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * AssertJ assertions on a {@link DrillReport}; made by {@link RollbackAssertions#assertThat(DrillReport)}.
 * A failure's message says what was expected and found, then shows the drill record as Markdown.
 *
 * <p>Not thread-safe: one assertion chain per thread, as with every AssertJ assert. Open to
 * subclasses only so that {@link RollbackSoftAssertions} can collect its failures.
 *
 * <pre>{@code
 * assertThat(Drill.of(plan).change("deploy the test banner", ctx -> ...).shows(check).keeps(ordersIntact).run())
 *     .passed().lostNoData().recoveredWithin(Duration.ofMinutes(5)).tookAtMost(Duration.ofMinutes(10));
 * }</pre>
 */
public class DrillReportAssert extends AbstractObjectAssert<DrillReportAssert, DrillReport> {

    /** Assertions on {@code actual}; tests call {@link RollbackAssertions#assertThat(DrillReport)} instead. */
    public DrillReportAssert(DrillReport actual) {
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
        Texts.requirePositive(limit, "tookAtMost");
        isNotNull();
        if (actual.total().compareTo(limit) > 0) {
            fail("Expected drill " + actual.drillId() + " of plan '" + actual.plan() + "' to take at most "
                    + Texts.human(limit) + ", but it took " + Texts.human(actual.total())
                    + actual.timeToRecover().map(t -> " (the rollback " + Texts.human(t) + ")").orElse(""));
        }
        return this;
    }

    /**
     * Verifies that no data was lost: the drill declared at least one check of what must survive
     * ({@code keeps(..)}), each ran after the rollback, and each passed.
     */
    public DrillReportAssert lostNoData() {
        isNotNull();
        String of = "drill " + actual.drillId() + " of plan '" + actual.plan() + "'";
        List<CheckResult> failed = actual.kept().stream().filter(c -> !c.passed()).toList();
        if (actual.kept().isEmpty()) {
            fail("Expected " + of + " to show that no data was lost, but no check of the data ran"
                    + (actual.rollback() == null ? " (no rollback ran: it failed at " + actual.failedStage() + ")"
                    : "; declare what must survive with keeps(Check.of(\"orders intact\", ..))"));
        } else if (!failed.isEmpty()) {
            fail("Expected " + of + " to lose no data, but " + String.join("; ", failed.stream()
                    .map(c -> "check '" + c.name() + "' failed: " + c.detail()).toList()));
        }
        return this;
    }

    /** Verifies that the drill's rollback ran and recovered within {@code budget}, by the plan's clock. */
    public DrillReportAssert recoveredWithin(Duration budget) {
        Texts.requirePositive(budget, "recoveredWithin");
        isNotNull();
        String of = "drill " + actual.drillId() + " of plan '" + actual.plan() + "'";
        if (actual.timeToRecover().isEmpty()) {
            fail("Expected the rollback of " + of + " to recover within " + Texts.human(budget) + ", but no rollback "
                    + "ran: the drill failed at " + actual.failedStage() + ": " + actual.reason());
        } else if (actual.timeToRecover().get().compareTo(budget) > 0) {
            fail("Expected the rollback of " + of + " to recover within " + Texts.human(budget) + ", but it took "
                    + Texts.human(actual.timeToRecover().get()));
        }
        return this;
    }

    private void fail(String message) {
        failWithMessage("%s", Texts.withReport(message, actual.toMarkdown()));
    }
}
