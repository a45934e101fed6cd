package dev.rollback.fleet;

import dev.rollback.host.Host;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a fleet rollback goes through its hosts: a canary wave first (1 host by default), which must succeed, then
 * batches (all remaining hosts in one batch by default), each run in parallel; before each later wave the failure
 * budget is checked, and once it is reached no other wave starts. The default budget is one failed host.
 *
 * <pre>{@code
 * Waves waves = Waves.canary(1).thenBatches(5).stopAfterFailures(2)
 *         .beforeEachWave((n, hosts) -> balancer.drain(hosts))
 *         .afterEachWave((n, hosts) -> balancer.restore(hosts));
 * }</pre>
 *
 * <p>Immutable and thread-safe (if its hooks are); every option returns a copy.
 */
public final class Waves {

    private final int canary;
    private final int batch;
    /** The failed hosts that stop the rollback; 0 when not given (1 unless a fraction is given). */
    private final int maxFailures;
    private final double maxFraction;
    private final List<WaveHook> before;
    private final List<WaveHook> after;

    private Waves(int canary, int batch, int maxFailures, double maxFraction, List<WaveHook> before,
            List<WaveHook> after) {
        this.canary = canary;
        this.batch = batch;
        this.maxFailures = maxFailures;
        this.maxFraction = maxFraction;
        this.before = List.copyOf(before);
        this.after = List.copyOf(after);
    }

    /** A canary wave of one host, then the others in one batch, stopping after one failed host. */
    public static Waves defaults() {
        return canary(1);
    }

    /**
     * A canary wave of {@code hosts} hosts (the first ones of the fleet), which must all succeed for any other host
     * to be touched.
     *
     * @throws IllegalArgumentException if {@code hosts} is below 1
     */
    public static Waves canary(int hosts) {
        if (hosts < 1) {
            throw new IllegalArgumentException("canary: expected at least 1 host, found " + hosts
                    + "; give the number of hosts to roll back first");
        }
        return new Waves(hosts, Integer.MAX_VALUE, 0, 2.0, List.of(), List.of());
    }

    /** A copy whose waves after the canary hold {@code size} hosts each. */
    public Waves thenBatches(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("thenBatches: expected a batch of at least 1 host, found " + size
                    + "; give the number of hosts per wave");
        }
        return new Waves(canary, size, maxFailures, maxFraction, before, after);
    }

    /** A copy that starts no further wave once {@code n} hosts have failed. */
    public Waves stopAfterFailures(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("stopAfterFailures: expected at least 1, found " + n
                    + "; give the number of failed hosts that stops the rollback");
        }
        return new Waves(canary, batch, n, maxFraction, before, after);
    }

    /**
     * A copy that starts no further wave once the failed hosts are at least {@code f} of the hosts being rolled
     * back; with {@link #stopAfterFailures(int)} too, whichever is reached first stops it.
     */
    public Waves stopAfterFailedFraction(double f) {
        if (!(f > 0 && f <= 1)) {
            throw new IllegalArgumentException("stopAfterFailedFraction: expected a fraction in (0, 1], found " + f
                    + "; give for instance 0.2 for a fifth of the hosts");
        }
        return new Waves(canary, batch, maxFailures, f, before, after);
    }

    /** A copy that runs {@code hook} before each wave, after the hooks given before. */
    public Waves beforeEachWave(WaveHook hook) {
        List<WaveHook> list = new ArrayList<>(before);
        list.add(Objects.requireNonNull(hook, "hook"));
        return new Waves(canary, batch, maxFailures, maxFraction, list, after);
    }

    /** A copy that runs {@code hook} after each wave (once its hosts ended), after the hooks given before. */
    public Waves afterEachWave(WaveHook hook) {
        List<WaveHook> list = new ArrayList<>(after);
        list.add(Objects.requireNonNull(hook, "hook"));
        return new Waves(canary, batch, maxFailures, maxFraction, before, list);
    }

    /** The number of hosts of the canary wave. */
    public int canaryHosts() {
        return canary;
    }

    /** The number of hosts of each later wave ({@link Integer#MAX_VALUE}: all the others). */
    public int batchSize() {
        return batch;
    }

    /** The hosts split into waves, in order. */
    List<List<Host>> split(List<Host> hosts) {
        List<List<Host>> waves = new ArrayList<>();
        int i = 0;
        int size = canary;
        while (i < hosts.size()) {
            int end = (int) Math.min((long) i + size, hosts.size());
            waves.add(List.copyOf(hosts.subList(i, end)));
            i = end;
            size = batch;
        }
        return waves;
    }

    /** Why the budget stops the rollback after {@code failed} of {@code total} hosts failed, or null. */
    String exceeded(int failed, int total) {
        int limit = maxFailures > 0 ? maxFailures : maxFraction <= 1 ? Integer.MAX_VALUE : 1;
        if (failed >= limit) {
            return failed + " host(s) failed, the budget stops after " + limit;
        }
        if (total > 0 && failed > 0 && (double) failed / total >= maxFraction) {
            return failed + " of " + total + " host(s) failed, the budget stops at a fraction of " + maxFraction;
        }
        return null;
    }

    List<WaveHook> before() {
        return before;
    }

    List<WaveHook> after() {
        return after;
    }

    @Override
    public String toString() {
        return "Waves[canary " + canary + ", batches of " + (batch == Integer.MAX_VALUE ? "all" : batch)
                + ", stop after " + (maxFailures == 0 ? (maxFraction <= 1 ? "-" : "1") : maxFailures) + " failure(s)"
                + (maxFraction <= 1 ? " or a fraction of " + maxFraction : "") + "]";
    }
}
