package dev.rollback;

import dev.rollback.spi.CheckResult;

import dev.rollback.internal.engine.Json;
import dev.rollback.spi.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a rollback did: its outcome, every step with its start, duration and result, every check,
 * the state of every target, where the failed state was set aside, and the total time to recover.
 * A value: returned rather than thrown, serialisable with {@link #toJson()} and {@link
 * #fromJson(String)}, printable as an incident report with {@link #toMarkdown()}.
 *
 * <p>Immutable and thread-safe. Passwords and tokens the plan knows of are masked in every text.
 *
 * @param rollbackId the rollback's id
 * @param plan the plan's name
 * @param pointId the restore point rolled back to
 * @param pointLabel its label
 * @param scope the targets in scope, in order
 * @param policy the failure policy in force
 * @param outcome how it ended
 * @param startedAt when the rollback started (the first run's start, if it was resumed)
 * @param finishedAt when it ended
 * @param recoveryBudget the time to recover the plan aims at, or null
 * @param steps every step, in order, including those that never ran
 * @param phases time per phase against its budget
 * @param checks the results of the checks of the verify phase
 * @param targets the state of every target of the plan
 * @param setAsidePointId the restore point holding the state set aside, or null if none was saved
 * @param setAside where each target's state was set aside
 * @param errors every error, in order
 * @param resumed how many times the rollback was resumed after an interruption
 * @param undoes for an undo ({@link RollbackPlan#undo}), the id of the rollback it undid; null for
 *     a rollback
 */
public record RollbackReport(
        String rollbackId,
        String plan,
        String pointId,
        String pointLabel,
        List<String> scope,
        FailurePolicy policy,
        Outcome outcome,
        Instant startedAt,
        Instant finishedAt,
        Duration recoveryBudget,
        List<StepRecord> steps,
        List<PhaseTiming> phases,
        List<CheckResult> checks,
        List<TargetStatus> targets,
        String setAsidePointId,
        List<SetAside> setAside,
        List<String> errors,
        int resumed,
        String undoes) implements Report {

    /** Validates the parts and copies the lists. */
    public RollbackReport {
        Objects.requireNonNull(rollbackId, "rollbackId");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        scope = List.copyOf(scope);
        steps = List.copyOf(steps);
        phases = List.copyOf(phases);
        checks = List.copyOf(checks);
        targets = List.copyOf(targets);
        setAside = List.copyOf(setAside);
        errors = List.copyOf(errors);
    }

    /** The rollback's id, {@link #rollbackId()}. */
    @Override
    public String id() {
        return rollbackId;
    }

    /** {@code undo} for an undo, else {@code rollback}. */
    @Override
    public String kind() {
        return isUndo() ? "undo" : "rollback";
    }

    /** {@code to <point label>}. */
    @Override
    public String about() {
        return "to " + pointLabel;
    }

    /** The {@link #timeToRecover()}: a rollback always has one. */
    @Override
    public Optional<Duration> recoveryTime() {
        return Optional.of(timeToRecover());
    }

    /** Whether the rollback did not succeed: the system is not back at the restore point with every check passed. */
    @Override
    public boolean needsAttention() {
        return !isSuccessful();
    }

    /** Whether this report is of an undo: a rollback to the state an earlier rollback set aside. */
    public boolean isUndo() {
        return undoes != null;
    }

    /** Whether the system is back at the restore point and every check passed. */
    public boolean isSuccessful() {
        return outcome.isSuccessful();
    }

    /** The total time to recover: from the start of the rollback to its end. */
    public Duration timeToRecover() {
        return Duration.between(startedAt, finishedAt);
    }

    /** Whether a recovery budget was set and the rollback took longer. */
    public boolean overRecoveryBudget() {
        return recoveryBudget != null && timeToRecover().compareTo(recoveryBudget) > 0;
    }

    /** The state of the named target, if it is part of the plan. */
    public Optional<TargetStatus> target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The steps that failed. */
    public List<StepRecord> failedSteps() {
        return steps.stream().filter(s -> s.status() == StepStatus.FAILED).toList();
    }

    /** The report as pretty-printed JSON; {@link #fromJson(String)} reads it back. */
    public String toJson() {
        return Json.write(this);
    }

    /** Reads a report written by {@link #toJson()}. */
    public static RollbackReport fromJson(String json) {
        return Json.read(json, RollbackReport.class);
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
     * The report as a Markdown incident report: what happened, the actions with their timings, the
     * checks, the targets affected and where their failed state was kept.
     * Durations are written as {@link dev.rollback.spi.Durations#format} writes them.
     */
    public String toMarkdown() {
        return MarkdownReport.render(this);
    }

    /**
     * A readable summary, the outcome first (so that JShell's shortened display of a value still shows it): outcome,
     * time to recover, plan and point, then one line per step with the detail of a failed one.
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        text.append("RollbackReport[").append(outcome).append(" in ").append(Durations.format(timeToRecover()))
                .append(": ").append(plan).append(" -> ").append(pointLabel).append(" (").append(pointId).append(")]");
        for (StepRecord s : steps) {
            text.append(System.lineSeparator()).append("  ").append(String.format("%-9s", s.status()))
                    .append(' ').append(String.format("%-9s", s.phase())).append(' ').append(s.name())
                    .append(" (").append(Durations.format(s.duration())).append(')');
            if (s.status() == StepStatus.FAILED) {
                text.append(": ").append(s.detail());
            }
        }
        return text.toString();
    }
}
