package dev.rollback.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.spi.Check;
import dev.rollback.spi.CheckAttempt;
import dev.rollback.spi.CheckResult;
import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.spi.StepContext;
import dev.rollback.StepRecord;
import dev.rollback.StepStatus;
import dev.rollback.spi.Step;
import dev.rollback.check.HealthServer.Answer;
import dev.rollback.testing.MemoryTarget;
import dev.rollback.testing.TestClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthCheckInPlanTest {

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final MemoryTarget code = new MemoryTarget("code", "v1", calls);
    HealthServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = new HealthServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    Path log() {
        return dir.resolve("app.log");
    }

    void append(String line) {
        try {
            Files.writeString(log(), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    RollbackPlan plan(String startLogLine) {
        return Rollback.plan("app").store(dir.resolve("store")).clock(clock).sleeper(clock::advance)
                .stop(Step.of("stop app", ctx -> append("INFO: Shutting down")))
                .target(code)
                .start(Step.of("start app", ctx -> {
                    append(startLogLine);
                    server.answer(Answer.of(503, "starting"), Answer.of(503, "starting"),
                            Answer.of(200, "{\"status\":\"ok\",\"checks\":{\"db\":\"ok\"}}"));
                }))
                .verify(HealthCheck.http(server.uri("/health")).expectStatus(200).jsonField("checks.db", "ok")
                        .attempts(10).every(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(30)))
                .verify(HealthCheck.command("true"))
                .verify(HealthCheck.logScan(log(), Pattern.compile("ERROR|Traceback")))
                .build();
    }

    @Test
    void shouldCarryEveryAttemptOfAHealthCheckIntoTheReport() {
        RollbackPlan plan = plan("INFO: Application startup complete.");
        RestorePoint before = plan.capture("v1");
        code.value = "v2";
        append("ERROR the bad release cannot read parts.v2_flag");
        server.answer(500, "broken");

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(code.value).isEqualTo("v1");
        CheckResult http = report.checks().stream().filter(c -> c.name().startsWith("GET ")).findFirst().orElseThrow();
        assertThat(http.passed()).isTrue();
        assertThat(http.attempts()).isEqualTo(3);
        assertThat(http.took()).isEqualTo(Duration.ofSeconds(2));
        assertThat(http.history()).extracting(CheckAttempt::passed).containsExactly(false, false, true);
        assertThat(http.history().get(0).observed()).contains("status 503", "expected status 200");
        assertThat(report.checks()).extracting(CheckResult::name).containsExactly("verify code",
                "GET http://127.0.0.1:" + server.port() + "/health", "command true",
                "log " + log() + " has no /ERROR|Traceback/");
        assertThat(report.checks()).allMatch(CheckResult::passed);
        // the mark is taken before STOP: the bad release's error is not read, the stop's own line is
        assertThat(report.checks().get(3).detail()).startsWith("no line matching /ERROR|Traceback/ among 2 lines of ");
        assertThat(RollbackReport.fromJson(report.toJson()).checks().get(1).history()).isEqualTo(http.history());
    }

    @Test
    void shouldFailVerificationOnAnErrorLoggedAfterTheRollbackBeganOnly() {
        RollbackPlan plan = plan("ERROR sqlite3.OperationalError: database is locked");
        RestorePoint before = plan.capture("v1");
        append("ERROR the bad release cannot read parts.v2_flag");

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).isEqualTo(Outcome.VERIFICATION_FAILED);
        CheckResult scan = report.checks().get(report.checks().size() - 1);
        assertThat(scan.passed()).isFalse();
        assertThat(scan.detail()).startsWith("1 line matching /ERROR|Traceback/ in " + log() + " written since ")
                .contains("line 3: 'ERROR sqlite3.OperationalError: database is locked'")
                .doesNotContain("parts.v2_flag");
        assertThat(report.steps()).filteredOn(r -> r.status() == StepStatus.FAILED).extracting(StepRecord::name)
                .containsExactly("check log " + log() + " has no /ERROR|Traceback/");
    }

    @Test
    void shouldFailACheckWhoseBeginFailedWithTheReason() {
        Check unready = new Check() {
            @Override
            public String name() {
                return "queue depth";
            }

            @Override
            public Check begin(StepContext ctx) throws IOException {
                throw new IOException("cannot read the queue's depth at the start");
            }

            @Override
            public CheckResult run(StepContext ctx) {
                return CheckResult.passed("queue depth", "never reached");
            }
        };
        RollbackPlan plan = Rollback.plan("app").store(dir.resolve("store")).clock(clock).sleeper(clock::advance)
                .target(code).verify(unready).build();
        RestorePoint before = plan.capture("v1");

        RollbackReport report = plan.rollback(before);

        assertThat(report.outcome()).isEqualTo(Outcome.VERIFICATION_FAILED);
        assertThat(report.checks()).filteredOn(c -> c.name().equals("queue depth")).singleElement()
                .satisfies(c -> assertThat(c.detail()).isEqualTo("IOException: cannot read the queue's depth at the start"));
    }
}
