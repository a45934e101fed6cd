package dev.rollback.internal.engine;

import dev.rollback.CaptureFailedException;
import dev.rollback.InvalidPlanException;
import dev.rollback.RestorePoint;
import dev.rollback.RollbackEvent;
import dev.rollback.internal.LocalMachine;
import dev.rollback.spi.Names;
import dev.rollback.spi.Plural;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Captures and deletions of a plan's restore points: a capture writes every target's snapshot into a pending
 * point and commits it whole (or nothing), then applies the plan's retention; the set-aside of a rollback captures
 * the same way; a deletion removes the point's artifacts on the host and asks each target to release what it
 * keeps outside the store.
 *
 * <p>Thread-safe: the plan lock in the store serialises captures and deletions of one plan.
 */
final class Captures {

    private final Engine engine;
    private final PlanSpec spec;
    private final StoreWriter writer;
    private final ArtifactPlace artifacts;

    Captures(Engine engine) {
        this.engine = engine;
        this.spec = engine.spec;
        this.writer = engine.spec.writer();
        this.artifacts = engine.artifacts;
    }

    /**
     * Captures the state of every target into a new restore point, before a deploy; see {@code
     * RollbackPlan.capture}.
     */
    @SuppressWarnings("try") // the lock is held for the body's duration, never referenced
    RestorePoint capture(String label) {
        Names.requireText(label, "restore point label");
        String id = writer.newId();
        try (StoreWriter.Held lock = writer.lock(spec.name(), "capture", null, spec.clock().instant())) {
            for (String abandoned : writer.removeAbandoned(spec.name())) {
                artifacts.abandon(abandoned);
            }
            Optional<RestorePoint> previous = spec.store().latest(spec.name());
            StoreWriter.Pending pending = writer.begin(spec.name(), id);
            List<Snapshot> snapshots = new ArrayList<>();
            RestorePoint point;
            try {
                for (Target t : spec.targets().values()) {
                    snapshots.add(captureTarget(t, pending, label, previous, Optional.empty()));
                }
                // a manifest that cannot be written (a full disk) leaves nothing half-stored either
                point = writer.commit(pending, new RestorePoint(id, spec.name(), label, spec.clock().instant(),
                        LocalMachine.name(), RestorePoint.Origin.CAPTURE, null, snapshots, null));
            } catch (RuntimeException e) {
                artifacts.abort(pending);
                writer.abort(pending);
                throw e;
            }
            spec.listeners().emit(RollbackEvent.captured(spec.name(), id, spec.clock().instant(),
                    "captured restore point " + id + " '" + label + "' of " + Plural.of(snapshots.size(), "target")));
            writer.activity().record(spec.name(), "capture", id, null, "'" + label + "'");
            if (spec.keepLast() > 0) {
                writer.retainLocked(spec.name(), spec.keepLast(), p -> {
                    artifacts.deleteOnHost(p);
                    release(p);
                });
            }
            return point;
        }
    }

    /** Deletes a point of the plan, what it keeps on the host and what its targets keep outside the store. */
    List<Problem> delete(RestorePoint point) {
        Objects.requireNonNull(point, "restore point");
        if (!point.plan().equals(spec.name())) {
            throw new InvalidPlanException("delete restore point " + point.id() + ": expected a point of plan '" + spec.name()
                    + "', found one of plan '" + point.plan() + "'; delete it with that plan");
        }
        List<Problem> problems = new ArrayList<>();
        writer.delete(point.id(), p -> {
            artifacts.deleteOnHost(p);
            problems.addAll(release(p));
        });
        return List.copyOf(problems);
    }

    /**
     * Asks each target of the plan that has a snapshot in {@code point} to release what it keeps
     * outside the store; a failure is logged and emitted, never thrown, so the others still run.
     */
    private List<Problem> release(RestorePoint point) {
        List<Problem> problems = new ArrayList<>();
        for (Snapshot s : point.snapshots()) {
            Target t = spec.targets().get(s.target());
            if (t == null) {
                continue; // the plan no longer has this target: nothing knows what it kept
            }
            EngineContext ctx = EngineContext.release(spec, point, t.name());
            try {
                t.release(s, ctx);
            } catch (Exception e) {
                Problem p = Problem.of(t.name(), "what it keeps outside the store for restore point " + point.id()
                        + " released", spec.redactor().describe(e), "the point was deleted all the same; remove what is left "
                        + "by hand as the message says");
                problems.add(p);
                spec.listeners().emit(RollbackEvent.releaseFailed(spec.name(), point.id(), spec.clock().instant(), t.name(),
                        "target '" + t.name() + "': expected " + p.expected()
                        + ", found " + p.found() + "; " + p.action()));
            }
        }
        return problems;
    }

    /** Captures one target into a pending point; used by capture and by the set-aside phase. */
    Snapshot captureTarget(Target t, StoreWriter.Pending pending, String label,
            Optional<RestorePoint> previous, Optional<String> rollbackId) {
        boolean setAside = rollbackId.isPresent();
        Path dir = artifacts.prepare(pending, t.name());
        Optional<Snapshot> prevSnapshot = previous.flatMap(p -> p.snapshot(t.name()));
        EngineContext.Capture ctx = new EngineContext.Capture(spec, pending.id(), t.name(), label, dir, rollbackId,
                prevSnapshot, () -> artifacts.previousDir(previous, t.name()));
        Snapshot data;
        try (Heartbeat.Watch watch = engine.heartbeat.watch(ctx::progress)) {
            data = setAside ? t.setAside(ctx) : t.capture(ctx);
        } catch (Exception e) {
            throw new CaptureFailedException((setAside ? "set-aside" : "capture") + " of target '" + t.name()
                    + "' of plan '" + spec.name() + "' failed: " + spec.redactor().describe(e) + "; "
                    + (setAside ? "the target was not changed" : "no restore point was stored")
                    + "; fix the cause and try again", e, t.name());
        }
        if (data == null) {
            throw new CaptureFailedException("target '" + t.name() + "': expected a snapshot from "
                    + (setAside ? "setAside" : "capture") + ", found null; the target must return Snapshot.of(...)",
                    null, t.name());
        }
        try {
            return artifacts.complete(data, t.name(), t.kind(), pending, dir, previous);
        } catch (dev.rollback.host.HostException e) {
            throw new CaptureFailedException("capture of target '" + t.name() + "' of plan '" + spec.name() + "': its artifacts "
                    + "could not be recorded: " + spec.redactor().describe(e) + "; fix the cause and try again", e, t.name());
        }
    }
}
