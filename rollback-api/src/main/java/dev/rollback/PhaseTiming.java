package dev.rollback;

import dev.rollback.spi.Phase;

import java.time.Duration;
import java.util.Objects;

/**
 * How long one phase of a rollback took, against its budget.
 *
 * @param phase the phase
 * @param took the sum of its steps' durations, hooks included
 * @param budget the budget set with {@link RollbackPlanBuilder#budget(Phase, Duration)}, or null
 */
public record PhaseTiming(Phase phase, Duration took, Duration budget) {

    /** Validates the parts. */
    public PhaseTiming {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(took, "took");
    }

    /** Whether the phase had a budget and took longer. */
    public boolean overBudget() {
        return budget != null && took.compareTo(budget) > 0;
    }
}
