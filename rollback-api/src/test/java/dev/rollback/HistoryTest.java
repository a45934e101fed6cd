package dev.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.check.HealthCheck;
import dev.rollback.host.Hosts;
import dev.rollback.spi.Check;
import dev.rollback.store.StoreBackend;
import dev.rollback.store.StoreException;
import dev.rollback.support.FileServer;
import dev.rollback.testing.FileTarget;
import dev.rollback.testing.TestClock;
import dev.rollback.testing.Trees;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan's history of reports: rollbacks, undoes, watches and drills saved in the store as they end, read back
 * together newest first, on this machine and on a second one that shares the store's records. The application is a
 * real HTTP server on 127.0.0.1 serving the release file: 200 with its content, 503 while the release is broken.
 */
class HistoryTest {

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    Path release;
    Path orders;
    FileServer http;

    @BeforeEach
    void start() throws IOException {
        release = dir.resolve("app/release.txt");
        orders = dir.resolve("app/orders.csv");
        Files.createDirectories(release.getParent());
        Files.writeString(release, "v1");
        Files.writeString(orders, "1,42.00\n2,17.50\n");
        http = FileServer.serving(release, clock, Duration.ofMillis(20), content -> content.contains("broken"));
    }

    @AfterEach
    void stop() {
        http.close();
    }

    URI uri() {
        return http.uri();
    }

    /** The plan as run on {@code machine}: its own store folder, the team's records in {@code records}. */
    RollbackPlan plan(String machine) {
        RestorePointStore store = RestorePointStore.at(dir.resolve(machine))
                .sharedWith(StoreBackend.onHost(Hosts.local(), dir.resolve("records")));
        return Rollback.plan("shop").store(store).clock(clock).sleeper(clock::advance)
                .target(new FileTarget("release", release))
                .verify(HealthCheck.http(uri()).expectStatus(200))
                .build();
    }

    void deploy(String content) throws IOException {
        clock.advance(Duration.ofMinutes(1));
        Files.writeString(release, content);
    }

