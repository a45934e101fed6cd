package dev.rollback.check;

import dev.rollback.spi.Check;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A check that proves a system recovered, made by one of the factories here: an HTTP endpoint
 * ({@link #http}), a TCP port ({@link #tcp}), a command's exit status ({@link #command}), or a log
 * free of error lines since the rollback began ({@link #logScan}).
 *
 * <p>Each check makes up to {@link Retry#attempts()} attempts, {@link Retry#interval()} apart, and
 * starts none past {@link Retry#timeout()}; it passes at the first passing attempt. Time comes from
 * the plan's clock and waiting from its sleeper, never the system clock or {@code Thread.sleep}, so
 * tests drive retries without waiting. Every attempt is recorded, with what it saw, in the {@link
 * dev.rollback.spi.CheckResult}'s history, and so in the report. Observations never show a URI's password.
 *
 * <p>HTTP and TCP checks connect from the machine that runs the plan; command and log checks run on
 * the plan's {@link dev.rollback.host.Host}.
 *
 * <p>Checks are immutable and thread-safe: every {@code withX}-style method returns a new check and
 * validates its argument at once ({@link IllegalArgumentException} with what was expected).
 *
 * <pre>{@code
 * Rollback.plan("gestima")
 *     ...
 *     .verify(HealthCheck.http(URI.create("http://127.0.0.1:8000/health"))
 *         .expectStatus(200).jsonField("status", "ok").latencyBelow(Duration.ofMillis(500))
 *         .attempts(10).every(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(30)))
 *     .verify(HealthCheck.tcp("127.0.0.1", 5432).attempts(5).every(Duration.ofMillis(200)))
 *     .verify(HealthCheck.command("systemctl", "is-active", "gestima"))
 *     .verify(HealthCheck.logScan(Path.of("logs/gestima.log"), Pattern.compile("ERROR|Traceback")))
 *     .build();
 * }</pre>
 */
public sealed interface HealthCheck extends Check permits HttpCheck, TcpCheck, CommandCheck, LogScan {

    /**
     * A check of an HTTP or HTTPS endpoint, by {@code GET}. By default it passes on any 2xx status;
     * add expectations with the methods of {@link HttpCheck}.
     *
     * @throws IllegalArgumentException if the URI is not absolute http or https with a host
     */
    static HttpCheck http(URI uri) {
        return HttpCheck.of(uri);
    }

    /**
     * A check that a TCP port accepts connections.
     *
     * @throws IllegalArgumentException if the host is blank or the port is not 1 to 65535
     */
    static TcpCheck tcp(String host, int port) {
        return TcpCheck.of(host, port);
    }

    /**
     * A check that a command exits 0, run through the plan's host (argv only, never a shell).
     *
     * @throws IllegalArgumentException if argv is empty or holds a null or NUL
     */
    static CommandCheck command(String... argv) {
        return CommandCheck.of(argv);
    }

    /**
     * A check that no line written to {@code file} since the rollback began matches {@code pattern}.
     * The check notes the length of the file when the rollback begins (see {@link
     * dev.rollback.spi.Check#begin}) and reads only what was written after it; see {@link LogScan}.
     *
     * @throws IllegalArgumentException if the file or the pattern is null
     */
    static LogScan logScan(Path file, Pattern pattern) {
        return LogScan.of(file, pattern, null);
    }

    /**
     * A check that a line written to {@code file} since the check began matches {@code pattern}:
     * the line a service logs once it is ready ("Listening on", "Booted"). Begun by a {@link
     * dev.rollback.targets.Service#readyWhen readiness wait} as the service's start begins, or by
     * the engine as a rollback begins, it counts only lines written after that moment; run without
     * beginning, it reads the whole file. Give it attempts and an interval to wait for the line.
     *
     * @throws IllegalArgumentException if the file or the pattern is null
     */
    static LogScan logLine(Path file, Pattern pattern) {
        return LogScan.expecting(file, pattern);
    }

    /**
     * A check that no line written to {@code file} after the mark {@code since} matches {@code
     * pattern}; take the mark with {@link LogMark#take}.
     *
     * @throws IllegalArgumentException if an argument is null or the mark is of another file
     */
    static LogScan logScan(Path file, Pattern pattern, LogMark since) {
        if (since == null) {
            throw new IllegalArgumentException("log scan of " + file + ": expected a mark, found null; take one "
                    + "with LogMark.take(host, file, clock), or use logScan(file, pattern) to scan from the "
                    + "rollback's start");
        }
        return LogScan.of(file, pattern, since);
    }

    /** How this check retries. */
    Retry retry();

    /** The attempts of {@link #retry()}. */
    @Override
    default int attemptsPerRun() {
        return retry().attempts();
    }

    /** This check under another name, shown in reports. */
    HealthCheck named(String name);

    /** This check making at most {@code n} attempts (at least 1). */
    HealthCheck attempts(int n);

    /** This check waiting {@code interval} (zero or more) after a failed attempt. */
    HealthCheck every(Duration interval);

    /** This check starting no attempt past {@code timeout} (positive) from its first attempt. */
    HealthCheck timeout(Duration timeout);
}
