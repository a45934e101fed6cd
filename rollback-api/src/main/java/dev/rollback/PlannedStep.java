package dev.rollback;

import dev.rollback.spi.Phase;

import java.util.List;
import java.util.Objects;

/**
 * One step a rollback would take, as shown by {@link RollbackPlan#preview(RestorePoint)}.
 *
 * @param index its position, from 0
 * @param phase its phase
 * @param name its name, as it will appear in the report
 * @param target the target it acts on, or null
 * @param actions what it would do, as sentences
 */
public record PlannedStep(int index, Phase phase, String name, String target, List<String> actions) {

    /** Copies the actions. */
    public PlannedStep {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(name, "name");
        actions = List.copyOf(actions);
    }
}
