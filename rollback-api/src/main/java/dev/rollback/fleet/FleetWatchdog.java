package dev.rollback.fleet;

import dev.rollback.RestorePoint;
import dev.rollback.Trigger;
import dev.rollback.WatchReport;
import dev.rollback.Watchdog;
import dev.rollback.error.RollbackException;
import dev.rollback.host.Host;
import dev.rollback.spi.Check;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Watches every host of a fleet after a deploy, with the same checks and triggers on each, and rolls back by itself:
 * a host whose trigger fires is rolled back alone (the others keep running), and once the hosts whose triggers fired
 * reach a fraction of the fleet, the watch of the others ends and the whole fleet is rolled back in waves, as {@link
 * Fleet#resume} does (the hosts already rolled back are left alone).
 *
 * <pre>{@code
 * FleetPoint before = web.capture("v2.0.0");
 * // ... deploy v2.1.0 to every host ...
 * FleetWatchReport watch = FleetWatchdog.of(web, before)
 *     .probe(host -> HealthCheck.http(URI.create("http://" + host.name() + ":3000/health")).expectStatus(200))
 *     .every(Duration.ofSeconds(30))
 *     .rollBackWhen(Trigger.consecutiveFailures(3))        // on one host: that host
 *     .rollBackFleetWhenFailing(0.3)                       // on 30% of the hosts: the whole fleet
 *     .waves(Waves.canary(1).thenBatches(10))
 *     .watchFor(Duration.ofMinutes(30))
 *     .run();
 * }</pre>
 *
 * <p>Each host is watched by its own {@link Watchdog} on its plan, in a thread of its own (probes wait, they do not
 * work, so a fleet of N hosts has N watches at once): its time, waiting, events and reports are those of its plan,
 * and everything {@link Watchdog} says about probes and triggers holds per host. Before the first probe, every
 * host's watchdog is {@link Watchdog#validate() validated}; one that could not watch refuses the whole fleet watch.
 *
 * <p>Immutable configuration: every method but {@link #run()} and {@link #stop()} returns a copy. One watch at a
 * time; {@link #stop()} ends it (rollbacks already begun run to their end).
 */
public final class FleetWatchdog {

    private final Fleet fleet;
    private final FleetPoint point;
    private final List<Function<Host, Check>> probes;
    private final Duration interval;
    private final List<Trigger> triggers;
    private final Duration window;
    private final double fleetFraction;
    private final Waves waves;
    private final Clock clock;

    private final Object lock = new Object();
    private List<Watchdog> running;  // guarded by lock: the host watchdogs of the current run, or null
    private boolean stopRequested;   // guarded by lock

    private FleetWatchdog(Fleet fleet, FleetPoint point, List<Function<Host, Check>> probes, Duration interval,
            List<Trigger> triggers, Duration window, double fleetFraction, Waves waves, Clock clock) {
        this.fleet = fleet;
        this.point = point;
        this.probes = List.copyOf(probes);
        this.interval = interval;
        this.triggers = List.copyOf(triggers);
        this.window = window;
        this.fleetFraction = fleetFraction;
        this.waves = waves;
        this.clock = clock;
    }

    /**
     * A watchdog that would roll the hosts of {@code fleet} back to their points of {@code point}; give it checks,
     * triggers and a window, then {@link #run()} it.
     *
     * @throws IllegalArgumentException if either is null, or the point is not one of this fleet's
     */
    public static FleetWatchdog of(Fleet fleet, FleetPoint point) {
        if (fleet == null || point == null) {
            throw new IllegalArgumentException("fleet watchdog: expected a fleet and a fleet point, found "
                    + (fleet == null ? "no fleet" : "no point") + "; give the point captured before the deploy, such as "
                    + "FleetWatchdog.of(fleet, fleet.capture(\"v2.0.0\"))");
        }
        if (!point.fleet().equals(fleet.name())) {
            throw new IllegalArgumentException("fleet watchdog of '" + fleet.name() + "': expected a point of that "
                    + "fleet, found '" + point.label() + "' of fleet '" + point.fleet() + "'; give a point this fleet "
                    + "captured");
        }
        return new FleetWatchdog(fleet, point, List.of(), Watchdog.DEFAULT_INTERVAL, List.of(), null, 0, Waves.defaults(),
                Clock.systemUTC());
    }

    /**
     * This watchdog also probing, on every host, the check {@code checkPerHost} makes for it (called once per host
     * when the watch starts). As for {@link Watchdog#probe}, the check must make one attempt per run.
     *
     * @throws IllegalArgumentException if the function is null
     */
    public FleetWatchdog probe(Function<Host, Check> checkPerHost) {
        if (checkPerHost == null) {
            throw new IllegalArgumentException(of() + ": expected a function making each host's check, found null; "
                    + "give one such as host -> HealthCheck.http(URI.create(\"http://\" + host.name() + \":3000/health\"))");
        }
        List<Function<Host, Check>> more = new ArrayList<>(probes);
        more.add(checkPerHost);
        return new FleetWatchdog(fleet, point, more, interval, triggers, window, fleetFraction, waves, clock);
    }

    /**
     * This watchdog starting a round of probes on each host every {@code interval} (default {@link
     * Watchdog#DEFAULT_INTERVAL}).
     *
     * @throws IllegalArgumentException if the interval is not positive
     */
    public FleetWatchdog every(Duration interval) {
        requirePositive(interval, "every", "the time between probes, such as every(Duration.ofSeconds(30))");
        return new FleetWatchdog(fleet, point, probes, interval, triggers, window, fleetFraction, waves, clock);
    }

    /**
     * This watchdog also rolling a host back when {@code trigger} fires on that host's probes; the first trigger to
     * fire wins.
     *
     * @throws IllegalArgumentException if the trigger is null
     */
    public FleetWatchdog rollBackWhen(Trigger trigger) {
        if (trigger == null) {
            throw new IllegalArgumentException(of() + ": expected a trigger, found null; give one such as "
                    + "Trigger.consecutiveFailures(3)");
        }
        List<Trigger> more = new ArrayList<>(triggers);
        more.add(trigger);
        return new FleetWatchdog(fleet, point, probes, interval, more, window, fleetFraction, waves, clock);
    }

    /**
     * This watchdog rolling the whole fleet back, in its {@link #waves(Waves) waves}, once the hosts whose triggers
     * fired are at least {@code fraction} of the fleet (0.3: 3 hosts of 10). Without it, only the hosts whose triggers
     * fire are rolled back.
     *
     * @throws IllegalArgumentException if the fraction is not above 0 and at most 1
     */
    public FleetWatchdog rollBackFleetWhenFailing(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException(of() + ": rollBackFleetWhenFailing: expected a fraction above 0 and at "
                    + "most 1, found " + fraction + "; give the share of hosts, such as 0.3 for 30%");
        }
        return new FleetWatchdog(fleet, point, probes, interval, triggers, window, fraction, waves, clock);
    }

    /** This watchdog rolling the fleet back in {@code waves} when the fleet's fraction is reached (default {@link Waves#defaults()}). */
    public FleetWatchdog waves(Waves waves) {
        Objects.requireNonNull(waves, "waves");
        return new FleetWatchdog(fleet, point, probes, interval, triggers, window, fleetFraction, waves, clock);
    }

    /**
     * This watchdog watching each host for {@code window} from the start of {@link #run()}.
     *
     * @throws IllegalArgumentException if the window is not positive
     */
    public FleetWatchdog watchFor(Duration window) {
        requirePositive(window, "watchFor", "how long to watch after the deploy, such as watchFor(Duration.ofMinutes(30))");
        return new FleetWatchdog(fleet, point, probes, interval, triggers, window, fleetFraction, waves, clock);
    }

    /** A copy that times its report with {@code clock} (each host's watch keeps its plan's clock). */
    public FleetWatchdog clock(Clock clock) {
        return new FleetWatchdog(fleet, point, probes, interval, triggers, window, fleetFraction, waves,
                Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Asks the running watch to end on every host, with nothing more rolled back; rollbacks already begun run to
     * their end. Returns at once; may be called from any thread.
     */
    public void stop() {
        synchronized (lock) {
            stopRequested = true;
        }
        stopHosts();
    }

    /** Ends the running host watches, as the fleet's fraction was reached or the watch was stopped. */
    private void stopHosts() {
        synchronized (lock) {
            if (running != null) {
                running.forEach(Watchdog::stop);
            }
        }
    }

    /**
     * Watches every host until each host's window has passed or its rollback ended, or until the fleet's fraction was
     * reached and the fleet rolled back; blocks meanwhile. Failed rollbacks are reported, not thrown.
     *
     * @return what was seen and done on each host, and the fleet rollback if there was one
     * @throws IllegalArgumentException if no check, trigger or window was given, or a host's watchdog could not
     *     watch (as {@link Watchdog#validate()} says, naming the host); nothing was probed on any host
     * @throws IllegalStateException if this watchdog is already running
     */
    public FleetWatchReport run() {
        if (probes.isEmpty()) {
            throw new IllegalArgumentException(of() + ": expected at least one check to probe, found none; add one "
                    + "with probe(host -> HealthCheck.http(...))");
        }
        List<Host> hosts = fleet.hosts();
        List<Watchdog> dogs = new ArrayList<>();
        for (Host h : hosts) {
            String id = requirePoint(h.name());
            RestorePoint p = fleet.plan(h.name()).store().find(id).orElseThrow(() -> new IllegalArgumentException(of()
                    + ": host '" + h.name() + "' cannot be watched: expected its restore point " + id + " of '"
                    + point.label() + "' in its store " + fleet.plan(h.name()).store().root() + ", found none (deleted, "
                    + "or retention removed it); capture the fleet again before the deploy"));
            Watchdog dog = Watchdog.of(fleet.plan(h.name()), p).every(interval);
            for (Function<Host, Check> f : probes) {
                Check c = f.apply(h);
                if (c == null) {
                    throw new IllegalArgumentException(of() + ": expected a check for host '" + h.name() + "', found "
                            + "null; make the probe function return a check for every host");
                }
                dog = dog.probe(c);
            }
            for (Trigger t : triggers) {
                dog = dog.rollBackWhen(t);
            }
            if (window != null) {
                dog = dog.watchFor(window);
            }
            try {
                dog.validate();
            } catch (RollbackException | IllegalArgumentException e) {
                throw new IllegalArgumentException(of() + ": host '" + h.name() + "' cannot be watched: " + e.getMessage(),
                        e);
            }
            dogs.add(dog);
        }
        synchronized (lock) {
            if (running != null) {
                throw new IllegalStateException(of() + ": expected it idle, found it running; stop it first or make "
                        + "another");
            }
            running = dogs;
            if (stopRequested) {
                dogs.forEach(Watchdog::stop); // stopped before it started: every host returns at once, unprobed
            }
        }
        try {
            return watch(hosts, dogs);
        } finally {
            synchronized (lock) {
                running = null;
            }
        }
    }

    private FleetWatchReport watch(List<Host> hosts, List<Watchdog> dogs) {
        Instant from = clock.instant();
        ExecutorService pool = Executors.newFixedThreadPool(hosts.size(), r -> {
            Thread t = new Thread(r, "fleet-watch-" + fleet.name());
            t.setDaemon(true);
            return t;
        });
        Map<String, WatchReport> reports = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        String fleetTrigger = null;
        FleetReport fleetRollback = null;
        String fleetError = null;
        try {
            CompletionService<WatchReport> done = new ExecutorCompletionService<>(pool);
            Map<Future<WatchReport>, String> hostOf = new LinkedHashMap<>();
            for (int i = 0; i < hosts.size(); i++) {
                hostOf.put(done.submit(dogs.get(i)::run), hosts.get(i).name());
            }
            int fired = 0;
            for (int left = hosts.size(); left > 0; left--) {
                Future<WatchReport> f;
                try {
                    f = done.take();
                } catch (InterruptedException e) {
                    stop();
                    Thread.currentThread().interrupt();
                    waitFor(done, left, hostOf, reports, errors);
                    break;
                }
                String host = hostOf.get(f);
                WatchReport r = collect(f, host, reports, errors);
                if (r != null && r.fired() != null || errors.containsKey(host)) {
                    fired++;
                }
                if (fleetTrigger == null && fleetFraction > 0 && (double) fired / hosts.size() >= fleetFraction
                        && !stopRequested()) {
                    fleetTrigger = fired + " of " + hosts.size() + " host(s) fired a trigger, at least the fleet's "
                            + "fraction of " + fleetFraction;
                    stopHosts();
                    waitFor(done, left - 1, hostOf, reports, errors);
                    try {
                        fleetRollback = fleet.resume(point, waves);
                    } catch (RollbackException e) {
                        fleetError = e.getMessage();
                    }
                    break;
                }
            }
        } finally {
            pool.shutdown();
        }
        Map<String, WatchReport> ordered = new LinkedHashMap<>();
        Map<String, String> orderedErrors = new LinkedHashMap<>();
        for (Host h : hosts) {
            if (reports.containsKey(h.name())) {
                ordered.put(h.name(), reports.get(h.name()));
            }
            if (errors.containsKey(h.name())) {
                orderedErrors.put(h.name(), errors.get(h.name()));
            }
        }
        return new FleetWatchReport(fleet.name(), point.label(), ordered, orderedErrors, fleetTrigger, fleetRollback,
                fleetError, stopRequested() && fleetTrigger == null, from, clock.instant());
    }

    private boolean stopRequested() {
        synchronized (lock) {
            return stopRequested;
        }
    }

    /** Waits for the {@code left} watches still running to end (they were asked to stop). */
    private static void waitFor(CompletionService<WatchReport> done, int left, Map<Future<WatchReport>, String> hostOf,
            Map<String, WatchReport> reports, Map<String, String> errors) {
        boolean interrupted = false;
        for (int i = 0; i < left; i++) {
            while (true) {
                try {
                    Future<WatchReport> f = done.take();
                    collect(f, hostOf.get(f), reports, errors);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // a rollback begun runs to its end: wait for it all the same
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static WatchReport collect(Future<WatchReport> f, String host, Map<String, WatchReport> reports,
            Map<String, String> errors) {
        try {
            WatchReport r = f.get();
            reports.put(host, r);
            return r;
        } catch (ExecutionException e) {
            Throwable t = e.getCause() == null ? e : e.getCause();
            errors.put(host, t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            errors.put(host, "interrupted while its report was read");
            return null;
        }
    }

    private String requirePoint(String host) {
        String id = point.pointId(host);
        if (id == null) {
            throw new IllegalArgumentException(of() + ": expected a restore point of host '" + host + "' in fleet point '"
                    + point.label() + "', found none (it holds " + point.pointIds().keySet() + "); capture the fleet "
                    + "again");
        }
        return id;
    }

    private String of() {
        return "fleet watchdog of '" + fleet.name() + "'";
    }

    private void requirePositive(Duration d, String what, String hint) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(of() + ": " + what + ": expected a positive duration, found " + d
                    + "; give " + hint);
        }
    }

    @Override
    public String toString() {
        return "FleetWatchdog[" + fleet.name() + " -> " + point.label() + ", " + probes.size() + " check(s) per host, "
                + triggers.stream().map(Trigger::describe).toList()
                + (fleetFraction > 0 ? ", the fleet at a fraction of " + fleetFraction : "") + "]";
    }
}
