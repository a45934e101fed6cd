package dev.rollback.fleet;

import dev.rollback.NothingToResumeException;
import dev.rollback.RestorePoint;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPreview;
import dev.rollback.RollbackReport;
import dev.rollback.fleet.FleetReport.HostRow;
import dev.rollback.fleet.FleetReport.HostStatus;
import dev.rollback.host.Host;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * One plan definition bound to many hosts: each host gets a plan of its own (the function given decides its
 * targets and its store, such as a store on that host), captured together and rolled back in waves.
 *
 * <pre>{@code
 * Fleet web = Fleet.of("web", servers, host -> Rollback.plan("web").on(host)
 *         .store(Path.of("/var/lib/rollback", host.name()))
 *         .target(ConfigFiles.of(Path.of("/etc/web/app.env")))
 *         .build()).maxParallel(5);
 * FleetPoint before = web.capture("v2.0.0");                  // before the deploy, on every host
 * System.out.println(web.preview(before));                    // every host's steps and problems
 * FleetReport report = web.rollback(before, Waves.canary(1).thenBatches(10).stopAfterFailures(2));
 * if (!report.isSuccessful()) {
 *     report = web.resume(before, Waves.canary(1));           // only the hosts not rolled back yet
 * }
 * }</pre>
 *
 * <p>A rollback first runs a preflight on every host ({@link RollbackPlan#preview} problems; a host that cannot
 * be reached is a problem) and refuses the whole fleet with one {@link FleetPreflightFailedException} if any host
 * has one, before any host changes. Then the canary wave runs and must succeed; then the batches, each in
 * parallel, with the failure budget checked before each. A host's failure never fails another; each host's plan
 * applies its own failure policy.
 *
 * <p>Immutable and thread-safe; options return copies. At most {@link #maxParallel(int)} hosts are worked on at
 * once. Each host's plan keeps its own lock, so two fleet rollbacks never roll the same host back at once.
 */
public final class Fleet {

    private final String name;
    private final List<Host> hosts;
    private final Map<String, RollbackPlan> plans;
    private final int maxParallel;
    private final Clock clock;
    private final boolean skipUnreachable;

    private Fleet(String name, List<Host> hosts, Map<String, RollbackPlan> plans, int maxParallel, Clock clock,
            boolean skipUnreachable) {
        this.name = name;
        this.hosts = hosts;
        this.plans = plans;
        this.maxParallel = maxParallel;
        this.clock = clock;
        this.skipUnreachable = skipUnreachable;
    }

    /**
     * A fleet of {@code hosts}, each with the plan {@code planPerHost} makes for it (called once per host, now).
     *
     * @throws IllegalArgumentException if there is no host, two hosts share a name, or the function gives no plan
     */
    public static Fleet of(String name, List<Host> hosts, Function<Host, RollbackPlan> planPerHost) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(planPerHost, "planPerHost");
        if (name.isBlank()) {
            throw new IllegalArgumentException("fleet: expected a name, found a blank one; give the fleet a name");
        }
        if (hosts == null || hosts.isEmpty()) {
            throw new IllegalArgumentException("fleet '" + name + "': expected at least one host, found none; "
                    + "give the hosts to roll back");
        }
        Map<String, RollbackPlan> plans = new LinkedHashMap<>();
        for (Host h : hosts) {
            Objects.requireNonNull(h, "host");
            if (plans.containsKey(h.name())) {
                throw new IllegalArgumentException("fleet '" + name + "': expected hosts with distinct names, found '"
                        + h.name() + "' twice; give each host once");
            }
            RollbackPlan plan = planPerHost.apply(h);
            if (plan == null) {
                throw new IllegalArgumentException("fleet '" + name + "': expected a plan for host '" + h.name()
                        + "', found null; make the function return a plan for every host");
            }
            plans.put(h.name(), plan);
        }
        return new Fleet(name, List.copyOf(hosts), Collections.unmodifiableMap(plans), 10, Clock.systemUTC(),
                false);
    }

    /**
     * A copy that works on at most {@code n} hosts at once (10 by default).
     *
     * @throws IllegalArgumentException if {@code n} is below 1
     */
    public Fleet maxParallel(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("fleet '" + name + "': expected maxParallel of at least 1, found " + n
                    + "; give the number of hosts to work on at once");
        }
        return new Fleet(name, hosts, plans, n, clock, skipUnreachable);
    }

    /** A copy that times its reports with {@code clock} (each host's plan keeps its own clock). */
    public Fleet clock(Clock clock) {
        return new Fleet(name, hosts, plans, maxParallel, Objects.requireNonNull(clock, "clock"), skipUnreachable);
    }

    /**
     * A copy whose rollbacks and resumes leave out the hosts that do not answer when the preflight reaches them,
     * instead of refusing the whole fleet: each is reported {@link HostStatus#UNREACHABLE} with why, and a later
     * {@link #resume} rolls it back once it answers. A host that answers and has a problem still refuses the fleet.
     * By default an unreachable host refuses the fleet like any other problem.
     */
    public Fleet skippingUnreachable() {
        return new Fleet(name, hosts, plans, maxParallel, clock, true);
    }

    /** The fleet's name. */
    public String name() {
        return name;
    }

    /** The hosts, in fleet order. */
    public List<Host> hosts() {
        return hosts;
    }

    /** The plan of the named host. */
    public RollbackPlan plan(String host) {
        RollbackPlan plan = plans.get(host);
        if (plan == null) {
            throw new IllegalArgumentException("fleet '" + name + "': expected a host among " + plans.keySet()
                    + ", found '" + host + "'; give one of the fleet's host names");
        }
        return plan;
    }

    /** The most hosts worked on at once. */
    public int maxParallel() {
        return maxParallel;
    }

    /**
     * Captures a restore point on every host, in parallel.
     *
     * @throws FleetCaptureFailedException if any host's capture failed, naming every failed host and the points
     *     made on the others (which stay)
     */
    public FleetPoint capture(String label) {
        Objects.requireNonNull(label, "label");
        Map<String, Result<RestorePoint>> results = onEach(hosts, h -> plans.get(h.name()).capture(label));
        Map<String, String> made = new LinkedHashMap<>();
        Map<String, String> failures = new LinkedHashMap<>();
        results.forEach((h, r) -> {
            if (r.error == null) {
                made.put(h, r.value.id());
            } else {
                failures.put(h, describe(r.error));
            }
        });
        if (!failures.isEmpty()) {
            throw new FleetCaptureFailedException(name, label, failures, made);
        }
        return new FleetPoint(name, label, made);
    }

    /**
     * Every host's preview of a rollback to {@code point}, made in parallel: its steps and problems, or why it
     * could not be previewed. Changes nothing; print it for the whole document.
     */
    public FleetPreview preview(FleetPoint point) {
        Objects.requireNonNull(point, "point");
        Map<String, Result<RollbackPreview>> previews = onEach(hosts, h -> plans.get(h.name())
                .preview(pointOf(point, h.name())));
        Map<String, RollbackPreview> made = new LinkedHashMap<>();
        Map<String, String> not = new LinkedHashMap<>();
        previews.forEach((h, r) -> {
            if (r.error == null) {
                made.put(h, r.value);
            } else {
                not.put(h, describe(r.error));
            }
        });
        return new FleetPreview(name, point.label(), made, not);
    }

    /**
     * Rolls the fleet back to {@code point} in {@code waves}: preflight on every host, the canary wave, then the
     * batches while the failure budget allows.
     *
     * @throws FleetPreflightFailedException if any host has a problem; then no host was changed
     */
    public FleetReport rollback(FleetPoint point, Waves waves) {
        Objects.requireNonNull(point, "point");
        Objects.requireNonNull(waves, "waves");
        return run(point, waves, hosts, Map.of(), false);
    }

    /**
     * Finishes a fleet rollback that stopped (its budget, a failed canary, a hook, a process that died): every host
     * whose plan's last rollback is not a successful one to its point of {@code point} is rolled back again in
     * {@code waves}, after a preflight of those hosts; a host with an unfinished rollback has its plan's {@link
     * RollbackPlan#resume()} run instead. Hosts already rolled back are not touched and are reported {@link
     * HostStatus#ALREADY_DONE}. It reads each host's history from its plan's store, so it works from another
     * process than the one that started the rollback.
     *
     * @throws FleetPreflightFailedException if any host to roll back has a problem; then no host was changed
     */
    public FleetReport resume(FleetPoint point, Waves waves) {
        Objects.requireNonNull(point, "point");
        Objects.requireNonNull(waves, "waves");
        Map<String, Result<Boolean>> done = onEach(hosts, h -> doneWith(point, h.name()));
        List<Host> todo = hosts.stream().filter(h -> !Boolean.TRUE.equals(done.get(h.name()).value)).toList();
        Map<String, HostRow> skipped = new LinkedHashMap<>();
        hosts.stream().filter(h -> !todo.contains(h)).forEach(h -> skipped.put(h.name(),
                new HostRow(h.name(), 0, HostStatus.ALREADY_DONE, null, null, null, null, null)));
        return run(point, waves, todo, skipped, true);
    }

    /** Whether the host's last rollback is a successful one to its point. */
    private boolean doneWith(FleetPoint point, String host) {
        List<RollbackReport> rollbacks = plans.get(host).rollbacks();
        if (rollbacks.isEmpty()) {
            return false;
        }
        RollbackReport last = rollbacks.get(0);
        return !last.isUndo() && last.isSuccessful() && last.pointId() != null
                && last.pointId().equals(point.pointId(host));
    }

    private FleetReport run(FleetPoint point, Waves waves, List<Host> wanted, Map<String, HostRow> skipped,
            boolean resuming) {
        Instant start = clock.instant();
        Checked checked = preflight(point, wanted);
        Map<String, RestorePoint> points = checked.points();
        Map<String, HostRow> rows = new LinkedHashMap<>(skipped);
        checked.unreachable().forEach((h, why) -> rows.put(h, new HostRow(h, 0, HostStatus.UNREACHABLE, null, null,
                null, null, why)));
        List<Host> todo = wanted.stream().filter(h -> !checked.unreachable().containsKey(h.name())).toList();
        String stopped = null;
        int failed = 0;
        int wave = 0;
        for (List<Host> hostsOfWave : waves.split(todo)) {
            wave++;
            if (stopped != null) {
                for (Host h : hostsOfWave) {
                    rows.put(h.name(), new HostRow(h.name(), 0, HostStatus.NOT_STARTED, null, null, null, null, null));
                }
                continue;
            }
            String hookError = hooks(waves.before(), wave, hostsOfWave, "before");
            if (hookError != null) {
                stopped = hookError;
                for (Host h : hostsOfWave) {
                    rows.put(h.name(), new HostRow(h.name(), 0, HostStatus.NOT_STARTED, null, null, null, null, null));
                }
                continue;
            }
            int number = wave;
            Map<String, Result<RollbackReport>> results = onEach(hostsOfWave, h -> rollbackOne(h.name(),
                    points.get(h.name()), resuming));
            int failedHere = 0;
            for (Host h : hostsOfWave) {
                Result<RollbackReport> r = results.get(h.name());
                HostRow row = r.error != null
                        ? new HostRow(h.name(), number, HostStatus.FAILED, null, null, null, null, describe(r.error))
                        : new HostRow(h.name(), number, r.value.isSuccessful() ? HostStatus.SUCCEEDED
                                : HostStatus.FAILED, r.value.outcome(), r.value.startedAt(), r.value.timeToRecover(),
                                r.value.setAsidePointId(), r.value.isSuccessful() ? null
                                        : String.join("; ", r.value.errors()));
                if (row.status() == HostStatus.FAILED) {
                    failedHere++;
                }
                rows.put(h.name(), row);
            }
            failed += failedHere;
            hookError = hooks(waves.after(), wave, hostsOfWave, "after");
            if (hookError != null) {
                stopped = hookError;
            } else if (wave == 1 && failedHere > 0) {
                stopped = "the canary wave failed on " + failedHere + " of " + hostsOfWave.size() + " host(s)";
            } else {
                String over = waves.exceeded(failed, todo.size());
                if (over != null) {
                    stopped = "after wave " + wave + ", " + over;
                }
            }
        }
        List<HostRow> ordered = new ArrayList<>();
        for (Host h : hosts) {
            ordered.add(rows.get(h.name()));
        }
        if (stopped != null && ordered.stream().noneMatch(r -> r.status() == HostStatus.NOT_STARTED)) {
            stopped = null;
        }
        return new FleetReport(name, point.label(), ordered, stopped, start, clock.instant());
    }

    private RollbackReport rollbackOne(String host, RestorePoint point, boolean resuming) {
        RollbackPlan plan = plans.get(host);
        if (resuming) {
            try {
                return plan.resume();
            } catch (NothingToResumeException none) {
                // no unfinished rollback: roll back afresh
            }
        }
        return plan.rollback(point);
    }

    /** Runs the hooks; the error that stops the rollback, or null. */
    private String hooks(List<WaveHook> list, int wave, List<Host> hostsOfWave, String when) {
        for (WaveHook hook : list) {
            try {
                hook.run(wave, hostsOfWave);
            } catch (Exception e) {
                return "the hook " + when + " wave " + wave + " failed: " + describe(e);
            }
        }
        return null;
    }

    /** The outcome of a preflight: each host to roll back with its point, and the hosts left out unreachable. */
    private record Checked(Map<String, RestorePoint> points, Map<String, String> unreachable) {}

    /**
     * Every host's problems, all at once, refusing the fleet if any host has one; each host's point when none has.
     * Each host is first asked to run {@code true}: one that does not answer is not previewed (every check would
     * only wait for it again), has that one problem, and is left out when {@link #skippingUnreachable()} says so.
     */
    private Checked preflight(FleetPoint point, List<Host> todo) {
        Map<String, Result<Boolean>> answers = onEach(todo, h -> {
            h.run("true");
            return true;
        });
        List<Host> answering = todo.stream().filter(h -> answers.get(h.name()).error == null).toList();
        Map<String, Result<List<String>>> found = onEach(answering, h -> {
            RollbackPlan plan = plans.get(h.name());
            RollbackPreview preview = plan.preview(pointOf(point, h.name()));
            return preview.problems().stream().map(p -> p.message()).toList();
        });
        Map<String, List<String>> problems = new LinkedHashMap<>();
        Map<String, String> unreachable = new LinkedHashMap<>();
        for (Host h : todo) {
            Throwable silent = answers.get(h.name()).error;
            Result<List<String>> r = found.get(h.name());
            if (silent != null && skipUnreachable) {
                unreachable.put(h.name(), "does not answer: " + describe(silent));
            } else if (silent != null) {
                problems.put(h.name(), List.of("the host does not answer (" + describe(silent) + "); bring it back, "
                        + "or leave it out with fleet.skippingUnreachable() and resume it later"));
            } else if (r.error != null) {
                problems.put(h.name(), List.of("cannot be checked: " + describe(r.error)));
            } else if (!r.value.isEmpty()) {
                problems.put(h.name(), r.value);
            }
        }
        if (!problems.isEmpty()) {
            throw new FleetPreflightFailedException(name, point.label(), problems);
        }
        Map<String, RestorePoint> points = new LinkedHashMap<>();
        for (Host h : answering) {
            points.put(h.name(), pointOf(point, h.name()));
        }
        return new Checked(points, unreachable);
    }

    private RestorePoint pointOf(FleetPoint point, String host) {
        String id = point.pointId(host);
        if (id == null) {
            throw new IllegalArgumentException("fleet '" + name + "': expected a restore point of host '" + host
                    + "' in fleet point '" + point.label() + "', found none (it holds " + point.pointIds().keySet()
                    + "); capture the fleet again");
        }
        return plans.get(host).store().get(id);
    }

    private static String describe(Throwable e) {
        Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** A value or the error that prevented it. */
    private record Result<T>(T value, Throwable error) {}

    /** A piece of work on one host. */
    private interface Work<T> {
        T on(Host host) throws Exception;
    }

    /** Runs {@code work} on every host, at most {@link #maxParallel} at once; every host's result, in order. */
    private <T> Map<String, Result<T>> onEach(List<Host> list, Work<T> work) {
        Map<String, Result<T>> results = new LinkedHashMap<>();
        if (list.isEmpty()) {
            return results;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(maxParallel, list.size()), r -> {
            Thread t = new Thread(r, "fleet-" + name);
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<T>> futures = new LinkedHashMap<>();
            for (Host h : list) {
                futures.put(h.name(), pool.submit(() -> work.on(h)));
            }
            for (Map.Entry<String, Future<T>> f : futures.entrySet()) {
                try {
                    results.put(f.getKey(), new Result<>(f.getValue().get(), null));
                } catch (ExecutionException e) {
                    results.put(f.getKey(), new Result<>(null, e.getCause()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    pool.shutdownNow();
                    throw new IllegalStateException("fleet '" + name + "': interrupted while waiting for host '"
                            + f.getKey() + "'; the hosts still at work go on until their step ends", e);
                }
            }
        } finally {
            pool.shutdown();
        }
        return results;
    }

    @Override
    public String toString() {
        return "Fleet[" + name + ", " + hosts.size() + " host(s), maxParallel " + maxParallel + "]";
    }
}
