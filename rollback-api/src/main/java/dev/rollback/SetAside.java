package dev.rollback;

import java.util.Objects;

/**
 * Where a rollback saved the state of one target before overwriting it.
 *
 * @param target the target
 * @param pointId the restore point holding the saved state; roll back to it to undo
 * @param location the folder of the target's saved state in the store
 */
public record SetAside(String target, String pointId, String location) {

    /** Validates the parts. */
    public SetAside {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(pointId, "pointId");
        Objects.requireNonNull(location, "location");
    }
}
