package dev.rollback.targets;

import dev.rollback.error.RollbackException;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import dev.rollback.spi.Check;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import dev.rollback.targets.TrafficSwitch.Mode;
import dev.rollback.targets.TrafficState.State;
import java.util.ArrayList;
import java.util.List;

/**
 * The restore of a {@link TrafficSwitch} in its order: the side's check, the switch, the test, the
 * reload, the after-switch check, each failure undoing the switch; and its plan and verify, which
 * say and check the same.
 *
 * <p>Immutable and thread-safe; a restore runs in the calling thread.
 */
final class TrafficMove {

    private final TrafficSwitch sw;
    private final TrafficState state;

    TrafficMove(TrafficSwitch sw) {
        this.sw = sw;
        this.state = new TrafficState(sw);
    }

    List<String> plan(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        State wanted = state.wanted(snapshot, ctx);
        State current = state.read(host);
        String to = snapshot.get("side").orElse(null);
        if (wanted.equals(current)) {
            return List.of("traffic is already on " + label(to) + " (" + state.describe(wanted) + "); nothing to switch");
        }
        String from = state.from(current, host);
        List<String> steps = new ArrayList<>();
        Check check = to == null ? null : sw.sideChecks.get(to);
        steps.add(check == null ? "side " + label(to) + " has no check of its own"
                : "check side " + to + " before moving traffic: " + check.name() + "; refuse to switch if it fails");
        steps.add("switch traffic from " + from + " to " + label(to) + ": " + (sw.mode == Mode.SYMLINK
                ? "point " + sw.active + " at " + wanted.text() : "write the captured upstream (" + wanted.bytes().length
                + " bytes) to " + sw.active));
        if (sw.testArgv != null) {
            steps.add("test: " + show(sw.testArgv) + "; switch back to " + from + " if it fails");
        }
        if (sw.reloadArgv != null) {
            steps.add("reload: " + show(sw.reloadArgv) + "; switch back to " + from + " and reload again if it fails");
        }
        if (sw.afterSwitchCheck != null) {
            steps.add("check after the switch: " + sw.afterSwitchCheck.name() + "; switch back to " + from
                    + (sw.reloadArgv == null ? "" : " and reload") + " if it fails");
        }
        return steps;
    }

    void restore(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        State wanted = state.wanted(snapshot, ctx);
        State current = state.read(host);
        String to = snapshot.get("side").orElse(null);
        if (wanted.equals(current)) {
            ctx.progress("traffic is already on " + label(to) + "; nothing to switch");
            return;
        }
        String from = state.from(current, host);
        Check check = to == null ? null : sw.sideChecks.get(to);
        if (check != null) {
            CheckResult r = runCheck(check, ctx);
            if (!r.passed()) {
                throw new RollbackException(sw.what() + ": expected side '" + to + "' to pass its check '" + check.name()
                        + "' before traffic moves to it, found: " + r.detail() + "; nothing was switched, traffic "
                        + "stays on " + from + "; make " + to + " healthy, then roll back again");
            }
        }
        state.apply(host, wanted);
        ctx.progress("switched traffic from " + from + " to " + label(to));
        boolean reloaded = false;
        try {
            if (sw.testArgv != null) {
                CommandResult r = run(host, sw.testArgv, "test");
                if (!r.succeeded()) {
                    state.undo(host, current);
                    throw new RollbackException(sw.what() + ": expected the test command to pass with traffic on "
                            + label(to) + ", found " + r.describe() + "; switched back to " + from + ", nothing was "
                            + "reloaded; fix the configuration of " + label(to) + ", then roll back again");
                }
            }
            if (sw.reloadArgv != null) {
                reloaded = true;
                CommandResult r = run(host, sw.reloadArgv, "reload");
                if (!r.succeeded()) {
                    state.undo(host, current);
                    throw new RollbackException(sw.what() + ": expected the reload command to exit 0, found "
                            + r.describe() + "; switched back to " + from + reloadAgain(host)
                            + "; fix the reload, then roll back again");
                }
            }
            if (sw.afterSwitchCheck != null) {
                CheckResult r = runCheck(sw.afterSwitchCheck, ctx);
                if (!r.passed()) {
                    state.undo(host, current);
                    throw new RollbackException(sw.what() + ": expected the check '" + sw.afterSwitchCheck.name()
                            + "' to pass once traffic moved to " + label(to) + ", found: " + r.detail()
                            + "; switched back to " + from + reloadAgain(host) + "; find why " + label(to)
                            + " fails behind the proxy, then roll back again");
                }
            }
        } catch (RollbackException e) {
            throw e;
        } catch (Exception e) {
            // an unexpected failure half-way: put traffic back before reporting it
            state.undo(host, current);
            String again = reloaded ? reloadAgain(host) : "";
            throw new RollbackException(sw.what() + ": the switch to " + label(to) + " failed: " + e + "; switched back to "
                    + from + again + "; fix the cause, then roll back again", e);
        }
        ctx.progress("traffic is on " + label(to));
    }

    CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws Exception {
        State wanted = state.wanted(snapshot, ctx);
        State current = state.read(ctx.host());
        String to = label(snapshot.get("side").orElse(null));
        return wanted.equals(current)
                ? CheckResult.passed("verify " + sw.name, "traffic is on " + to + " (" + state.describe(wanted) + ")")
                : CheckResult.failed("verify " + sw.name, "expected traffic on " + to + " (" + state.describe(wanted)
                        + "), found " + (current == null ? "nothing at " + sw.active : state.describe(current)));
    }

    private String reloadAgain(Host host) {
        if (sw.reloadArgv == null) {
            return "";
        }
        try {
            CommandResult r = run(host, sw.reloadArgv, "reload");
            return r.succeeded() ? " and reloaded" : "; reloading again failed too: " + r.describe();
        } catch (RuntimeException e) {
            return "; reloading again failed too: " + e.getMessage();
        }
    }

    private static CheckResult runCheck(Check check, RestoreContext ctx) throws InterruptedException {
        try {
            CheckResult r = check.run(ctx);
            return r != null ? r : CheckResult.failed(check.name(), "the check returned no result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        } catch (Exception e) {
            return CheckResult.failed(check.name(), e.toString());
        }
    }

    private CommandResult run(Host host, List<String> argv, String what) {
        try {
            return host.run(Command.of(argv).timeout(sw.timeout));
        } catch (HostException e) {
            throw new RollbackException(sw.what() + ": cannot run the " + what + " command: " + e.getMessage(), e);
        }
    }

    private static String label(String side) {
        return side == null ? "the captured upstream" : side;
    }

    private static String show(List<String> argv) {
        return Command.of(argv).display();
    }
}
