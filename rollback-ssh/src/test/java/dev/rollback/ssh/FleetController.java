package dev.rollback.ssh;

import dev.rollback.RestorePoint;
import dev.rollback.RestorePointStore;
import dev.rollback.Rollback;
import dev.rollback.fleet.Fleet;
import dev.rollback.fleet.FleetPoint;
import dev.rollback.fleet.FleetReport;
import dev.rollback.fleet.Waves;
import dev.rollback.host.Host;
import dev.rollback.spi.Step;
import dev.rollback.store.StoreBackend;
import dev.rollback.targets.ConfigFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The fleet of the controller-death test, built the same way by every controller: the test JVM and the child JVM
 * that stands for a controller machine, each with local folders of its own and the same servers (OpenSSH on
 * 127.0.0.1), each server's folder keeping the app, the artifacts and the records (points, journal, reports,
 * history, lock) of its plan.
 *
 * <p>Per server folder: {@code app/config.json} (a config target), {@code app/release.env} and the {@code
 * app/current} link into {@code app/releases/<n>} (a release switch, {@link ReleaseTarget}), {@code artifacts/},
 * {@code records/}, and {@code steps.log}, one line per step the plan ran there ({@code hold <user>} after the
 * config is restored, {@code start <user>} when the app starts), so a test counts what ran on each server.
 */
final class FleetController {

    static final String PLAN = "web";
    static final String FLEET = "web";
    /** The waves of every controller: a canary, then batches of 5. */
    static final Waves WAVES = Waves.canary(1).thenBatches(5);
    /** How long a held step waits for its gate before it gives up; far longer than the test needs. */
    static final Duration HOLD = Duration.ofSeconds(120);

    private FleetController() {}

    /**
     * The fleet of {@code hosts}, host {@code i} on server folder {@code serverDirs.get(i)} with its local store in
     * {@code local/store-i}; the hosts whose index is in {@code holding} stop after restoring their config, write
     * {@code held} in their server folder and wait for a {@code gate} file there.
     */
    static Fleet fleet(List<? extends Host> hosts, List<Path> serverDirs, Path local, Set<Integer> holding) {
        List<Host> all = List.copyOf(hosts);
        return Fleet.of(FLEET, all, host -> {
            int i = all.indexOf(host);
            Path dir = serverDirs.get(i);
            Path app = dir.resolve("app");
            RestorePointStore store = RestorePointStore.at(local.resolve("store-" + i))
                    .sharedWith(StoreBackend.onHost(host, dir.resolve("records")));
            String user = System.getProperty("user.name");
            return Rollback.plan(PLAN).on(host).store(store).hostStore(dir.resolve("artifacts"))
                    .target(ConfigFiles.of(app.resolve("config.json")))
                    .target(new ReleaseTarget(app.resolve("release.env"), app.resolve("current")))
                    .afterRestoring("config", Step.of("hold after the config", ctx -> {
                        log(ctx.host(), dir, "hold " + user);
                        if (holding.contains(i)) {
                            ctx.host().write(dir.resolve("held"), ("held by " + user + " pid "
                                    + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8));
                            long deadline = System.nanoTime() + HOLD.toNanos();
                            while (!ctx.host().exists(dir.resolve("gate"))) {
                                if (System.nanoTime() > deadline) {
                                    throw new IllegalStateException("host " + host.name() + ": expected the gate "
                                            + dir.resolve("gate") + " within " + HOLD.toSeconds() + " s, found none; "
                                            + "the test holding this step did not go on");
                                }
                                ctx.sleep(Duration.ofMillis(20));
                            }
                        }
                    }))
                    .start(Step.of("start app", ctx -> log(ctx.host(), dir, "start " + user)))
                    .build();
        }).maxParallel(5);
    }

    /** Appends a line to the server folder's {@code steps.log}, through the host. */
    private static void log(Host host, Path dir, String line) {
        Path file = dir.resolve("steps.log");
        String before = host.exists(file) ? new String(host.read(file), StandardCharsets.UTF_8) : "";
        host.write(file, (before + line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The fleet point of {@code label} as a controller finds it: each host's point with that label, in its records
     * (looked up on 10 hosts at a time).
     */
    static FleetPoint point(Fleet fleet, String label) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            Map<String, Future<RestorePoint>> found = new LinkedHashMap<>();
            for (Host h : fleet.hosts()) {
                found.put(h.name(), pool.submit(() -> fleet.plan(h.name()).store().findByLabel(PLAN, label)
                        .orElseThrow(() -> new IllegalStateException("host " + h.name() + ": expected a restore "
                                + "point labelled '" + label + "' in its records, found none; capture the fleet "
                                + "first"))));
            }
            Map<String, String> ids = new LinkedHashMap<>();
            for (Map.Entry<String, Future<RestorePoint>> e : found.entrySet()) {
                ids.put(e.getKey(), e.getValue().get().id());
            }
            return new FleetPoint(fleet.name(), label, ids);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * A controller machine: {@code <servers file> <local folder> <label> <holding indices, comma-separated, or ->}
     * rolls the fleet back to the point labelled {@code label}; the servers file has a line per server: {@code port
     * key knownHosts serverDir}. Prints {@code rolling back} (and how long it took to get there) before it starts, and
     * the report's Markdown at the end.
     */
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        List<String[]> lines = Files.readAllLines(Path.of(args[0])).stream().filter(l -> !l.isBlank())
                .map(l -> l.split(" ")).toList();
        Path local = Path.of(args[1]);
        Set<Integer> holding = args[3].equals("-") ? Set.of()
                : Set.copyOf(java.util.Arrays.stream(args[3].split(",")).map(Integer::valueOf).toList());
        List<SshHost> hosts = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(lines.size());
        try {
            List<Future<SshHost>> connecting = new ArrayList<>();
            for (String[] l : lines) {
                connecting.add(pool.submit(() -> SshHost.builder("127.0.0.1").port(Integer.parseInt(l[0]))
                        .user("root").privateKey(Path.of(l[1])).knownHosts(Path.of(l[2])).connect()));
                dirs.add(Path.of(l[3]));
            }
            for (Future<SshHost> f : connecting) {
                hosts.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
        System.out.printf("connected to %d hosts in %d ms%n", hosts.size(), (System.nanoTime() - t0) / 1_000_000);
        try {
            Fleet fleet = fleet(hosts, dirs, local, holding);
            FleetPoint point = point(fleet, args[2]);
            System.out.printf("rolling back %d hosts to %s, %d ms after the start%n", hosts.size(), point.label(),
                    (System.nanoTime() - t0) / 1_000_000);
            System.out.flush();
            FleetReport report = fleet.rollback(point, WAVES);
            System.out.println(report.toMarkdown());
        } finally {
            for (SshHost h : hosts) {
                h.close();
            }
        }
        System.exit(0);
    }
}
