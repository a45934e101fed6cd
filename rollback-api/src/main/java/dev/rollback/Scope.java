package dev.rollback;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Which targets a rollback touches: all of them, or only some ({@code only("backend")}), as in a
 * backend-only rollback that leaves the front-end as it is.
 *
 * <pre>{@code
 * import static dev.rollback.Scope.only;
 * plan.rollback(before, only("backend", "db"));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param targets the names of the targets in scope; empty means every target of the plan
 */
public record Scope(List<String> targets) {

    /** Copies the names and rejects duplicates. */
    public Scope {
        targets = List.copyOf(targets);
        if (new LinkedHashSet<>(targets).size() != targets.size()) {
            throw new IllegalArgumentException("scope: expected distinct target names, found " + targets
                    + "; name each target once");
        }
    }

    /** Every target of the plan. */
    public static Scope all() {
        return new Scope(List.of());
    }

    /** Only the named targets; unknown names are refused by the plan before anything runs. */
    public static Scope only(String... targets) {
        if (targets.length == 0) {
            throw new IllegalArgumentException("only(): expected at least one target name, found none; "
                    + "use Scope.all() to roll back every target");
        }
        return new Scope(Arrays.asList(targets));
    }

    /** Whether this scope covers every target. */
    public boolean isAll() {
        return targets.isEmpty();
    }

    @Override
    public String toString() {
        return isAll() ? "all targets" : "only " + String.join(", ", targets);
    }
}
