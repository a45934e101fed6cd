package dev.rollback.bench;

import dev.rollback.RestorePoint;
import dev.rollback.RestorePointStore;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.RollbackReport;
import dev.rollback.db.PostgresStore;
import dev.rollback.host.Hosts;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.Target;
import dev.rollback.spi.TargetKind;
import dev.rollback.store.LockOwner;
import dev.rollback.store.StoreBackend;
import dev.rollback.store.StoreLock;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What sharing a store with the team costs: the 10 no-op targets of {@link EngineBenchmark}, captured and rolled
 * back with the local store alone (the baseline, in the same run), with the team's records in a folder (the folder
 * store on this machine: a server's folder without the network) and with them in PostgreSQL (an embedded server on
 * 127.0.0.1). Besides the time it counts the operations on the shared records per capture and per rollback: on a
 * server each is one to three SSH round trips (a stat, a read or an atomic write), so their number, not their
 * time here, says what a remote store costs.
 *
 * <p>Then the scaling table: the same capture and rollback with 10, 100 and 1,000 restore points of the plan already
 * in the store, in each of the three stores, so that what grows with the store's size can be read (each operation
 * should stay flat: it reads its own point, not every point).
 *
 * <pre>rollback-bench/run.sh store [rounds] [sizes|none]</pre>
 */
public final class StoreBenchmark {

    private static final int TARGETS = 10;

    private StoreBenchmark() {}

