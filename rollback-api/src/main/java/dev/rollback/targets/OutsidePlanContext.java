package dev.rollback.targets;

import dev.rollback.spi.Phase;
import dev.rollback.spi.PointInfo;
import dev.rollback.spi.StepContext;
import dev.rollback.host.Host;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The context of a {@link Service#start(Host)} or {@link Service#stop(Host)} called outside any plan
 * (a deploy tool's own start, a drill's): the system clock and sleeper, no restore point, no
 * listeners. Inside a plan a service's steps ({@link Service#stopping()}, {@link Service#starting()},
 * {@link Service#restarting()}) never use it: they run in the step context the engine gives them,
 * with the plan's clock and sleeper.
 *
 * <p>Immutable; used by one thread at a time, like every step context.
 */
final class OutsidePlanContext implements StepContext {

    private final Host host;

    OutsidePlanContext(Host host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    @Override
    public String plan() {
        return "(no plan)";
    }

    @Override
    public String rollbackId() {
        return "(none)";
    }

    @Override
    public PointInfo point() {
        return null;
    }

    @Override
    public Phase phase() {
        return Phase.START;
    }

    @Override
    public Host host() {
        return host;
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
    }

    @Override
    public void progress(String message) {
        // no listeners outside a plan
    }
}
