package dev.rollback.support;

import dev.rollback.CheckResult;
import dev.rollback.Problem;
import dev.rollback.Snapshot;
import dev.rollback.TargetKind;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An in-memory target for engine tests: a value, a shared log of calls, and switchable faults. */
public final class MemoryTarget implements Target {

    private final String name;
    private final List<String> log;
    public volatile String value;
    public volatile boolean failRestore;
    public volatile boolean failSetAside;
    public volatile boolean failVerify;
    public volatile String restoreError = "restore failed";
    public final List<Problem> problems = new ArrayList<>();
    public volatile Runnable duringRestore = () -> {};
    public final Set<String> secrets;

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
