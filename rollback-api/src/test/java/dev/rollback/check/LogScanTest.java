package dev.rollback.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.spi.Check;
import dev.rollback.spi.CheckResult;
import dev.rollback.testing.TestStepContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogScanTest {

    static final Pattern ERRORS = Pattern.compile("ERROR|Traceback");

    @TempDir
    Path dir;

    final TestStepContext ctx = new TestStepContext();

    Path log() {
        return dir.resolve("gestima.log");
    }

    void append(String... lines) throws IOException {
        Files.writeString(log(), String.join("\n", lines) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    @Test
    void shouldIgnoreErrorsWrittenBeforeTheRollbackBeganAndPassWhenNoneFollow() throws Exception {
        append("INFO: Started server process [411]", "ERROR sqlite3.OperationalError: no such column: parts.v2_flag");
        LogScan scan = HealthCheck.logScan(log(), ERRORS);

        Check begun = scan.begin(ctx);
        ctx.testClock().advance(Duration.ofSeconds(40));
        append("INFO: Shutting down", "INFO: Started server process [523]", "INFO: Application startup complete.");
        CheckResult result = begun.run(ctx);

        assertThat(result.passed()).isTrue();
        assertThat(result.name()).isEqualTo("log " + log() + " has no /ERROR|Traceback/");
        assertThat(result.detail()).isEqualTo("no line matching /ERROR|Traceback/ among 3 lines of " + log()
                + " written since 2026-11-21T03:00:00Z (after byte 97)");
        assertThat(((LogScan) begun).since().offset()).isEqualTo(97);
        assertThat(scan.since()).isNull();
    }

    @Test
    void shouldFailWithTheMatchingLinesAndTheirNumbersWhenErrorsFollowTheMark() throws Exception {
        append("INFO: boot", "ERROR old failure of the bad release");
        Check begun = HealthCheck.logScan(log(), ERRORS).begin(ctx);
        append("INFO: Started server process [523]", "ERROR database is locked", "Traceback (most recent call last):",
                "  File \"app/main.py\", line 12", "ERROR again", "ERROR and again");
        byte[] before = Files.readAllBytes(log());

        CheckResult result = begun.run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).isEqualTo("4 lines matching /ERROR|Traceback/ in " + log()
                + " written since 2026-11-21T03:00:00Z (after byte 48): line 4: 'ERROR database is locked'; "
                + "line 5: 'Traceback (most recent call last):'; line 7: 'ERROR again'; and 1 more; expected none");
        assertThat(Files.readAllBytes(log())).isEqualTo(before);
    }

    @Test
    void shouldReadTheWholeFileWhenItWasRotatedSinceTheMark() throws Exception {
        append("INFO: a long line written by the bad release before the rollback began", "INFO: and another");
        Check begun = HealthCheck.logScan(log(), ERRORS).begin(ctx);
        Files.move(log(), dir.resolve("gestima.log.1"));
        append("ERROR boot failed");

        CheckResult result = begun.run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).contains("(the whole file: it is shorter than at the mark of 2026-11-21T03:00:00Z, "
                + "so it was rotated or truncated): line 1: 'ERROR boot failed'");
    }

    @Test
    void shouldReadTheWholeFileWhenItWasReplacedByALongerOneSinceTheMark() throws Exception {
        append("INFO: short");
        Check begun = HealthCheck.logScan(log(), ERRORS).begin(ctx);
        Files.delete(log());
        append("ERROR first line of a new file", "INFO: now longer than the old file was");

        CheckResult result = begun.run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).contains("(the whole file: it was replaced since the mark", "line 1: 'ERROR first line");
    }

    @Test
    void shouldCountAllOfAFileThatDidNotExistWhenTheRollbackBegan() throws Exception {
        Check begun = HealthCheck.logScan(log(), ERRORS).begin(ctx);
        append("ERROR on the first start");

        CheckResult result = begun.run(ctx);

        assertThat(((LogScan) begun).since().offset()).isZero();
        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).contains("line 1: 'ERROR on the first start'");
    }

    @Test
    void shouldFailEachAttemptWhileTheLogFileIsMissingAndPassOnceItAppearsClean() throws Exception {
        ctx.whileSleeping(() -> {
            try {
                append("INFO: Application startup complete.");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        CheckResult result = HealthCheck.logScan(log(), ERRORS).attempts(3).every(Duration.ofSeconds(5)).run(ctx);

        assertThat(result.passed()).isTrue();
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(result.history().get(0).observed()).isEqualTo("expected the log file " + log()
                + " on local, found nothing there");
        assertThat(result.took()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldScanTheWholeFileWhenRunWithoutAMark() throws Exception {
        append("INFO: boot", "ERROR from long ago");

        CheckResult result = HealthCheck.logScan(log(), ERRORS).run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).contains("in " + log() + " (the whole file): line 2: 'ERROR from long ago'");
    }

    @Test
    void shouldReadFromAGivenMarkAndKeepItWhenTheRollbackBegins() throws Exception {
        append("ERROR before the drill");
        LogMark mark = LogMark.take(ctx.host(), log(), ctx.clock());
        append("INFO: drill change visible");
        LogScan scan = HealthCheck.logScan(log(), ERRORS, mark);

        assertThat(scan.begin(ctx)).isSameAs(scan);
        assertThat(scan.run(ctx).passed()).isTrue();
        append("ERROR after the drill");
        assertThat(scan.run(ctx).detail()).contains("line 3: 'ERROR after the drill'");
    }

    @Test
    void shouldMatchLinesEndingInCarriageReturnsAndALastLineWithoutNewline() throws Exception {
        Files.writeString(log(), "INFO: ok\r\nWARN: slow\r\nERROR: half-written");

        CheckResult result = HealthCheck.logScan(log(), Pattern.compile("ERROR: half-written$")).run(ctx);

        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).contains("line 3: 'ERROR: half-written'");
    }
}
