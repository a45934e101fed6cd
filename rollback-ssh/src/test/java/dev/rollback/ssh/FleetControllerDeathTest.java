package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.HistoryEntry;
import dev.rollback.RestorePoint;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.fleet.Fleet;
import dev.rollback.fleet.FleetPoint;
import dev.rollback.fleet.FleetReport;
import dev.rollback.fleet.FleetReport.HostRow;
import dev.rollback.fleet.FleetReport.HostStatus;
import dev.rollback.fleet.Waves;
import dev.rollback.store.LockOwner;
import dev.rollback.store.StoreBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet rollback whose controller dies mid-wave is finished from another machine. Controller A is a child JVM
 * (user {@code alice}, local folders of its own) rolling 20 real OpenSSH servers on 127.0.0.1 back in waves (a
 * canary, then batches of 5); in wave 2, three hosts stop after restoring their config (a step of their plan
 * waits for a gate file that never comes) while the two others finish, and A is killed with SIGKILL. Controller B
 * (this JVM, another user, other local folders, the same servers) finds the fleet point in the servers' records
 * and resumes: the hosts done before the kill are not touched, the three are finished from their journals on the
 * servers, the hosts of later waves are rolled back, and nothing of the bad release is lost.
 */
class FleetControllerDeathTest {

    static final int SERVERS = 20;
    static final String LABEL = "v1.0.0";
    /** Wave 2 is hosts 1 to 5: these stop mid-rollback, after their config is restored. */
    static final Set<Integer> HOLDING = Set.of(3, 4, 5);
    /** The hosts rolled back before the kill: the canary and the two of wave 2 that do not stop. */
    static final List<Integer> DONE = List.of(0, 1, 2);
    static final List<Integer> MID = List.of(3, 4, 5);

    private static OpenSshFleet servers;
    private static List<SshHost> hosts;

    @TempDir
    Path work;

    private final List<Path> dirs = new ArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        servers = OpenSshFleet.start(SERVERS);
        hosts = List.copyOf(servers.hosts());
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    private String name(int i) {
        return hosts.get(i).name();
    }

    private Path app(int i) {
        return dirs.get(i).resolve("app");
    }

    private static String config(int i, String mode) {
        return "{\"mode\": \"" + mode + "\", \"server\": " + i + "}\n";
    }

    private void release1(int i) throws IOException {
        Path app = app(i);
        Files.createDirectories(app.resolve("releases/1"));
        Files.writeString(app.resolve("releases/1/VERSION"), "1.0.0\n");
        Files.writeString(app.resolve("releases/1/app.py"), "print('v1')\n");
        Files.createSymbolicLink(app.resolve("current"), Path.of("releases/1"));
        Files.writeString(app.resolve("config.json"), config(i, "production"));
        Files.writeString(app.resolve("release.env"), "RELEASE=1\nWORKERS=4\n");
    }

    private void badDeploy(int i) throws IOException {
        Path app = app(i);
        Files.createDirectories(app.resolve("releases/2"));
        Files.writeString(app.resolve("releases/2/VERSION"), "1.1.0\n");
        Files.writeString(app.resolve("releases/2/app.py"), "raise SystemExit('v2')\n");
        Files.delete(app.resolve("current"));
        Files.createSymbolicLink(app.resolve("current"), Path.of("releases/2"));
        Files.writeString(app.resolve("config.json"), config(i, "debug-typo"));
        Files.writeString(app.resolve("release.env"), "RELEASE=2\nWORKERS=0\n");
    }

