package dev.rollback.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.RollbackReport;
import dev.rollback.WatchReport;
import dev.rollback.internal.HtmlPage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link FleetWatchdog} saw and did: each host's {@link WatchReport} (its probes, the trigger that fired on
 * it and its own rollback), whether the fleet's fraction was reached, and the fleet rollback that followed.
 *
 * <p>Immutable and thread-safe.
 *
 * @param fleet the fleet's name
 * @param pointLabel the fleet point's label
 * @param hosts each host's watch report, in fleet order
 * @param hostErrors each host whose watch ended with an error instead of a report, with the error
 * @param fleetTrigger why the whole fleet was rolled back, or null if its fraction was not reached
 * @param fleetRollback the fleet rollback's report, or null if there was none or it could not start
 * @param fleetError why the fleet rollback could not start (its preflight refused it), or null
 * @param stopped whether {@link FleetWatchdog#stop()} or an interrupt ended the watch
 * @param startedAt when the watch started
 * @param endedAt when it ended
 */
public record FleetWatchReport(String fleet, String pointLabel, Map<String, WatchReport> hosts,
        Map<String, String> hostErrors, String fleetTrigger, FleetReport fleetRollback, String fleetError,
        boolean stopped, Instant startedAt, Instant endedAt) {

    /** How a fleet watch ended. */
    public enum Outcome {
        /** No trigger fired on any host; nothing was changed. */
        HEALTHY,
        /** Triggers fired on some hosts, each was rolled back alone and successfully; the fleet's fraction was not reached. */
        HOSTS_ROLLED_BACK,
        /** The fleet's fraction was reached and the whole fleet is back at the point. */
        FLEET_ROLLED_BACK,
        /** A host's or the fleet's rollback did not succeed, or a host's watch failed: a person must look. */
        ROLLBACK_FAILED,
        /** The watch was stopped before any trigger fired; nothing was changed. */
        STOPPED
    }

    /** Validates the parts and copies the maps, keeping their order. */
    public FleetWatchReport {
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        hosts = Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
        hostErrors = Collections.unmodifiableMap(new LinkedHashMap<>(hostErrors));
    }

    /** How the watch ended, from the hosts' reports and the fleet rollback. */
    public Outcome outcome() {
        if (!hostErrors.isEmpty() || fleetError != null) {
            return Outcome.ROLLBACK_FAILED;
        }
        if (fleetTrigger != null) {
            return fleetRollback != null && fleetRollback.isSuccessful() ? Outcome.FLEET_ROLLED_BACK
                    : Outcome.ROLLBACK_FAILED;
        }
        List<String> fired = hostsTriggered();
        if (hosts.values().stream().anyMatch(r -> r.outcome() == WatchReport.Outcome.ROLLBACK_FAILED)) {
            return Outcome.ROLLBACK_FAILED;
        }
        if (!fired.isEmpty()) {
            return Outcome.HOSTS_ROLLED_BACK;
        }
        return stopped ? Outcome.STOPPED : Outcome.HEALTHY;
    }

    /** The hosts on which a trigger fired, in fleet order. */
    public List<String> hostsTriggered() {
        return hosts.entrySet().stream().filter(e -> e.getValue().fired() != null).map(Map.Entry::getKey).toList();
    }

    /** The watch report of the named host, or null if its watch ended with an error. */
    public WatchReport host(String name) {
        return hosts.get(name);
    }

    /** The time from the watch's start to its end. */
    public Duration duration() {
        return Duration.between(startedAt, endedAt);
    }

    /** The report as Markdown: the outcome, a row per host, then the fleet rollback's report if there was one. */
    public String toMarkdown() {
        String nl = System.lineSeparator();
        StringBuilder md = new StringBuilder("# Fleet watch of " + fleet + " (point " + pointLabel + "): " + outcome()
                + nl + nl);
        md.append(hosts.size() + hostErrors.size()).append(" hosts watched for ").append(duration().toMillis())
                .append(" ms; a trigger fired on ").append(hostsTriggered().size()).append(nl);
        if (fleetTrigger != null) {
            md.append(nl).append("Fleet rolled back: ").append(fleetTrigger).append(nl);
        }
        if (fleetError != null) {
            md.append(nl).append("Fleet rollback refused: ").append(fleetError.replaceAll("\\R", " ")).append(nl);
        }
        md.append(nl).append("| host | watch | trigger | time to detect | time to recover | probes |").append(nl)
                .append("|---|---|---|---|---|---|").append(nl);
        hosts.forEach((h, r) -> md.append("| ").append(h).append(" | ").append(r.outcome()).append(" | ")
                .append(r.reason() == null ? "-" : r.reason().replace("|", "\\|").replaceAll("\\R", " ")).append(" | ")
                .append(r.timeToDetect() == null ? "-" : r.timeToDetect().toMillis() + " ms").append(" | ")
                .append(r.timeToRecover() == null ? "-" : r.timeToRecover().toMillis() + " ms").append(" | ")
                .append(r.probesMade()).append(" |").append(nl));
        hostErrors.forEach((h, e) -> md.append("| ").append(h).append(" | ERROR | ")
                .append(e.replace("|", "\\|").replaceAll("\\R", " ")).append(" | - | - | - |").append(nl));
        if (fleetRollback != null) {
            md.append(nl).append(fleetRollback.toMarkdown());
        }
        return md.toString();
    }

    /** The report as pretty-printed JSON, with each host's watch report and the fleet rollback's report. */
    public String toJson() {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            ObjectNode root = json.createObjectNode();
            root.put("fleet", fleet).put("pointLabel", pointLabel).put("outcome", outcome().name())
                    .put("fleetTrigger", fleetTrigger).put("fleetError", fleetError).put("stopped", stopped)
                    .put("startedAt", startedAt.toString()).put("endedAt", endedAt.toString());
            ObjectNode perHost = root.putObject("hosts");
            for (Map.Entry<String, WatchReport> e : hosts.entrySet()) {
                perHost.set(e.getKey(), json.readTree(e.getValue().toJson()));
            }
            ObjectNode errs = root.putObject("hostErrors");
            hostErrors.forEach(errs::put);
            if (fleetRollback != null) {
                root.set("fleetRollback", json.readTree(fleetRollback.toJson()));
            }
            return json.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("fleet watch report of '" + fleet + "': expected JSON, found " + e, e);
        }
    }

    /**
     * The report as one self-contained HTML page (no script, style sheet, font or image from elsewhere): the outcome,
     * a timeline drawn as inline SVG (a bar per host that was rolled back on its own, from its rollback's start for
     * its time to recover; a bar per host of the fleet rollback; a mark where each host's trigger fired and where the
     * fleet recovered), a table of the hosts' watches, and the {@link #toMarkdown() Markdown report}.
     */
    public String toHtml() {
        Outcome outcome = outcome();
        HtmlPage page = new HtmlPage("Fleet watch of " + fleet + " after the deploy (point " + pointLabel + ")",
                "Outcome: " + outcome + "; a trigger fired on " + hostsTriggered().size() + " of "
                        + (hosts.size() + hostErrors.size()) + " hosts" + (fleetTrigger == null ? ""
                                : "; fleet rolled back: " + fleetTrigger), outcome != Outcome.ROLLBACK_FAILED);
        List<String[]> facts = new ArrayList<>();
        facts.add(new String[] {"Watched", "from " + startedAt + " to " + endedAt + (stopped ? ", stopped" : "")});
        if (fleetError != null) {
            facts.add(new String[] {"Fleet rollback refused", fleetError});
        }
        hostErrors.forEach((h, e) -> facts.add(new String[] {"Watch of " + h + " failed", e}));
        page.facts(facts);
        List<HtmlPage.Bar> bars = new ArrayList<>();
        List<HtmlPage.Mark> marks = new ArrayList<>();
        hosts.forEach((h, w) -> {
            if (w.triggeredAt() != null) {
                marks.add(new HtmlPage.Mark("trigger on " + h, w.triggeredAt(), "trigger"));
            }
            RollbackReport r = w.rollback();
            if (r != null) {
                bars.add(new HtmlPage.Bar(h + ": rollback", "host", r.startedAt(),
                        Duration.between(r.startedAt(), r.finishedAt()), r.outcome().name(), w.reason()));
            }
        });
        if (fleetRollback != null) {
            bars.addAll(fleetRollback.hostBars("fleet "));
            if (fleetRollback.isSuccessful()) {
                marks.add(new HtmlPage.Mark("fleet recovered", fleetRollback.finishedAt(), "recovered"));
            }
        }
        page.timeline("Timeline: the watch, " + bars.size() + (bars.size() == 1 ? " host rollback" : " host rollbacks"),
                startedAt, endedAt, bars, marks);
        List<List<String>> rows = new ArrayList<>();
        hosts.forEach((h, w) -> rows.add(List.of(h, w.outcome().name(), w.reason() == null ? "-" : w.reason(),
                w.timeToDetect() == null ? "-" : w.timeToDetect().toMillis() + " ms",
                w.timeToRecover() == null ? "-" : w.timeToRecover().toMillis() + " ms",
                Long.toString(w.probesMade()))));
        hostErrors.forEach((h, e) -> rows.add(List.of(h, "ERROR", e, "-", "-", "-")));
        page.table("Hosts", List.of("host", "watch", "trigger", "time to detect", "time to recover", "probes"), rows);
        return page.markdown("The report", toMarkdown()).html();
    }

    @Override
    public String toString() {
        return "FleetWatchReport[" + fleet + " (" + pointLabel + "): " + outcome() + ", trigger fired on "
                + hostsTriggered() + (fleetTrigger == null ? "" : ", fleet rolled back: " + fleetTrigger) + "]";
    }
}