    @Test
    void shouldKeepRollbacksWatchesAndDrillsTogetherNewestFirstOnEveryMachine() throws Exception {
        RollbackPlan plan = plan("a");
        List<Report> ran = new ArrayList<>();

        RestorePoint v1 = plan.capture("v1");
        DrillReport drill = Drill.of(plan).change("show the drill banner", ctx -> Files.writeString(release, "DRILL"))
                .shows(HealthCheck.http(uri()).bodyContains("DRILL"))
                .thenGone(HealthCheck.http(uri()).bodyContains("v1"))
                .keeps(Check.of("orders intact", () -> Files.readAllLines(orders).size() == 2))
                .run();
        ran.add(drill.rollback());
        ran.add(drill);
        deploy("v2 broken");
        WatchReport watch = Watchdog.of(plan, v1).probe(HealthCheck.http(uri()).expectStatus(200))
                .every(Duration.ofSeconds(30)).rollBackWhen(Trigger.consecutiveFailures(3))
                .watchFor(Duration.ofMinutes(30)).run();
        ran.add(watch.rollback());
        ran.add(watch);
        deploy("v3");
        RollbackReport byHand = plan.rollback(v1);
        ran.add(byHand);
        clock.advance(Duration.ofMinutes(1));
        RollbackReport undo = plan.undo(byHand);
        ran.add(undo);
        deploy("v3 broken");
        WatchReport dry = Watchdog.of(plan, v1).probe(HealthCheck.http(uri()).expectStatus(200))
                .every(Duration.ofSeconds(30)).rollBackWhen(Trigger.consecutiveFailures(2))
                .watchFor(Duration.ofMinutes(10)).dryRun().run();
        ran.add(dry);

        assertThat(ran).extracting(r -> r.outcome().name()).containsExactly("SUCCEEDED", "PASSED", "SUCCEEDED",
                "ROLLED_BACK", "SUCCEEDED", "FAILED_STATE_RESTORED", "WOULD_ROLL_BACK");
        assertThat(Files.readString(release)).isEqualTo("v3 broken"); // the dry run changed nothing
        assertThat(Files.readString(orders)).isEqualTo("1,42.00\n2,17.50\n");

        List<Report> history = plan.history();
        assertThat(history).extracting(Report::kind)
                .containsExactly("watch", "undo", "rollback", "rollback", "watch", "rollback", "drill");
        assertThat(history).isSortedAccordingTo((x, y) -> y.startedAt().compareTo(x.startedAt()));
        assertThat(history).containsExactlyInAnyOrderElementsOf(ran); // read back equal, field for field
        assertThat(history.get(0)).isEqualTo(dry);
        assertThat(history).filteredOn(Report::needsAttention).containsExactly(dry);
        assertThat(history.get(4)).isEqualTo(watch);
        assertThat(watch.recoveryTime()).contains(watch.rollback().timeToRecover());
        assertThat(dry.recoveryTime()).isEmpty();
        assertThat(history.get(6)).isEqualTo(drill);
        assertThat(drill.recoveryTime()).isEqualTo(drill.timeToRecover()).isPresent();
        assertThat(plan.rollbacks()).containsExactly(undo, byHand, watch.rollback(), drill.rollback());

        assertThat(history.get(0).summary()).isEqualTo(dry.watchedFrom().truncatedTo(ChronoUnit.SECONDS) + "  watch "
                + dry.watchId() + " of v1: WOULD_ROLL_BACK  (a person must look)");
        assertThat(history.get(4).summary()).startsWith(watch.watchedFrom().truncatedTo(ChronoUnit.SECONDS) + "  watch "
                + watch.watchId() + " of v1: ROLLED_BACK, time to recover ").doesNotContain("a person must look");
        assertThat(Report.table(history)).contains("| started | kind | id | about | outcome | time to recover |")
                .contains("| undo | " + undo.rollbackId() + " | to " + undo.pointLabel()
                        + " | FAILED_STATE_RESTORED | ")
                .contains("| drill | " + drill.drillId() + " | 'show the drill banner' | PASSED | ")
                .contains("| WOULD_ROLL_BACK | - | yes |");

        // where the store keeps them, in its folder and in the team's records
        Path reports = dir.resolve("a/reports/shop");
        assertThat(reports.resolve("watches/" + watch.watchId() + ".json")).isRegularFile();
        assertThat(reports.resolve("drills/" + drill.drillId() + ".json")).isRegularFile();
        assertThat(plan.store().sharedRecords().orElseThrow().list("reports/shop")).contains(
                "reports/shop/watches/" + dry.watchId() + ".json", "reports/shop/drills/" + drill.drillId()
                        + ".json", "reports/shop/" + undo.rollbackId() + ".json");

        // a second machine on the same records: the same history, copied into its own folder once
        RollbackPlan onB = plan("b");
        assertThat(onB.history()).isEqualTo(history);
        assertThat(dir.resolve("b/reports/shop/watches/" + watch.watchId() + ".json")).isRegularFile();
        assertThat(onB.rollbacks()).isEqualTo(plan.rollbacks());
        assertThat(onB.history()).isEqualTo(history); // read again from its copies
    }

