package dev.rollback.fleet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A restore point of a whole fleet: the restore point captured on each host, made by {@link Fleet#capture(String)}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param fleet the fleet's name
 * @param label the release or reason, as given to capture
 * @param pointIds per host name ({@link dev.rollback.host.Host#name()}), the id of its restore point, in fleet order
 */
public record FleetPoint(String fleet, String label, Map<String, String> pointIds) {

    /** Validates the parts and copies the map, keeping its order. */
    public FleetPoint {
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(label, "label");
        pointIds = Collections.unmodifiableMap(new LinkedHashMap<>(pointIds));
    }

    /** The id of the restore point captured on the named host, or null if the point has none there. */
    public String pointId(String host) {
        return pointIds.get(host);
    }
}
