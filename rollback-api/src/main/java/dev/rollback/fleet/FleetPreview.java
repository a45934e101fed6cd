package dev.rollback.fleet;

import dev.rollback.RollbackPreview;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a fleet rollback to a point would do on every host, made by {@link Fleet#preview(FleetPoint)} without
 * changing anything: each host's {@link RollbackPreview} (its steps and problems), or why the host could not be
 * previewed (it does not answer, its point is missing). {@link #toString()} is the whole document, a section per
 * host.
 *
 * <p>Immutable and thread-safe.
 *
 * @param fleet the fleet's name
 * @param pointLabel the fleet point's label
 * @param previews each previewed host's preview, in fleet order
 * @param notPreviewed each host that could not be previewed, with why, in fleet order
 */
public record FleetPreview(String fleet, String pointLabel, Map<String, RollbackPreview> previews,
        Map<String, String> notPreviewed) {

    /** Validates the parts and copies the maps, keeping their order. */
    public FleetPreview {
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(pointLabel, "pointLabel");
        previews = Collections.unmodifiableMap(new LinkedHashMap<>(previews));
        notPreviewed = Collections.unmodifiableMap(new LinkedHashMap<>(notPreviewed));
    }

    /** Whether every host was previewed and is ready: a rollback would pass the fleet's preflight. */
    public boolean isReady() {
        return notPreviewed.isEmpty() && previews.values().stream().allMatch(RollbackPreview::isReady);
    }

    /** The hosts that would refuse the rollback, in fleet order: those not previewed and those with problems. */
    public List<String> refusedHosts() {
        return List.copyOf(problems().keySet());
    }

    /** Per host that would refuse the rollback, its problems' messages (or why it could not be previewed). */
    public Map<String, List<String>> problems() {
        Map<String, List<String>> all = new LinkedHashMap<>();
        previews.forEach((h, p) -> {
            if (!p.isReady()) {
                List<String> list = new ArrayList<>();
                p.problems().forEach(problem -> list.add(problem.message()));
                all.put(h, List.copyOf(list));
            }
        });
        notPreviewed.forEach((h, why) -> all.put(h, List.of(why)));
        return Collections.unmodifiableMap(all);
    }

    /**
     * The preview of the named host.
     *
     * @throws IllegalArgumentException if the host was not previewed, saying why
     */
    public RollbackPreview host(String name) {
        RollbackPreview p = previews.get(name);
        if (p == null) {
            throw new IllegalArgumentException("preview of fleet '" + fleet + "': expected a preview of host '" + name
                    + "', found " + (notPreviewed.containsKey(name) ? "none because " + notPreviewed.get(name)
                    : "no such host among " + previews.keySet()) + "; fix the host and preview again");
        }
        return p;
    }

    /** The whole document: a summary line, then a section per host with its steps and problems. */
    @Override
    public String toString() {
        String nl = System.lineSeparator();
        int hosts = previews.size() + notPreviewed.size();
        int refused = problems().size();
        StringBuilder text = new StringBuilder("Fleet '" + fleet + "' to " + pointLabel + ": " + hosts + " host(s), "
                + (refused == 0 ? "every host ready" : refused + " refused") + nl);
        previews.forEach((h, p) -> text.append(nl).append("## ").append(h).append(nl).append(p).append(nl));
        notPreviewed.forEach((h, why) -> text.append(nl).append("## ").append(h).append(nl).append("Refused: ")
                .append(why).append(nl));
        return text.toString();
    }
}
