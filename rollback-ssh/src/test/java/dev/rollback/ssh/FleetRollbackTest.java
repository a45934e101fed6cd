package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.Outcome;
import dev.rollback.Trigger;
import dev.rollback.WatchReport;
import dev.rollback.check.HealthCheck;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.fleet.Fleet;
import dev.rollback.fleet.FleetCaptureFailedException;
import dev.rollback.fleet.FleetPoint;
import dev.rollback.fleet.FleetPreflightFailedException;
import dev.rollback.fleet.FleetPreview;
import dev.rollback.fleet.FleetWatchReport;
import dev.rollback.fleet.FleetWatchdog;
import dev.rollback.fleet.FleetReport;
import dev.rollback.fleet.FleetReport.HostStatus;
import dev.rollback.fleet.Waves;
import dev.rollback.host.Host;
import dev.rollback.spi.Step;
import dev.rollback.targets.ConfigFiles;
import dev.rollback.targets.DirectoryBackup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet of real OpenSSH servers on 127.0.0.1, each with a folder of its own standing for its file system (a
 * release directory and a config file), rolled back in waves. Failures are chosen hosts whose start step fails,
 * so each test knows which hosts fail; every test builds its plans on fresh folders, the servers are shared.
 */
class FleetRollbackTest {

    static final int SERVERS = 20;
    private static OpenSshFleet servers;
    private static List<Host> hosts;

    @TempDir
    Path work;

    /** Hosts whose start step fails; the names of {@link #hosts}. */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    /** What happened, in order: hooks and each host's start step. */
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Path> dirs = new ConcurrentHashMap<>();

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

    @BeforeEach
    void release1() throws IOException {
        for (int i = 0; i < SERVERS; i++) {
            Path dir = work.resolve("server-" + i);
            dirs.put(hosts.get(i).name(), dir);
            Files.createDirectories(dir.resolve("app/release"));
            Files.writeString(dir.resolve("app/config.json"), "{\"mode\": \"production\", \"server\": " + i + "}\n");
            Files.writeString(dir.resolve("app/release/VERSION"), "1.0.0\n");
            Files.writeString(dir.resolve("app/release/app.py"), "print('v1')\n");
        }
    }

    private Fleet fleet() {
        return Fleet.of("web", hosts, host -> {
            Path dir = dirs.get(host.name());
            return Rollback.plan("web").on(host).store(work.resolve("stores").resolve(dir.getFileName()))
                    .hostStore(dir.resolve("artifacts"))
                    .target(ConfigFiles.of(dir.resolve("app/config.json")))
                    .target(DirectoryBackup.of(dir.resolve("app/release")))
                    .start(Step.of("start app", ctx -> {
                        events.add("start " + host.name());
                        if (failing.contains(host.name())) {
                            throw new IllegalStateException("app on " + host.name() + ": expected it to start, found "
                                    + "it exits at once (this host is chosen to fail)");
                        }
                    }))
                    .build();
        }).maxParallel(4);
    }

    private String name(int i) {
        return hosts.get(i).name();
    }

    private void badDeploy() throws IOException {
        for (int i = 0; i < SERVERS; i++) {
            Path app = work.resolve("server-" + i).resolve("app");
            Files.writeString(app.resolve("config.json"), "{\"mode\": \"debug-typo\", \"server\": " + i + "}\n");
            Files.writeString(app.resolve("release/VERSION"), "1.1.0\n");
            Files.writeString(app.resolve("release/app.py"), "raise SystemExit('v2')\n");
        }
    }

