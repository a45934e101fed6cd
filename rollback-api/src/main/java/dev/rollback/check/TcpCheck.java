package dev.rollback.check;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.StepContext;
import dev.rollback.spi.Durations;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A health check that a TCP port accepts connections: each attempt opens a connection from the
 * machine that runs the plan and closes it at once, without sending anything. Each connection may
 * take {@link #attemptTimeout} (default 5 s), less when the overall timeout is nearer.
 *
 * <p>An attempt records whether it connected and how long it took on the plan's clock.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * HealthCheck.tcp("127.0.0.1", 5432).attempts(5).every(Duration.ofMillis(200))
 * }</pre>
 */
public final class TcpCheck implements HealthCheck {

    /** The connect timeout of a check that does not set one. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final String host;
    private final int port;
    private final Duration attemptTimeout;
    private final Retry retry;

    private TcpCheck(String name, String host, int port, Duration attemptTimeout, Retry retry) {
        this.name = name;
        this.host = host;
        this.port = port;
        this.attemptTimeout = attemptTimeout;
        this.retry = retry;
    }

    static TcpCheck of(String host, int port) {
        if (host == null || host.isBlank() || host.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("TCP check: expected a host name or address, found "
                    + (host == null ? "null" : "'" + host + "'") + "; give one such as \"127.0.0.1\"");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("TCP check of " + host + ": expected a port from 1 to 65535, found "
                    + port + "; give the port the service listens on, such as 5432");
        }
        return new TcpCheck(null, host, port, DEFAULT_ATTEMPT_TIMEOUT, Retry.ONCE);
    }

    /** The check's name: by default {@code TCP host:port}. */
    @Override
    public String name() {
        return name != null ? name : "TCP " + address();
    }

    @Override
    public Retry retry() {
        return retry;
    }

    /** This check giving each connection at most {@code limit} (positive); 5 s by default. */
    public TcpCheck attemptTimeout(Duration limit) {
        return new TcpCheck(name, host, port, Texts.requirePositive(limit, "TCP check '" + name() + "': attemptTimeout"),
                retry);
    }

    @Override
    public TcpCheck named(String newName) {
        return new TcpCheck(Texts.requireName(newName), host, port, attemptTimeout, retry);
    }

    @Override
    public TcpCheck attempts(int n) {
        return new TcpCheck(name, host, port, attemptTimeout, retry.withAttempts(n));
    }

    @Override
    public TcpCheck every(Duration interval) {
        return new TcpCheck(name, host, port, attemptTimeout, retry.withInterval(interval));
    }

    @Override
    public TcpCheck timeout(Duration timeout) {
        return new TcpCheck(name, host, port, attemptTimeout, retry.withTimeout(timeout));
    }

    /** Connects up to the given number of times, recording each attempt. */
    @Override
    public CheckResult run(StepContext ctx) throws Exception {
        return Attempts.run(ctx, name(), retry, attemptTimeout, limit -> connect(ctx.clock(), limit));
    }

    private Attempts.Seen connect(Clock clock, Duration limit) {
        Instant start = clock.instant();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, limit.toMillis()));
            return Attempts.Seen.pass("connected to " + address() + " in " + Durations.compact(Duration.between(start,
                    clock.instant())));
        } catch (SocketTimeoutException e) {
            return Attempts.Seen.fail("no connection to " + address() + " within " + Durations.compact(limit));
        } catch (IOException e) {
            return Attempts.Seen.fail("no connection to " + address() + ": " + Attempts.describe(e));
        }
    }

    private String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The check in one line. */
    @Override
    public String toString() {
        return "TcpCheck[" + name() + ", " + retry + "]";
    }
}
