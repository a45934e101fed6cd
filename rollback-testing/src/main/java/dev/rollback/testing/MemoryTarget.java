package dev.rollback.testing;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory target for testing plans and the engine: it holds one string {@link #value}, appends each call
 * ({@code capture}, {@code set aside}, {@code restore}, {@code verify}, with its name) to a shared log so a test can
 * assert the order, and has switchable faults. Its fields are public and volatile on purpose: a test flips them
 * between steps. Thread-safe for that use.
 *
 * <pre>{@code
 * List<String> log = new ArrayList<>();
 * MemoryTarget config = new MemoryTarget("config", "v1", log);
 * RollbackPlan plan = Rollback.plan("p").store(dir).target(config).build();
 * RestorePoint p = plan.capture("v1");
 * config.value = "v2";
 * plan.rollback(p);   // config.value is "v1" again; log shows capture, set aside, restore, verify
 * }</pre>
 */
public final class MemoryTarget implements Target {

    private final String name;
    private final List<String> log;
    /** The state this target holds. */
    public volatile String value;
    /** Makes {@code restore} throw {@link #restoreError}. */
    public volatile boolean failRestore;
    /** Makes {@code setAside} throw. */
    public volatile boolean failSetAside;
    /** Makes {@code verify} fail. */
    public volatile boolean failVerify;
    /** The message of a failed restore. */
    public volatile String restoreError = "restore failed";
    /** What {@code preflight} reports; add to it to make preflight refuse. */
    public final List<Problem> problems = new ArrayList<>();
    /** Runs inside {@code restore}, before the fault switch is read. */
    public volatile Runnable duringRestore = () -> {};
    /** The values this target declares secret (reports mask them). */
    public final Set<String> secrets;

    /** A target {@code name} holding {@code value}, logging its calls to {@code log}. */
    public MemoryTarget(String name, String value, List<String> log, String... secrets) {
        this.name = name;
        this.value = value;
        this.log = log;
        this.secrets = Set.of(secrets);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.CONFIG;
    }

    @Override
    public Snapshot capture(CaptureContext ctx) {
        log.add("capture " + name);
        return Snapshot.of(Map.of("value", value));
    }

    @Override
    public Snapshot setAside(CaptureContext ctx) {
        log.add("set aside " + name);
        if (failSetAside) {
            throw new IllegalStateException("cannot save " + name);
        }
        return Snapshot.of(Map.of("value", value));
    }

    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        return List.copyOf(problems);
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) {
        return List.of("set " + name + " from '" + value + "' to '" + snapshot.require("value") + "'");
    }

    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) {
        log.add("restore " + name);
        duringRestore.run();
        if (failRestore) {
            throw new IllegalStateException(restoreError);
        }
        value = snapshot.require("value");
    }

    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) {
        log.add("verify " + name);
        boolean ok = !failVerify && value.equals(snapshot.require("value"));
        return ok ? CheckResult.passed(name, "value is " + value) : CheckResult.failed(name, "value is " + value);
    }

    @Override
    public Set<String> secrets() {
        return secrets;
    }
}
