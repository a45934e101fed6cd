package dev.rollback.fleet;

import dev.rollback.error.RollbackException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The preflight of a fleet rollback found problems on one host or more, so no host was changed. The message lists
 * every host's problems; {@link #problems()} gives them per host.
 */
public class FleetPreflightFailedException extends RollbackException {

    private static final long serialVersionUID = 1L;

    private final transient Map<String, List<String>> problems;

    /**
     * An exception for the given fleet and problems.
     *
     * @param fleet the fleet's name
     * @param label the fleet point's label
     * @param problems per host with problems, each problem's message, in fleet order
     */
    public FleetPreflightFailedException(String fleet, String label, Map<String, List<String>> problems) {
        super(message(fleet, label, problems));
        Map<String, List<String>> copy = new LinkedHashMap<>();
        problems.forEach((h, p) -> copy.put(h, List.copyOf(p)));
        this.problems = Collections.unmodifiableMap(copy);
    }

    private static String message(String fleet, String label, Map<String, List<String>> problems) {
        String nl = System.lineSeparator();
        StringBuilder text = new StringBuilder("rollback of fleet '" + fleet + "' to '" + label + "' refused before "
                + "any change on any host: expected every host ready, found problems on " + problems.size()
                + " host(s); fix them and roll back again:");
        problems.forEach((h, list) -> {
            text.append(nl).append("  ").append(h).append(':');
            list.forEach(p -> text.append(nl).append("    - ").append(p));
        });
        return text.toString();
    }

    /** Per host with problems, each problem's message, in fleet order. */
    public Map<String, List<String>> problems() {
        return problems;
    }
}
