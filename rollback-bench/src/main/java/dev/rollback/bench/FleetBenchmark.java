package dev.rollback.bench;

import dev.rollback.RestorePoint;
import dev.rollback.RestorePointStore;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.fleet.Fleet;
import dev.rollback.fleet.FleetPoint;
import dev.rollback.fleet.FleetReport;
import dev.rollback.fleet.FleetReport.HostRow;
import dev.rollback.fleet.Waves;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.ssh.SshHost;
import dev.rollback.store.StoreBackend;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.DirectoryBackup;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What rolling a fleet back costs against rolling one host back: N OpenSSH servers on 127.0.0.1 (each with a
 * folder of its own standing for its file system), one SSH connection to each, and per host a plan on that host
 * (its config file, its release folder, its artifacts and its records on that host). Each round captures the
 * fleet, makes a bad deploy on every host, rolls one host back alone (the baseline, in the same run, before and
 * after the fleet), then rolls the whole fleet back in waves: a canary of one host, then batches of 10, at most 10
 * hosts at once. It prints the medians, the ratio fleet / one host, where the fleet's time goes (the preflight on
 * every host, each wave, each host's rollback inside the fleet against alone, step by step), the controller's heap
 * per host before and after the fleet rollback, and the same for 10, 25 and N hosts.
 *
 * <pre>rollback-bench/run.sh fleet [rounds] [hosts]</pre>
 */
public final class FleetBenchmark {

    private static final int BATCH = 10;
    private static final int PARALLEL = 10;
    private static final int RELEASE_FILES = 12;

    /** sshd processes not stopped yet; a shutdown hook stops them if the JVM ends before the finally block. */
    private static final List<LoopbackSshd> RUNNING = Collections.synchronizedList(new ArrayList<>());

    private FleetBenchmark() {}

    /**
     * Runs the benchmark; the first argument is the number of measured rounds per fleet size (default 3), the
     * second the largest number of hosts (default 50).
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int most = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        if (rounds < 1 || most < 2) {
            throw new IllegalArgumentException("fleet benchmark: expected at least 1 round and 2 hosts, found "
                    + rounds + " round(s) and " + most + " host(s); give e.g. 3 50");
        }
        LoopbackSshd.require();
        TreeSet<Integer> sizes = new TreeSet<>(List.of(10, 25, most));
        sizes.removeIf(n -> n > most);
        Path work = Files.createTempDirectory("rollback-fleet-bench-");
        Thread stopper = new Thread(FleetBenchmark::stopAll, "fleet-bench-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        List<SshHost> hosts = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            Path keys = Files.createDirectories(work.resolve("keys"));
            Path home = Files.createDirectories(work.resolve("home"));
            LoopbackSshd.keygen(keys.resolve("id_ed25519"));
            long t0 = System.nanoTime();
            List<LoopbackSshd> servers = all(pool, most, i -> {
                LoopbackSshd s = LoopbackSshd.start(work, keys.resolve("id_ed25519.pub"), home);
                RUNNING.add(s);
                return s;
            });
            System.out.printf("FleetBenchmark: %d OpenSSH servers on 127.0.0.1 started in %d ms; %d measured "
                    + "round(s) per fleet size after one warm-up round; %d processors, load average %.2f%n",
                    most, (System.nanoTime() - t0) / 1_000_000, rounds,
                    Runtime.getRuntime().availableProcessors(), loadBefore);
            long heap0 = usedHeap();
            int threads0 = ManagementFactory.getThreadMXBean().getThreadCount();
            List<Phase> phases = new ArrayList<>();
            for (int n : sizes) {
                int from = hosts.size();
                List<SshHost> more = all(pool, n - from, i -> {
                    LoopbackSshd s = servers.get(from + i);
                    return SshHost.builder("127.0.0.1").port(s.port()).user("root")
                            .privateKey(keys.resolve("id_ed25519")).knownHosts(s.knownHosts()).connect();
                });
                hosts.addAll(more);
                Phase phase = runPhase(work.resolve("fleet-" + n), List.copyOf(hosts), rounds, phases.isEmpty(), pool,
                        heap0, threads0);
                phases.add(phase);
                System.out.printf("  %d hosts: fleet %.0f ms, one host %.0f ms, ratio %.2fx (%.0f s for this size, "
                        + "%.0f ms per round dropping the round's points)%n", n, phase.fleet, phase.alone,
                        phase.fleet / phase.alone, phase.seconds, phase.cleanup);
            }
            double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            print(phases, loadBefore, loadAfter);
        } finally {
            for (SshHost h : hosts) {
                h.close();
            }
            pool.shutdownNow();
            stopAll();
            Hosts.local().delete(work);
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
    }

    private static void stopAll() {
        List<LoopbackSshd> left;
        synchronized (RUNNING) {
            left = new ArrayList<>(RUNNING);
            RUNNING.clear();
        }
        for (LoopbackSshd s : left) {
            try {
                s.close();
            } catch (IOException | RuntimeException e) {
                System.err.println("sshd on 127.0.0.1:" + s.port() + ": could not be stopped cleanly: " + e);
            }
        }
    }

    /** Everything measured for one fleet size; times in ms (medians over the rounds), heap in bytes. */
    private record Phase(int hosts, int waves, double capture, double previewAlone, double alone, double aloneFirst,
            double aloneAgain, double aloneTtr, double fleet, double preflight, double[] wave, double between,
            double tail, double canaryTtr, double batchTtr, double batchTtrMax, double waveOverMaxTtr,
            Map<String, double[]> steps, long heapConnected, long heapBefore, long heapAfter, int threads,
            int threads0, double cpuAlone, double busyAlone, double cpuFleetPerHost, double busyFleet,
            double busyBatches, double lookup, double cleanup, double seconds, String calls) {}

