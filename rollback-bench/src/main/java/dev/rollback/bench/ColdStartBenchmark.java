package dev.rollback.bench;

import static dev.rollback.bench.Stats.load;
import static dev.rollback.bench.Stats.median;

import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.targets.ConfigFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What a person at a terminal meets: one capture, then one rollback, each in a JVM of its own (a JShell script, a
 * deploy tool's command), on a plan of one config file. Each round starts three JVMs on the benchmark's class path:
 * one that only builds the plan (the JVM's and the library's start, the floor), one that captures, one that rolls
 * back; each prints how long the library's own call took inside it. By hand, in the same round: {@code cp} of the
 * saved file back and {@code sync}, the runbook's step. The gap between the process and its call is the JVM's start;
 * the gap between the first call and a warm one (the last column) is the library's cold code: class loading, its
 * JSON mapper building its serializers, call sites linked on first use.
 *
 * <pre>rollback-bench/run.sh coldStart [rounds]</pre>
 */
public final class ColdStartBenchmark {

    private ColdStartBenchmark() {}

    /** Runs the benchmark; the first argument is the number of measured rounds (default 5, after one warm-up). */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Path.of(args[2]), Integer.parseInt(args[3]));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path work = Files.createTempDirectory("rollback-bench-cold-");
        try {
            run(work.resolve("main"), rounds);
            scaling(work.resolve("scaling"));
        } finally {
            new ProcessBuilder("rm", "-rf", work.toString()).start().waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static void run(Path work, int rounds) throws Exception {
        Files.createDirectories(work);
        Path config = work.resolve("app-0.env");
        Path saved = work.resolve("app-0.env.saved");
        double[] floor = new double[rounds];
        double[] captureProcess = new double[rounds];
        double[] captureCall = new double[rounds];
        double[] rollbackProcess = new double[rounds];
        double[] rollbackCall = new double[rounds];
        double[] byHand = new double[rounds];
        for (int r = -1; r < rounds; r++) {
            Files.writeString(config, "MODE=production\nDB_URL=postgres://db/shop\n");
            Files.copy(config, saved, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Child f = child(work, "build", 1);
            Child c = child(work, "capture", 1);
            Files.writeString(config, "MODE=debug-typo\n"); // the bad deploy
            Child b = child(work, "rollback", 1);
            require(Files.readString(config).startsWith("MODE=production"), "config rolled back");
            Files.writeString(config, "MODE=debug-typo\n");
            long t0 = System.nanoTime();
            exec("cp", saved.toString(), config.toString());
            exec("sync", config.toString());
            double hand = (System.nanoTime() - t0) / 1e6;
            if (r >= 0) {
                floor[r] = f.processMs;
                captureProcess[r] = c.processMs;
                captureCall[r] = c.callMs;
                rollbackProcess[r] = b.processMs;
                rollbackCall[r] = b.callMs;
                byHand[r] = hand;
            }
        }
        double warm = warmRollback(work);
        System.out.printf(Locale.ROOT, "ColdStartBenchmark: one config file, each call in a JVM of its own; medians of "
                + "%d rounds after one warm-up; %d processors, load %s%n", rounds,
                Runtime.getRuntime().availableProcessors(), load());
        System.out.println();
        System.out.println("| case | process (ms) | the library's call inside it (ms) | by hand (ms) | call / by hand |");
        System.out.println("|---|---:|---:|---:|---:|");
        System.out.printf(Locale.ROOT, "| JVM start and plan built (the floor) | %.0f | - | - | - |%n", median(floor));
        System.out.printf(Locale.ROOT, "| capture in a fresh JVM | %.0f | %.0f | - | - |%n", median(captureProcess),
                median(captureCall));
        System.out.printf(Locale.ROOT, "| rollback in a fresh JVM | %.0f | %.0f | cp + sync %.1f | %.1fx |%n",
                median(rollbackProcess), median(rollbackCall), median(byHand), median(rollbackCall) / median(byHand));
        System.out.printf(Locale.ROOT, "| rollback in a warm JVM (the 50th in one process) | - | %.1f | cp + sync %.1f "
                + "| %.1fx |%n", warm, median(byHand), warm / median(byHand));
        System.out.println();
        System.out.printf(Locale.ROOT, "The first rollback's call costs %.0f ms more than a warm one: the library's cold "
                + "code; the process %.0f ms more than its call: the JVM's start.%n", median(rollbackCall) - warm,
                median(rollbackProcess) - median(rollbackCall));
    }

    /** What one child JVM reported: its wall time from this side, and its call's time from its own. */
    private record Child(double processMs, double callMs) {}

    /**
     * The scaling table: a rollback in a fresh JVM of 1, 10 and 100 config files (3 rounds each) against {@code cp}
     * of each file and one {@code sync}: the cold cost is paid once per JVM, the steps per file.
     */
    private static void scaling(Path work) throws Exception {
        System.out.printf(Locale.ROOT, "%nscaling: a rollback in a fresh JVM (medians of 3 rounds; load %s)%n", load());
        System.out.println("| config files | process (ms) | call (ms) | by hand: cp each + sync (ms) | call / by hand | "
                + "call in a warm JVM (ms) |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (int n : List.of(1, 10, 100)) {
            Path dir = Files.createDirectories(work.resolve("files-" + n));
            double[] process = new double[3];
            double[] call = new double[3];
            double[] hand = new double[3];
            for (int r = 0; r < 3; r++) {
                for (int i = 0; i < n; i++) {
                    Files.writeString(dir.resolve("app-" + i + ".env"), "MODE=production\nSERVER=" + i + "\n");
                }
                child(dir, "capture", n);
                for (int i = 0; i < n; i++) {
                    Files.writeString(dir.resolve("app-" + i + ".env"), "MODE=debug-typo\n");
                }
                Child b = child(dir, "rollback", n);
                require(Files.readString(dir.resolve("app-" + (n - 1) + ".env")).startsWith("MODE=production"),
                        "rolled back");
                List<String> cp = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Files.copy(dir.resolve("app-" + i + ".env"), dir.resolve("app-" + i + ".saved"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    Files.writeString(dir.resolve("app-" + i + ".env"), "MODE=debug-typo\n");
                    cp.add(dir.resolve("app-" + i + ".saved").toString());
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    exec("cp", cp.get(i), dir.resolve("app-" + i + ".env").toString());
                }
                exec("sync");
                hand[r] = (System.nanoTime() - t0) / 1e6;
                process[r] = b.processMs;
                call[r] = b.callMs;
            }
            System.out.printf(Locale.ROOT, "| %d | %.0f | %.0f | %.1f | %.1fx | %.1f |%n", n, median(process),
                    median(call), median(hand), median(call) / median(hand), warmRollback(dir, n));
        }
    }

    private static Child child(Path work, String mode, int files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                ColdStartBenchmark.class.getName(), "--child", mode, work.toString(), Integer.toString(files)));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        require(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, mode + " child: " + out);
        double processMs = (System.nanoTime() - t0) / 1e6;
        String line = out.lines().filter(l -> l.startsWith("CALL ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("benchmark: " + mode + " child printed no CALL: " + out));
        return new Child(processMs, Double.parseDouble(line.substring(5)));
    }

    /**
     * The class path this benchmark runs with: the class loader's own (under {@code mvn exec:java}, whose {@code
     * java.class.path} is Maven's), or the JVM's ({@code java -cp}, as {@code run.sh all} starts it).
     */
    private static String classPath() {
        ClassLoader loader = ColdStartBenchmark.class.getClassLoader();
        if (loader instanceof java.net.URLClassLoader urls && urls.getURLs().length > 0) {
            List<String> parts = new ArrayList<>();
            for (java.net.URL u : urls.getURLs()) {
                try {
                    parts.add(Path.of(u.toURI()).toString());
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException("benchmark: expected a file URL on the class path, found " + u, e);
                }
            }
            return String.join(java.io.File.pathSeparator, parts);
        }
        return System.getProperty("java.class.path");
    }

    /** In the child JVM: builds the plan, then makes the one call and prints its time as {@code CALL <ms>}. */
    private static void child(String mode, Path work, int files) throws Exception {
        RollbackPlan plan = plan(work, files);
        long t0 = System.nanoTime();
        switch (mode) {
            case "build" -> { }
            case "capture" -> plan.capture("v1");
            case "rollback" -> {
                List<RestorePoint> captured = plan.restorePoints().stream().filter(p -> p.label().equals("v1"))
                        .toList(); // oldest first; the set-aside points of earlier rounds left out
                RollbackReport report = plan.rollback(captured.get(captured.size() - 1));
                require(report.isSuccessful(), report.toMarkdown());
            }
            default -> throw new IllegalArgumentException("benchmark child: expected build, capture or rollback, "
                    + "found " + mode);
        }
        System.out.printf(Locale.ROOT, "CALL %.3f%n", (System.nanoTime() - t0) / 1e6);
    }

    /** A plan of {@code files} config files, {@code app-<i>.env}, one target each. */
    private static RollbackPlan plan(Path work, int files) {
        var builder = Rollback.plan("cold").store(work.resolve("store"));
        for (int i = 0; i < files; i++) {
            builder.target(ConfigFiles.of(work.resolve("app-" + i + ".env")).named("config-" + i));
        }
        return builder.build();
    }

    /** The median of rollbacks 41–60 of one JVM, on the plan of one file. */
    private static double warmRollback(Path work) throws IOException {
        return warmRollback(work, 1);
    }

    /** The median of rollbacks 41–60 of this JVM, on the plan of {@code files} files. */
    private static double warmRollback(Path work, int files) throws IOException {
        RollbackPlan plan = plan(work, files);
        RestorePoint point = plan.capture("warm");
        double[] times = new double[20];
        for (int i = -40; i < times.length; i++) {
            for (int f = 0; f < files; f++) {
                Files.writeString(work.resolve("app-" + f + ".env"), "MODE=debug-typo\n");
            }
            long t0 = System.nanoTime();
            RollbackReport report = plan.rollback(point);
            double ms = (System.nanoTime() - t0) / 1e6;
            require(report.isSuccessful(), report);
            plan.store().delete(report.setAsidePointId());
            if (i >= 0) {
                times[i] = ms;
            }
        }
        return median(times);
    }

    private static void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        require(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }

    private static void require(boolean ok, Object detail) {
        if (!ok) {
            throw new IllegalStateException("benchmark check failed: " + detail);
        }
    }

}
