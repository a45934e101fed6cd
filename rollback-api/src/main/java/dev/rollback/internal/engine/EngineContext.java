package dev.rollback.internal.engine;

import dev.rollback.DrillContext;
import dev.rollback.RestorePoint;
import dev.rollback.RollbackEvent;
import dev.rollback.host.Host;
import dev.rollback.spi.Artifact;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Phase;
import dev.rollback.spi.ReleaseContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the engine hands a target, a step, a check or a drill's change: the plan's name, host, clock and sleeper,
 * the run and its restore point, the phase, progress sent to the plan's listeners (masked) under the run's id,
 * and, in a restore, where each snapshot's artifacts are. One class for every kind of context the plan gives
 * ({@link RestoreContext} and so {@code StepContext}, {@link ReleaseContext}, {@link DrillContext}); a capture's,
 * whose {@code rollbackId()} is optional, is its nested {@link Capture}.
 *
 * <p>Immutable; thread-safe as far as the plan's listeners and the store are.
 */
public final class EngineContext implements RestoreContext, ReleaseContext, DrillContext {

    private final PlanSpec spec;
    private final String id;
    private final RestorePoint point;
    private final Phase phase;
    private final String step;
    private final String target;
    private final ArtifactPlace artifacts;
    private final Supplier<RestorePoint> aside;

    private EngineContext(PlanSpec spec, String id, RestorePoint point, Phase phase, String step, String target,
            ArtifactPlace artifacts, Supplier<RestorePoint> aside) {
        this.spec = spec;
        this.id = id;
        this.point = point;
        this.phase = phase;
        this.step = step;
        this.target = target;
        this.artifacts = artifacts;
        this.aside = aside;
    }

    /**
     * The context of a step or check of run {@code id} in {@code phase}; its progress names {@code step} and
     * {@code target} (either may be null).
     */
    public static EngineContext of(PlanSpec spec, String id, RestorePoint point, Phase phase, String step,
            String target) {
        return new EngineContext(spec, id, point, phase, step, target, null, () -> null);
    }

    /** The context a target releases what it keeps for {@code point} in; its progress is the release's. */
    public static EngineContext release(PlanSpec spec, RestorePoint point, String target) {
        return new EngineContext(spec, point.id(), point, null, "release " + target, target, null, () -> null);
    }

    /** This context for a target's preflight, restore or verify, the artifacts found through {@code artifacts}. */
    EngineContext restoring(ArtifactPlace artifacts, Supplier<RestorePoint> aside) {
        return new EngineContext(spec, id, point, phase, step, target, artifacts, aside);
    }

    @Override
    public String plan() {
        return spec.name();
    }

    @Override
    public String rollbackId() {
        return id;
    }

    @Override
    public String drillId() {
        return id;
    }