    private static Phase runPhase(Path dir, List<SshHost> hosts, int rounds, boolean warmUp, ExecutorService pool,
            long heap0, int threads0) throws Exception {
        long phaseStart = System.nanoTime();
        int n = hosts.size();
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Path d = dir.resolve("host-" + i);
            dirs.put(hosts.get(i).name(), d);
            release1(d, i);
        }
        Map<String, Counted> counted = new java.util.concurrent.ConcurrentHashMap<>();
        List<Host> wrapped = new ArrayList<>();
        for (SshHost h : hosts) {
            wrapped.add(Counted.wrap(h, counted));
        }
        Fleet fleet = Fleet.of("web", wrapped, host -> plan(host, dirs.get(host.name()),
                dir.resolve("local").resolve(dirs.get(host.name()).getFileName()))).maxParallel(PARALLEL);
        Waves base = Waves.canary(1).thenBatches(BATCH);
        int waves = 1 + (n - 1 + BATCH - 1) / BATCH;
        String first = hosts.get(0).name();
        RollbackPlan one = fleet.plan(first);
        long heapConnected = usedHeap();

        List<Double> capture = new ArrayList<>();
        List<Double> preview = new ArrayList<>();
        List<Double> aloneFirst = new ArrayList<>();
        List<Double> aloneAgain = new ArrayList<>();
        List<Double> aloneTtr = new ArrayList<>();
        List<Double> total = new ArrayList<>();
        List<Double> preflight = new ArrayList<>();
        List<List<Double>> wave = new ArrayList<>();
        for (int w = 0; w < waves; w++) {
            wave.add(new ArrayList<>());
        }
        List<Double> between = new ArrayList<>();
        List<Double> tail = new ArrayList<>();
        List<Double> canaryTtr = new ArrayList<>();
        List<Double> batchTtr = new ArrayList<>();
        List<Double> batchTtrMax = new ArrayList<>();
        List<Double> overMax = new ArrayList<>();
        Map<String, List<Double>> stepsAlone = new LinkedHashMap<>();
        Map<String, List<Double>> stepsFleet = new LinkedHashMap<>();
        List<Long> heapBefore = new ArrayList<>();
        List<Long> heapAfter = new ArrayList<>();
        int threads = 0;
        String calls = "";
        List<Double> cpuAlone = new ArrayList<>();
        List<Double> busyAlone = new ArrayList<>();
        List<Double> cpuFleet = new ArrayList<>();
        List<Double> busyFleet = new ArrayList<>();
        List<Double> busyBatches = new ArrayList<>();
        List<Double> lookup = new ArrayList<>();
        List<Double> cleanup = new ArrayList<>();

