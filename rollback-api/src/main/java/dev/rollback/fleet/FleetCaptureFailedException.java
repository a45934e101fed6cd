package dev.rollback.fleet;

import dev.rollback.error.RollbackException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fleet capture failed on one host or more. The message names every failed host and why, and every host where
 * a restore point was made all the same (those points stay; {@link #made()} gives them).
 */
public class FleetCaptureFailedException extends RollbackException {

    private static final long serialVersionUID = 1L;

    private final transient Map<String, String> failures;
    private final transient Map<String, String> made;

    /**
     * An exception for the given fleet capture.
     *
     * @param fleet the fleet's name
     * @param label the capture's label
     * @param failures per failed host, what went wrong
     * @param made per host where a point was made, its id
     */
    public FleetCaptureFailedException(String fleet, String label, Map<String, String> failures,
            Map<String, String> made) {
        super(message(fleet, label, failures, made));
        this.failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
        this.made = Collections.unmodifiableMap(new LinkedHashMap<>(made));
    }

    private static String message(String fleet, String label, Map<String, String> failures, Map<String, String> made) {
        String nl = System.lineSeparator();
        StringBuilder text = new StringBuilder("capture '" + label + "' of fleet '" + fleet + "': expected a restore "
                + "point on every host, found " + failures.size() + " of " + (failures.size() + made.size())
                + " host(s) failed; fix them and capture again:");
        failures.forEach((h, why) -> text.append(nl).append("  - ").append(h).append(": ").append(why));
        if (made.isEmpty()) {
            text.append(nl).append("No restore point was made on any host.");
        } else {
            text.append(nl).append("Restore points made all the same (they stay; delete them with each host's plan "
                    + "if not wanted):");
            made.forEach((h, id) -> text.append(nl).append("  - ").append(h).append(": ").append(id));
        }
        return text.toString();
    }

    /** Per failed host, what went wrong, in fleet order. */
    public Map<String, String> failures() {
        return failures;
    }

    /** Per host where a restore point was made, its id, in fleet order. */
    public Map<String, String> made() {
        return made;
    }
}
