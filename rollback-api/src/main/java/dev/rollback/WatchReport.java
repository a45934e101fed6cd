package dev.rollback;

import static dev.rollback.MarkdownReport.cell;
import static dev.rollback.MarkdownReport.line;
import static dev.rollback.MarkdownReport.oneLine;
import static dev.rollback.spi.Durations.format;

import dev.rollback.internal.engine.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Watchdog} saw and did: how the watch ended, the trigger that fired and why, the
 * latest probes, the rollback's report, and the times that make up the time to repair: from the
 * first bad probe to the trigger ({@link #timeToDetect}), then the rollback ({@link
 * #timeToRecover}), together {@link #mttr}. A value: serialisable with {@link #toJson()} and
 * {@link #fromJson(String)}, printable with {@link #toMarkdown()}.
 *
 * <p>Immutable and thread-safe. Texts a probe observed are masked of the plan's secrets.
 *
 * @param watchId the watch's id, also in its events' {@code rollbackId}
 * @param plan the plan's name
 * @param pointId the restore point the watchdog would roll back to
 * @param pointLabel its label
 * @param outcome how the watch ended
 * @param triggers what each trigger watched for, in words
 * @param watchedFrom when the watch began
 * @param endedAt when it ended (for a rollback: when the rollback ended)
 * @param probesMade how many probes were made in all
 * @param probes the latest probes, oldest first, at most {@link Trigger#MAX_WINDOW} per check
 * @param fired what the trigger that fired watched for, or null
 * @param reason why it fired, with what the last probe saw, or null
 * @param firstFailureAt the start of the first probe the fired trigger counted (the first of the
 *     failures or slow answers), or null
 * @param triggeredAt when the trigger fired, or null
 * @param timeToDetect from {@code firstFailureAt} to {@code triggeredAt}, or null
 * @param timeToRecover how long the rollback took, or null if none ran
 * @param mttr time to detect plus time to recover, or null if none ran
 * @param rollback the rollback's report, or null if none ran
 * @param error why the rollback could not run (preflight refused it, another rollback held the
 *     plan), or null
 * @param afterRollback what the watch of the restored release saw ({@link Watchdog#thenWatchFor}): null if it did
 *     not watch after a rollback, "healthy for …" or why a trigger fired again
 */
public record WatchReport(
        String watchId,
        String plan,
        String pointId,
        String pointLabel,
        Outcome outcome,
        List<String> triggers,
        Instant watchedFrom,
        Instant endedAt,
        long probesMade,
        List<Probe> probes,
        String fired,
        String reason,
        Instant firstFailureAt,
        Instant triggeredAt,
        Duration timeToDetect,
        Duration timeToRecover,
        Duration mttr,
        RollbackReport rollback,
        String error,
        String afterRollback) implements Report {

    /** How a watch ended. */
    public enum Outcome {
        /** The window passed and no trigger fired; nothing was changed. */
        HEALTHY,
        /** A trigger fired and the rollback succeeded: the system is back at the restore point. */
        ROLLED_BACK,
        /**
         * A trigger fired and the rollback did not succeed, or could not start: read {@link
         * WatchReport#rollback()} and {@link WatchReport#error()}; a person must look at the system.
         */
        ROLLBACK_FAILED,
        /** The watch was stopped ({@link Watchdog#stop()} or an interrupt) before a trigger fired; nothing was changed. */
        STOPPED,
        /**
         * A trigger fired in a {@link Watchdog#dryRun() dry run}: the report says what fired and when; nothing was
         * rolled back.
         */
        WOULD_ROLL_BACK,
        /**
         * A trigger fired, but the plan was rolled back automatically as often as {@link Watchdog#rollBackAtMost}
         * allows within its window: nothing was rolled back, the listeners and notifiers were told, a person must
         * decide.
         */
        HELD_BACK,
        /**
         * A trigger fired, the rollback succeeded, and a trigger fired again while the restored release was watched
         * ({@link Watchdog#thenWatchFor}): not rolled back again; {@link WatchReport#afterRollback()} says why.
         */
        STILL_FAILING
    }

    /**
     * One probe: one run of one check.
     *
     * @param check the check's name
     * @param number the probe's round, from 1; every check is probed once per round
     * @param at when it started, by the plan's clock
     * @param passed whether it passed
     * @param observed what it saw, secrets masked
     * @param took how long it took, by the plan's clock
     */
    public record Probe(String check, long number, Instant at, boolean passed, String observed, Duration took) {

        /** Validates the parts. */
        public Probe {
            Objects.requireNonNull(check, "check");
            Objects.requireNonNull(at, "at");
            observed = observed == null ? "" : observed;
            Objects.requireNonNull(took, "took");
        }
    }

    /** Validates the parts and copies the lists. */
    public WatchReport {
        Objects.requireNonNull(watchId, "watchId");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(pointId, "pointId");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(watchedFrom, "watchedFrom");
        Objects.requireNonNull(endedAt, "endedAt");
        triggers = List.copyOf(triggers);
        probes = List.copyOf(probes);
    }

    /** The watch's id, {@link #watchId()}. */
    @Override
    public String id() {
        return watchId;
    }

    /** {@code watch}. */
    @Override
    public String kind() {
        return "watch";
    }

    /** {@code of <point label>}: the restore point the watchdog would roll back to. */
    @Override
    public String about() {
        return "of " + pointLabel;
    }

    /** When the watch began, {@link #watchedFrom()}. */
    @Override
    public Instant startedAt() {
        return watchedFrom;
    }

    /** When the watch ended, {@link #endedAt()}. */
    @Override
    public Instant finishedAt() {
        return endedAt;
    }

    /** The {@link #timeToRecover()} of the rollback the watch ran; empty if none ran. */
    @Override
    public Optional<Duration> recoveryTime() {
        return Optional.ofNullable(timeToRecover);
    }

    /**
     * Whether a person must look: the outcome is {@link Outcome#ROLLBACK_FAILED}, {@link Outcome#HELD_BACK}, {@link
     * Outcome#STILL_FAILING} or {@link Outcome#WOULD_ROLL_BACK} (a dry run's trigger fired: the release is failing).
     */
    @Override
    public boolean needsAttention() {
        return switch (outcome) {
            case ROLLBACK_FAILED, HELD_BACK, STILL_FAILING, WOULD_ROLL_BACK -> true;
            case HEALTHY, ROLLED_BACK, STOPPED -> false;
        };
    }

    /** Whether a trigger fired. */
    public boolean triggered() {
        return triggeredAt != null;
    }

    /** How long the deploy was watched: from the start of the watch to its end or to the trigger. */
    public Duration watched() {
        return Duration.between(watchedFrom, triggeredAt != null ? triggeredAt : endedAt);
    }

    /** The failed probes among the latest kept, oldest first. */
    public List<Probe> failures() {
        return probes.stream().filter(p -> !p.passed()).toList();
    }

    /** The report as pretty-printed JSON; {@link #fromJson(String)} reads it back. */
    public String toJson() {
        return Json.write(this);
    }

    /** Reads a report written by {@link #toJson()}. */
    public static WatchReport fromJson(String json) {
        return Json.read(json, WatchReport.class);
    }

    /**
     * The report as one self-contained HTML page (no script, style sheet, font or image from elsewhere): the outcome,
     * a timeline drawn as inline SVG (a bar per step on a time axis, a mark per check, the trigger and the recovery
     * point where there are), the targets' states, and the {@link #toMarkdown() Markdown report}. Write it to a file
     * for the incident record.
     */
    public String toHtml() {
        return HtmlReports.of(this);
    }

    /**
     * The report as Markdown: when a trigger fired, first one line with the time to detect (and to
     * recover and repair); then the outcome, the trigger and why, the timings, the failed probes,
     * then the rollback's incident report.
     * Durations are written as {@link dev.rollback.spi.Durations#format} writes them.
     */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        line(md, "# Watch report: " + plan);
        line(md, "");
        if (fired != null) {
            // the line an incident channel wants first: how long the failure went unnoticed
            line(md, "**Time to detect: " + format(timeToDetect) + "** (first failed probe " + firstFailureAt
                    + ", trigger " + triggeredAt + ")" + (timeToRecover == null ? "" : "; time to recover "
                    + format(timeToRecover) + ", time to repair " + format(mttr)) + ".");
            line(md, "");
        }
        line(md, "- **Watch:** " + watchId);
        line(md, "- **Outcome:** " + outcome);
        if (afterRollback != null) {
            line(md, "- **After the rollback:** " + afterRollback);
        }
        line(md, "- **Restore point:** " + pointLabel + " (" + pointId + ")");
        line(md, "- **Watched:** from " + watchedFrom + " for " + format(watched()) + ", " + probesMade
                + " probe" + (probesMade == 1 ? "" : "s"));
        line(md, "- **Triggers:** " + String.join("; ", triggers));
        if (fired != null) {
            line(md, "- **Fired:** " + oneLine(reason));
            line(md, "- **First failure:** " + firstFailureAt);
            line(md, "- **Triggered:** " + triggeredAt);
            line(md, "- **Time to detect:** " + format(timeToDetect));
        }
        if (timeToRecover != null) {
            line(md, "- **Time to recover:** " + format(timeToRecover));
            line(md, "- **Time to repair (detect + recover):** " + format(mttr));
        }
        if (error != null) {
            line(md, "- **Rollback not run:** " + oneLine(error));
        }
        List<Probe> failed = failures();
        if (!failed.isEmpty()) {
            line(md, "");
            line(md, "## Failed probes");
            line(md, "");
            line(md, "| # | check | at | took | observed |");
            line(md, "|---|---|---|---|---|");
            for (Probe p : failed) {
                line(md, "| " + p.number() + " | " + cell(p.check()) + " | " + p.at() + " | " + format(p.took())
                        + " | " + cell(p.observed()) + " |");
            }
        }
        if (rollback != null) {
            line(md, "");
            md.append(rollback.toMarkdown().replaceAll("(?m)^#", "##"));
        }
        return md.toString();
    }

    /** A one-line summary: outcome, trigger and timings. */
    @Override
    public String toString() {
        return "WatchReport[" + plan + " -> " + pointLabel + ": " + outcome + ", " + probesMade + " probes"
                + (fired == null ? "" : ", " + reason) + (mttr == null ? "" : ", time to repair " + format(mttr))
                + (error == null ? "" : ", " + error) + "]";
    }
}