        for (int r = warmUp ? -1 : 0; r < rounds; r++) {
            boolean measured = r >= 0;
            long c0 = System.nanoTime();
            FleetPoint point = fleet.capture("v1.0.0-" + (r + 1));
            long c1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                badDeploy(dirs.get(hosts.get(i).name()), i);
            }
            RestorePoint onePoint = one.store().get(point.pointId(first));

            long p0 = System.nanoTime();
            if (!one.preview(onePoint).isReady()) {
                throw new IllegalStateException("fleet benchmark: expected host " + first + " ready to roll back, "
                        + "found " + one.preview(onePoint));
            }
            long p1 = System.nanoTime();
            counted.get(first).reset();
            long cpu0 = processCpu();
            long[] m0 = machineCpu();
            RollbackReport a1 = one.rollback(onePoint);
            long p2 = System.nanoTime();
            long cpu1 = processCpu();
            long[] m1 = machineCpu();
            String oneCalls = counted.get(first).summary();
            requireSuccess(a1, first);
            requireV1(dirs.get(first), 0);
            badDeploy(dirs.get(first), 0);

            long before = usedHeap();
            long[] starts = new long[waves];
            long[] ends = new long[waves];
            long[][] batchCpu = new long[2][];
            Waves timed = base.beforeEachWave((k, wh) -> {
                starts[k - 1] = System.nanoTime();
                if (k == 2) {
                    batchCpu[0] = machineCpu();
                }
            }).afterEachWave((k, wh) -> {
                ends[k - 1] = System.nanoTime();
                batchCpu[1] = machineCpu();
            });
            long fc0 = processCpu();
            long[] fm0 = machineCpu();
            long f0 = System.nanoTime();
            FleetReport report = fleet.rollback(point, timed);
            long f1 = System.nanoTime();
            long fc1 = processCpu();
            long[] fm1 = machineCpu();
            long after = usedHeap();
            if (!report.isSuccessful()) {
                throw new IllegalStateException("fleet benchmark: expected the fleet rollback of " + n + " hosts to "
                        + "succeed, found " + report.toMarkdown());
            }
            threads = Math.max(threads, ManagementFactory.getThreadMXBean().getPeakThreadCount());
            all(pool, n, i -> {
                requireV1(dirs.get(hosts.get(i).name()), i);
                return null;
            });

            badDeploy(dirs.get(first), 0);
            long q0 = System.nanoTime();
            RollbackReport a2 = one.rollback(onePoint);
            long q1 = System.nanoTime();
            requireSuccess(a2, first);
            requireV1(dirs.get(first), 0);

