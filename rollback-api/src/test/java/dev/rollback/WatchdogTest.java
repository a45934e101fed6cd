package dev.rollback;

import dev.rollback.spi.Check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.check.HealthCheck;
import dev.rollback.testing.FileTarget;
import dev.rollback.testing.TestClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchdogTest {

    static final Duration EVERY = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    final List<RollbackEvent> events = Collections.synchronizedList(new ArrayList<>());
    AppServer server;
    Path file;

    /** A real HTTP server on 127.0.0.1: each request takes the next answer, the last repeats. */
    final class AppServer implements AutoCloseable {
        /** A status and how long the answer takes, by the test clock. */
        record Answer(int status, Duration latency) {}

        private final HttpServer http;
        private final ExecutorService threads = Executors.newSingleThreadExecutor();
        private final List<Answer> answers = new ArrayList<>();
        final AtomicInteger requests = new AtomicInteger();

        AppServer() throws IOException {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.setExecutor(threads);
            http.createContext("/health/ready", exchange -> {
                Answer a = next();
                clock.advance(a.latency()); // the answer takes this long by the plan's clock
                byte[] body = (a.status() == 200 ? "ready" : "not ready: db pool exhausted")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(a.status(), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            http.start();
        }

        synchronized AppServer answer(Answer... next) {
            answers.clear();
            answers.addAll(List.of(next));
            requests.set(0);
            return this;
        }

        /** Answers with these statuses at once, in order, repeating the last. */
        AppServer statuses(int... statuses) {
            List<Answer> list = new ArrayList<>();
            for (int s : statuses) {
                list.add(new Answer(s, Duration.ZERO));
            }
            return answer(list.toArray(Answer[]::new));
        }

        private synchronized Answer next() {
            int n = requests.getAndIncrement();
            return answers.get(Math.min(n, answers.size() - 1));
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/health/ready");
        }

        @Override
        public void close() {
            http.stop(0);
            threads.shutdownNow();
        }
    }

    @BeforeEach
    void start() throws IOException {
        server = new AppServer().statuses(200);
        file = dir.resolve("app").resolve("release.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "v1");
    }

    @AfterEach
    void close() {
        server.close();
    }

    RollbackPlan plan(Sleeper sleeper) {
        return Rollback.plan("app").store(dir.resolve("store")).clock(clock).sleeper(sleeper)
                .target(new FileTarget("release", file))
                .listener(new RollbackListener() {
                    @Override
                    public void onProbeFailed(RollbackEvent event) {
                        events.add(event);
                    }

                    @Override
                    public void onTriggerFired(RollbackEvent event) {
                        events.add(event);
                    }
                })
                .build();
    }

    RollbackPlan plan() {
        return plan(clock::advance);
    }

    /** Captures v1, deploys v2: the state a watchdog starts from. */
    RestorePoint deploy(RollbackPlan plan) throws IOException {
        RestorePoint before = plan.capture("v1");
        Files.writeString(file, "v2");
        return before;
    }

    Watchdog dog(RollbackPlan plan, RestorePoint before) {
        return Watchdog.of(plan, before).probe(HealthCheck.http(server.uri()).expectStatus(200)).every(EVERY);
    }

    List<RollbackEvent> events(RollbackEvent.Type type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    @Test
    void shouldRollBackAtTheThirdFailureInARowAndNotOneProbeEarlier() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        server.statuses(200, 503, 503, 200, 503, 503, 503);
        Instant watchStart = clock.instant();

        WatchReport r = dog(plan, before).rollBackWhen(Trigger.consecutiveFailures(3))
                .watchFor(Duration.ofMinutes(30)).run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(r.probesMade()).isEqualTo(7); // the fifth failure, the third in a row
        assertThat(server.requests.get()).isEqualTo(7);
        assertThat(Files.readString(file)).isEqualTo("v1");
        assertThat(r.rollback().isSuccessful()).isTrue();
        assertThat(plan.store().get(r.rollback().setAsidePointId()).label()).contains("state before rollback");
        assertThat(r.fired()).isEqualTo("3 consecutive failures");
        assertThat(r.reason()).startsWith("3 consecutive failures: ").contains("503");
        assertThat(r.watchedFrom()).isEqualTo(watchStart);
        assertThat(r.firstFailureAt()).isEqualTo(watchStart.plus(EVERY.multipliedBy(4))); // the fifth probe
        assertThat(r.triggeredAt()).isEqualTo(watchStart.plus(EVERY.multipliedBy(6)));
        assertThat(r.timeToDetect()).isEqualTo(Duration.ofMinutes(1));
        assertThat(r.timeToRecover()).isEqualTo(r.rollback().timeToRecover());
        assertThat(r.mttr()).isEqualTo(r.timeToDetect().plus(r.timeToRecover()));
        assertThat(r.probes()).extracting(WatchReport.Probe::passed)
                .containsExactly(true, false, false, true, false, false, false);
        assertThat(events(RollbackEvent.Type.PROBE_FAILED)).hasSize(5);
        assertThat(events(RollbackEvent.Type.TRIGGER_FIRED)).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("3 consecutive failures").contains(before.id()));
    }

    @Test
    void shouldStayHealthyAndChangeNothingWhenTheWindowPasses() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        server.statuses(200, 503, 503, 200); // two failures, then healthy to the end
        Instant watchStart = clock.instant();

        WatchReport r = dog(plan, before).rollBackWhen(Trigger.consecutiveFailures(3))
                .watchFor(Duration.ofMinutes(5)).run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.HEALTHY);
        assertThat(r.probesMade()).isEqualTo(11); // at 0, 30 s, ..., 5 min
        assertThat(r.endedAt()).isEqualTo(watchStart.plus(Duration.ofMinutes(5)));
        assertThat(r.rollback()).isNull();
        assertThat(r.mttr()).isNull();
        assertThat(Files.readString(file)).isEqualTo("v2");
        assertThat(plan.rollbacks()).isEmpty();
        assertThat(plan.history()).containsExactly(r); // the watch is in the history, with its probes
        assertThat(events(RollbackEvent.Type.PROBE_FAILED)).hasSize(2);
        assertThat(events(RollbackEvent.Type.TRIGGER_FIRED)).isEmpty();
    }

    @Test
    void shouldRollBackWhenThreeAnswersInARowAreSlowerThanTheBound() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        Duration slow = Duration.ofMillis(1500);
        Duration fast = Duration.ofMillis(200);
        server.answer(new AppServer.Answer(200, slow), new AppServer.Answer(200, slow),
                new AppServer.Answer(200, fast), new AppServer.Answer(200, slow), new AppServer.Answer(200, slow),
                new AppServer.Answer(200, Duration.ofSeconds(1)), // exactly the bound is not slower
                new AppServer.Answer(200, slow), new AppServer.Answer(200, slow), new AppServer.Answer(200, slow));

        WatchReport r = dog(plan, before).rollBackWhen(Trigger.slowerThan(Duration.ofSeconds(1), 3))
                .watchFor(Duration.ofMinutes(30)).run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(r.probesMade()).isEqualTo(9);
        assertThat(r.probes()).allMatch(WatchReport.Probe::passed);
        assertThat(r.probes().get(8).took()).isEqualTo(slow);
        assertThat(r.reason()).startsWith("3 probes in a row slower than 1 s: the last took 1.5 s");
        assertThat(r.firstFailureAt()).isEqualTo(r.probes().get(6).at());
        assertThat(Files.readString(file)).isEqualTo("v1");
        assertThat(events(RollbackEvent.Type.PROBE_FAILED)).isEmpty();
    }

    @Test
    void shouldRollBackWhenTheFailureRateOfTheLastProbesIsAboveTheBound() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        // one failure in ten is exactly 10%, not above; the second within the last ten is 20%
        server.statuses(200, 503, 200, 200, 200, 200, 200, 200, 200, 200, 503, 200);

        WatchReport r = dog(plan, before).rollBackWhen(Trigger.failureRateAbove(0.10, 10))
                .watchFor(Duration.ofMinutes(30)).run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(r.probesMade()).isEqualTo(11);
        assertThat(r.reason()).startsWith("more than 10% of the last 10 probes failed: 2 of 10 failed (20%)");
        assertThat(r.firstFailureAt()).isEqualTo(r.probes().get(1).at());
        assertThat(Files.readString(file)).isEqualTo("v1");
    }

    @Test
    void shouldRollBackWhenDownWithoutAPassForTheBound() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        server.statuses(200, 503, 503, 200, 503, 503, 503, 503, 503); // down from the fifth probe (2 min)
        Instant watchStart = clock.instant();

        WatchReport r = dog(plan, before).rollBackWhen(Trigger.downFor(Duration.ofMinutes(2)))
                .watchFor(Duration.ofMinutes(30)).run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(r.probesMade()).isEqualTo(9); // 4 min: 2 min after the failures began at 2 min
        assertThat(r.firstFailureAt()).isEqualTo(watchStart.plus(Duration.ofMinutes(2)));
        assertThat(r.timeToDetect()).isEqualTo(Duration.ofMinutes(2));
        assertThat(r.reason()).startsWith("down for 2 min: failing without a pass for 2 min");
        assertThat(Files.readString(file)).isEqualTo("v1");
    }

    @Test
    void shouldCountARefusedConnectionAsAFailure() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        Watchdog dog = dog(plan, before).rollBackWhen(Trigger.consecutiveFailures(3)).watchFor(Duration.ofMinutes(5));
        server.close(); // the app is down: nothing listens on the port

        WatchReport r = dog.run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(r.probesMade()).isEqualTo(3);
        assertThat(r.reason()).startsWith("3 consecutive failures: ").containsIgnoringCase("connect");
        assertThat(Files.readString(file)).isEqualTo("v1");
    }

    @Test
    void shouldReportARollbackThatFailedAndKeepTheDataAsItWas() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        server.statuses(503);
        Files.writeString(file.getParent().resolve("release.fail"), "");

        WatchReport r = dog(plan, before).rollBackWhen(Trigger.consecutiveFailures(2))
                .watchFor(Duration.ofMinutes(5)).run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.ROLLBACK_FAILED);
        assertThat(r.rollback().isSuccessful()).isFalse();
        assertThat(r.rollback().errors()).anyMatch(e -> e.contains("refuses writes"));
        assertThat(r.timeToRecover()).isNotNull();
        assertThat(Files.readString(file)).isEqualTo("v2");
    }

    @Test
    void shouldStopWithoutRollingBackWhenStoppedFromAnotherThread() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        RollbackPlan plan = plan(d -> {
            waiting.countDown();
            never.await(); // waits until interrupted: the watchdog is between probes
        });
        RestorePoint before = deploy(plan);
        server.statuses(503);
        Watchdog dog = dog(plan, before).rollBackWhen(Trigger.consecutiveFailures(2)).watchFor(Duration.ofMinutes(5));
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<WatchReport> running = runner.submit(dog::run);
            assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();

            dog.stop();
            WatchReport r = running.get(30, TimeUnit.SECONDS);

            assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.STOPPED);
            assertThat(r.probesMade()).isEqualTo(1);
            assertThat(r.rollback()).isNull();
            assertThat(Files.readString(file)).isEqualTo("v2");
            assertThat(plan.rollbacks()).isEmpty();
            assertThat(plan.history()).containsExactly(r);
            assertThat(dog.run().outcome()).isEqualTo(WatchReport.Outcome.STOPPED); // it stays stopped
            assertThat(server.requests.get()).isEqualTo(1);
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    void shouldStopAndKeepTheInterruptWhenTheCallersThreadIsInterrupted() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        RollbackPlan plan = plan(d -> {
            waiting.countDown();
            never.await();
        });
        RestorePoint before = deploy(plan);
        Watchdog dog = dog(plan, before).rollBackWhen(Trigger.consecutiveFailures(2)).watchFor(Duration.ofMinutes(5));
        List<Boolean> interrupted = Collections.synchronizedList(new ArrayList<>());
        List<WatchReport> reports = Collections.synchronizedList(new ArrayList<>());
        Thread runner = new Thread(() -> {
            reports.add(dog.run());
            interrupted.add(Thread.currentThread().isInterrupted());
        });
        runner.start();
        assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();

        runner.interrupt();
        runner.join(30_000);

        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.STOPPED);
            assertThat(r.rollback()).isNull();
        });
        assertThat(interrupted).containsExactly(true);
        assertThat(Files.readString(file)).isEqualTo("v2");
    }

    @Test
    void shouldReturnStoppedWithoutProbingWhenStoppedBeforeItRuns() throws IOException {
        RollbackPlan plan = plan();
        Watchdog dog = dog(plan, deploy(plan)).rollBackWhen(Trigger.consecutiveFailures(3))
                .watchFor(Duration.ofMinutes(5));

        dog.stop();

        assertThat(dog.run().outcome()).isEqualTo(WatchReport.Outcome.STOPPED);
        assertThat(server.requests.get()).isZero();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void shouldRefuseBadInputBeforeProbingAndChangeNothing() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        RollbackPlan other = Rollback.plan("other").store(dir.resolve("store")).clock(clock).sleeper(clock::advance)
                .target(new FileTarget("release", file)).build();
        Watchdog dog = dog(plan, before);
        server.statuses(503);

        assertThatThrownBy(() -> Watchdog.of(other, before)).isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("expected a restore point of that plan").hasMessageContaining("plan 'app'");
        assertThatThrownBy(() -> Watchdog.of(plan, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no restore point");
        assertThatThrownBy(() -> dog.every(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every: expected a positive duration, found PT0S");
        assertThatThrownBy(() -> dog.watchFor(Duration.ofMinutes(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("watchFor: expected a positive duration");
        assertThatThrownBy(() -> dog.probe(HealthCheck.http(server.uri()).attempts(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found 'GET ")
                .hasMessageContaining("with 3 attempts").hasMessageContaining("Trigger.consecutiveFailures(3)");
        assertThatThrownBy(() -> dog.rollBackWhen(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> dog.scope(Scope.only("frontend"))).isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("found unknown [frontend]");
        assertThatThrownBy(() -> dog.scope(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Trigger.consecutiveFailures(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a count from 1 to 1000, found 0");
        assertThatThrownBy(() -> Trigger.slowerThan(Duration.ZERO, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Trigger.failureRateAbove(1.0, 20)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a rate from 0 to below 1, found 1.0");
        assertThatThrownBy(() -> Trigger.failureRateAbove(-0.01, 20)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Trigger.failureRateAbove(Double.NaN, 20)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Trigger.failureRateAbove(0.05, 1001)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Trigger.downFor(null)).isInstanceOf(IllegalArgumentException.class);

        assertThatThrownBy(() -> dog.watchFor(Duration.ofMinutes(5)).run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected at least one trigger");
        assertThatThrownBy(() -> Watchdog.of(plan, before).rollBackWhen(Trigger.consecutiveFailures(3))
                .watchFor(Duration.ofMinutes(5)).run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected at least one check");
        assertThatThrownBy(() -> dog.rollBackWhen(Trigger.consecutiveFailures(3)).run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a window");
        assertThatThrownBy(() -> dog.rollBackWhen(Trigger.consecutiveFailures(1)).watchFor(Duration.ofSeconds(10)).run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a window of at least one interval (30 s), found 10 s");
        assertThatThrownBy(() -> dog.rollBackWhen(Trigger.consecutiveFailures(5)).watchFor(Duration.ofMinutes(1)).run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found '5 consecutive failures', which needs 5 probes")
                .hasMessageContaining("makes 3");
        assertThatThrownBy(() -> dog.rollBackWhen(Trigger.downFor(Duration.ofMinutes(10))).watchFor(Duration.ofMinutes(5))
                .run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'down for 10 min', which needs 10 min");

        assertThat(server.requests.get()).isZero();
        assertThat(Files.readString(file)).isEqualTo("v2");
        assertThat(plan.history()).isEmpty();
        assertThat(events).isEmpty();
    }

    @Test
    void shouldRefuseToWatchWithAPointThatIsGoneOrDamagedBeforeProbing() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        RestorePoint kept = plan.capture("v2");
        server.statuses(503);
        Files.writeString(plan.store().artifactDir(kept, "release").resolve("content"), "tampered");
        plan.delete(before);

        assertThatThrownBy(() -> dog(plan, before).rollBackWhen(Trigger.consecutiveFailures(3))
                .watchFor(Duration.ofMinutes(5)).run()).isInstanceOf(RestorePointNotFoundException.class)
                .hasMessageContaining("expected restore point " + before.id() + " 'v1'")
                .hasMessageContaining("capture a new point before the deploy");
        assertThatThrownBy(() -> dog(plan, kept).rollBackWhen(Trigger.consecutiveFailures(3))
                .watchFor(Duration.ofMinutes(5)).run()).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("content");

        assertThat(server.requests.get()).isZero();
        assertThat(Files.readString(file)).isEqualTo("v2");
        assertThat(plan.history()).isEmpty();
    }

    @Test
    void shouldCarryTheTriggerAndTheTimeToRepairInJsonAndMarkdown() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        server.statuses(200, 503);

        WatchReport r = dog(plan, before).rollBackWhen(Trigger.consecutiveFailures(3))
                .rollBackWhen(Trigger.downFor(Duration.ofMinutes(5))).watchFor(Duration.ofMinutes(30)).run();

        String json = r.toJson();
        assertThat(json).contains("\"fired\" : \"3 consecutive failures\"").contains("\"mttr\"")
                .contains("\"timeToDetect\" : \"PT1M\"").contains("\"outcome\" : \"ROLLED_BACK\"");
        WatchReport back = WatchReport.fromJson(json);
        assertThat(back.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(back.mttr()).isEqualTo(r.mttr());
        assertThat(back.reason()).isEqualTo(r.reason());
        assertThat(back.probes()).isEqualTo(r.probes());
        assertThat(back.rollback().outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(back.triggers()).containsExactly("3 consecutive failures", "down for 5 min");
        assertThat(r.toMarkdown()).contains("# Watch report: app").contains("**Outcome:** ROLLED_BACK")
                .contains("**Fired:** 3 consecutive failures: ").contains("**Time to detect:** 1 min")
                .contains("**Time to repair (detect + recover):**").contains("## Failed probes")
                .contains("## Rollback incident report: app");
    }

    @Test
    void shouldKeepOnlyTheLatestThousandProbesOfALongWatch() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);

        WatchReport r = Watchdog.of(plan, before).probe(Check.of("always up", () -> true))
                .every(Duration.ofSeconds(1)).rollBackWhen(Trigger.consecutiveFailures(3))
                .watchFor(Duration.ofMinutes(30)).run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.HEALTHY);
        assertThat(r.probesMade()).isEqualTo(1801);
        assertThat(r.probes()).hasSize(Trigger.MAX_WINDOW);
        assertThat(r.probes().get(0).number()).isEqualTo(802);
    }

    @Test
    void shouldTellWhatWouldHaveFiredInADryRunAndChangeNothing() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        server.statuses(200, 503, 503, 503);

        WatchReport r = dog(plan, before).rollBackWhen(Trigger.consecutiveFailures(3))
                .watchFor(Duration.ofMinutes(30)).dryRun().run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.WOULD_ROLL_BACK);
        assertThat(r.fired()).isEqualTo("3 consecutive failures");
        assertThat(r.timeToDetect()).isEqualTo(Duration.ofMinutes(1));
        assertThat(r.rollback()).isNull();
        assertThat(Files.readString(file)).isEqualTo("v2");
        assertThat(plan.rollbacks()).isEmpty();
        assertThat(plan.history()).containsExactly(r); // what would have fired, kept for the people who decide
        assertThat(plan.history().get(0).needsAttention()).isTrue();
        assertThat(plan.activity()).extracting(HistoryEntry::what).doesNotContain("watchdog-rollback", "rollback");
        assertThat(events(RollbackEvent.Type.TRIGGER_FIRED)).singleElement()
                .satisfies(e -> assertThat(e.message()).startsWith("dry run: trigger fired").contains("would roll back")
                        .contains(before.id()));
        assertThat(WatchReport.fromJson(r.toJson())).isEqualTo(r);
    }

    @Test
    void shouldHoldBackARollbackPastTheLoopGuardCountedFromTheStoreAcrossARestart() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        server.statuses(503);
        WatchReport first = dog(plan, before).rollBackWhen(Trigger.consecutiveFailures(2))
                .rollBackAtMost(1, Duration.ofHours(1)).watchFor(Duration.ofMinutes(30)).run();
        assertThat(first.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(Files.readString(file)).isEqualTo("v1");

        Files.writeString(file, "v2"); // the same bad release deployed again
        clock.advance(Duration.ofMinutes(10));
        RollbackPlan restarted = plan(); // a new process: the count is read from the store, not kept in memory
        WatchReport second = dog(restarted, before).rollBackWhen(Trigger.consecutiveFailures(2))
                .rollBackAtMost(1, Duration.ofHours(1)).watchFor(Duration.ofMinutes(30)).run();

        assertThat(second.outcome()).isEqualTo(WatchReport.Outcome.HELD_BACK);
        assertThat(second.rollback()).isNull();
        assertThat(second.error()).contains("held back").contains("1 time(s)").contains("rollBackAtMost allows (1 in 60 min)");
        assertThat(Files.readString(file)).isEqualTo("v2");
        assertThat(restarted.rollbacks()).hasSize(1);
        assertThat(restarted.history()).extracting(Report::kind).containsExactly("watch", "rollback", "watch");
        assertThat(restarted.history().get(0)).isEqualTo(second);
        assertThat(events(RollbackEvent.Type.TRIGGER_FIRED)).last()
                .satisfies(e -> assertThat(e.message()).contains("held back").contains("a person must decide"));

        clock.advance(Duration.ofMinutes(55)); // the first automatic rollback is now more than an hour ago
        WatchReport third = dog(restarted, before).rollBackWhen(Trigger.consecutiveFailures(2))
                .rollBackAtMost(1, Duration.ofHours(1)).watchFor(Duration.ofMinutes(30)).run();
        assertThat(third.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(restarted.activity()).filteredOn(e -> e.what().equals("watchdog-rollback")).hasSize(2);
    }

    @Test
    void shouldWatchTheRestoredReleaseAndTellInsteadOfRollingBackAgain() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        server.statuses(503); // v1 fails too: the cause is elsewhere

        WatchReport r = dog(plan, before).rollBackWhen(Trigger.consecutiveFailures(2))
                .watchFor(Duration.ofMinutes(30)).thenWatchFor(Duration.ofMinutes(10)).run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.STILL_FAILING);
        assertThat(r.rollback().isSuccessful()).isTrue();
        assertThat(r.afterRollback()).contains("fired again on the restored release").contains("not rolled back again");
        assertThat(plan.rollbacks()).singleElement().isEqualTo(r.rollback());
        assertThat(plan.history()).containsExactly(r.rollback(), r); // the rollback started after the watch
        assertThat(Files.readString(file)).isEqualTo("v1");
        assertThat(r.probesMade()).isEqualTo(4);
        assertThat(events(RollbackEvent.Type.TRIGGER_FIRED)).hasSize(2);
        assertThat(r.toMarkdown()).contains("After the rollback:");
    }

    @Test
    void shouldSayTheRestoredReleaseStayedHealthy() throws IOException {
        RollbackPlan plan = plan();
        RestorePoint before = deploy(plan);
        server.statuses(503, 503, 200);

        WatchReport r = dog(plan, before).rollBackWhen(Trigger.consecutiveFailures(2))
                .watchFor(Duration.ofMinutes(30)).thenWatchFor(Duration.ofMinutes(5)).run();

        assertThat(r.outcome()).isEqualTo(WatchReport.Outcome.ROLLED_BACK);
        assertThat(r.afterRollback()).isEqualTo("healthy for 5 min");
        assertThat(r.probesMade()).isEqualTo(2 + 11);
        assertThatThrownBy(() -> dog(plan, before).rollBackAtMost(0, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 rollback");
        assertThatThrownBy(() -> dog(plan, before).thenWatchFor(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("thenWatchFor");
    }
}
