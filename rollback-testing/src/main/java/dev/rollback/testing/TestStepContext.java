package dev.rollback.testing;

import dev.rollback.spi.Phase;
import dev.rollback.RestorePoint;
import dev.rollback.spi.StepContext;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The context a check or step gets inside a plan, for running one directly in a test: the local host
 * (or one given), a {@link TestClock}, and a sleeper that advances the clock instead of waiting (and may
 * do one more thing, such as start a server), so retries take clock time and no real time.
 *
 * <p>Thread-safe for the recording lists; {@link #whileSleeping(Runnable)} is meant to be set before
 * the check runs.
 *
 * <pre>{@code
 * TestStepContext ctx = new TestStepContext();
 * CheckResult r = HealthCheck.tcp("127.0.0.1", port).attempts(3).every(Duration.ofSeconds(1)).run(ctx);
 * assertThat(ctx.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
 * }</pre>
 */
public final class TestStepContext implements StepContext {

    private final TestClock clock = new TestClock();
    private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
    private final List<String> progress = Collections.synchronizedList(new ArrayList<>());
    private final Host host;
    private volatile Runnable whileSleeping = () -> {};

    /** A context on this machine ({@link Hosts#local()}). */
    public TestStepContext() {
        this(Hosts.local());
    }

    /** A context on the given host. */
    public TestStepContext(Host host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    /** Runs {@code action} each time a step sleeps, after the clock has moved on. */
    public TestStepContext whileSleeping(Runnable action) {
        this.whileSleeping = Objects.requireNonNull(action, "action");
        return this;
    }

    /** The clock the step sees; advance it to make time pass. */
    public TestClock testClock() {
        return clock;
    }

    /** Every sleep the step asked for, in order. */
    public List<Duration> sleeps() {
        return sleeps;
    }

    /** Every progress message the step reported, in order. */
    public List<String> progressMessages() {
        return progress;
    }

    @Override
    public String plan() {
        return "checks";
    }

    @Override
    public String rollbackId() {
        return "rb-test";
    }

    /** Checks run directly have no restore point: {@code null}. */
    @Override
    public RestorePoint point() {
        return null;
    }

    @Override
    public Phase phase() {
        return Phase.VERIFY;
    }

    @Override
    public Host host() {
        return host;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public void sleep(Duration duration) {
        sleeps.add(duration);
        clock.advance(duration);
        whileSleeping.run();
    }

    @Override
    public void progress(String message) {
        progress.add(message);
    }
}
