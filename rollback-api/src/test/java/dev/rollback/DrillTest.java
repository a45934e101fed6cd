package dev.rollback;

import dev.rollback.spi.CheckResult;

import dev.rollback.spi.Check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.DrillReport.Stage;
import dev.rollback.check.HealthCheck;
import dev.rollback.testing.FileTarget;
import dev.rollback.support.FileServer;
import dev.rollback.testing.TestClock;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrillTest {

    static final Duration ANSWER = Duration.ofMillis(40);
    static final Duration DEPLOY = Duration.ofSeconds(3);
    static final byte[] HOME = "<h1>Shop v1.0.0</h1>\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    Path page;
    Path orders;
    FileServer http;

    @BeforeEach
    void start() throws IOException {
        page = dir.resolve("www").resolve("index.html");
        orders = dir.resolve("data").resolve("orders.csv");
        Files.createDirectories(page.getParent());
        Files.createDirectories(orders.getParent());
        Files.write(page, HOME);
        Files.writeString(orders, "1,apples\n2,pears\n3,plums\n");
        // a real web server on 127.0.0.1 serving the page the plan restores; each answer takes 40 ms by the clock
        http = FileServer.serving(page, clock, ANSWER, content -> false);
    }

    @AfterEach
    void stop() {
        http.close();
    }

    URI uri() {
        return http.uri();
    }

    /** A plan of the page alone; the orders are data the rollback must not touch. */
    RollbackPlan plan() {
        return Rollback.plan("shop").store(dir.resolve("store")).clock(clock).sleeper(clock::advance)
                .target(new FileTarget("page", page))
                .verify(HealthCheck.http(uri()).bodyContains("v1.0.0"))
                .build();
    }

    long countOrders() throws IOException {
        return Files.readAllLines(orders).size();
    }

    Drill.Change banner() {
        return ctx -> {
            clock.advance(DEPLOY);
            Files.writeString(page, "<h1>DRILL " + ctx.drillId() + "</h1>\n");
        };
    }

    @Test
    void shouldPassRecordEveryStageAndDeleteItsPointsWhenTheChangeShowsAndIsGoneAfterTheRollback() throws Exception {
        RollbackPlan plan = plan();
        Instant start = clock.instant();

        DrillReport r = Drill.of(plan)
                .change("deploy the test banner", banner())
                .shows(HealthCheck.http(uri()).bodyContains("DRILL"))
                .thenGone(HealthCheck.http(uri()).bodyContains("v1.0.0").bodyDoesNotContain("DRILL"))
                .keeps(Check.of("orders intact", () -> countOrders() == 3))
                .run();

        assertThat(r.passed()).isTrue();
        assertThat(r.outcome()).isEqualTo(DrillReport.Outcome.PASSED);
        assertThat(r.failedStage()).isNull();
        assertThat(r.reason()).isNull();
        assertThat(Files.readAllBytes(page)).isEqualTo(HOME);
        assertThat(countOrders()).isEqualTo(3);
        assertThat(r.pointLabel()).isEqualTo("drill " + r.drillId());
        assertThat(r.stages()).extracting(DrillReport.StageRecord::stage)
                .containsExactly(Stage.CAPTURE, Stage.CHANGE, Stage.SHOWS, Stage.ROLLBACK, Stage.AFTER, Stage.CLEANUP);
        assertThat(r.stages()).allMatch(DrillReport.StageRecord::passed);
        assertThat(r.stage(Stage.CHANGE).orElseThrow().took()).isEqualTo(DEPLOY);
        assertThat(r.stage(Stage.SHOWS).orElseThrow().took()).isEqualTo(ANSWER);
        assertThat(r.stage(Stage.AFTER).orElseThrow().took()).isEqualTo(ANSWER);
        assertThat(r.stage(Stage.ROLLBACK).orElseThrow().took()).isEqualTo(r.rollback().timeToRecover())
                .isEqualTo(ANSWER); // the plan's own verify: one request
        assertThat(r.timeToRecover()).contains(ANSWER);
        assertThat(r.startedAt()).isEqualTo(start);
        assertThat(r.total()).isEqualTo(DEPLOY.plus(ANSWER.multipliedBy(3)));
        assertThat(r.rollback().isSuccessful()).isTrue();
        assertThat(r.rollback().pointId()).isEqualTo(r.pointId());
        assertThat(r.shown()).singleElement().satisfies(c -> assertThat(c.passed()).isTrue());
        assertThat(r.gone()).singleElement().satisfies(c -> assertThat(c.passed()).isTrue());
        assertThat(r.kept()).singleElement().satisfies(c -> assertThat(c.name()).isEqualTo("orders intact"));
        assertThat(r.checks()).hasSize(3).allMatch(CheckResult::passed);
        assertThat(r.deletedPoints()).containsExactly(r.pointId(), r.rollback().setAsidePointId());
        assertThat(r.keptPoints()).isEmpty();
        assertThat(r.problems()).isEmpty();
        assertThat(plan.restorePoints()).isEmpty();
        assertThat(plan.rollbacks()).containsExactly(r.rollback()); // the rollback's report stays in the plan's history
        assertThat(plan.history()).containsExactly(r.rollback(), r); // with the drill's, newest first
        assertThat(r.toMarkdown())
                .contains("# Rollback drill: shop")
                .contains("- **Outcome:** PASSED")
                .contains("| CHANGE | " + start + " | 3.0 s | ok | applied 'deploy the test banner' |")
                .contains("| change shows | GET " + uri())
                .contains("| data kept | orders intact | passed |")
                .contains("## Rollback incident report: shop");
    }

    @Test
    void shouldFailAtShowsAndStillRollBackByteForByteWhenTheChangeDoesNotShow() throws Exception {
        RollbackPlan plan = plan();

        DrillReport r = Drill.of(plan)
                .change("deploy the test banner", banner())
                .shows(HealthCheck.http(uri()).bodyContains("MAINTENANCE"))
                .run();

        assertThat(r.outcome()).isEqualTo(DrillReport.Outcome.FAILED);
        assertThat(r.failedStage()).isEqualTo(Stage.SHOWS);
        assertThat(r.reason()).startsWith("the change does not show: check 'GET " + uri())
                .contains("MAINTENANCE");
        assertThat(r.rollback().isSuccessful()).isTrue();
        assertThat(Files.readAllBytes(page)).isEqualTo(HOME);
        assertThat(r.stages()).extracting(DrillReport.StageRecord::stage)
                .containsExactly(Stage.CAPTURE, Stage.CHANGE, Stage.SHOWS, Stage.ROLLBACK, Stage.CLEANUP);
        assertThat(plan.restorePoints()).isEmpty();
        assertThat(r.toMarkdown()).contains("- **Outcome:** FAILED at SHOWS: the change does not show");
    }

    @Test
    void shouldFailAtChangeAndRollBackAllTheSameWhenTheChangeThrows() throws Exception {
        RollbackPlan plan = plan();

        DrillReport r = Drill.of(plan)
                .change("deploy the test banner", ctx -> {
                    Files.writeString(page, "<h1>DRI"); // half written
                    throw new IOException("disk full");
                })
                .shows(HealthCheck.http(uri()).bodyContains("DRILL"))
                .run();

        assertThat(r.failedStage()).isEqualTo(Stage.CHANGE);
        assertThat(r.reason()).contains("'deploy the test banner'").contains("disk full").contains("rolled back");
        assertThat(r.shown()).isEmpty(); // nothing to look for
        assertThat(r.rollback().isSuccessful()).isTrue();
        assertThat(Files.readAllBytes(page)).isEqualTo(HOME);
        assertThat(plan.restorePoints()).isEmpty();
    }

    @Test
    void shouldFailNamingTheKeepsCheckAndKeepThePointsWhenTheRollbackLosesData() throws Exception {
        // the orders are part of the plan: a rollback restores them to the capture, losing later orders
        RollbackPlan plan = Rollback.plan("shop").store(dir.resolve("store")).clock(clock).sleeper(clock::advance)
                .target(new FileTarget("page", page))
                .target(new FileTarget("orders", orders))
                .build();

        DrillReport r = Drill.of(plan)
                .change("deploy the test banner while a customer orders", ctx -> {
                    Files.writeString(page, "<h1>DRILL " + ctx.drillId() + "</h1>\n");
                    Files.writeString(orders, "4,figs\n", java.nio.file.StandardOpenOption.APPEND);
                })
                .shows(HealthCheck.http(uri()).bodyContains("DRILL"))
                .keeps(Check.of("order 4 kept", () -> countOrders() == 4))
                .run();

        assertThat(r.failedStage()).isEqualTo(Stage.AFTER);
        assertThat(r.reason()).contains("check 'order 4 kept' failed: condition does not hold");
        assertThat(r.rollback().isSuccessful()).isTrue();
        assertThat(Files.readAllBytes(page)).isEqualTo(HOME);
        // the lost order is in the set-aside point, which the drill keeps
        String aside = r.rollback().setAsidePointId();
        assertThat(r.keptPoints()).containsExactly(r.pointId(), aside);
        assertThat(r.deletedPoints()).isEmpty();
        assertThat(plan.restorePoints()).extracting(RestorePoint::id).contains(r.pointId(), aside);
        Path saved = plan.store().artifactDir(plan.store().get(aside), "orders").resolve("content");
        assertThat(Files.readString(saved)).endsWith("4,figs\n");
    }

    @Test
    void shouldKeepItsPointsWhenAsked() {
        RollbackPlan plan = plan();

        DrillReport r = Drill.of(plan).change("deploy the test banner", banner())
                .shows(HealthCheck.http(uri()).bodyContains("DRILL")).keepPoints().run();

        assertThat(r.passed()).isTrue();
        assertThat(r.deletedPoints()).isEmpty();
        assertThat(plan.restorePoints()).extracting(RestorePoint::id)
                .containsExactlyInAnyOrder(r.pointId(), r.rollback().setAsidePointId());
    }

    @Test
    void shouldReadBackTheSameReportFromJson() {
        DrillReport r = Drill.of(plan()).change("deploy the test banner", banner())
                .shows(HealthCheck.http(uri()).bodyContains("DRILL"))
                .keeps(Check.of("orders intact", () -> countOrders() == 3)).run();

        DrillReport back = DrillReport.fromJson(r.toJson());

        assertThat(back).isEqualTo(r);
        assertThat(back.toMarkdown()).isEqualTo(r.toMarkdown());
    }

    @Test
    void shouldRefuseADrillWithoutAChangeOrACheckBeforeCapturingAnything() {
        RollbackPlan plan = plan();

        assertThatThrownBy(() -> Drill.of(plan).shows(HealthCheck.http(uri()).bodyContains("DRILL")).run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("drill of plan 'shop'").hasMessageContaining("expected a change to apply");
        assertThatThrownBy(() -> Drill.of(plan).change("deploy the test banner", banner()).run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected at least one check that the change 'deploy the test banner' shows");
        assertThatThrownBy(() -> Drill.of(plan).change("one", banner()).change("two", banner()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected one change");
        assertThatThrownBy(() -> Drill.of(plan).change(" ", banner()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found a blank name");
        assertThatThrownBy(() -> Drill.of(plan).keeps(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keeps: expected a check");
        assertThatThrownBy(() -> Drill.of(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a plan");
        assertThat(plan.restorePoints()).isEmpty();
        assertThat(List.of(page, orders)).allSatisfy(f -> assertThat(f).exists());
    }
}
