package dev.rollback.internal.engine;

import dev.rollback.FailurePolicy;
import dev.rollback.RestorePointStore;
import dev.rollback.Sleeper;
import dev.rollback.host.Host;
import dev.rollback.internal.Redactor;
import dev.rollback.spi.Check;
import dev.rollback.spi.Phase;
import dev.rollback.spi.Step;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a plan says, as the engine reads it: the targets in restore order, the steps, hooks and checks, the
 * failure policy, the budgets, where artifacts go, the clock, the sleeper, the listeners and the secrets to mask.
 * Built once by {@code RollbackPlanBuilder}; the collections are copied and unmodifiable.
 *
 * <p>Immutable and thread-safe if its parts (targets, steps, checks, listeners) are.
 *
 * @param name the plan's name
 * @param store the store of its restore points, journals and reports
 * @param writer the store's write side
 * @param host the host every target, step and check works on
 * @param targets the targets by name, in the order they are restored
 * @param stops the stop steps
 * @param starts the start steps
 * @param checks the checks that prove recovery
 * @param before hooks at the start of each phase
 * @param after hooks at the end of each phase
 * @param beforeTarget hooks just before a target's restore
 * @param afterTarget hooks just after a target's restore
 * @param policy what a failure leads to
 * @param budgets the time each phase should take
 * @param recoveryBudget the time to recover the plan aims at, or null
 * @param keepLast how many points a capture keeps, or 0 for all
 * @param hostStore the folder of artifacts on a remote host
 * @param copyArtifactsToStore whether a remote host's artifacts are copied to the store too
 * @param clock the clock that times every step
 * @param sleeper how the plan waits
 * @param listeners the listeners, after the log
 * @param redactor masks the plan's secrets and those of its targets
 * @param acceptDataLoss whether rollbacks may destroy data written after the point, for every target
 */
public record PlanSpec(
        String name,
        RestorePointStore store,
        StoreWriter writer,
        Host host,
        Map<String, Target> targets,
        List<Step> stops,
        List<Step> starts,
        List<Check> checks,
        Map<Phase, List<Step>> before,
        Map<Phase, List<Step>> after,
        Map<String, List<Step>> beforeTarget,
        Map<String, List<Step>> afterTarget,
        FailurePolicy policy,
        Map<Phase, Duration> budgets,
        Duration recoveryBudget,
        int keepLast,
        Path hostStore,
        boolean copyArtifactsToStore,
        Clock clock,
        Sleeper sleeper,
        Listeners listeners,
        Redactor redactor,
        boolean acceptDataLoss) {

    /** Copies every collection, unmodifiable, keeping its order. */
    public PlanSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(host, "host");
        targets = Collections.unmodifiableMap(new LinkedHashMap<>(targets));
        stops = List.copyOf(stops);
        starts = List.copyOf(starts);
        checks = List.copyOf(checks);
        before = byPhase(before);
        after = byPhase(after);
        beforeTarget = byName(beforeTarget);
        afterTarget = byName(afterTarget);
        Objects.requireNonNull(policy, "policy");
        budgets = budgets.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(budgets));
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(listeners, "listeners");
        Objects.requireNonNull(redactor, "redactor");
    }

    /** The names of the targets, in the order they are restored. */
    public List<String> targetNames() {
        return List.copyOf(targets.keySet());
    }

    private static Map<Phase, List<Step>> byPhase(Map<Phase, List<Step>> in) {
        Map<Phase, List<Step>> out = new EnumMap<>(Phase.class);
        in.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, List<Step>> byName(Map<String, List<Step>> in) {
        Map<String, List<Step>> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(out);
    }
}
