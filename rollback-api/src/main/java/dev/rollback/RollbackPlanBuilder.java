package dev.rollback;

import dev.rollback.internal.Redactor;
import dev.rollback.internal.engine.Listeners;
import dev.rollback.internal.engine.Notifications;
import dev.rollback.internal.engine.PlanSpec;
import dev.rollback.spi.Check;
import dev.rollback.spi.Names;
import dev.rollback.spi.Phase;
import dev.rollback.spi.Step;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds an immutable {@link RollbackPlan}. Each argument is checked where it is given; {@link
 * #build()} checks how they fit together.
 *
 * <h2>The order a rollback runs in</h2>
 *
 * <ol>
 *   <li><b>PREFLIGHT</b>: the restore point belongs to the plan and is not marked bad, every
 *       artifact matches its checksum, every target's own preflight passes. Any problem refuses
 *       the rollback, listing all of them, before a byte changes.
 *   <li><b>STOP</b>: the {@link #stop(Step)} steps, in the order declared.
 *   <li><b>SET_ASIDE</b>: each target's current state is saved into a new restore point, in the
 *       order the targets were declared.
 *   <li><b>RESTORE</b>: each target is restored in the order declared (declare dependencies
 *       first: the database before the code that reads it), with its {@link #beforeRestoring} and
 *       {@link #afterRestoring} hooks around it.
 *   <li><b>START</b>: the {@link #start(Step)} steps, in the order declared.
 *   <li><b>VERIFY</b>: each restored target verifies itself, then the {@link #verify(Check)} checks
 *       run in the order declared.
 * </ol>
 *
 * <p>{@link #before(Phase, Step)} and {@link #after(Phase, Step)} hooks run at the start and end of
 * their phase. When a step fails, the {@link #onFailure(FailurePolicy) failure policy} decides what
 * comes next; putting things back runs the restores in reverse order, from the state set aside, and
 * then the start steps.
 *
 * <p>An undo ({@link RollbackPlan#undo}) runs the same phases to the state a rollback set aside,
 * with three differences: each target restores all that state recorded (not only the tables, paths
 * or services it is configured for); VERIFY compares each target with that state instead of running
 * the {@link #verify(Check)} checks, which describe the good state (they run on request, as
 * information); and a failed step other than a start step puts back the state the undo started
 * from, whatever the failure policy.
 *
 * <pre>{@code
 * RollbackPlan plan = Rollback.plan("blog")
 *     .store(Path.of("/var/lib/rollback"))
 *     .stop(stopApp)
 *     .target(database)                       // restored first
 *     .target(code)                           // then the code
 *     .afterRestoring("code", rebuildAssets)
 *     .start(startApp)
 *     .verify(healthCheck)
 *     .budget(Phase.RESTORE, Duration.ofMinutes(2))
 *     .recoveryBudget(Duration.ofMinutes(5))
 *     .keepLast(10)
 *     .build();
 * }</pre>
 *
 * <p>Not thread-safe; build on one thread, then share the plan freely.
 */
public final class RollbackPlanBuilder {

    /** Where a plan on a remote host keeps artifacts on that host unless told otherwise. */
    static final Path DEFAULT_HOST_STORE = Path.of("/var/tmp/rollback");

    final String name;
    RestorePointStore store;
    dev.rollback.host.Host host;
    Path storeRoot;
    final Map<String, Target> targets = new LinkedHashMap<>();
    final List<Step> stops = new ArrayList<>();
    final List<Step> starts = new ArrayList<>();
    final List<Check> checks = new ArrayList<>();
    final Map<Phase, List<Step>> before = new EnumMap<>(Phase.class);
    final Map<Phase, List<Step>> after = new EnumMap<>(Phase.class);
    final Map<String, List<Step>> beforeTarget = new LinkedHashMap<>();
    final Map<String, List<Step>> afterTarget = new LinkedHashMap<>();
    FailurePolicy policy = FailurePolicy.HALT;
    final Map<Phase, Duration> budgets = new EnumMap<>(Phase.class);
    Duration recoveryBudget;
    int keepLast;
    Path hostStore = DEFAULT_HOST_STORE;
    boolean copyArtifactsToStore;
    Clock clock = Clock.systemUTC();
    Sleeper sleeper = Sleeper.system();
    final List<RollbackListener> listeners = new ArrayList<>();
    final List<dev.rollback.notify.Notifier> notifiers = new ArrayList<>();
    final Set<String> secrets = new LinkedHashSet<>();
    boolean acceptDataLoss;

    RollbackPlanBuilder(String name) {
        this.name = name;
    }

    /**
     * The host every target, step and check of the plan works on; {@link dev.rollback.host.Hosts#local()}
     * unless set. The same plan runs on a remote server by changing only this.
     */
    public RollbackPlanBuilder on(dev.rollback.host.Host host) {
        this.host = Objects.requireNonNull(host, "host");
        return this;
    }

    /** Keeps restore points, journals and reports in {@code store}. */
    public RollbackPlanBuilder store(RestorePointStore store) {
        this.store = Objects.requireNonNull(store, "store");
        this.storeRoot = null;
        return this;
    }

    /**
     * Keeps restore points in the folder {@code root} (see {@link RestorePointStore}). Without a
     * store, a plan uses {@code .rollback} in the working directory.
     */
    public RollbackPlanBuilder store(Path root) {
        this.storeRoot = Objects.requireNonNull(root, "store folder");
        this.store = null;
        return this;
    }

    /**
     * The folder on a remote host that keeps the artifacts of the plan's restore points, as {@code
     * <folder>/<plan>/<point>/<target>/}; {@code /var/tmp/rollback} unless set. Folders the plan
     * creates there are readable by their owner only. A plan on a host that shares this process's
     * files ({@link dev.rollback.host.Hosts#local()}) keeps its artifacts in the local store and
     * ignores this, so the same plan runs on either host.
     *
     * @throws IllegalArgumentException if the path is not absolute
     */
    public RollbackPlanBuilder hostStore(Path folder) {
        Objects.requireNonNull(folder, "host store folder");
        if (!folder.isAbsolute() || folder.normalize().getParent() == null) {
            throw new IllegalArgumentException("hostStore: expected an absolute folder below the root on the host, found "
                    + folder + "; give one such as /var/tmp/rollback");
        }
        this.hostStore = folder.normalize();
        return this;
    }

    /**
     * On a remote host, also copies every artifact into the local store when capturing (an off-host
     * backup), each checked against the SHA-256 taken on the host. Restores still read the host's
     * copy; if that copy is missing or damaged, preflight checks the local copy and the rollback
     * pushes it back to the host before it changes anything. Without effect on a host that shares
     * this process's files, whose artifacts are in the local store already.
     */
    public RollbackPlanBuilder copyArtifactsToStore() {
        this.copyArtifactsToStore = true;
        return this;
    }

    /**
     * Adds a target. Targets are captured, set aside and restored in the order they are added.
     *
     * @throws InvalidPlanException if another target has the same name
     */
    public RollbackPlanBuilder target(Target target) {
        Objects.requireNonNull(target, "target");
        String targetName = Names.requireName(target.name(), "target name");
        Objects.requireNonNull(target.kind(), () -> "kind of target '" + targetName + "'");
        if (targets.containsKey(targetName)) {
            throw new InvalidPlanException("plan '" + name + "': expected unique target names, found '" + targetName
                    + "' twice; give each target its own name");
        }
        targets.put(targetName, target);
        return this;
    }

    /** Adds a step that stops a service before anything is set aside or restored. */
    public RollbackPlanBuilder stop(Step step) {
        stops.add(Objects.requireNonNull(step, "stop step"));
        return this;
    }

    /** Adds a step that starts a service after every target is restored. */
    public RollbackPlanBuilder start(Step step) {
        starts.add(Objects.requireNonNull(step, "start step"));
        return this;
    }

    /** Adds a check that proves recovery; checks run in the order added, after the targets verify. */
    public RollbackPlanBuilder verify(Check check) {
        checks.add(Objects.requireNonNull(check, "check"));
        return this;
    }

    /**
     * Runs {@code step} at the start of {@code phase}.
     *
     * @throws IllegalArgumentException for {@link Phase#PREFLIGHT}, which changes nothing
     */
    public RollbackPlanBuilder before(Phase phase, Step step) {
        before.computeIfAbsent(hookPhase(phase), p -> new ArrayList<>()).add(Objects.requireNonNull(step, "step"));
        return this;
    }

    /**
     * Runs {@code step} at the end of {@code phase}.
     *
     * @throws IllegalArgumentException for {@link Phase#PREFLIGHT}, which changes nothing
     */
    public RollbackPlanBuilder after(Phase phase, Step step) {
        after.computeIfAbsent(hookPhase(phase), p -> new ArrayList<>()).add(Objects.requireNonNull(step, "step"));
        return this;
    }

    /** Runs {@code step} just before the named target is restored (only when it is in scope). */
    public RollbackPlanBuilder beforeRestoring(String target, Step step) {
        beforeTarget.computeIfAbsent(Names.requireName(target, "target name"), t -> new ArrayList<>())
                .add(Objects.requireNonNull(step, "step"));
        return this;
    }

    /**
     * Runs {@code step} just after the named target is restored (only when it is in scope): rebuild
     * the front-end once the code is back.
     */
    public RollbackPlanBuilder afterRestoring(String target, Step step) {
        afterTarget.computeIfAbsent(Names.requireName(target, "target name"), t -> new ArrayList<>())
                .add(Objects.requireNonNull(step, "step"));
        return this;
    }

    /**
     * Rollbacks of this plan going ahead even when they destroy data written after the restore
     * point, for every target of the plan: said once here, for the plan, instead of on each target
     * that would destroy data (a database target's own {@code acceptDataLoss()}, a migration
     * target's); either place is enough, saying it in both changes nothing. Without it (and without
     * a target's own), preflight refuses such a rollback and names the data. Either way {@link
     * RollbackPlan#preview} lists what every target would destroy, in one place ({@link
     * RollbackPreview#dataAtRisk()}), so read it before accepting; export the rows first where a
     * target can ({@code exportDataLoss}). Targets read it through {@link
     * dev.rollback.spi.RestoreContext#dataLossAccepted()}.
     */
    public RollbackPlanBuilder acceptDataLoss() {
        this.acceptDataLoss = true;
        return this;
    }

    /** What to do when a step fails; {@link FailurePolicy#HALT} unless set. */
    public RollbackPlanBuilder onFailure(FailurePolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * The time {@code phase} should take. A phase over budget is reported (event and report) but
     * not interrupted: a half-finished restore is worse than a slow one.
     */
    public RollbackPlanBuilder budget(Phase phase, Duration budget) {
        budgets.put(Objects.requireNonNull(phase, "phase"), positive(budget, "budget of phase " + phase));
        return this;
    }

    /** The time to recover the plan aims at (the MTTR target); the report says whether it was met. */
    public RollbackPlanBuilder recoveryBudget(Duration budget) {
        this.recoveryBudget = positive(budget, "recovery budget");
        return this;
    }

    /**
     * After each capture, keeps the newest {@code n} restore points of the plan and deletes older
     * ones, never the newest good point nor a point an unfinished rollback uses. Deleting a point
     * also asks its targets to release what they keep outside the store ({@link
     * dev.rollback.spi.Target#release}); a target that cannot is logged and reported to the listeners
     * as {@link RollbackEvent.Type#RELEASE_FAILED}, and the capture still succeeds.
     */
    public RollbackPlanBuilder keepLast(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("keepLast: expected at least 1, found " + n + "; keep at least the newest point");
        }
        this.keepLast = n;
        return this;
    }

    /** The clock that times every step; inject a fixed or stepping clock in tests. */
    public RollbackPlanBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * How the plan waits between attempts of a check or for a service to stop; tests pass one that
     * advances their clock.
     */
    public RollbackPlanBuilder sleeper(Sleeper sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        return this;
    }

    /**
     * Tells {@code notifier} when a watchdog's trigger fires, a rollback starts, finishes or fails, and a drill ends
     * (such as {@link dev.rollback.notify.Webhook#to}). Sending is done by a thread of its own with bounded retries
     * and a backoff on the plan's {@link #sleeper sleeper}, the plan's secrets masked; a notifier that fails never
     * changes the rollback.
     */
    public RollbackPlanBuilder notify(dev.rollback.notify.Notifier notifier) {
        notifiers.add(Objects.requireNonNull(notifier, "notifier"));
        return this;
    }

    /** Adds a listener; events are also logged through slf4j. */
    public RollbackPlanBuilder listener(RollbackListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** A value (password, token) to mask in every log line, event and report. */
    public RollbackPlanBuilder secret(String value) {
        Objects.requireNonNull(value, "secret");
        if (!value.isBlank()) {
            secrets.add(value);
        }
        return this;
    }

    /**
     * Checks that the parts fit together and returns the immutable plan.
     *
     * @throws InvalidPlanException listing every part that does not fit
     */
    public RollbackPlan build() {
        List<String> errors = new ArrayList<>();
        if (targets.isEmpty()) {
            errors.add("expected at least one target, found none; add one with .target(...)");
        }
        for (String t : beforeTarget.keySet()) {
            if (!targets.containsKey(t)) {
                errors.add("beforeRestoring('" + t + "'): expected a target of that name, found only " + targets.keySet());
            }
        }
        for (String t : afterTarget.keySet()) {
            if (!targets.containsKey(t)) {
                errors.add("afterRestoring('" + t + "'): expected a target of that name, found only " + targets.keySet());
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidPlanException("plan '" + name + "' cannot be built: " + String.join("; ", errors));
        }
        if (store == null) {
            store = RestorePointStore.at(storeRoot == null ? Path.of(".rollback") : storeRoot, clock);
        }
        if (host == null) {
            host = dev.rollback.host.Hosts.local();
        }
        Set<String> masked = new LinkedHashSet<>(secrets);
        targets.values().forEach(t -> masked.addAll(t.secrets()));
        Redactor redactor = new Redactor(masked);
        List<RollbackListener> all = new ArrayList<>(listeners);
        if (!notifiers.isEmpty()) {
            all.add(new Notifications(notifiers, redactor, sleeper));
        }
        return new RollbackPlan(new PlanSpec(name, store, store.writer, host, targets, stops, starts, checks, before,
                after, beforeTarget, afterTarget, policy, budgets, recoveryBudget, keepLast, hostStore,
                copyArtifactsToStore, clock, sleeper, new Listeners(all), redactor, acceptDataLoss));
    }

    private static Phase hookPhase(Phase phase) {
        Objects.requireNonNull(phase, "phase");
        if (phase == Phase.PREFLIGHT) {
            throw new IllegalArgumentException("hooks on PREFLIGHT: preflight changes nothing, so it runs no hooks; "
                    + "attach the hook to STOP instead");
        }
        return phase;
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + ": expected a positive duration, found " + d);
        }
        return d;
    }
}