    /**
     * Runs the benchmark; the first argument is the number of measured rounds (default 20), the second the sizes of
     * the scaling table in restore points ({@code 10,100,1000}; {@code none} for no table).
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        List<Integer> sizes = args.length < 2 ? List.of(10, 100, 1_000) : args[1].equals("none") ? List.of()
                : Arrays.stream(args[1].split(",")).map(String::strip).map(Integer::parseInt).toList();
        Path work = Files.createTempDirectory("rollback-store-bench-");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1").start()) {
            String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
            Counting folder = new Counting(StoreBackend.onHost(Hosts.local(), work.resolve("records")));
            Counting postgres = new Counting(PostgresStore.of(url, "postgres", "unused", "rollback_bench"));
            System.out.printf("StoreBenchmark: %d no-op targets, %d measured rounds each (medians)%n", TARGETS, rounds);
            Result local = run(RestorePointStore.at(work.resolve("local")), null, rounds);
            Result inFolder = run(RestorePointStore.at(work.resolve("folder")).sharedWith(folder), folder, rounds);
            Result inPg = run(RestorePointStore.at(work.resolve("pg")).sharedWith(postgres), postgres, rounds);
            Result localAgain = run(RestorePointStore.at(work.resolve("local2")), null, rounds);
            double capBase = (local.capture + localAgain.capture) / 2;
            double rbBase = (local.rollback + localAgain.rollback) / 2;
            System.out.printf("  %-28s capture %8.2f ms  rollback %8.2f ms  (baseline; %.2f / %.2f ms the second time)%n",
                    "local store", capBase, rbBase, localAgain.capture, localAgain.rollback);
            for (Object[] row : new Object[][] {{"records in a folder", inFolder}, {"records in PostgreSQL", inPg}}) {
                Result r = (Result) row[1];
                System.out.printf("  %-28s capture %8.2f ms = %5.2fx  rollback %8.2f ms = %5.2fx  shared-record "
                        + "operations: %s per capture, %s per rollback%n", row[0], r.capture, r.capture / capBase,
                        r.rollback, r.rollback / rbBase, r.captureOps, r.rollbackOps);
            }
            if (!sizes.isEmpty()) {
                scaling(work.resolve("scaling"), url, sizes, Math.max(5, rounds / 4));
            }
        } finally {
            Hosts.local().delete(work);
        }
    }

    private record Result(double capture, double rollback, String captureOps, String rollbackOps) {}

    /**
     * The scaling table: for each size, the plan's store is filled to that many restore points (captures not
     * measured), then a capture and a rollback are measured over {@code rounds} rounds (the round's points deleted
     * again, so the size stays), in the local store, the folder-shared and the PostgreSQL-shared one. The stores
     * grow from one size to the next.
     */
    private static void scaling(Path work, String url, List<Integer> sizes, int rounds) {
        String[] names = {"local store", "records in a folder", "records in PostgreSQL"};
        RollbackPlan[] plans = {
            plan(RestorePointStore.at(work.resolve("local"))),
            plan(RestorePointStore.at(work.resolve("folder"))
                    .sharedWith(StoreBackend.onHost(Hosts.local(), work.resolve("records")))),
            plan(RestorePointStore.at(work.resolve("pg"))
                    .sharedWith(PostgresStore.of(url, "postgres", "unused", "rollback_bench_scaling")))};
        System.out.printf("  scaling: restore points of the plan already in the store, medians of %d rounds (load %s)%n",
                rounds, load());
        System.out.printf("  | points | %s capture | %s rollback | %s capture | %s rollback | %s capture | %s rollback "
                + "| fill |%n", names[0], names[0], names[1], names[1], names[2], names[2]);
        System.out.println("  |---:|---:|---:|---:|---:|---:|---:|---:|");
        int have = 0;
        for (int size : sizes) {
            long f0 = System.nanoTime();
            for (RollbackPlan plan : plans) {
                for (int i = have; i < size; i++) {
                    plan.capture("fill-" + i);
                }
            }
            double fill = (System.nanoTime() - f0) / 1e9;
            have = Math.max(have, size);
            Result[] r = new Result[plans.length];
            for (int k = 0; k < plans.length; k++) {
                r[k] = measure(plans[k], null, rounds, 2);
            }
            System.out.printf(java.util.Locale.ROOT, "  | %d | %.1f ms | %.1f ms | %.1f ms = %.2fx | %.1f ms = %.2fx | "
                    + "%.1f ms = %.2fx | %.1f ms = %.2fx | %.0f s |%n", size, r[0].capture, r[0].rollback,
                    r[1].capture, r[1].capture / r[0].capture, r[1].rollback, r[1].rollback / r[0].rollback,
                    r[2].capture, r[2].capture / r[0].capture, r[2].rollback, r[2].rollback / r[0].rollback, fill);
        }
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static RollbackPlan plan(RestorePointStore store) {
        RollbackPlanBuilder builder = Rollback.plan("bench").store(store);
        for (int i = 0; i < TARGETS; i++) {
            builder.target(new NoopTarget("t" + i));
        }
        return builder.build();
    }

    private static Result run(RestorePointStore store, Counting counting, int rounds) {
        return measure(plan(store), counting, rounds, Math.max(3, rounds / 5));
    }

    /** Medians of {@code rounds} captures and rollbacks after {@code warmup} unmeasured ones; each round's points go. */
    private static Result measure(RollbackPlan plan, Counting counting, int rounds, int warmup) {
        double[] capture = new double[rounds];
        double[] rollback = new double[rounds];
        String captureOps = "-";
        String rollbackOps = "-";
        for (int r = -warmup; r < rounds; r++) {
            if (counting != null) {
                counting.reset();
            }
            long t0 = System.nanoTime();
            RestorePoint point = plan.capture("round-" + r);
            long t1 = System.nanoTime();
            String c = counting == null ? "-" : counting.summary();
            if (counting != null) {
                counting.reset();
            }
            RollbackReport report = plan.rollback(point);
            long t2 = System.nanoTime();
            String b = counting == null ? "-" : counting.summary();
            if (!report.isSuccessful()) {
                throw new IllegalStateException("benchmark rollback failed: " + report);
            }
            plan.store().delete(point.id());
            plan.store().delete(report.setAsidePointId());
            if (r >= 0) {
                capture[r] = (t1 - t0) / 1e6;
                rollback[r] = (t2 - t1) / 1e6;
                captureOps = c;
                rollbackOps = b;
            }
        }
        return new Result(median(capture), median(rollback), captureOps, rollbackOps);
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** The shared records, counting what is asked of them. */
    private static final class Counting implements StoreBackend {
        private final StoreBackend inner;
        private final AtomicInteger reads = new AtomicInteger();
        private final AtomicInteger writes = new AtomicInteger();
        private final AtomicInteger lists = new AtomicInteger();
        private final AtomicInteger deletes = new AtomicInteger();
        private final AtomicInteger locks = new AtomicInteger();

        Counting(StoreBackend inner) {
            this.inner = inner;
        }

        void reset() {
            for (AtomicInteger a : List.of(reads, writes, lists, deletes, locks)) {
                a.set(0);
            }
        }

        String summary() {
            int total = reads.get() + writes.get() + lists.get() + deletes.get() + locks.get();
            return total + " (" + reads + " read, " + writes + " write, " + lists + " list, " + deletes + " delete, "
                    + locks + " lock)";
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public Optional<byte[]> read(String key) {
            reads.incrementAndGet();
            return inner.read(key);
        }

        @Override
        public void write(String key, byte[] content) {
            writes.incrementAndGet();
            inner.write(key, content);
        }

        @Override
        public List<String> list(String prefix) {
            lists.incrementAndGet();
            return inner.list(prefix);
        }

        @Override
        public void delete(String key) {
            deletes.incrementAndGet();
            inner.delete(key);
        }

        @Override
        public StoreLock lock(String name, LockOwner me) {
            locks.incrementAndGet();
            return inner.lock(name, me);
        }

        @Override
        public Optional<LockOwner> holder(String name) {
            return inner.holder(name);
        }

        @Override
        public Optional<LockOwner> breakLock(String name, LockOwner by, String why) {
            return inner.breakLock(name, by, why);
        }
    }

    /** A target that records and restores nothing: only the engine's and the store's cost remains. */
    private record NoopTarget(String name) implements Target {
        @Override
        public TargetKind kind() {
            return TargetKind.SERVICE;
        }

        @Override
        public Snapshot capture(CaptureContext ctx) {
            return Snapshot.of(Map.of("state", "noop"));
        }

        @Override
        public List<String> plan(Snapshot snapshot, RestoreContext ctx) {
            return List.of("nothing");
        }

        @Override
        public void restore(Snapshot snapshot, RestoreContext ctx) {
            // nothing to do
        }
    }
}
