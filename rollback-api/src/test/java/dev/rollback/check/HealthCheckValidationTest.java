package dev.rollback.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HealthCheckValidationTest {

    final URI health = URI.create("http://127.0.0.1:8000/health");

    @Test
    void shouldRejectZeroAttempts() {
        assertThatThrownBy(() -> HealthCheck.http(health).attempts(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attempts: expected at least 1, found 0; give the number of tries, such as attempts(10)");
    }

    @Test
    void shouldRejectANegativeIntervalAndANonPositiveTimeout() {
        assertThatThrownBy(() -> HealthCheck.tcp("127.0.0.1", 5432).every(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("interval: expected zero or a positive duration, found PT-1S");
        assertThatThrownBy(() -> HealthCheck.command("true").timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("timeout: expected a positive duration, found PT0S");
        assertThat(HealthCheck.command("true").every(Duration.ZERO).retry().interval()).isZero();
    }

    @Test
    void shouldRejectAUriThatIsNotHttpAndMaskItsPassword() {
        assertThatThrownBy(() -> HealthCheck.http(URI.create("ftp://deploy:hunter2@127.0.0.1/health")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HTTP check of ftp://deploy:****@127.0.0.1/health: expected an http or https URI, found "
                        + "scheme 'ftp'; give one such as http://127.0.0.1:8000/health");
        assertThatThrownBy(() -> HealthCheck.http(URI.create("127.0.0.1/health")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found no scheme");
        assertThatThrownBy(() -> HealthCheck.http(URI.create("http:/health")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a host name, found none");
        assertThatThrownBy(() -> HealthCheck.http(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("HTTP check: expected a URI, found null");
    }

    @Test
    void shouldRejectAPortOutsideOneTo65535AndABlankHost() {
        assertThatThrownBy(() -> HealthCheck.tcp("127.0.0.1", 70000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TCP check of 127.0.0.1: expected a port from 1 to 65535, found 70000; give the port the "
                        + "service listens on, such as 5432");
        assertThatThrownBy(() -> HealthCheck.tcp("127.0.0.1", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HealthCheck.tcp(" ", 80))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a host name or address");
    }

    @Test
    void shouldRejectANullPatternFileOrMarkForALogScan() {
        Path log = Path.of("logs/gestima.log");
        assertThatThrownBy(() -> HealthCheck.logScan(log, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("log scan of logs/gestima.log: expected an error pattern, found null; give one such as "
                        + "Pattern.compile(\"ERROR|Traceback\")");
        assertThatThrownBy(() -> HealthCheck.logScan(null, Pattern.compile("ERROR")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("log scan: expected a log file");
        assertThatThrownBy(() -> HealthCheck.logScan(log, Pattern.compile("ERROR"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a mark, found null");
        LogMark other = new LogMark(Path.of("logs/other.log"), 0, LogMark.tailHash(new byte[0], 0),
                java.time.Instant.EPOCH);
        assertThatThrownBy(() -> HealthCheck.logScan(log, Pattern.compile("ERROR"), other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a mark of that file, found a mark of logs/other.log");
    }

    @Test
    void shouldRejectBadExpectationsOfAnHttpCheck() {
        HttpCheck check = HealthCheck.http(health);
        assertThatThrownBy(() -> check.expectStatus(700))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HTTP check 'GET http://127.0.0.1:8000/health': expected an HTTP status from 100 to 599, "
                        + "found 700; give one such as expectStatus(200)");
        assertThatThrownBy(() -> check.bodyContains("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> check.bodyDoesNotContain(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> check.jsonField("checks..db", "ok"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a JSON field path");
        assertThatThrownBy(() -> check.jsonField("status", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> check.latencyBelow(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latencyBelow: expected a positive");
        assertThatThrownBy(() -> check.attemptTimeout(Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRejectAnEmptyCommandAndABlankName() {
        assertThatThrownBy(() -> HealthCheck.command()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found an empty argv");
        assertThatThrownBy(() -> HealthCheck.command("systemctl", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument 1 is null");
        assertThatThrownBy(() -> HealthCheck.command("true").named(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("check name: expected 1 to 200 printable characters, found ' '");
    }

    @Test
    void shouldLeaveTheOriginalUnchangedWhenConfiguringACopy() {
        HttpCheck base = HealthCheck.http(health);

        HttpCheck retried = base.attempts(10).every(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(30))
                .expectStatus(200).named("health");

        assertThat(base.retry()).isEqualTo(Retry.ONCE);
        assertThat(base.name()).isEqualTo("GET http://127.0.0.1:8000/health");
        assertThat(retried.retry()).isEqualTo(new Retry(10, Duration.ofSeconds(1), Duration.ofSeconds(30)));
        assertThat(retried.name()).isEqualTo("health");
        assertThat(retried.toString()).isEqualTo("HttpCheck[health, status 200, Retry[attempts=10, interval=PT1S, "
                + "timeout=PT30S]]");
    }
}
