package dev.rollback;

import static dev.rollback.spi.Durations.compact;

import dev.rollback.error.RollbackException;
import dev.rollback.spi.Check;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Plural;
import dev.rollback.spi.Problem;
import dev.rollback.spi.StepContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Watches a system right after a deploy and rolls the plan back to a restore point by itself when
 * a {@link Trigger} fires: it probes every check once per interval, for a bounded window, and
 * either returns {@link WatchReport.Outcome#HEALTHY} when the window has passed, or rolls back at
 * the first probe that makes a trigger fire and returns the rollback's report within its own.
 *
 * <p>How it runs: the first round of probes starts at once, the next ones {@link #every interval}
 * apart (counted from the start of the previous round; a round that overran starts the next at
 * once), and the last round is the last one that starts within the {@link #watchFor window}. Each
 * probe runs its check once: a health check's own attempts would multiply with the
 * watchdog's rounds, so a health check given here must make one attempt (the default); let the
 * triggers count failures instead. Its per-request timeout still bounds each probe. A check of
 * your own ({@link Check#of}) is run once per round as it is. Before the first round each check's
 * {@link Check#begin} is called once, so a log scan reads only lines written since the watch began;
 * once an error line has appeared, every later probe of that scan fails too (it still reads from the
 * watch's start), so give a log scan {@code Trigger.consecutiveFailures(1)} or a short {@code
 * downFor}: the first failure is the signal.
 * Time is the plan's clock and waiting is the plan's {@link Sleeper}, so tests drive a whole watch
 * without sleeping. Every failed probe and the trigger are sent to the plan's listeners ({@link
 * RollbackEvent.Type#PROBE_FAILED}, {@link RollbackEvent.Type#TRIGGER_FIRED}), then the rollback's
 * own events.
 *
 * <p>Stopping: {@link #stop()} from another thread, or an interrupt of the thread in {@link #run()},
 * ends the watch at once with {@link WatchReport.Outcome#STOPPED} and nothing rolled back. Once a
 * rollback has begun, it runs to its end: stopping does not cut it short.
 *
 * <p>Configuration is immutable: every method but {@link #run()} and {@link #stop()} returns a new
 * watchdog and validates its argument at once ({@link IllegalArgumentException} saying what was
 * expected); {@link #run()} checks the combination before the first probe. A watchdog is
 * thread-safe; it runs one watch at a time, and once stopped it stays stopped.
 *
 * <pre>{@code
 * RestorePoint before = plan.capture("v2.0.0");
 * // ... deploy v2.1.0 ...
 * WatchReport watch = Watchdog.of(plan, before)
 *     .probe(HealthCheck.http(URI.create("http://127.0.0.1:3000/health/ready")).expectStatus(200))
 *     .every(Duration.ofSeconds(30))
 *     .rollBackWhen(Trigger.consecutiveFailures(3))
 *     .rollBackWhen(Trigger.slowerThan(Duration.ofSeconds(1), 3))
 *     .rollBackWhen(Trigger.failureRateAbove(0.05, 20))
 *     .rollBackWhen(Trigger.downFor(Duration.ofMinutes(5)))
 *     .watchFor(Duration.ofMinutes(30))
 *     .run();                                    // blocks for up to 30 minutes, or until it rolled back
 * if (watch.outcome() != WatchReport.Outcome.HEALTHY) { page(watch.toMarkdown()); }
 * }</pre>
 */
public final class Watchdog {

    /** The interval of a watchdog that does not set one, as in the usual runbook: 30 s. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    private final RollbackPlan plan;
    private final RestorePoint point;
    private final List<Check> checks;
    private final Duration interval;
    private final List<Trigger> triggers;
    private final Duration window;
    private final Scope scope;
    private final Guard guard;

    /**
     * What the watchdog does around a rollback: a dry run, the most automatic rollbacks in a window, and how long
     * the restored release is watched.
     */
    private record Guard(boolean dryRun, int times, Duration per, Duration after) {
        static final Guard NONE = new Guard(false, 0, null, null);
    }

    private final Object lock = new Object();
    private Thread runner;          // guarded by lock: the thread in run(), or null
    private boolean stopRequested;  // guarded by lock
    private boolean rollingBack;    // guarded by lock
    private boolean interruptedByStop; // guarded by lock: stop() interrupted the current run

    private Watchdog(RollbackPlan plan, RestorePoint point, List<Check> checks, Duration interval,
            List<Trigger> triggers, Duration window, Scope scope, Guard guard) {
        this.plan = plan;
        this.guard = guard;
        this.scope = scope;
        this.point = point;
        this.checks = List.copyOf(checks);
        this.interval = interval;
        this.triggers = List.copyOf(triggers);
        this.window = window;
    }

    /**
     * A watchdog that would roll {@code plan} back to {@code point}; give it checks, triggers and a
     * window, then {@link #run()} it.
     *
     * @throws IllegalArgumentException if either is null
     * @throws InvalidPlanException if the point belongs to another plan
     */
    public static Watchdog of(RollbackPlan plan, RestorePoint point) {
        if (plan == null || point == null) {
            throw new IllegalArgumentException("watchdog: expected a plan and a restore point, found "
                    + (plan == null ? "no plan" : "no restore point") + "; give the point captured before the deploy, "
                    + "such as Watchdog.of(plan, plan.capture(\"v2.0.0\"))");
        }
        if (!point.plan().equals(plan.name())) {
            throw new InvalidPlanException("watchdog of plan '" + plan.name() + "': expected a restore point of that "
                    + "plan, found " + point.id() + " of plan '" + point.plan() + "'; give a point this plan captured");
        }
        return new Watchdog(plan, point, List.of(), DEFAULT_INTERVAL, List.of(), null, Scope.all(), Guard.NONE);
    }

    /**
     * This watchdog also probing {@code check} once per round. The check must make one attempt per
     * run ({@link Check#attemptsPerRun()}; a health check's default): the triggers count failures across rounds.
     *
     * @throws IllegalArgumentException if the check is null or makes more than one attempt per run
     */
    public Watchdog probe(Check check) {
        if (check == null) {
            throw new IllegalArgumentException("watchdog of plan '" + plan.name() + "': expected a check to probe, "
                    + "found null; give one such as HealthCheck.http(URI.create(\"http://127.0.0.1:3000/health\"))");
        }
        if (check.attemptsPerRun() != 1) {
            throw new IllegalArgumentException("watchdog of plan '" + plan.name() + "': expected a check of one "
                    + "attempt per probe, found '" + check.name() + "' with " + check.attemptsPerRun() + " attempts; "
                    + "remove its attempts(...) and let a trigger count failures, such as "
                    + "Trigger.consecutiveFailures(" + check.attemptsPerRun() + ")");
        }
        List<Check> more = new ArrayList<>(checks);
        more.add(check);
        return new Watchdog(plan, point, more, interval, triggers, window, scope, guard);
    }

    /**
     * This watchdog starting a round of probes every {@code interval} (default {@link
     * #DEFAULT_INTERVAL}).
     *
     * @throws IllegalArgumentException if the interval is not positive
     */
    public Watchdog every(Duration interval) {
        requirePositive(interval, "every", "the time between probes, such as every(Duration.ofSeconds(30))");
        return new Watchdog(plan, point, checks, interval, triggers, window, scope, guard);
    }

    /**
     * This watchdog also rolling back when {@code trigger} fires; the first trigger to fire wins.
     *
     * @throws IllegalArgumentException if the trigger is null
     */
    public Watchdog rollBackWhen(Trigger trigger) {
        if (trigger == null) {
            throw new IllegalArgumentException("watchdog of plan '" + plan.name() + "': expected a trigger, found "
                    + "null; give one such as Trigger.consecutiveFailures(3)");
        }
        List<Trigger> more = new ArrayList<>(triggers);
        more.add(trigger);
        return new Watchdog(plan, point, checks, interval, more, window, scope, guard);
    }

    /**
     * This watchdog watching for {@code window} from the start of {@link #run()}; no round starts
     * after it.
     *
     * @throws IllegalArgumentException if the window is not positive
     */
    public Watchdog watchFor(Duration window) {
        requirePositive(window, "watchFor", "how long to watch after the deploy, such as watchFor(Duration.ofMinutes(30))");
        return new Watchdog(plan, point, checks, interval, triggers, window, scope, guard);
    }

    /**
     * This watchdog evaluating its triggers without rolling back: when one fires, the watch ends with {@link
     * WatchReport.Outcome#WOULD_ROLL_BACK}, the report saying what fired, when, and the time to detect, and the
     * listeners and notifiers are told ({@link RollbackEvent.Type#TRIGGER_FIRED}, its message beginning "dry run").
     * Nothing is changed: use it to tune triggers on a live system before they may act.
     */
    public Watchdog dryRun() {
        return new Watchdog(plan, point, checks, interval, triggers, window, scope,
                new Guard(true, guard.times(), guard.per(), guard.after()));
    }

    /**
     * This watchdog rolling the plan back automatically at most {@code times} within any {@code per} (the loop
     * guard of a deploy that keeps failing): the automatic rollbacks are counted from the plan's history in its store
     * ({@link RollbackPlan#activity()}, entries {@code watchdog-rollback}), so a restart of the process, or another
     * machine sharing the store, does not reset the count. A trigger that fires past the limit ends the watch with
     * {@link WatchReport.Outcome#HELD_BACK}, the listeners and notifiers told, and nothing rolled back.
     *
     * @throws IllegalArgumentException if {@code times} is below 1 or {@code per} is not positive
     */
    public Watchdog rollBackAtMost(int times, Duration per) {
        if (times < 1) {
            throw new IllegalArgumentException("watchdog of plan '" + plan.name() + "': rollBackAtMost: expected at "
                    + "least 1 rollback, found " + times + "; give how many automatic rollbacks to allow, such as "
                    + "rollBackAtMost(2, Duration.ofHours(1))");
        }
        requirePositive(per, "rollBackAtMost", "the window the rollbacks are counted in, such as Duration.ofHours(1)");
        return new Watchdog(plan, point, checks, interval, triggers, window, scope,
                new Guard(guard.dryRun(), times, per, guard.after()));
    }

    /**
     * This watchdog, after an automatic rollback that succeeded, watching the restored release for {@code window}
     * more with the same checks and triggers: a trigger that fires then is told to the listeners and notifiers and
     * ends the watch with {@link WatchReport.Outcome#STILL_FAILING}, with no second rollback (the restored release
     * failing too is for a person). Without it the watch ends when the rollback ends.
     *
     * @throws IllegalArgumentException if the window is not positive
     */
    public Watchdog thenWatchFor(Duration window) {
        requirePositive(window, "thenWatchFor", "how long to watch the restored release, such as "
                + "thenWatchFor(Duration.ofMinutes(30))");
        return new Watchdog(plan, point, checks, interval, triggers, this.window, scope,
                new Guard(guard.dryRun(), guard.times(), guard.per(), window));
    }

    /**
     * Asks the running watch to end, with {@link WatchReport.Outcome#STOPPED} and nothing rolled
     * back; a rollback already begun runs to its end. Returns at once; a watch not yet started
     * will return STOPPED without probing. May be called from any thread, any number of times.
     */
    public void stop() {
        synchronized (lock) {
            stopRequested = true;
            if (runner != null && !rollingBack && !interruptedByStop) {
                interruptedByStop = true;
                runner.interrupt();
            }
        }
    }

    /**
     * This watchdog rolling back only the targets of {@code scope} when a trigger fires (by default
     * every target of the plan), as in a backend-only rollback that leaves the front-end running.
     *
     * <pre>{@code
     * Watchdog.of(plan, before).scope(Scope.only("backend"))...
     * }</pre>
     *
     * @throws InvalidPlanException if the scope names a target the plan does not have
     */
    public Watchdog scope(Scope scope) {
        if (scope == null) {
            throw new IllegalArgumentException("watchdog of plan '" + plan.name() + "': expected a scope, found null; "
                    + "give Scope.all() or Scope.only(\"backend\")");
        }
        plan.resolve(scope);
        return new Watchdog(plan, point, checks, interval, triggers, window, scope, guard);
    }

    /**
     * Watches until the window has passed, a trigger fired and the rollback ended, or the watch was
     * stopped; blocks the calling thread meanwhile. A failed rollback is reported, not thrown. The report is also
     * handed to the plan's listeners ({@link RollbackListener#onWatchFinished}).
     *
     * @return what was seen and done
     * @throws IllegalArgumentException if no check, no trigger or no window was given, the window
     *     is shorter than one interval, or a trigger could never fire within the window; nothing
     *     was probed
     * @throws RestorePointNotFoundException if the point is no longer in the plan's store; nothing
     *     was probed
     * @throws PreflightFailedException if an artifact of the point in the local store is missing or
     *     changed (its SHA-256 differs from the capture's); nothing was probed
     * @throws IllegalStateException if this watchdog is already running
     */
    public WatchReport run() {
        validate();
        synchronized (lock) {
            if (runner != null) {
                throw new IllegalStateException("watchdog of plan '" + plan.name() + "': expected it idle, found it "
                        + "running in thread " + runner.getName() + "; stop it first or make another");
            }
            runner = Thread.currentThread();
            interruptedByStop = false;
        }
        try {
            WatchReport report = watch();
            plan.spec.writer().keepReport(report, plan.spec.redactor());
            plan.spec.listeners().watchFinished(report);
            return report;
        } finally {
            synchronized (lock) {
                runner = null;
                if (interruptedByStop) {
                    Thread.interrupted(); // our own interrupt, sent by stop(): not the caller's
                }
            }
        }
    }

    /**
     * Checks, without probing or changing anything, that {@link #run()} could start: the same checks of the
     * combination and of the restore point that {@code run()} makes before its first probe. Use it to refuse a
     * deploy whose watchdog could not watch, or to check many watchdogs before any starts.
     *
     * @throws IllegalArgumentException if no check, no trigger or no window was given, the window is shorter than
     *     one interval, or a trigger could never fire within the window
     * @throws RestorePointNotFoundException if the point is no longer in the plan's store
     * @throws PreflightFailedException if an artifact of the point in the local store is missing or changed
     */
    public void validate() {
        String of = "watchdog of plan '" + plan.name() + "'";
        if (checks.isEmpty()) {
            throw new IllegalArgumentException(of + ": expected at least one check to probe, found none; add one "
                    + "with probe(HealthCheck.http(...))");
        }
        if (triggers.isEmpty()) {
            throw new IllegalArgumentException(of + ": expected at least one trigger, found none; add one with "
                    + "rollBackWhen(Trigger.consecutiveFailures(3))");
        }
        if (window == null) {
            throw new IllegalArgumentException(of + ": expected a window to watch for, found none; give one with "
                    + "watchFor(Duration.ofMinutes(30))");
        }
        if (window.compareTo(interval) < 0) {
            throw new IllegalArgumentException(of + ": expected a window of at least one interval (" + compact(interval)
                    + "), found " + compact(window) + "; lengthen watchFor(...) or shorten every(...)");
        }
        long rounds = window.toNanos() / interval.toNanos() + 1;
        // a point deleted or damaged since the deploy would only be found when a trigger fires
        if (plan.store().find(point.id()).isEmpty()) {
            throw new RestorePointNotFoundException(of + ": expected restore point " + point.id() + " '" + point.label()
                    + "' in the store " + plan.store().root() + " to roll back to, found none (deleted, or retention "
                    + "removed it); capture a new point before the deploy, or watch with another one");
        }
        List<Problem> damaged = plan.store().verify(point);
        if (!damaged.isEmpty()) {
            throw new PreflightFailedException(plan.name(), point.id(), damaged);
        }
        for (Trigger t : triggers) {
            if (t.probesNeeded() > rounds || t.timeNeeded().compareTo(window) > 0) {
                throw new IllegalArgumentException(of + ": expected triggers that can fire within the window, found '"
                        + t.describe() + "', which needs " + (t.timeNeeded().isZero() ? t.probesNeeded() + " probes"
                        : compact(t.timeNeeded())) + " while a window of " + compact(window) + " every " + compact(interval)
                        + " makes " + rounds + "; lengthen watchFor(...), shorten every(...) or relax the trigger");
            }
        }
    }

    /** The probes of one check: the latest, and when its current run of failures began. */
    private static final class Series {
        final List<WatchReport.Probe> probes = new ArrayList<>();
        Instant failingSince;

        void add(WatchReport.Probe p) {
            probes.add(p);
            if (probes.size() > Trigger.MAX_WINDOW) {
                probes.remove(0);
            }
            failingSince = p.passed() ? null : failingSince == null ? p.at() : failingSince;
        }
    }

    /** Why a watch ends early: the watchdog was stopped or its thread interrupted. */
    private static final class Stopped extends Exception {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super(null, null, false, false);
        }
    }

    /** The state of one watch: its checks as begun, the probes made, the latest probes. */
    private final class Watch {
        final String watchId = "watch-" + plan.spec.writer().newId();
        final StepContext ctx = context(watchId);
        final List<Check> begun = new ArrayList<>();
        final List<Exception> notBegun = new ArrayList<>();
        final Deque<WatchReport.Probe> recent = new ArrayDeque<>();
        long made;
        long round;

        Watch() {
            for (Check c : checks) {
                try {
                    Check b = c.begin(ctx);
                    begun.add(b == null ? c : b);
                    notBegun.add(null);
                } catch (Exception e) {
                    begun.add(c);
                    notBegun.add(e);
                }
            }
        }

        /**
         * Rounds of probes from now until {@code end}, each check's series fresh: the first firing of a trigger, or
         * null if the window passed without one.
         */
        Trigger.Firing rounds(Instant end) throws Stopped {
            Clock clock = plan.spec.clock();
            List<Series> series = new ArrayList<>();
            checks.forEach(c -> series.add(new Series()));
            Instant scheduled = clock.instant();
            while (true) {
                round++;
                for (int i = 0; i < begun.size(); i++) {
                    stopIfAsked();
                    WatchReport.Probe p = probe(ctx, checks.get(i).name(), begun.get(i), notBegun.get(i), round);
                    stopIfAsked(); // a probe cut short by stop() is no evidence
                    made++;
                    recent.addLast(p);
                    if (recent.size() > Trigger.MAX_WINDOW * checks.size()) {
                        recent.removeFirst();
                    }
                    series.get(i).add(p);
                    if (!p.passed()) {
                        plan.spec.listeners().emit(RollbackEvent.probeFailed(plan.name(), watchId, p.at(), p.took(),
                                plan.spec.redactor().redact("probe " + round + " of '" + p.check() + "' failed: "
                                        + p.observed())));
                    }
                    for (Trigger t : triggers) {
                        Trigger.Firing f = t.fires(series.get(i).probes, series.get(i).failingSince);
                        if (f != null) {
                            return f;
                        }
                    }
                }
                Instant now = clock.instant();
                Instant next = scheduled.plus(interval);
                if (next.isBefore(now)) {
                    next = now; // the round overran its interval: the next starts at once
                }
                if (next.isAfter(end)) {
                    return null;
                }
                scheduled = next;
                Duration wait = Duration.between(now, next);
                if (!wait.isZero()) {
                    stopIfAsked();
                    try {
                        plan.spec.sleeper().sleep(wait);
                    } catch (InterruptedException e) {
                        throw new Stopped();
                    }
                }
            }
        }
    }

    private WatchReport watch() {
        Clock clock = plan.spec.clock();
        Instant from = clock.instant();
        Watch w = new Watch();
        try {
            Trigger.Firing f = w.rounds(from.plus(window));
            if (f == null) {
                return report(w, WatchReport.Outcome.HEALTHY, from, clock.instant(), null, null, null, null, null);
            }
            return rollBack(w, from, f);
        } catch (Stopped s) {
            synchronized (lock) {
                if (!stopRequested) {
                    Thread.currentThread().interrupt(); // the caller's interrupt: keep it for the caller to see
                }
            }
            return report(w, WatchReport.Outcome.STOPPED, from, clock.instant(), null, null, null, null, null);
        }
    }

    private void stopIfAsked() throws Stopped {
        synchronized (lock) {
            if (stopRequested || Thread.currentThread().isInterrupted()) {
                throw new Stopped();
            }
        }
    }

    /** Runs one check once; an exception is a failed probe, an interrupt ends the watch. */
    private WatchReport.Probe probe(StepContext ctx, String name, Check check, Exception notBegun, long round)
            throws Stopped {
        Clock clock = plan.spec.clock();
        Instant at = clock.instant();
        boolean passed;
        String observed;
        try {
            if (notBegun != null) {
                throw notBegun;
            }
            CheckResult r = check.run(ctx);
            passed = r != null && r.passed();
            observed = r == null ? "the check returned no result" : r.detail();
        } catch (InterruptedException e) {
            throw new Stopped();
        } catch (Exception e) {
            passed = false;
            observed = plan.spec.redactor().describe(e);
        }
        Duration took = Duration.between(at, clock.instant());
        return new WatchReport.Probe(plan.spec.redactor().redact(name), round, at, passed, plan.spec.redactor().redact(observed),
                took);
    }

    /** What the history calls a rollback the watchdog started by itself. */
    static final String AUTOMATIC = "watchdog-rollback";

    private WatchReport rollBack(Watch w, Instant from, Trigger.Firing f) throws Stopped {
        synchronized (lock) {
            if (stopRequested || Thread.currentThread().isInterrupted()) {
                throw new Stopped();
            }
            rollingBack = true;
        }
        Clock clock = plan.spec.clock();
        Instant triggeredAt = clock.instant();
        String fired = "trigger fired: " + f.reason();
        if (guard.dryRun()) {
            emitFired(w, from, triggeredAt, "dry run: " + fired + "; would roll back to " + point.label() + " ("
                    + point.id() + "), nothing was changed");
            return report(w, WatchReport.Outcome.WOULD_ROLL_BACK, from, triggeredAt, f, triggeredAt, null, null, null);
        }
        if (guard.times() > 0) {
            Instant since = triggeredAt.minus(guard.per());
            long done = plan.activity().stream().filter(e -> e.what().equals(AUTOMATIC) && !e.at().isBefore(since))
                    .count();
            if (done >= guard.times()) {
                String held = "held back: plan '" + plan.name() + "' was rolled back automatically " + done
                        + " time(s) since " + since + ", the most rollBackAtMost allows (" + guard.times() + " in "
                        + compact(guard.per()) + "); a person must decide (plan.activity() lists them)";
                emitFired(w, from, triggeredAt, fired + "; " + held);
                return report(w, WatchReport.Outcome.HELD_BACK, from, clock.instant(), f, triggeredAt, null,
                        plan.spec.redactor().redact(held), null);
            }
        }
        emitFired(w, from, triggeredAt, fired + "; rolling back to " + point.label() + " (" + point.id() + ")");
        plan.spec.writer().activity().record(plan.name(), AUTOMATIC, point.id(), w.watchId,
                plan.spec.redactor().redact(f.reason()));
        RollbackReport rollback = null;
        String error = null;
        try {
            rollback = plan.rollback(point, scope);
        } catch (RollbackException e) {
            error = plan.spec.redactor().redact(e.getMessage());
        }
        boolean back = rollback != null && rollback.isSuccessful();
        WatchReport.Outcome outcome = back ? WatchReport.Outcome.ROLLED_BACK : WatchReport.Outcome.ROLLBACK_FAILED;
        String after = null;
        if (back && guard.after() != null) {
            synchronized (lock) {
                rollingBack = false; // the restored release's watch may be stopped like the first
            }
            Instant afterFrom = clock.instant();
            Trigger.Firing again;
            try {
                again = w.rounds(afterFrom.plus(guard.after()));
            } catch (Stopped s) {
                return report(w, outcome, from, clock.instant(), f, triggeredAt, rollback, error,
                        "stopped after " + compact(Duration.between(afterFrom, clock.instant())) + " of watching the "
                                + "restored release");
            }
            if (again == null) {
                after = "healthy for " + compact(guard.after());
            } else {
                after = plan.spec.redactor().redact("trigger fired again on the restored release: " + again.reason()
                        + "; not rolled back again, a person must look");
                emitFired(w, from, clock.instant(), after);
                outcome = WatchReport.Outcome.STILL_FAILING;
            }
        }
        return report(w, outcome, from, clock.instant(), f, triggeredAt, rollback, error, after);
    }

    private void emitFired(Watch w, Instant from, Instant at, String message) {
        plan.spec.listeners().emit(RollbackEvent.triggerFired(plan.name(), w.watchId, at, Duration.between(from, at),
                plan.spec.redactor().redact(message)));
    }

    private WatchReport report(Watch w, WatchReport.Outcome outcome, Instant from, Instant end, Trigger.Firing f,
            Instant triggeredAt, RollbackReport rollback, String error, String after) {
        Duration detect = f == null ? null : Duration.between(f.since(), triggeredAt);
        Duration recover = rollback == null ? null : rollback.timeToRecover();
        return new WatchReport(w.watchId, plan.name(), point.id(), point.label(), outcome,
                triggers.stream().map(Trigger::describe).toList(), from, end, w.made, List.copyOf(w.recent),
                f == null ? null : f.trigger().describe(), f == null ? null : f.reason(), f == null ? null : f.since(),
                triggeredAt, detect, recover, recover == null ? null : detect.plus(recover), rollback, error, after);
    }

    private StepContext context(String watchId) {
        return plan.engine.checkContext(watchId, "watch", point);
    }

    private void requirePositive(Duration d, String what, String hint) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("watchdog of plan '" + plan.name() + "': " + what + ": expected a "
                    + "positive duration, found " + d + "; give " + hint);
        }
    }

    @Override
    public String toString() {
        return "Watchdog[" + plan.name() + " -> " + point.id() + ", " + Plural.of(checks.size(), "check") + " every "
                + compact(interval) + " for " + (window == null ? "?" : compact(window)) + ", "
                + triggers.stream().map(Trigger::describe).toList() + "]";
    }
}