    /** Every entry of server i's app folder: a file's bytes in hex, a link's target. */
    private Map<String, String> tree(int i) throws IOException {
        Path app = app(i);
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(app)) {
            for (Path f : walk.toList()) {
                if (Files.isSymbolicLink(f)) {
                    entries.put(app.relativize(f).toString(), "-> " + Files.readSymbolicLink(f));
                } else if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(app.relativize(f).toString(), HexFormat.of().formatHex(Files.readAllBytes(f)));
                }
            }
        }
        return entries;
    }

    /** Release 1 of server i, as {@link #tree} shows it, with release 2 kept beside it. */
    private Map<String, String> expectedAfterRollback(int i) {
        HexFormat hex = HexFormat.of();
        Map<String, String> m = new TreeMap<>();
        m.put("config.json", hex.formatHex(config(i, "production").getBytes(StandardCharsets.UTF_8)));
        m.put("current", "-> releases/1");
        m.put("release.env", hex.formatHex("RELEASE=1\nWORKERS=4\n".getBytes(StandardCharsets.UTF_8)));
        m.put("releases/1/VERSION", hex.formatHex("1.0.0\n".getBytes(StandardCharsets.UTF_8)));
        m.put("releases/1/app.py", hex.formatHex("print('v1')\n".getBytes(StandardCharsets.UTF_8)));
        m.put("releases/2/VERSION", hex.formatHex("1.1.0\n".getBytes(StandardCharsets.UTF_8)));
        m.put("releases/2/app.py", hex.formatHex("raise SystemExit('v2')\n".getBytes(StandardCharsets.UTF_8)));
        return m;
    }

    /** Inode, change and modification time of the files a rollback writes on server i (the link not followed). */
    private Map<String, String> stamps(int i) throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (String f : List.of("current", "config.json", "release.env")) {
            m.put(f, Files.readAttributes(app(i).resolve(f), "unix:ino,ctime,lastModifiedTime",
                    LinkOption.NOFOLLOW_LINKS).toString());
        }
        return m;
    }

    private String steps(int i) throws IOException {
        Path log = dirs.get(i).resolve("steps.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private boolean journalOpen(int i) {
        return Files.exists(dirs.get(i).resolve("records/journals/" + FleetController.PLAN + ".json"));
    }

    private long reports(int i) throws IOException {
        Path dir = dirs.get(i).resolve("records/reports/" + FleetController.PLAN);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
        }
    }

    private static Optional<LockOwner> holder(Fleet fleet, int i) {
        StoreBackend records = fleet.plan(hosts.get(i).name()).store().sharedRecords().orElseThrow();
        return records.holder(FleetController.PLAN);
    }

    /** Host i's rollback ended before the kill: its report is in its records, its journal closed, its lock free. */
    private boolean finished(Fleet observer, int i) throws IOException {
        return reports(i) == 1 && !journalOpen(i) && holder(observer, i).isEmpty();
    }

    /** Controller A: a child JVM as {@code alice}, with local folders of its own, rolling the fleet back. */
    private Process controllerA(Path log) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            OpenSshServer s = servers.servers().get(i);
            lines.add(s.port() + " " + s.userKey() + " " + s.knownHosts() + " " + dirs.get(i));
        }
        Path list = Files.write(work.resolve("servers.txt"), lines);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = List.of(java, "-Duser.name=alice", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"),
                FleetController.class.getName(), list.toString(), work.resolve("machine-a").toString(), LABEL,
                String.join(",", HOLDING.stream().sorted().map(String::valueOf).toList()));
        return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Waits until {@code condition} holds, failing when the controller ended or 100 s passed (a bound for liveness
     * only, on a busy machine; the held step of the controller waits longer).
     */
    private static void await(String what, Process controller, Path log, Check condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
        while (!condition.holds()) {
            if (!controller.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("expected " + what + ", found " + (controller.isAlive()
                        ? "it not so after 100 s" : "controller A ended with exit " + controller.exitValue())
                        + "; its output:\n" + Files.readString(log));
            }
            Thread.sleep(20);
        }
    }

    /** A condition polled by {@link #await}. */
    private interface Check {
        boolean holds() throws Exception;
    }

    @Test
    void shouldFinishFromAnotherMachineAFleetRollbackWhoseControllerWasKilledMidWave() throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < SERVERS; i++) {
            dirs.add(work.resolve("server-" + i));
            release1(i);
        }
        // the deploy pipeline captures release 1 on every host, from a machine of its own
        Fleet ci = FleetController.fleet(hosts, dirs, work.resolve("machine-ci"), Set.of());
        FleetPoint captured = ci.maxParallel(SERVERS).capture(LABEL);
        assertThat(captured.pointIds()).hasSize(SERVERS);
        List<Map<String, String>> bad = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            badDeploy(i);
            bad.add(tree(i));
        }

        System.out.printf("fleet captured in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        Path logA = work.resolve("controller-a.log");
        Process a = controllerA(logA);
        try {
            await("hosts " + MID + " to stop after restoring their config", a, logA,
                    () -> MID.stream().allMatch(i -> Files.exists(dirs.get(i).resolve("held"))));
            await("hosts " + DONE + " to be rolled back", a, logA, () -> {
                for (int i : DONE) {
                    if (!finished(ci, i)) {
                        return false;
                    }
                }
                return true;
            });
            for (int i : MID) {
                assertThat(holder(ci, i)).as("lock of %s while A holds it", name(i)).get()
                        .satisfies(o -> assertThat(o.user()).isEqualTo("alice"));
            }
        } catch (Throwable t) {
            a.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw t;
        }

        System.out.printf("controller A killed mid-wave %d ms after the capture began%n",
                (System.nanoTime() - t0) / 1_000_000);
        String outputA = Files.readString(logA);
        a.destroyForcibly(); // SIGKILL mid-wave: no shutdown hook, no goodbye to any server
        assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(a.exitValue()).isEqualTo(137);
        long killed = System.nanoTime();
        for (int i : MID) {
            while (holder(ci, i).isPresent()) {
                assertThat(System.nanoTime() - killed).as("lock of %s freed within 10 s of the kill", name(i))
                        .isLessThan(TimeUnit.SECONDS.toNanos(10));
                Thread.sleep(20);
            }
        }
        System.out.printf("locks of the killed controller free after %d ms%n",
                (System.nanoTime() - killed) / 1_000_000);
        System.out.println("controller A's output:\n" + outputA.lines().filter(l -> !l.contains("net.schmizz"))
                .collect(java.util.stream.Collectors.joining("\n")));

        // the state A left: wave 1 and part of wave 2 done, the rest of wave 2 mid-rollback, later waves untouched
        Map<Integer, Map<String, String>> stampsBefore = new TreeMap<>();
        for (int i : DONE) {
            assertThat(tree(i)).as("%s rolled back by A", name(i)).isEqualTo(expectedAfterRollback(i));
            assertThat(steps(i)).isEqualTo("hold alice\nstart alice\n");
            stampsBefore.put(i, stamps(i));
        }
        for (int i : MID) {
            assertThat(journalOpen(i)).as("journal of %s on its server", name(i)).isTrue();
            assertThat(reports(i)).isZero();
            assertThat(Files.readString(app(i).resolve("config.json"))).isEqualTo(config(i, "production"));
            assertThat(Files.readSymbolicLink(app(i).resolve("current"))).isEqualTo(Path.of("releases/2"));
            assertThat(steps(i)).isEqualTo("hold alice\n");
        }
        for (int i = 6; i < SERVERS; i++) {
            assertThat(tree(i)).as("%s not started by A", name(i)).isEqualTo(bad.get(i));
            assertThat(journalOpen(i)).isFalse();
            assertThat(reports(i)).isZero();
            assertThat(steps(i)).isEmpty();
        }

        // controller B: this JVM, another user, local folders of its own, the same servers; larger batches
        String me = System.getProperty("user.name");
        assertThat(me).isNotEqualTo("alice");
        Path machineB = work.resolve("machine-b");
        assertThat(machineB).doesNotExist();
        Fleet fleet = FleetController.fleet(hosts, dirs, machineB, Set.of()).maxParallel(8);
        FleetPoint point = FleetController.point(fleet, LABEL);
        assertThat(point).isEqualTo(captured);
        Instant resumedAt = Instant.now();
        long t1 = System.nanoTime();

        FleetReport report = fleet.resume(point, Waves.canary(1).thenBatches(8));

        System.out.printf("controller B resumed the fleet in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
        String md = report.toMarkdown();
        System.out.println(md);
        List<HostFacts> facts = onEach(i -> facts(fleet, i));
        List<String> failures = new ArrayList<>();
        check(failures, () -> assertThat(report.hostsWith(HostStatus.ALREADY_DONE))
                .as("hosts done before the kill; " + md)
                .containsExactly(DONE.stream().map(this::name).toArray(String[]::new)));
        check(failures, () -> assertThat(report.hostsWith(HostStatus.SUCCEEDED))
                .as("hosts finished or rolled back by B; " + md)
                .containsExactly(IntStream.range(3, SERVERS).mapToObj(this::name).toArray(String[]::new)));
        check(failures, () -> assertThat(report.host(name(3)).wave()).as("the first unfinished host is B's canary")
                .isEqualTo(1));
        check(failures, () -> assertThat(report.isSuccessful()).as("report successful; " + md).isTrue());
        for (int i = 0; i < SERVERS; i++) {
            expect(failures, i, facts.get(i), report.host(name(i)), stampsBefore.get(i), resumedAt, me);
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " expectation(s) of the resume failed:\n\n"
                    + String.join("\n\n", failures));
        }
    }

    /**
     * What must hold on server i after B's resume: release 1 byte for byte with release 2 kept, journal closed,
     * lock free, one set-aside point holding the bad release; a host done before the kill untouched since, a host
     * mid-rollback finished by its plan's resume of A's rollback, a host not started rolled back by B.
     */
    private void expect(List<String> failures, int i, HostFacts f, HostRow row, Map<String, String> stampsBefore,
            Instant resumedAt, String me) {
        String h = name(i);
        check(failures, () -> assertThat(f.tree()).as("%s on release 1, release 2 kept", h)
                .isEqualTo(expectedAfterRollback(i)));
        check(failures, () -> assertThat(f.journalOpen()).as("journal of %s closed", h).isFalse());
        check(failures, () -> assertThat(f.holder()).as("lock of %s free", h).isEmpty());
        check(failures, () -> assertThat(f.asides()).as("set-aside points of %s: one, its bad release", h).hasSize(1));
        RestorePoint aside = f.asides().isEmpty() ? null : f.asides().get(0); // the oldest: the bad release
        if (aside != null) {
            check(failures, () -> assertThat(aside.snapshot("release").orElseThrow().data().get("release"))
                    .as("%s set aside its link to release 2", h).isEqualTo("releases/2"));
            check(failures, () -> assertThat(f.asideArtifacts()).as("%s's set-aside artifacts on its server", h)
                    .contains(config(i, "debug-typo"), "RELEASE=2\nWORKERS=0\n"));
        }
        if (DONE.contains(i)) {
            check(failures, () -> assertThat(f.stamps()).as("%s's files not written again", h)
                    .isEqualTo(stampsBefore));
            check(failures, () -> assertThat(f.steps()).as("steps run on %s", h)
                    .isEqualTo("hold alice\nstart alice\n"));
            check(failures, () -> assertThat(f.activity()).as("%s's history since B started", h)
                    .filteredOn(e -> e.at().isAfter(resumedAt)).extracting(HistoryEntry::describe).isEmpty());
        } else if (MID.contains(i)) {
            // the step that was running when A died runs again, then the rest of A's rollback
            check(failures, () -> assertThat(f.steps()).as("steps run on %s", h)
                    .isEqualTo("hold alice\nhold " + me + "\nstart " + me + "\n"));
            check(failures, () -> assertThat(f.history()).as("%s's reports on B", h).hasSize(1));
            if (!f.history().isEmpty() && aside != null) {
                RollbackReport last = f.history().get(0);
                check(failures, () -> assertThat(last.resumed()).as("%s finished by its plan's resume", h)
                        .isEqualTo(1));
                check(failures, () -> assertThat(last.rollbackId()).as("%s's rollback is A's", h)
                        .isEqualTo(aside.rollbackId()));
                check(failures, () -> assertThat(row.setAsidePointId()).as("%s's set-aside in the fleet report", h)
                        .isEqualTo(aside.id()));
            }
            check(failures, () -> assertThat(f.activity()).as("%s's history", h).extracting(HistoryEntry::what)
                    .containsSubsequence("capture", "rollback", "resume"));
        } else {
            check(failures, () -> assertThat(f.steps()).as("steps run on %s", h)
                    .isEqualTo("hold " + me + "\nstart " + me + "\n"));
            check(failures, () -> assertThat(row.setAsidePointId()).as("%s's set-aside in the fleet report", h)
                    .isEqualTo(aside == null ? null : aside.id()));
        }
    }

    /** Runs one expectation, keeping its failure so that every failed expectation is reported at once. */
    private static void check(List<String> failures, Runnable expectation) {
        try {
            expectation.run();
        } catch (AssertionError e) {
            failures.add(e.getMessage().strip());
        }
    }

    /** What the test checks of one host after the resume, as controller B's plan and the server's folder show it. */
    private record HostFacts(Map<String, String> tree, boolean journalOpen, Optional<LockOwner> holder,
            List<RestorePoint> asides, List<String> asideArtifacts, Map<String, String> stamps, String steps,
            List<HistoryEntry> activity, List<RollbackReport> history) {}

    private HostFacts facts(Fleet fleet, int i) throws IOException {
        RollbackPlan plan = fleet.plan(name(i));
        List<RestorePoint> asides = plan.restorePoints().stream().filter(RestorePoint::isSetAside).toList();
        List<String> artifacts = new ArrayList<>();
        for (RestorePoint p : asides) {
            artifacts.addAll(artifactsOf(i, p));
        }
        return new HostFacts(tree(i), journalOpen(i), holder(fleet, i), asides, artifacts, stamps(i), steps(i),
                plan.activity(), plan.rollbacks());
    }

    /** A piece of work on server i. */
    private interface Work<T> {
        T on(int i) throws Exception;
    }

    /** {@code work} on every server, all at once (each is a few round trips over SSH); the results in order. */
    private static <T> List<T> onEach(Work<T> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(SERVERS);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < SERVERS; i++) {
                int server = i;
                futures.add(pool.submit(() -> work.on(server)));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    /** The content of every file of server i's artifacts that belongs to {@code point}. */
    private List<String> artifactsOf(int i, RestorePoint point) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dirs.get(i).resolve("artifacts"))) {
            for (Path f : walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> p.toString().contains(point.id())).toList()) {
                out.add(Files.readString(f));
            }
        }
        return out;
    }
}