            long l0 = System.nanoTime();
            for (Host h : hosts) {
                fleet.plan(h.name()).store().get(point.pointId(h.name()));
            }
            long l1 = System.nanoTime();
            if (measured) {
                calls = oneCalls;
                lookup.add(ms(l1 - l0));
                cpuAlone.add(ms(cpu1 - cpu0));
                busyAlone.add(busy(m0, m1));
                cpuFleet.add(ms(fc1 - fc0) / n);
                busyFleet.add(busy(fm0, fm1));
                if (batchCpu[0] != null) {
                    busyBatches.add(busy(batchCpu[0], batchCpu[1]));
                }
                capture.add(ms(c1 - c0));
                preview.add(ms(p1 - p0));
                aloneFirst.add(ms(p2 - p1));
                aloneAgain.add(ms(q1 - q0));
                aloneTtr.add(ms(a1.timeToRecover().toNanos()));
                aloneTtr.add(ms(a2.timeToRecover().toNanos()));
                total.add(ms(f1 - f0));
                preflight.add(ms(starts[0] - f0));
                double gaps = 0;
                for (int w = 0; w < waves; w++) {
                    wave.get(w).add(ms(ends[w] - starts[w]));
                    if (w > 0) {
                        gaps += ms(starts[w] - ends[w - 1]);
                    }
                }
                between.add(gaps);
                tail.add(ms(f1 - ends[waves - 1]));
                List<Double> inBatches = new ArrayList<>();
                for (HostRow row : report.hosts()) {
                    double t = ms(row.timeToRecover().toNanos());
                    if (row.wave() == 1) {
                        canaryTtr.add(t);
                    } else {
                        inBatches.add(t);
                    }
                }
                batchTtr.addAll(inBatches);
                batchTtrMax.add(Collections.max(inBatches));
                for (int w = 1; w < waves; w++) {
                    int wn = w + 1;
                    double maxTtr = report.hosts().stream().filter(h -> h.wave() == wn)
                            .mapToDouble(h -> ms(h.timeToRecover().toNanos())).max().orElse(0);
                    overMax.add(ms(ends[w] - starts[w]) - maxTtr);
                }
                addSteps(stepsAlone, a1);
                addSteps(stepsAlone, a2);
                for (HostRow row : report.hosts()) {
                    if (row.wave() > 1) {
                        RollbackPlan plan = fleet.plan(row.host());
                        addSteps(stepsFleet, plan.rollbacks().get(0)); // the newest
                    }
                }
                heapBefore.add(before);
                heapAfter.add(after);
            }
            // keep every round's stores the same size: drop this round's points on every host
            List<String> setAside = List.of(a1.setAsidePointId(), a2.setAsidePointId());
            long d0 = System.nanoTime();
            all(pool, n, i -> {
                String h = hosts.get(i).name();
                RollbackPlan plan = fleet.plan(h);
                List<String> ids = new ArrayList<>(List.of(point.pointId(h), report.host(h).setAsidePointId()));
                if (i == 0) {
                    ids.addAll(setAside);
                }
                for (String id : ids) {
                    plan.store().find(id).ifPresent(plan::delete);
                }
                return null;
            });
            if (measured) {
                cleanup.add(ms(System.nanoTime() - d0));
            }
        }
        double[] waveMedians = new double[waves];
        for (int w = 0; w < waves; w++) {
            waveMedians[w] = median(wave.get(w));
        }
        Map<String, double[]> steps = new LinkedHashMap<>();
        stepsAlone.forEach((k, v) -> steps.put(k, new double[] {median(v),
                stepsFleet.containsKey(k) ? median(stepsFleet.get(k)) : Double.NaN}));
        List<Double> alone = new ArrayList<>(aloneFirst);
        alone.addAll(aloneAgain);
        return new Phase(n, waves, median(capture), median(preview), median(alone), median(aloneFirst),
                median(aloneAgain), median(aloneTtr), median(total), median(preflight), waveMedians, median(between),
                median(tail), median(canaryTtr), median(batchTtr), median(batchTtrMax), median(overMax), steps,
                heapConnected - heap0, medianLong(heapBefore) - heap0, medianLong(heapAfter) - heap0, threads,
                threads0, median(cpuAlone), median(busyAlone), median(cpuFleet), median(busyFleet),
                median(busyBatches), median(lookup), median(cleanup), (System.nanoTime() - phaseStart) / 1e9, calls);
    }

    /** The plan of one host: its config file and release folder, its artifacts and its records on that host. */
    private static RollbackPlan plan(Host host, Path dir, Path localStore) {
        Path app = dir.resolve("app");
        RestorePointStore store = RestorePointStore.at(localStore)
                .sharedWith(StoreBackend.onHost(host, dir.resolve("records")));
        return Rollback.plan("web").on(host).store(store).hostStore(dir.resolve("artifacts"))
                .target(ConfigFiles.of(app.resolve("config.json")))
                .target(DirectoryBackup.of(app.resolve("release")))
                .build();
    }

    private static void addSteps(Map<String, List<Double>> into, RollbackReport report) {
        Map<String, Double> sums = new LinkedHashMap<>();
        for (StepRecord s : report.steps()) {
            if (s.duration() != null) {
                String key = s.phase() + ": " + s.name();
                sums.merge(key, ms(s.duration().toNanos()), Double::sum);
            }
        }
        sums.forEach((k, v) -> into.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }

    private static void requireSuccess(RollbackReport report, String host) {
        if (!report.isSuccessful()) {
            throw new IllegalStateException("fleet benchmark: expected host " + host + " rolled back, found "
                    + report.toMarkdown());
        }
    }

    private static String config(int i, String mode) {
        return "{\"mode\": \"" + mode + "\", \"server\": " + i + "}\n";
    }

    private static String file(int i, int f, String version) {
        return ("# module " + f + " of server " + i + ", release " + version + "\n").repeat(40);
    }

    private static void release1(Path dir, int i) throws IOException {
        Path app = dir.resolve("app");
        Files.createDirectories(app.resolve("release/lib"));
        Files.writeString(app.resolve("config.json"), config(i, "production"));
        Files.writeString(app.resolve("release/VERSION"), "1.0.0\n");
        for (int f = 0; f < RELEASE_FILES; f++) {
            Files.writeString(app.resolve("release/lib/m" + f + ".py"), file(i, f, "1.0.0"));
        }
    }

    /** What a bad deploy leaves: another config, another version, changed and new files. */
    private static void badDeploy(Path dir, int i) throws IOException {
        Path app = dir.resolve("app");
        Files.writeString(app.resolve("config.json"), config(i, "debug-typo"));
        Files.writeString(app.resolve("release/VERSION"), "1.1.0\n");
        Files.writeString(app.resolve("release/lib/m0.py"), file(i, 0, "1.1.0"));
        Files.writeString(app.resolve("release/lib/new.py"), "raise SystemExit('v2')\n");
    }

    private static void requireV1(Path dir, int i) throws IOException {
        Path app = dir.resolve("app");
        List<String> wrong = new ArrayList<>();
        if (!Files.readString(app.resolve("config.json")).equals(config(i, "production"))) {
            wrong.add("config.json");
        }
        if (!Files.readString(app.resolve("release/VERSION")).equals("1.0.0\n")) {
            wrong.add("release/VERSION");
        }
        for (int f = 0; f < RELEASE_FILES; f++) {
            if (!Files.readString(app.resolve("release/lib/m" + f + ".py")).equals(file(i, f, "1.0.0"))) {
                wrong.add("release/lib/m" + f + ".py");
            }
        }
        if (Files.exists(app.resolve("release/lib/new.py"))) {
            wrong.add("release/lib/new.py (still there)");
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("fleet benchmark: expected " + app + " back at release 1.0.0, found "
                    + wrong + " differ");
        }
    }

    /** Calls on a host by method, counted by a {@link Host} that hands every call to the host it wraps. */
    private static final class Counted implements java.lang.reflect.InvocationHandler {
        private final Host inner;
        private final Map<String, java.util.concurrent.atomic.AtomicLong> calls =
                new java.util.concurrent.ConcurrentHashMap<>();

        private Counted(Host inner) {
            this.inner = inner;
        }

        static Host wrap(Host inner, Map<String, Counted> into) {
            Counted c = new Counted(inner);
            into.put(inner.name(), c);
            return (Host) java.lang.reflect.Proxy.newProxyInstance(Host.class.getClassLoader(),
                    new Class<?>[] {Host.class}, c);
        }

        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "counted " + inner;
                };
            }
            if (!method.getName().equals("name")) {
                calls.computeIfAbsent(method.getName(), k -> new java.util.concurrent.atomic.AtomicLong())
                        .incrementAndGet();
            }
            try {
                return method.invoke(inner, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        }

        void reset() {
            calls.clear();
        }

        /** The calls so far, most first, such as {@code 41 (stat 20, run 9, ...)}. */
        String summary() {
            long sum = calls.values().stream().mapToLong(java.util.concurrent.atomic.AtomicLong::get).sum();
            StringBuilder b = new StringBuilder(sum + " (");
            calls.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue().get(), x.getValue().get()))
                    .forEach(e -> b.append(b.charAt(b.length() - 1) == '(' ? "" : ", ").append(e.getKey()).append(' ')
                            .append(e.getValue().get()));
            return b.append(')').toString();
        }
    }

    /** Work on item {@code i} of a list. */
    private interface Item<T> {
        T make(int i) throws Exception;
    }

    /** Runs {@code item} for 0..count-1 on {@code pool}; the results in order, or the first failure. */
    private static <T> List<T> all(ExecutorService pool, int count, Item<T> item) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int k = i;
            Callable<T> c = () -> item.make(k);
            futures.add(pool.submit(c));
        }
        List<T> out = new ArrayList<>();
        Exception failure = null;
        for (Future<T> f : futures) {
            try {
                out.add(f.get(120, TimeUnit.SECONDS));
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return out;
    }

    /** This JVM's CPU time so far, in ns. */
    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The machine's busy and total CPU time so far, in clock ticks, from /proc/stat; zeros where it is missing. */
    private static long[] machineCpu() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long totalTicks = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                totalTicks += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {totalTicks - idle, totalTicks};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    private static double busy(long[] from, long[] to) {
        long total = to[1] - from[1];
        return total <= 0 ? Double.NaN : 100.0 * (to[0] - from[0]) / total;
    }

    /** The heap in use after a full collection, in bytes. */
    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        double[] s = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long medianLong(List<Long> xs) {
        long[] s = xs.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void print(List<Phase> phases, double loadBefore, double loadAfter) {
        Phase big = phases.get(phases.size() - 1);
        System.out.println();
        System.out.printf("### Fleet rollback, canary 1 then batches of %d, at most %d hosts at once "
                + "(medians; load average %.2f before, %.2f after)%n%n", BATCH, PARALLEL, loadBefore, loadAfter);
        System.out.println("| hosts | waves | one host alone (ms) | fleet rollback (ms) | fleet / one host | "
                + "fleet / (waves x one host) | fleet capture (ms) | heap per host before / after rollback (KB) |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Phase p : phases) {
            System.out.printf("| %d | %d | %.0f | %.0f | %.2fx | %.2fx | %.0f | %.1f / %.1f |%n", p.hosts, p.waves,
                    p.alone, p.fleet, p.fleet / p.alone, p.fleet / (p.waves * p.alone), p.capture,
                    p.heapBefore / 1024.0 / p.hosts, p.heapAfter / 1024.0 / p.hosts);
        }
        System.out.println();
        System.out.printf("### Where the fleet rollback of %d hosts goes (medians)%n%n", big.hosts);
        System.out.println("| part | ms | x one host alone |");
        System.out.println("|---|---:|---:|");
        row("one host alone: plan.rollback (before the fleet / after it)", big.alone,
                String.format("%.0f / %.0f", big.aloneFirst, big.aloneAgain), big.alone);
        row("one host alone: its time to recover (report)", big.aloneTtr, null, big.alone);
        row("one host alone: plan.preview (its preflight)", big.previewAlone, null, big.alone);
        row("fleet: preflight on all " + big.hosts + " hosts", big.preflight, null, big.alone);
        for (int w = 0; w < big.waves; w++) {
            row("fleet: wave " + (w + 1) + (w == 0 ? " (canary, 1 host)" : ""), big.wave[w], null, big.alone);
        }
        row("fleet: between waves (budget check), summed", big.between, null, big.alone);
        row("fleet: after the last wave (report)", big.tail, null, big.alone);
        row("fleet: total", big.fleet, null, big.alone);
        row("per host inside the fleet: canary's time to recover", big.canaryTtr, null, big.alone);
        row("per host inside the fleet: batch hosts' time to recover", big.batchTtr, null, big.alone);
        row("per host inside the fleet: slowest host of a batch", big.batchTtrMax, null, big.alone);
        row("per batch: wave time minus its slowest host", big.waveOverMaxTtr, null, big.alone);
        row("looking up all " + big.hosts + " points in their stores, one after another (as the preflight does "
                + "after its parallel part)", big.lookup, null, big.alone);
        double batches = 0;
        for (int w = 1; w < big.waves; w++) {
            batches += big.wave[w];
        }
        int batchCount = big.waves - 1;
        System.out.println();
        double slower = batchCount * (big.batchTtr - big.aloneTtr);
        double waiting = batches - batchCount * big.alone - slower;
        System.out.printf("Where the %.2fx goes, in multiples of one host's rollback alone: the canary %.2fx; %d "
                + "batches one after another, %.2fx if each took one host's time; the median host of a batch slower "
                + "than alone (%d at once), %.2fx more; each batch waiting for its slowest host, %.2fx more; the "
                + "preflight on every host %.2fx; the rest %.2fx (medians of the parts do not add up exactly).%n",
                big.fleet / big.alone, big.wave[0] / big.alone, batchCount, (double) batchCount, PARALLEL,
                slower / big.alone, waiting / big.alone, big.preflight / big.alone,
                (big.fleet - big.preflight - big.wave[0] - batches) / big.alone);
        System.out.println();
        System.out.println("| CPU | one host alone | fleet rollback |");
        System.out.println("|---|---:|---:|");
        System.out.printf("| controller's CPU per host (ms) | %.0f | %.0f |%n", big.cpuAlone, big.cpuFleetPerHost);
        System.out.printf("| machine busy, every process (%%) | %.0f | %.0f (batches: %.0f) |%n", big.busyAlone,
                big.busyFleet, big.busyBatches);
        System.out.println();
        System.out.println("Calls on the host (each one or more SSH round trips) by one host's rollback alone: "
                + big.calls);
        System.out.println();
        System.out.println("| step of a host's rollback | alone (ms) | inside a batch (ms) |");
        System.out.println("|---|---:|---:|");
        big.steps.forEach((k, v) -> System.out.printf("| %s | %.1f | %.1f |%n", k, v[0], v[1]));
        System.out.println();
        System.out.printf("Controller heap after a full collection, above the heap before the first connection; "
                + "%d JVM threads before it (one reads each sshd's log)%n%n", big.threads0);
        System.out.println("| hosts | after connecting, fleet built (KB) | before the fleet rollback (KB) | after it "
                + "(KB) | per host before / after (KB) | per host added since the size before (KB) | rollback's "
                + "retained growth per host (KB) | peak JVM threads |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        Phase previous = null;
        for (Phase p : phases) {
            String marginal = previous == null ? "-" : String.format("%.1f",
                    (p.heapBefore - previous.heapBefore) / 1024.0 / (p.hosts - previous.hosts));
            System.out.printf("| %d | %d | %d | %d | %.1f / %.1f | %s | %.1f | %d |%n", p.hosts,
                    p.heapConnected / 1024, p.heapBefore / 1024, p.heapAfter / 1024,
                    p.heapBefore / 1024.0 / p.hosts, p.heapAfter / 1024.0 / p.hosts, marginal,
                    (p.heapAfter - p.heapBefore) / 1024.0 / p.hosts, p.threads);
            previous = p;
        }
    }

    private static void row(String what, double ms, String detail, double alone) {
        System.out.printf("| %s | %s | %.2fx |%n", what, detail == null ? String.format("%.0f", ms) : detail,
                ms / alone);
    }
}