    /** Every file of server i's app folder, path to bytes. */
    private Map<String, String> tree(int i) throws IOException {
        Path app = work.resolve("server-" + i).resolve("app");
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(app)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                files.put(app.relativize(f).toString(), java.util.HexFormat.of().formatHex(Files.readAllBytes(f)));
            }
        }
        return files;
    }

    private List<Map<String, String>> trees() throws IOException {
        List<Map<String, String>> all = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            all.add(tree(i));
        }
        return all;
    }

    private void assertV1(int i) throws IOException {
        Path app = work.resolve("server-" + i).resolve("app");
        assertThat(Files.readString(app.resolve("config.json"))).isEqualTo("{\"mode\": \"production\", \"server\": " + i + "}\n");
        assertThat(Files.readString(app.resolve("release/VERSION"))).isEqualTo("1.0.0\n");
        assertThat(Files.readString(app.resolve("release/app.py"))).isEqualTo("print('v1')\n");
    }

    @Test
    void shouldRollTheWholeFleetBackInWaves() throws Exception {
        Fleet fleet = fleet();
        FleetPoint v1 = fleet.capture("v1.0.0");
        assertThat(v1.pointIds()).hasSize(SERVERS);
        badDeploy();
        FleetPreview preview = fleet.preview(v1);
        assertThat(preview.isReady()).isTrue();
        assertThat(preview.previews()).hasSize(SERVERS);
        assertThat(preview.host(name(3)).toString()).contains("[RESTORE]");
        assertThat(preview.notPreviewed()).isEmpty();
        assertThat(preview.toString()).contains("every host ready").contains(name(SERVERS - 1)).contains("[RESTORE]");

        FleetReport report = fleet.rollback(v1, Waves.canary(1).thenBatches(8));

        assertThat(report.isSuccessful()).as(report.toMarkdown()).isTrue();
        assertThat(report.hosts()).extracting(FleetReport.HostRow::wave)
                .containsExactly(1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4);
        assertThat(report.hosts()).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(r.setAsidePointId()).isNotNull();
            assertThat(r.timeToRecover()).isPositive();
        });
        for (int i = 0; i < SERVERS; i++) {
            assertV1(i);
        }
        assertThat(report.toJson()).contains("\"SUCCEEDED\" : " + SERVERS).contains(name(7));
        assertThat(report.toMarkdown()).contains("| " + name(0) + " | 1 | SUCCEEDED | SUCCEEDED |");
        String html = report.toHtml();
        assertThat(html).startsWith("<!DOCTYPE html>").doesNotContain("<script")
                .contains("Fleet rollback of web to v1.0.0").contains(name(19));
        assertThat(html.split("<rect class=\"step ", -1)).hasSize(SERVERS + 1); // a bar per host
        FleetReport read = FleetReport.fromJson(report.toJson());
        assertThat(read.toJson()).isEqualTo(report.toJson());
        assertThat(read.host(name(7)).status()).isEqualTo(HostStatus.SUCCEEDED);
        assertThatThrownBy(() -> FleetReport.fromJson("{\"fleet\": \"web\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'hosts'");
    }

    @Test
    void shouldStopAfterTheCanaryFailsAndTouchNoOtherHost() throws Exception {
        Fleet fleet = fleet();
        FleetPoint v1 = fleet.capture("v1.0.0");
        badDeploy();
        List<Map<String, String>> bad = trees();
        failing.add(name(0));

        FleetReport report = fleet.rollback(v1, Waves.canary(1).thenBatches(5).stopAfterFailures(10));

        assertThat(report.isSuccessful()).isFalse();
        assertThat(report.host(name(0)).status()).isEqualTo(HostStatus.FAILED);
        assertThat(report.host(name(0)).outcome()).isEqualTo(Outcome.HALTED);
        assertThat(report.host(name(0)).error()).contains("chosen to fail");
        assertThat(report.count(HostStatus.NOT_STARTED)).isEqualTo(SERVERS - 1);
        assertThat(report.stoppedBecause()).contains("canary");
        assertThat(events).containsExactly("start " + name(0));
        for (int i = 1; i < SERVERS; i++) {
            assertThat(tree(i)).as("server %d untouched", i).isEqualTo(bad.get(i));
            assertThat(fleet.plan(name(i)).history()).isEmpty();
        }
    }

    @Test
    void shouldStopBeforeWaveThreeWhenWaveTwoExceedsTheBudgetThenResumeOnlyTheUnfinishedHosts() throws Exception {
        Fleet fleet = fleet();
        FleetPoint v1 = fleet.capture("v1.0.0");
        badDeploy();
        List<Map<String, String>> bad = trees();
        failing.addAll(List.of(name(2), name(3)));
        Waves waves = Waves.canary(1).thenBatches(4).stopAfterFailures(2);

        FleetReport report = fleet.rollback(v1, waves);

        assertThat(report.hostsWith(HostStatus.SUCCEEDED)).containsExactly(name(0), name(1), name(4));
        assertThat(report.hostsWith(HostStatus.FAILED)).containsExactly(name(2), name(3));
        assertThat(report.host(name(3)).wave()).isEqualTo(2);
        assertThat(report.count(HostStatus.NOT_STARTED)).isEqualTo(SERVERS - 5);
        assertThat(report.stoppedBecause()).contains("after wave 2").contains("2 host(s) failed");
        assertThat(report.toMarkdown()).contains("| " + name(5) + " | - | NOT_STARTED |").contains("Stopped:");
        for (int i = 5; i < SERVERS; i++) {
            assertThat(tree(i)).as("server %d untouched", i).isEqualTo(bad.get(i));
        }
        assertV1(0);
        assertV1(4);

        failing.clear(); // the cause is fixed
        events.clear();
        FleetReport resumed = fleet.resume(v1, Waves.canary(1).thenBatches(8));

        assertThat(resumed.isSuccessful()).as(resumed.toMarkdown()).isTrue();
        assertThat(resumed.hostsWith(HostStatus.ALREADY_DONE)).containsExactly(name(0), name(1), name(4));
        assertThat(resumed.host(name(2)).wave()).isEqualTo(1); // the first unfinished host is the new canary
        assertThat(resumed.count(HostStatus.SUCCEEDED)).isEqualTo(SERVERS - 3);
        assertThat(events).doesNotContain("start " + name(0), "start " + name(1), "start " + name(4))
                .hasSize(SERVERS - 3);
        assertThat(fleet.plan(name(0)).rollbacks()).hasSize(1); // never touched again
        assertThat(fleet.plan(name(2)).rollbacks().get(0).resumed())
                .isEqualTo(1); // its halted rollback was finished by its plan's resume
        for (int i = 0; i < SERVERS; i++) {
            assertV1(i);
        }
    }

    @Test
    void shouldRefuseTheWholeFleetWhenOneHostFailsPreflightAndChangeNothing() throws Exception {
        Fleet fleet = fleet();
        FleetPoint v1 = fleet.capture("v1.0.0");
        badDeploy();
        Path artifacts = work.resolve("server-7/artifacts");
        Path artifact;
        try (Stream<Path> walk = Files.walk(artifacts)) {
            artifact = walk.filter(Files::isRegularFile).filter(f -> f.toString().contains("release")).findFirst()
                    .orElseThrow();
        }
        Files.delete(artifact);
        List<Map<String, String>> bad = trees();

        assertThatThrownBy(() -> fleet.rollback(v1, Waves.canary(1)))
                .isInstanceOf(FleetPreflightFailedException.class)
                .hasMessageContaining(name(7))
                .hasMessageNotContaining(name(6) + ":")
                .satisfies(e -> assertThat(((FleetPreflightFailedException) e).problems()).containsOnlyKeys(name(7)));
        FleetPreview preview = fleet.preview(v1);
        assertThat(preview.isReady()).isFalse();
        assertThat(preview.refusedHosts()).containsExactly(name(7));
        assertThat(preview.problems().get(name(7))).isNotEmpty();
        assertThat(preview.toString()).contains("1 refused");
        assertThat(events).isEmpty();
        assertThat(trees()).isEqualTo(bad);
    }

    @Test
    void shouldRunTheHooksInOrderAroundEachWave() throws Exception {
        Fleet fleet = fleet();
        FleetPoint v1 = fleet.capture("v1.0.0");
        badDeploy();
        Waves waves = Waves.canary(2).thenBatches(9)
                .beforeEachWave((n, wave) -> events.add("before " + n + " " + wave.size()))
                .afterEachWave((n, wave) -> events.add("after " + n + " " + wave.size()));

        FleetReport report = fleet.rollback(v1, waves);

        assertThat(report.isSuccessful()).isTrue();
        List<String> seen = List.copyOf(events);
        assertThat(seen).hasSize(SERVERS + 6);
        assertThat(seen.get(0)).isEqualTo("before 1 2");
        assertThat(seen.subList(1, 3)).containsExactlyInAnyOrder("start " + name(0), "start " + name(1));
        assertThat(seen.subList(3, 5)).containsExactly("after 1 2", "before 2 9");
        assertThat(seen.subList(5, 14)).allMatch(s -> s.startsWith("start "));
        assertThat(seen.subList(14, 16)).containsExactly("after 2 9", "before 3 9");
        assertThat(seen.subList(16, 25)).allMatch(s -> s.startsWith("start "));
        assertThat(seen.get(25)).isEqualTo("after 3 9");
    }

    @Test
    void shouldStopWhenABeforeHookFails() throws Exception {
        Fleet fleet = fleet();
        FleetPoint v1 = fleet.capture("v1.0.0");
        badDeploy();
        FleetReport report = fleet.rollback(v1, Waves.canary(1).beforeEachWave((n, wave) -> {
            if (n == 2) {
                throw new IllegalStateException("load balancer: expected to drain " + wave.size() + " hosts, found it down");
            }
        }));
        assertThat(report.hostsWith(HostStatus.SUCCEEDED)).containsExactly(name(0));
        assertThat(report.count(HostStatus.NOT_STARTED)).isEqualTo(SERVERS - 1);
        assertThat(report.stoppedBecause()).contains("before wave 2").contains("load balancer");
    }

    @Test
    void shouldNameEveryFailedHostWhenACaptureFails() throws Exception {
        Fleet fleet = fleet();
        for (int i : new int[] {5, 11}) {
            try (Stream<Path> walk = Files.walk(work.resolve("server-" + i + "/app/release"))) {
                for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
        assertThatThrownBy(() -> fleet.capture("v1.0.0"))
                .isInstanceOf(FleetCaptureFailedException.class)
                .hasMessageContaining("found 2 of " + SERVERS + " host(s) failed")
                .hasMessageContaining(name(5)).hasMessageContaining(name(11))
                .satisfies(e -> {
                    FleetCaptureFailedException f = (FleetCaptureFailedException) e;
                    assertThat(f.failures()).containsOnlyKeys(name(5), name(11));
                    assertThat(f.made()).hasSize(SERVERS - 2);
                    assertThat(fleet.plan(name(0)).restorePoints()).hasSize(1); // points made elsewhere stay
                });
    }

    /** A health endpoint per host on 127.0.0.1: {@code /health/<index>} answers 500 for the indexes in {@code down}. */
    private static HttpServer health(Set<Integer> down, AtomicInteger requests) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/health/", ex -> {
            requests.incrementAndGet();
            int i = Integer.parseInt(ex.getRequestURI().getPath().substring("/health/".length()));
            int status = down.contains(i) ? 500 : 200;
            byte[] body = (status == 200 ? "ok" : "v2 crashed").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.setExecutor(Executors.newFixedThreadPool(4));
        http.start();
        return http;
    }

    private static FleetWatchdog watchdog(Fleet fleet, FleetPoint point, HttpServer http) {
        int port = http.getAddress().getPort();
        return FleetWatchdog.of(fleet, point)
                .probe(host -> HealthCheck.http(URI.create("http://127.0.0.1:" + port + "/health/" + hosts.indexOf(host)))
                        .expectStatus(200))
                .every(Duration.ofMillis(50))
                .rollBackWhen(Trigger.consecutiveFailures(2));
    }

    @Test
    void shouldRollBackOnlyTheHostWhoseTriggerFiresWhileTheFleetIsBelowItsFraction() throws Exception {
        Fleet fleet = fleet();
        FleetPoint v1 = fleet.capture("v1.0.0");
        badDeploy();
        List<Map<String, String>> bad = trees();
        HttpServer http = health(Set.of(6), new AtomicInteger());
        try {
            FleetWatchReport watch = watchdog(fleet, v1, http).rollBackFleetWhenFailing(0.25)
                    .watchFor(Duration.ofSeconds(5)).run();

            assertThat(watch.outcome()).as(watch.toMarkdown()).isEqualTo(FleetWatchReport.Outcome.HOSTS_ROLLED_BACK);
            assertThat(watch.hostsTriggered()).containsExactly(name(6));
            assertThat(watch.host(name(6)).outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
            assertThat(watch.host(name(6)).reason()).contains("500");
            assertThat(watch.host(name(5)).outcome()).isEqualTo(WatchReport.Outcome.HEALTHY);
            assertThat(watch.fleetTrigger()).isNull();
            assertThat(watch.fleetRollback()).isNull();
            assertV1(6);
            for (int i = 0; i < SERVERS; i++) {
                if (i != 6) {
                    assertThat(tree(i)).as("server %d untouched", i).isEqualTo(bad.get(i));
                }
            }
            assertThat(watch.toMarkdown()).contains("| " + name(6) + " | ROLLED_BACK |").contains("HOSTS_ROLLED_BACK");
            assertThat(watch.toJson()).contains("\"outcome\" : \"HOSTS_ROLLED_BACK\"");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void shouldRollTheWholeFleetBackOnceTheHostsWhoseTriggersFiredReachTheFraction() throws Exception {
        Fleet fleet = fleet();
        FleetPoint v1 = fleet.capture("v1.0.0");
        badDeploy();
        Set<Integer> down = Set.of(2, 9, 13, 17, 18); // 5 of 20: the fraction of 0.25
        HttpServer http = health(down, new AtomicInteger());
        try {
            FleetWatchReport watch = watchdog(fleet, v1, http).rollBackFleetWhenFailing(0.25)
                    .waves(Waves.canary(1).thenBatches(10)).watchFor(Duration.ofSeconds(20)).run();

            assertThat(watch.outcome()).as(watch.toMarkdown()).isEqualTo(FleetWatchReport.Outcome.FLEET_ROLLED_BACK);
            assertThat(watch.hostsTriggered()).containsExactlyElementsOf(down.stream().sorted().map(this::name).toList());
            assertThat(watch.fleetTrigger()).contains("5 of 20 host(s)");
            assertThat(watch.host(name(0)).outcome()).isEqualTo(WatchReport.Outcome.STOPPED); // ended, not run out
            FleetReport fleetRollback = watch.fleetRollback();
            assertThat(fleetRollback.isSuccessful()).as(fleetRollback.toMarkdown()).isTrue();
            assertThat(fleetRollback.hostsWith(HostStatus.ALREADY_DONE))
                    .containsExactlyElementsOf(down.stream().sorted().map(this::name).toList());
            assertThat(fleetRollback.count(HostStatus.SUCCEEDED)).isEqualTo(SERVERS - down.size());
            for (int i = 0; i < SERVERS; i++) {
                assertV1(i);
                assertThat(fleet.plan(name(i)).rollbacks()).as("server %d rolled back once", i).hasSize(1);
            }
            assertThat(watch.toMarkdown()).contains("Fleet rolled back:").contains("# Fleet rollback of web");
            String html = watch.toHtml();
            assertThat(html).startsWith("<!DOCTYPE html>").doesNotContain("<script")
                    .contains("Fleet watch of web").contains("FLEET_ROLLED_BACK").contains("trigger on " + name(2));
            // a bar per host rolled back on its own, then one per host the fleet rollback changed
            assertThat(html.split("<rect class=\"step ", -1))
                    .hasSize(down.size() + (int) fleetRollback.count(HostStatus.SUCCEEDED) + 1);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void shouldRefuseAFleetWatchThatCannotWatchBeforeAnyProbe() throws Exception {
        Fleet fleet = fleet();
        FleetPoint v1 = fleet.capture("v1.0.0");
        AtomicInteger requests = new AtomicInteger();
        HttpServer http = health(Set.of(), requests);
        try {
            assertThatThrownBy(() -> watchdog(fleet, v1, http).run())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fleet watchdog of 'web'").hasMessageContaining(name(0))
                    .hasMessageContaining("watchFor(");
            fleet.plan(name(4)).store().delete(v1.pointId(name(4)));
            assertThatThrownBy(() -> watchdog(fleet, v1, http).watchFor(Duration.ofSeconds(1)).run())
                    .hasMessageContaining(name(4)).hasMessageContaining(v1.pointId(name(4)));
            assertThat(requests).hasValue(0);
        } finally {
            http.stop(0);
        }
    }
}
