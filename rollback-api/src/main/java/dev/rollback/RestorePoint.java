package dev.rollback;

import dev.rollback.spi.Snapshot;

import dev.rollback.spi.Plural;
import dev.rollback.spi.PointInfo;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The snapshots of a plan's targets at one moment: what a rollback goes back to.
 *
 * <p>A point is made either by {@link RollbackPlan#capture(String)} before a deploy ({@link
 * Origin#CAPTURE}), or by a rollback that set the failed state aside before overwriting it ({@link
 * Origin#SET_ASIDE}); rolling back to the second kind undoes a rollback.
 *
 * <p>Immutable and thread-safe. Obtain points from a {@link RestorePointStore}.
 *
 * @param id unique id, also the name of the point's folder in the store
 * @param plan the name of the plan that made it
 * @param label a label such as the release ({@code v2.0.0})
 * @param createdAt when the capture finished
 * @param host the host the point was made on
 * @param origin how the point was made
 * @param rollbackId for a {@link Origin#SET_ASIDE} point, the rollback that set it aside; else null
 * @param snapshots one per target, in the plan's order
 * @param bad set when the point was marked bad, else null
 */
public record RestorePoint(
        String id,
        String plan,
        String label,
        Instant createdAt,
        String host,
        Origin origin,
        String rollbackId,
        List<Snapshot> snapshots,
        BadMark bad) implements PointInfo {

    /** How a restore point was made. */
    public enum Origin {
        /** Captured by {@link RollbackPlan#capture(String)}. */
        CAPTURE,
        /** The state a rollback set aside before overwriting it. */
        SET_ASIDE
    }

    /** Validates the parts and copies the snapshots. */
    public RestorePoint {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(origin, "origin");
        snapshots = List.copyOf(snapshots == null ? List.of() : snapshots);
    }

    /** The snapshot of the named target, if the point holds one. */
    public Optional<Snapshot> snapshot(String target) {
        return snapshots.stream().filter(s -> s.target().equals(target)).findFirst();
    }

    /** True if this point was made by a rollback to set the then-current state aside. */
    @Override
    public boolean isSetAside() {
        return origin == Origin.SET_ASIDE;
    }

    /** Whether the point has been marked bad. */
    public boolean isBad() {
        return bad != null;
    }

    /** This point with the given bad mark. */
    public RestorePoint markedBad(BadMark mark) {
        return new RestorePoint(id, plan, label, createdAt, host, origin, rollbackId, snapshots, mark);
    }

    /**
     * One short line whatever the number of targets and artifacts (JShell shows it at the prompt): the {@link
     * #describe() description} and how many targets and artifacts the point holds.
     */
    @Override
    public String toString() {
        long artifacts = snapshots.stream().mapToLong(s -> s.artifacts().size()).sum();
        return "RestorePoint[" + describe() + ", " + Plural.of(snapshots.size(), "target") + ", "
                + Plural.of(artifacts, "artifact") + "]";
    }

    /** A one-line description: id, label, time and marks. */
    public String describe() {
        return id + " '" + label + "' of plan '" + plan + "' (" + origin.name().toLowerCase().replace('_', '-') + " at "
                + createdAt + (bad == null ? "" : ", marked bad by " + bad.by() + ": " + bad.reason()) + ")";
    }
}
