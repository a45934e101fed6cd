package dev.rollback.bench;

import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.RollbackReport;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The engine's own cost: a plan of 10 targets that do nothing, captured and rolled back again and
 * again. Every step of a rollback writes the journal atomically (temp file, fsync, rename, fsync
 * of the folder), so the baseline measured in the same run is one such durable write of a
 * journal-sized file: the floor that a crash-safe step cannot go under.
 *
 * <pre>rollback-bench/run.sh [rounds]</pre>
 */
public final class EngineBenchmark {

    private static final int TARGETS = 10;

    private EngineBenchmark() {}

    /** Runs the benchmark; the first argument is the number of measured rounds (default 30). */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int warmup = Math.max(5, rounds / 5);
        Path work = Files.createTempDirectory("rollback-bench-");
        RollbackPlanBuilder builder = Rollback.plan("bench").store(work.resolve("store"));
        for (int i = 0; i < TARGETS; i++) {
            builder.target(new NoopTarget("t" + i));
        }
        RollbackPlan plan = builder.build();

        double[] capture = new double[rounds];
        double[] rollback = new double[rounds];
        int steps = 0;
        for (int r = -warmup; r < rounds; r++) {
            long t0 = System.nanoTime();
            RestorePoint point = plan.capture("round-" + r);
            long t1 = System.nanoTime();
            RollbackReport report = plan.rollback(point);
            long t2 = System.nanoTime();
            if (!report.isSuccessful()) {
                throw new IllegalStateException("benchmark rollback failed: " + report);
            }
            steps = report.steps().size();
            plan.store().delete(point.id());
            plan.store().delete(report.setAsidePointId());
            if (r >= 0) {
                capture[r] = (t1 - t0) / 1e6;
                rollback[r] = (t2 - t1) / 1e6;
            }
        }

        Durables.Counted<RestorePoint> capturedCounts = Durables.count(() -> plan.capture("counted"));
        Durables.Counted<dev.rollback.RollbackPreview> previewCounts =
                Durables.count(() -> plan.preview(capturedCounts.result()));
        Durables.Counted<RollbackReport> rollbackCounts = Durables.count(() -> plan.rollback(capturedCounts.result()));
        if (!rollbackCounts.result().isSuccessful()) {
            throw new IllegalStateException("benchmark rollback failed: " + rollbackCounts.result());
        }

        byte[] journalSized = new byte[Files.readAllBytes(latestReport(work)).length];
        double[] durableWrite = new double[rounds * 5];
        for (int i = -20; i < durableWrite.length; i++) {
            long t0 = System.nanoTime();
            durableWrite(work.resolve("baseline.json"), journalSized);
            long t1 = System.nanoTime();
            if (i >= 0) {
                durableWrite[i] = (t1 - t0) / 1e6;
            }
        }

        double perStep = median(rollback) / steps;
        double base = median(durableWrite);
        System.out.printf("EngineBenchmark: %d no-op targets, %d measured rounds after %d warm-up%n", TARGETS, rounds, warmup);
        System.out.printf("  baseline  one durable write of %d bytes (temp, fsync, rename, fsync dir): median %.3f ms%n",
                journalSized.length, base);
        System.out.printf("  capture   %d targets into a restore point:  median %.3f ms, p90 %.3f ms%n", TARGETS,
                median(capture), p90(capture));
        System.out.printf("  rollback  %d steps (preflight, set aside, restore, verify): median %.3f ms, p90 %.3f ms%n",
                steps, median(rollback), p90(rollback));
        System.out.printf("  per step  median %.3f ms = %.2fx the baseline write (goal: under 20 ms)%n", perStep, perStep / base);
        System.out.printf("  durable   capture: %s%n", capturedCounts.describe());
        System.out.printf("  durable   preview: %s%n", previewCounts.describe());
        System.out.printf("  durable   rollback: %s%n", rollbackCounts.describe());
        long durable = rollbackCounts.total().durableWrites();
        System.out.printf("  durable   per step %.2f durable writes (%d in %d steps; goal: at most 1)%n",
                (double) durable / steps, durable, steps);
        Goals.time("EngineBenchmark", "engine per step", perStep, "one durable write", base, 20);
        Goals.count("EngineBenchmark", "durable writes per step", (double) durable / steps, "one durable write", 1, 1);
        Goals.count("EngineBenchmark", "durable writes of a preview", previewCounts.total().durableWrites(),
                "nothing", 0, 0);
        scaling(work, journalSized, Math.max(3, rounds / 4));
    }

    /**
     * The same rollback with 1, 10 and 100 targets: the engine's cost per step should stay flat. By hand is a script
     * that records its progress durably once per target (one durable write each), measured in the same run.
     */
    private static void scaling(Path work, byte[] journalSized, int rounds) throws IOException {
        System.out.println();
        System.out.println("  scaling (medians of " + rounds + " rounds; by hand: one durable write per target)");
        System.out.printf("  | %7s | %5s | %12s | %12s | %12s | %7s | %16s |%n", "targets", "steps", "ours ms",
                "per step ms", "by hand ms", "ratio", "durable writes");
        System.out.println("  |---------|-------|--------------|--------------|--------------|---------|------------------|");
        for (int n : new int[] {1, 10, 100}) {
            RollbackPlanBuilder builder = Rollback.plan("scale-" + n).store(work.resolve("store-" + n));
            for (int i = 0; i < n; i++) {
                builder.target(new NoopTarget("t" + i));
            }
            RollbackPlan plan = builder.build();
            double[] ours = new double[rounds];
            double[] hand = new double[rounds];
            int steps = 0;
            long durable = 0;
            for (int r = -1; r < rounds; r++) {
                RestorePoint point = plan.capture("round-" + r);
                long t0 = System.nanoTime();
                Durables.Counted<RollbackReport> counted = Durables.count(() -> plan.rollback(point));
                long t1 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    durableWrite(work.resolve("by-hand.json"), journalSized);
                }
                long t2 = System.nanoTime();
                steps = counted.result().steps().size();
                durable = counted.total().durableWrites();
                plan.store().delete(point.id());
                plan.store().delete(counted.result().setAsidePointId());
                if (r >= 0) {
                    ours[r] = (t1 - t0) / 1e6;
                    hand[r] = (t2 - t1) / 1e6;
                }
            }
            System.out.printf("  | %7d | %5d | %12.1f | %12.3f | %12.1f | %6.2fx | %16d |%n", n, steps, median(ours),
                    median(ours) / steps, median(hand), median(ours) / median(hand), durable);
        }
    }

    private static Path latestReport(Path work) throws IOException {
        try (var files = Files.list(work.resolve("store/reports/bench"))) {
            return files.findFirst().orElseThrow();
        }
    }

    private static void durableWrite(Path file, byte[] content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(content));
            ch.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double p90(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)];
    }

    /** A target that records and restores nothing: only the engine's cost remains. */
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
