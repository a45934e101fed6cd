package dev.rollback;

import java.util.List;
import java.util.Objects;

/**
 * How {@link RollbackPlan#resume(Resume)} continues an unfinished rollback: one left by a process
 * that died, or one halted by {@link FailurePolicy#HALT}.
 *
 * <pre>{@code
 * plan.resume();                            // finish it
 * plan.resume(Resume.skipping("db"));       // finish it, leaving the database as it is
 * plan.resume(Resume.undoing());            // put back what it changed
 * plan.resume(Resume.abandoning());         // give it up, change nothing more
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param mode what to do
 * @param skip targets whose restore is skipped (with {@link Mode#FINISH})
 */
public record Resume(Mode mode, List<String> skip) {

    /** What a resume does. */
    public enum Mode {
        /** Run the steps that did not finish, in order; the plan's failure policy applies. */
        FINISH,
        /** Put back every target the rollback changed, from the state it set aside. */
        UNDO,
        /** Close the rollback as it is, changing nothing more. */
        ABANDON
    }

    /** Validates the parts. */
    public Resume {
        Objects.requireNonNull(mode, "mode");
        skip = List.copyOf(skip);
        if (mode != Mode.FINISH && !skip.isEmpty()) {
            throw new IllegalArgumentException("resume: skipping targets only makes sense when finishing");
        }
    }

    /** Finish the rollback. */
    public static Resume finishing() {
        return new Resume(Mode.FINISH, List.of());
    }

    /**
     * Finish the rollback without restoring the named targets: they are left as they are and
     * recorded as skipped.
     */
    public static Resume skipping(String... targets) {
        if (targets.length == 0) {
            throw new IllegalArgumentException("skipping(): expected at least one target name, found none");
        }
        return new Resume(Mode.FINISH, List.of(targets));
    }

    /** Put back what the rollback changed. */
    public static Resume undoing() {
        return new Resume(Mode.UNDO, List.of());
    }

    /** Give the rollback up without changing anything more. */
    public static Resume abandoning() {
        return new Resume(Mode.ABANDON, List.of());
    }
}
