package dev.rollback.targets;

import dev.rollback.spi.Check;
import dev.rollback.spi.CheckResult;
import dev.rollback.error.RollbackException;
import dev.rollback.spi.StepContext;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.targets.Service.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Stops and starts a {@link Service} and tells its status: the systemd and command forms through
 * their status command, the process form through {@link ServiceProcess}; waits on the context's
 * clock until the status says stopped or running, then for the readiness check.
 *
 * <p>Immutable and thread-safe; each stop or start waits in the calling thread.
 */
final class ServiceLifecycle {

    private final Service service;
    private final ServiceProcess process;

    ServiceLifecycle(Service service) {
        this.service = service;
        this.process = new ServiceProcess(service);
    }

    /** Whether the service is running on {@code host}; see {@link Service#status(Host)}. */
    ServiceStatus status(Host host) {
        Objects.requireNonNull(host, "host");
        if (service.kind == Kind.PROCESS) {
            ServiceProcess.Probe p = process.probe(host);
            return new ServiceStatus(service.name, p.running(), p.detail());
        }
        CommandResult r = service.run(host, service.statusArgv, "status");
        if (r.timedOut()) {
            throw new RollbackException(service.what() + ": expected the status command to answer, found " + r.describe()
                    + "; find why it hangs");
        }
        if (r.exitCode() == 0) {
            return new ServiceStatus(service.name, true, r.describe());
        }
        if (service.kind == Kind.SYSTEMD && r.exitCode() != 3) {
            throw new RollbackException(service.what() + ": cannot tell whether it is running: expected "
                    + "'systemctl is-active' to exit 0 (active) or 3 (inactive), found " + r.describe()
                    + "; check that systemd runs on host " + host.name() + " and that this user may ask it");
        }
        return new ServiceStatus(service.name, false, r.describe());
    }

    void stop(StepContext ctx) throws InterruptedException {
        Host host = ctx.host();
        ServiceStatus now = status(host);
        if (!now.running()) {
            if (service.kind == Kind.PROCESS) {
                host.delete(service.pidFile);
            }
            ctx.progress(service.what() + " is already stopped: " + now.detail());
            return;
        }
        if (service.kind == Kind.PROCESS) {
            process.signal(host, "TERM");
        } else {
            service.requireSuccess(service.run(host, service.stopArgv, "stop"), "stop");
        }
        ServiceStatus after = waitFor(ctx, false);
        if (after.running() && service.kind == Kind.PROCESS) {
            ctx.progress(service.what() + " still runs " + service.timeout.toSeconds() + " s after SIGTERM; sending SIGKILL");
            process.signal(host, "KILL");
            after = waitFor(ctx, false);
        }
        if (after.running()) {
            throw new RollbackException(service.what() + ": expected it to stop within " + service.timeout.toSeconds() + " s"
                    + (service.kind == Kind.PROCESS ? " after SIGKILL" : "") + ", found it still running: " + after.detail()
                    + "; stop it by hand, or raise its timeout, then roll back again");
        }
        if (service.kind == Kind.PROCESS) {
            host.delete(service.pidFile);
        }
        ctx.progress(service.what() + " stopped");
    }

    void start(StepContext ctx) throws InterruptedException {
        Host host = ctx.host();
        ServiceStatus now = status(host);
        if (now.running()) {
            ctx.progress(service.what() + " is already running: " + now.detail());
            return;
        }
        Check ready = null;
        if (service.readiness != null) {
            try {
                // a log line counts only once written after this moment
                ready = service.readiness.begin(ctx);
            } catch (Exception e) {
                throw new RollbackException(service.what() + ": expected to prepare its readiness check '" + service.readiness.name()
                        + "', found: " + e.getMessage() + "; nothing was started; fix the check", e);
            }
            ready = ready == null ? service.readiness : ready;
        }
        if (service.kind == Kind.PROCESS) {
            process.launch(host);
        } else {
            service.requireSuccess(service.run(host, service.startArgv, "start"), "start");
        }
        ServiceStatus after = waitFor(ctx, true);
        if (!after.running()) {
            throw new RollbackException(service.what() + ": expected it to be running within " + service.timeout.toSeconds()
                    + " s of its start, found: " + after.detail() + (service.kind == Kind.PROCESS ? process.logTail(host) : "")
                    + "; read its log, fix the cause and start it by hand");
        }
        ctx.progress(service.what() + " is running: " + after.detail());
        if (ready != null) {
            awaitReady(ctx, ready);
        }
    }

    /** Runs the readiness check (its attempts on the plan's clock); throws with its last observation if it fails. */
    private void awaitReady(StepContext ctx, Check ready) throws InterruptedException {
        CheckResult r;
        try {
            r = ready.run(ctx);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            r = CheckResult.failed(ready.name(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (r == null || !r.passed()) {
            String seen = r == null ? "no result" : r.detail();
            throw new RollbackException(service.what() + ": expected it to be ready (" + ready.name() + ") after its start, found "
                    + "after " + (r == null ? 0 : r.attempts()) + " attempt(s): " + seen + (service.kind == Kind.PROCESS
                    ? process.logTail(ctx.host()) : "") + "; the service runs but does not answer: read its log, or give the "
                    + "check more attempts or a longer timeout");
        }
        ctx.progress(service.what() + " is ready: " + r.detail() + " (" + r.attempts() + " attempt" + (r.attempts() == 1 ? ""
                : "s") + ")");
    }

    /** Asks the status every interval until it says {@code running}, or the timeout passes; returns the last status. */
    private ServiceStatus waitFor(StepContext ctx, boolean running) throws InterruptedException {
        Instant deadline = ctx.clock().instant().plus(service.timeout);
        while (true) {
            ServiceStatus s = status(ctx.host());
            if (s.running() == running) {
                return s;
            }
            Duration left = Duration.between(ctx.clock().instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                return s;
            }
            ctx.sleep(left.compareTo(service.interval) < 0 ? left : service.interval);
        }
    }
}