    @Test
    void shouldPruneTheHistoryOlderThanItKeepsForTheTeamButTheNewestRollback() throws Exception {
        RollbackPlan plan = plan("a");
        RestorePoint v1 = plan.capture("v1");
        Drill.of(plan).change("show the drill banner", ctx -> Files.writeString(release, "DRILL"))
                .shows(HealthCheck.http(uri()).bodyContains("DRILL"))
                .thenGone(HealthCheck.http(uri()).bodyContains("v1")).run();
        deploy("v2 broken");
        WatchReport watch = Watchdog.of(plan, v1).probe(HealthCheck.http(uri()).expectStatus(200))
                .every(Duration.ofSeconds(30)).rollBackWhen(Trigger.consecutiveFailures(3))
                .watchFor(Duration.ofMinutes(30)).run();
        List<Report> all = plan.history(); // watch, its rollback, the drill, its rollback
        RollbackPlan onB = plan("b");
        assertThat(onB.history()).isEqualTo(all); // b has copied them all
        clock.advance(Duration.ofDays(100));
        deploy("v3 broken");
        WatchReport recent = Watchdog.of(plan, v1).probe(HealthCheck.http(uri()).expectStatus(200))
                .every(Duration.ofSeconds(30)).rollBackWhen(Trigger.consecutiveFailures(2))
                .watchFor(Duration.ofMinutes(10)).dryRun().run();
        var points = Trees.fingerprint(dir.resolve("a/points"));

        assertThatThrownBy(() -> plan.pruneHistory(Duration.ofDays(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pruneHistory of plan 'shop'").hasMessageContaining("PT-24H")
                .hasMessageContaining("Duration.ofDays(90)");
        assertThat(plan.history()).hasSize(5);

        List<Report> pruned = plan.pruneHistory(Duration.ofDays(90));

        // the drill, its rollback and the watch are older than 90 days; the watch's rollback is the newest rollback
        assertThat(pruned).extracting(Report::kind).containsExactly("watch", "rollback", "drill");
        assertThat(pruned).doesNotContain(watch.rollback()).contains(watch);
        assertThat(plan.history()).containsExactly(recent, watch.rollback());
        assertThat(plan.rollbacks()).containsExactly(watch.rollback());
        assertThat(dir.resolve("a/reports/shop/watches/" + watch.watchId() + ".json")).doesNotExist();
        assertThat(plan.store().sharedRecords().orElseThrow().list("reports/shop")).containsExactlyInAnyOrder(
                "reports/shop/" + watch.rollback().rollbackId() + ".json",
                "reports/shop/watches/" + recent.watchId() + ".json");
        assertThat(Trees.fingerprint(dir.resolve("a/points"))).as("restore points untouched").isEqualTo(points);
        assertThat(plan.restorePoints()).contains(v1).hasSize(2); // v1 and the watch rollback's set-aside point
        // a machine that reads the history now does not see them; one that had copied them keeps its copies
        assertThat(plan("c").history()).containsExactly(recent, watch.rollback());
        assertThat(onB.history()).hasSize(5);
        assertThat(onB.pruneHistory(Duration.ofDays(90))).hasSize(3);
        assertThat(onB.history()).containsExactly(recent, watch.rollback());
        assertThat(plan.pruneHistory(Duration.ofDays(90))).isEmpty(); // again: nothing more to delete
    }

    @Test
    void shouldNameAReportThatCannotBeReadAndChangeNothing() throws Exception {
        RollbackPlan plan = plan("a");
        RestorePoint v1 = plan.capture("v1");
        deploy("v2 broken");
        Watchdog.of(plan, v1).probe(HealthCheck.http(uri()).expectStatus(200)).every(Duration.ofSeconds(30))
                .rollBackWhen(Trigger.consecutiveFailures(2)).watchFor(Duration.ofMinutes(5)).run();
        Path damaged = dir.resolve("a/reports/shop/watches/watch-damaged.json");
        Files.writeString(damaged, "{\"watchId\": \"watch-damaged\", \"plan\": ");
        var before = Trees.fingerprint(dir.resolve("a"));

        assertThatThrownBy(plan::history).isInstanceOf(StoreException.class)
                .hasMessageContaining("plan 'shop': expected a report in " + damaged)
                .hasMessageContaining("cannot be read").hasMessageContaining("move it out of " + damaged.getParent());
        assertThat(Trees.fingerprint(dir.resolve("a"))).isEqualTo(before);

        Files.delete(damaged); // moved out, as the message says: the rest of the history reads again
        assertThat(plan.history()).extracting(Report::kind).containsExactly("rollback", "watch");
    }

    @Test
    void shouldStartEmptyAndKeepAHealthyWatchWithoutARollback() throws Exception {
        RollbackPlan plan = plan("a");
        assertThat(plan.history()).isEmpty();
        assertThat(plan.rollbacks()).isEmpty();
        RestorePoint v1 = plan.capture("v1");
        deploy("v2");

        WatchReport healthy = Watchdog.of(plan, v1).probe(HealthCheck.http(uri()).expectStatus(200))
                .every(Duration.ofSeconds(30)).rollBackWhen(Trigger.consecutiveFailures(2))
                .watchFor(Duration.ofMinutes(2)).run();

        assertThat(healthy.outcome()).isEqualTo(WatchReport.Outcome.HEALTHY);
        assertThat(plan.history()).containsExactly(healthy);
        assertThat(plan.rollbacks()).isEmpty();
        assertThat(healthy.needsAttention()).isFalse();
        assertThat(healthy.summary()).endsWith(" of v1: HEALTHY");
    }
}
