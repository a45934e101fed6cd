package dev.rollback.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.Outcome;
import dev.rollback.internal.HtmlPage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a fleet rollback did: a row per host (its wave, how it ended, its time to recover, where its failed state
 * was set aside), the totals, and why it stopped if it did. Made by {@link Fleet#rollback} and {@link
 * Fleet#resume}; printable with {@link #toMarkdown()} and {@link #toJson()}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param fleet the fleet's name
 * @param pointLabel the fleet point's label
 * @param hosts a row per host, in fleet order
 * @param stoppedBecause why no further wave started, or null if every wave ran
 * @param startedAt when the fleet rollback started
 * @param finishedAt when it ended
 */
public record FleetReport(String fleet, String pointLabel, List<HostRow> hosts, String stoppedBecause,
        Instant startedAt, Instant finishedAt) {

    /** How a host ended in a fleet rollback. */
    public enum HostStatus {
        /** Its rollback succeeded. */
        SUCCEEDED,
        /** Its rollback failed, or could not start (an error is given). */
        FAILED,
        /** Its wave never started. */
        NOT_STARTED,
        /** A resume found it rolled back already and left it alone. */
        ALREADY_DONE,
        /**
         * It did not answer the preflight and was left out, as {@link Fleet#skippingUnreachable()} asked; nothing was
         * done to it. {@link Fleet#resume} rolls it back once it answers.
         */
        UNREACHABLE
    }

    /**
     * One host of a fleet rollback.
     *
     * @param host the host's name
     * @param wave the number of its wave (1 for the canary), or 0 if it was not in a wave that ran
     * @param status how it ended
     * @param outcome its plan's outcome, or null if its plan made no report
     * @param startedAt when its rollback started, or null if its plan made no report
     * @param timeToRecover its rollback's time to recover, or null
     * @param setAsidePointId the restore point holding the state its rollback set aside, or null
     * @param error what went wrong, or null
     */
    public record HostRow(String host, int wave, HostStatus status, Outcome outcome, Instant startedAt,
            Duration timeToRecover,
            String setAsidePointId, String error) {

        /** Validates the parts. */
        public HostRow {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(status, "status");
        }
    }

    /** Validates the parts and copies the rows. */
    public FleetReport {
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        hosts = List.copyOf(hosts);
    }

    /** Whether every host is back at the point: each succeeded now or earlier. */
    public boolean isSuccessful() {
        return hosts.stream().allMatch(h -> h.status() == HostStatus.SUCCEEDED || h.status() == HostStatus.ALREADY_DONE);
    }

    /** The number of hosts that ended with {@code status}. */
    public long count(HostStatus status) {
        return hosts.stream().filter(h -> h.status() == status).count();
    }

    /** The row of the named host, or null. */
    public HostRow host(String name) {
        return hosts.stream().filter(h -> h.host().equals(name)).findFirst().orElse(null);
    }

    /** The names of the hosts that ended with {@code status}, in fleet order. */
    public List<String> hostsWith(HostStatus status) {
        return hosts.stream().filter(h -> h.status() == status).map(HostRow::host).toList();
    }

    /** The time from the fleet rollback's start to its end. */
    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    private String totals() {
        StringBuilder t = new StringBuilder();
        for (HostStatus s : HostStatus.values()) {
            t.append(t.length() == 0 ? "" : ", ").append(count(s)).append(' ').append(s.name().toLowerCase().replace('_', ' '));
        }
        return t.toString();
    }

    /** The report as a Markdown table, a row per host, with the totals. */
    public String toMarkdown() {
        String nl = System.lineSeparator();
        StringBuilder md = new StringBuilder("# Fleet rollback of " + fleet + " to " + pointLabel + ": "
                + (isSuccessful() ? "succeeded" : "not successful") + nl + nl);
        md.append(hosts.size()).append(" hosts: ").append(totals()).append(", in ").append(duration().toMillis())
                .append(" ms").append(nl);
        if (stoppedBecause != null) {
            md.append(nl).append("Stopped: ").append(stoppedBecause).append(nl);
        }
        md.append(nl).append("| host | wave | status | outcome | time to recover | set aside | error |").append(nl)
                .append("|---|---|---|---|---|---|---|").append(nl);
        for (HostRow h : hosts) {
            md.append("| ").append(h.host()).append(" | ").append(h.wave() == 0 ? "-" : h.wave()).append(" | ")
                    .append(h.status()).append(" | ").append(h.outcome() == null ? "-" : h.outcome()).append(" | ")
                    .append(h.timeToRecover() == null ? "-" : h.timeToRecover().toMillis() + " ms").append(" | ")
                    .append(h.setAsidePointId() == null ? "-" : h.setAsidePointId()).append(" | ")
                    .append(h.error() == null ? "" : h.error().replace("|", "\\|").replaceAll("\\R", " ")).append(" |")
                    .append(nl);
        }
        return md.toString();
    }

    /** A timeline bar per host this rollback changed, from its start for its time to recover, labelled {@code
     * <labelPrefix>wave <n>: <host>}. */
    List<HtmlPage.Bar> hostBars(String labelPrefix) {
        List<HtmlPage.Bar> bars = new ArrayList<>();
        for (HostRow h : hosts) {
            if (h.startedAt() != null && h.timeToRecover() != null) {
                bars.add(new HtmlPage.Bar(labelPrefix + "wave " + h.wave() + ": " + h.host(), "wave " + h.wave(),
                        h.startedAt(), h.timeToRecover(), h.status().name(), h.error()));
            }
        }
        return bars;
    }

    /**
     * The report as one self-contained HTML page (no script, style sheet, font or image from elsewhere): the outcome,
     * a timeline drawn as inline SVG (a bar per host, from its rollback's start for its time to recover, the hosts
     * of a wave together), the table of hosts, and the {@link #toMarkdown() Markdown report}.
     */
    public String toHtml() {
        HtmlPage page = new HtmlPage("Fleet rollback of " + fleet + " to " + pointLabel, "Outcome: "
                + (isSuccessful() ? "succeeded" : "not successful") + " — " + totals() + (stoppedBecause == null ? ""
                        : "; stopped: " + stoppedBecause), isSuccessful());
        page.facts(List.of(new String[] {"Hosts", Integer.toString(hosts.size())}, new String[] {"Ran", "from "
                + startedAt + " to " + finishedAt}));
        List<HtmlPage.Bar> bars = hostBars("");
        page.timeline("Timeline: " + bars.size() + " hosts rolled back", startedAt, finishedAt, bars,
                List.of(new HtmlPage.Mark(isSuccessful() ? "recovered" : "ended", finishedAt,
                        isSuccessful() ? "recovered" : "failed")));
        List<List<String>> rows = new ArrayList<>();
        for (HostRow h : hosts) {
            rows.add(java.util.Arrays.asList(h.host(), h.wave() == 0 ? "-" : Integer.toString(h.wave()),
                    h.status().name(), h.outcome() == null ? "-" : h.outcome().name(), h.timeToRecover() == null ? "-"
                            : h.timeToRecover().toMillis() + " ms", h.setAsidePointId(), h.error()));
        }
        page.table("Hosts", List.of("host", "wave", "status", "outcome", "time to recover", "set aside", "error"), rows);
        return page.markdown("The report", toMarkdown()).html();
    }

    /**
     * Reads a report written by {@link #toJson()} back, as a report kept in a file or sent to another process.
     *
     * @throws IllegalArgumentException if the text is not such a report, naming the part that is missing or wrong
     */
    public static FleetReport fromJson(String json) {
        Objects.requireNonNull(json, "json");
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException("fleet report: expected a JSON object as toJson() writes, found "
                        + (root == null ? "nothing" : root.getNodeType()) + "; give the text of report.toJson()");
            }
            List<HostRow> rows = new ArrayList<>();
            for (JsonNode h : required(root, "hosts")) {
                rows.add(new HostRow(required(h, "host").asText(), h.path("wave").asInt(0),
                        HostStatus.valueOf(required(h, "status").asText()),
                        text(h, "outcome") == null ? null : Outcome.valueOf(text(h, "outcome")),
                        text(h, "startedAt") == null ? null : Instant.parse(text(h, "startedAt")),
                        h.path("timeToRecoverMillis").isNumber()
                                ? Duration.ofMillis(h.get("timeToRecoverMillis").asLong()) : null,
                        text(h, "setAsidePointId"), text(h, "error")));
            }
            return new FleetReport(required(root, "fleet").asText(), text(root, "pointLabel"), rows,
                    text(root, "stoppedBecause"), Instant.parse(required(root, "startedAt").asText()),
                    Instant.parse(required(root, "finishedAt").asText()));
        } catch (JsonProcessingException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("fleet report: expected the JSON of report.toJson(), found text that "
                    + "does not read as one (" + e.getMessage() + "); give the text as toJson() wrote it", e);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("fleet report: expected the field '" + field + "' in " + node
                    + ", found none; give the text as toJson() wrote it");
        }
        return v;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The report as pretty-printed JSON; {@link #fromJson(String)} reads it back. */
    public String toJson() {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("fleet", fleet).put("pointLabel", pointLabel).put("successful", isSuccessful())
                .put("stoppedBecause", stoppedBecause).put("startedAt", startedAt.toString())
                .put("finishedAt", finishedAt.toString());
        ObjectNode totals = root.putObject("totals");
        for (HostStatus s : HostStatus.values()) {
            totals.put(s.name(), count(s));
        }
        ArrayNode rows = root.putArray("hosts");
        for (HostRow h : hosts) {
            rows.addObject().put("host", h.host()).put("wave", h.wave()).put("status", h.status().name())
                    .put("outcome", h.outcome() == null ? null : h.outcome().name())
                    .put("startedAt", h.startedAt() == null ? null : h.startedAt().toString())
                    .put("timeToRecoverMillis", h.timeToRecover() == null ? null : h.timeToRecover().toMillis())
                    .put("setAsidePointId", h.setAsidePointId()).put("error", h.error());
        }
        try {
            return json.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("fleet report of '" + fleet + "': expected JSON, found " + e, e);
        }
    }

    @Override
    public String toString() {
        return "FleetReport[" + fleet + " to " + pointLabel + ": " + totals()
                + (stoppedBecause == null ? "" : ", stopped: " + stoppedBecause) + "]";
    }
}
