package dev.rollback;

import dev.rollback.spi.Check;

import dev.rollback.spi.CheckResult;

import static dev.rollback.MarkdownReport.cell;
import static dev.rollback.MarkdownReport.line;
import static dev.rollback.MarkdownReport.oneLine;

import dev.rollback.internal.engine.Json;
import dev.rollback.spi.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Drill} did: whether it passed or the stage at which it failed and why, the restore
 * point it captured, when each stage started and how long it took, the results of its checks, the
 * rollback's own report with its time to recover, and which restore points it deleted or kept. A
 * value: serialisable with {@link #toJson()} and {@link #fromJson(String)}, printable as a drill
 * record a team can file with {@link #toMarkdown()}.
 *
 * <p>Immutable and thread-safe. Texts the checks observed are masked of the plan's secrets.
 *
 * @param drillId the drill's id
 * @param plan the plan's name
 * @param change the name of the change the drill applied
 * @param outcome whether the drill passed
 * @param failedStage the first stage that failed, or null if it passed
 * @param reason why that stage failed, or null if it passed
 * @param pointId the restore point captured before the change, or null if the capture failed
 * @param pointLabel its label, {@code drill <id>}
 * @param startedAt when the drill started, by the plan's clock
 * @param finishedAt when it ended, clean-up included
 * @param stages every stage that ran, in order
 * @param shown the results of the checks that the change shows, run after the change
 * @param gone the results of the checks that the change is gone, run after the rollback
 * @param kept the results of the checks that data survived, run after the rollback
 * @param rollback the rollback's report, or null if no rollback ran
 * @param deletedPoints the restore points deleted at the end (the drill's and the set-aside one)
 * @param keptPoints the restore points left in the store, kept on purpose or for safety
 * @param problems what went wrong besides the checks: errors of the stages and of the clean-up
 */
public record DrillReport(
        String drillId,
        String plan,
        String change,
        Outcome outcome,
        Stage failedStage,
        String reason,
        String pointId,
        String pointLabel,
        Instant startedAt,
        Instant finishedAt,
        List<StageRecord> stages,
        List<CheckResult> shown,
        List<CheckResult> gone,
        List<CheckResult> kept,
        RollbackReport rollback,
        List<String> deletedPoints,
        List<String> keptPoints,
        List<String> problems) implements Report {

    /** Whether a drill passed. */
    public enum Outcome {
        /** The change showed, the rollback succeeded, and after it the change was gone and the data intact. */
        PASSED,
        /** A stage failed: {@link DrillReport#failedStage()} and {@link DrillReport#reason()} say which and why. */
        FAILED
    }

    /** The stages of a drill, in the order they run. */
    public enum Stage {
        /** A restore point is captured; nothing changes. */
        CAPTURE,
        /** The visible change is applied. */
        CHANGE,
        /** The checks prove the change shows. */
        SHOWS,
        /** The plan rolls back to the restore point, with its own verify phase. */
        ROLLBACK,
        /** The checks prove the change is gone and the data that must survive did. */
        AFTER,
        /** The drill's restore points are deleted, unless kept; a failure here is reported, not failed. */
        CLEANUP
    }

    /**
     * One stage of a drill: a row of the drill's timing log.
     *
     * @param stage the stage
     * @param startedAt when it started, by the plan's clock
     * @param took how long it took
     * @param passed whether it went well
     * @param detail what was done or what went wrong
     */
    public record StageRecord(Stage stage, Instant startedAt, Duration took, boolean passed, String detail) {

        /** Validates the parts. */
        public StageRecord {
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(startedAt, "startedAt");
            Objects.requireNonNull(took, "took");
            detail = detail == null ? "" : detail;
        }
    }

    /** Validates the parts and copies the lists. */
    public DrillReport {
        Objects.requireNonNull(drillId, "drillId");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        stages = copy(stages);
        shown = copy(shown);
        gone = copy(gone);
        kept = copy(kept);
        deletedPoints = copy(deletedPoints);
        keptPoints = copy(keptPoints);
        problems = copy(problems);
    }

    private static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    /** The drill's id, {@link #drillId()}. */
    @Override
    public String id() {
        return drillId;
    }

    /** {@code drill}. */
    @Override
    public String kind() {
        return "drill";
    }

    /** The change the drill applied, quoted. */
    @Override
    public String about() {
        return "'" + change + "'";
    }

    /** The drill's rollback's time to recover, {@link #timeToRecover()}; empty if no rollback ran. */
    @Override
    public Optional<Duration> recoveryTime() {
        return timeToRecover();
    }

    /** Whether the drill failed. */
    @Override
    public boolean needsAttention() {
        return outcome == Outcome.FAILED;
    }

    /** Whether the drill passed. */
    public boolean passed() {
        return outcome == Outcome.PASSED;
    }

    /** How long the whole drill took, from the capture to the end of the clean-up. */
    public Duration total() {
        return Duration.between(startedAt, finishedAt);
    }

    /** How long the rollback took (its time to recover), if one ran. */
    public Optional<Duration> timeToRecover() {
        return rollback == null ? Optional.empty() : Optional.of(rollback.timeToRecover());
    }

    /** The record of a stage, if it ran. */
    public Optional<StageRecord> stage(Stage stage) {
        return stages.stream().filter(s -> s.stage() == stage).findFirst();
    }

    /** Every check result of the drill: those of the change showing, then of it gone, then of the data kept. */
    public List<CheckResult> checks() {
        return java.util.stream.Stream.of(shown, gone, kept).flatMap(List::stream).toList();
    }

    /** The report as pretty-printed JSON; {@link #fromJson(String)} reads it back. */
    public String toJson() {
        return Json.write(this);
    }

    /** Reads a report written by {@link #toJson()}. */
    public static DrillReport fromJson(String json) {
        return Json.read(json, DrillReport.class);
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
     * The report as a Markdown drill record: the outcome, the change, the restore point, a timing
     * log with one row per stage, the checks, the restore points deleted or kept, then the
     * rollback's incident report.
     * Durations are written as {@link dev.rollback.spi.Durations#format} writes them.
     */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        line(md, "# Rollback drill: " + plan);
        line(md, "");
        line(md, "- **Drill:** " + drillId);
        line(md, "- **Outcome:** " + outcome + (failedStage == null ? "" : " at " + failedStage + ": " + oneLine(reason)));
        line(md, "- **Change:** " + oneLine(change));
        line(md, "- **Restore point:** " + (pointId == null ? "none" : pointLabel + " (" + pointId + ")"));
        line(md, "- **Started:** " + startedAt);
        line(md, "- **Total:** " + Durations.format(total()));
        timeToRecover().ifPresent(t -> line(md, "- **Time to recover (rollback):** " + Durations.format(t)));
        if (!deletedPoints.isEmpty()) {
            line(md, "- **Restore points deleted:** " + String.join(", ", deletedPoints));
        }
        if (!keptPoints.isEmpty()) {
            line(md, "- **Restore points kept:** " + String.join(", ", keptPoints));
        }
        line(md, "");
        line(md, "## Timing log");
        line(md, "");
        line(md, "| Stage | Start | Duration | Result | Notes |");
        line(md, "|---|---|---|---|---|");
        for (StageRecord s : stages) {
            line(md, "| " + s.stage() + " | " + s.startedAt() + " | " + Durations.format(s.took()) + " | "
                    + (s.passed() ? "ok" : "FAILED") + " | " + cell(s.detail()) + " |");
        }
        line(md, "| **Total** | " + startedAt + " | " + Durations.format(total()) + " | " + outcome + " | |");
        if (!checks().isEmpty()) {
            line(md, "");
            line(md, "## Checks");
            line(md, "");
            line(md, "| When | Check | Result | Observed |");
            line(md, "|---|---|---|---|");
            checkRows(md, "change shows", shown);
            checkRows(md, "change gone", gone);
            checkRows(md, "data kept", kept);
        }
        if (!problems.isEmpty()) {
            line(md, "");
            line(md, "## Problems");
            line(md, "");
            problems.forEach(p -> line(md, "- " + oneLine(p)));
        }
        if (rollback != null) {
            line(md, "");
            md.append(rollback.toMarkdown().replaceAll("(?m)^#", "##"));
        }
        return md.toString();
    }

    /** A one-line summary: outcome, failed stage, total and time to recover. */
    @Override
    public String toString() {
        return "DrillReport[" + plan + " " + drillId + ": " + outcome
                + (failedStage == null ? "" : " at " + failedStage + " (" + oneLine(reason) + ")")
                + " in " + Durations.format(total())
                + timeToRecover().map(t -> ", time to recover " + Durations.format(t)).orElse("") + "]";
    }

    private static void checkRows(StringBuilder md, String when, List<CheckResult> results) {
        for (CheckResult c : results) {
            line(md, "| " + when + " | " + cell(c.name()) + " | " + (c.passed() ? "passed" : "FAILED") + " | "
                    + cell(c.detail()) + " |");
        }
    }
}