    @Override
    public RestorePoint point() {
        return point;
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public Host host() {
        return spec.host();
    }

    @Override
    public Clock clock() {
        return spec.clock();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        spec.sleeper().sleep(duration);
    }

    @Override
    public void progress(String message) {
        spec.listeners().emit(RollbackEvent.progress(spec.name(), id, spec.clock().instant(), phase, step, target,
                spec.redactor().redact(message)));
    }

    // ---- a restore's ----------------------------------------------------------------------------

    @Override
    public Path artifact(Snapshot snapshot, String path) {
        if (snapshot.artifact(path).isEmpty()) {
            throw new IllegalArgumentException("snapshot of target '" + snapshot.target() + "': expected an "
                    + "artifact '" + path + "', found only " + snapshot.artifacts().stream().map(Artifact::path).toList());
        }
        return artifactDir(snapshot).resolve(path);
    }

    @Override
    public Path artifactDir(Snapshot snapshot) {
        return places().dirOf(ownerOf(snapshot), snapshot);
    }

    /** The point {@code snapshot} belongs to: the run's set-aside point for a snapshot {@link #setAside} gave. */
    private RestorePoint ownerOf(Snapshot snapshot) {
        RestorePoint asidePoint = aside.get();
        return point != asidePoint && asidePoint != null && asidePoint.snapshots().contains(snapshot)
                && !point.snapshots().contains(snapshot) ? asidePoint : point;
    }

    @Override
    public boolean dataLossAccepted() {
        return spec.acceptDataLoss();
    }

    @Override
    public Optional<Snapshot> setAside(String target) {
        RestorePoint asidePoint = aside.get();
        if ("preview".equals(id) || phase == Phase.PREFLIGHT || asidePoint == null || point == asidePoint) {
            return Optional.empty();
        }
        return asidePoint.snapshot(target);
    }

    @Override
    public Path consume(Snapshot snapshot, String path) {
        Path file = artifact(snapshot, path);
        if (phase != Phase.RESTORE) {
            throw new IllegalStateException("target '" + snapshot.target() + "': expected to consume artifact '"
                    + path + "' during the restore, found phase " + phase + "; consume it in restore() only");
        }
        String note = ConsumedNotes.read(spec.host(), snapshot, file);
        boolean there = snapshot.location() == null ? Files.exists(file) : spec.host().exists(file);
        if (note != null && !there) {
            if (id.equals(ConsumedNotes.consumer(note))) {
                return file; // this rollback moved it before a crash: the target finds its work done
            }
            throw new IllegalStateException("target '" + snapshot.target() + "': expected artifact '" + path
                    + "' of restore point " + point.id() + ", found it consumed: " + note
                    + "; roll back to another restore point");
        }
        ConsumedNotes.mark(spec.host(), point, snapshot, file, "rollback " + id + " of plan '" + spec.name() + "' at "
                + spec.clock().instant() + " moved it into place as the restore of target '" + snapshot.target() + "'");
        return file;
    }

    private ArtifactPlace places() {
        if (artifacts == null) {
            throw new IllegalStateException("plan '" + spec.name() + "': expected a restore's context to find "
                    + "artifacts, found the context of " + (step == null ? "a check" : "'" + step + "'")
                    + "; read artifacts in preflight, restore or verify only");
        }
        return artifacts;
    }

    /**
     * The context a target captures, or sets aside, its state in: the point being written, the folder for its
     * artifacts, the same target's previous snapshot. Immutable.
     */
    public static final class Capture implements CaptureContext {

        private final EngineContext base;
        private final String label;
        private final Path dir;
        private final Optional<String> rollbackId;
        private final Optional<Snapshot> previous;
        private final Supplier<Optional<Path>> previousDir;

        Capture(PlanSpec spec, String pointId, String target, String label, Path dir, Optional<String> rollbackId,
                Optional<Snapshot> previous, Supplier<Optional<Path>> previousDir) {
            boolean setAside = rollbackId.isPresent();
            this.base = new EngineContext(spec, pointId, null, setAside ? Phase.SET_ASIDE : null,
                    (setAside ? "set aside " : "capture ") + target, target, null, () -> null);
            this.label = label;
            this.dir = dir;
            this.rollbackId = rollbackId;
            this.previous = previous;
            this.previousDir = previousDir;
        }

        @Override
        public String plan() {
            return base.plan();
        }

        @Override
        public String label() {
            return label;
        }

        @Override
        public Path artifactDir() {
            return dir;
        }

        @Override
        public String pointId() {
            return base.id;
        }

        @Override
        public Optional<String> rollbackId() {
            return rollbackId;
        }

        @Override
        public Host host() {
            return base.host();
        }

        @Override
        public Optional<Snapshot> previousSnapshot() {
            return previous;
        }

        @Override
        public Optional<Path> previousArtifactDir() {
            return previousDir.get();
        }

        @Override
        public Clock clock() {
            return base.clock();
        }

        @Override
        public void progress(String message) {
            base.progress(message);
        }
    }
}
