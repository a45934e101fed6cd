package dev.rollback.spi;

import java.util.Objects;

/**
 * Data a rollback would destroy that was written after its restore point, as one target tells it
 * in a {@link dev.rollback.RollbackPreview}: "12 row(s) of table 'orders' inserted after the restore point".
 *
 * <p>Immutable and thread-safe.
 *
 * @param target the target that would destroy it
 * @param what what would be lost, as a sentence
 * @param accepted whether the target or the plan accepts losing it ({@link
 *     dev.rollback.RollbackPlanBuilder#acceptDataLoss()}); preflight refuses a rollback that would lose data no
 *     one accepted
 */
public record DataAtRisk(String target, String what, boolean accepted) {

    /** Validates the parts. */
    public DataAtRisk {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(what, "what");
    }
}
