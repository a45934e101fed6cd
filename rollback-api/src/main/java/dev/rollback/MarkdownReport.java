package dev.rollback;

import static dev.rollback.spi.Durations.format;

import dev.rollback.spi.CheckAttempt;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Plural;

/**
 * Renders a {@link RollbackReport} as a Markdown incident report.
 *
 * <p>Stateless and thread-safe.
 */
final class MarkdownReport {

    private MarkdownReport() {}

    /** The report as Markdown. */
    static String render(RollbackReport r) {
        StringBuilder md = new StringBuilder();
        line(md, (r.isUndo() ? "# Undo report: " : "# Rollback incident report: ") + r.plan());
        line(md, "");
        line(md, "- **Rollback:** " + r.rollbackId());
        line(md, "- **Started:** " + r.startedAt());
        line(md, "- **Finished:** " + r.finishedAt());
        line(md, "- **Outcome:** " + r.outcome() + (r.isSuccessful() ? " (recovered)" : " (not recovered)"));
        if (r.isUndo()) {
            line(md, "- **Undoes:** rollback " + r.undoes());
            line(md, "- **Restored to:** the failed state that rollback set aside (restore point " + r.pointId() + ")");
        } else {
            line(md, "- **Restored to:** " + r.pointLabel() + " (restore point " + r.pointId() + ")");
        }
        line(md, "- **Scope:** " + (r.scope().isEmpty() ? "no targets" : String.join(", ", r.scope())));
        line(md, "- **Failure policy:** " + r.policy());
        String budget = r.recoveryBudget() == null ? ""
                : " against a budget of " + format(r.recoveryBudget()) + (r.overRecoveryBudget() ? ": **over budget**" : ": met");
        line(md, "- **Time to recover:** " + format(r.timeToRecover()) + budget);
        if (r.resumed() > 0) {
            line(md, "- **Resumed:** " + r.resumed() + " time" + (r.resumed() == 1 ? "" : "s") + " after an interruption");
        }
        line(md, "");

        line(md, "## What happened");
        line(md, "");
        long failed = r.steps().stream().filter(s -> s.status() == StepStatus.FAILED).count();
        long ran = r.steps().stream().filter(s -> s.status() != StepStatus.NOT_RUN).count();
        line(md, (r.isUndo() ? "Rollback " + r.undoes() + " of the plan '" + r.plan() + "' was undone. "
                : "The plan '" + r.plan() + "' was rolled back to " + r.pointLabel() + ". ") + ran + " of "
                + Plural.of(r.steps().size(), "step") + " ran, " + failed + " failed. " + summary(r));
        line(md, "");

        line(md, "## Actions taken");
        line(md, "");
        line(md, "| # | Phase | Step | Result | Took | Detail |");
        line(md, "|---|---|---|---|---|---|");
        for (StepRecord s : r.steps()) {
            line(md, "| " + (s.index() + 1) + " | " + s.phase() + " | " + cell(s.name()) + " | " + s.status() + " | "
                    + (s.status() == StepStatus.NOT_RUN ? "-" : format(s.duration())) + " | " + cell(s.detail()) + " |");
        }
        line(md, "");

        line(md, "## Time per phase");
        line(md, "");
        line(md, "| Phase | Took | Budget |");
        line(md, "|---|---|---|");
        for (PhaseTiming p : r.phases()) {
            line(md, "| " + p.phase() + " | " + format(p.took()) + " | "
                    + (p.budget() == null ? "-" : format(p.budget()) + (p.overBudget() ? " **exceeded**" : "")) + " |");
        }
        line(md, "");

        line(md, r.isUndo() ? "## Comparisons with the state set aside" : "## Validation results");
        line(md, "");
        if (r.isUndo()) {
            line(md, "Each target was compared with the failed state its rollback set aside; the plan's checks, which "
                    + "describe the good state, " + (r.steps().stream().anyMatch(s -> s.name().startsWith("check "))
                    ? "ran as information only." : "did not run."));
            line(md, "");
        }
        if (r.checks().isEmpty()) {
            line(md, "No check ran.");
        }
        for (CheckResult c : r.checks()) {
            line(md, "- [" + (c.passed() ? "x" : " ") + "] " + c.name() + ": " + oneLine(c.detail())
                    + " (" + c.attempts() + " attempt" + (c.attempts() == 1 ? "" : "s") + ", " + format(c.took()) + ")");
            if (c.history().size() > 1) {
                for (CheckAttempt a : c.history()) {
                    line(md, "  - attempt " + a.number() + " at " + a.at() + ": " + (a.passed() ? "passed" : "failed")
                            + ", " + oneLine(a.observed()) + " (" + format(a.took()) + ")");
                }
            }
        }
        line(md, "");

        line(md, "## Targets affected");
        line(md, "");
        line(md, "| Target | Kind | State | Note |");
        line(md, "|---|---|---|---|");
        for (TargetStatus t : r.targets()) {
            line(md, "| " + cell(t.name()) + " | " + t.kind() + " | " + t.state() + " | " + cell(t.detail()) + " |");
        }
        line(md, "");

        line(md, "## State set aside");
        line(md, "");
        if (r.setAsidePointId() == null) {
            line(md, "Nothing was set aside: no target was changed.");
        } else {
            line(md, r.isUndo() ? "The state before the undo (the rolled-back state) is kept as restore point "
                    + r.setAsidePointId() + "; plan.undo(report) brings it back."
                    : "The state before the rollback is kept as restore point " + r.setAsidePointId()
                    + "; roll back to it (plan.undo(report)) to undo this rollback.");
            line(md, "");
            for (SetAside a : r.setAside()) {
                line(md, "- " + a.target() + ": " + a.location());
            }
        }
        if (!r.errors().isEmpty()) {
            line(md, "");
            line(md, "## Errors");
            line(md, "");
            r.errors().forEach(e -> line(md, "- " + oneLine(e)));
        }
        return md.toString();
    }

    private static String summary(RollbackReport r) {
        if (r.isUndo() && r.outcome() == Outcome.PUT_BACK) {
            return "The undo failed: every target it had changed was put back to the state it started from (that "
                    + "of rollback " + r.undoes() + ") and compared with it; the failed state is not restored.";
        }
        return switch (r.outcome()) {
            case SUCCEEDED -> "Every target was restored and every check passed.";
            case VERIFICATION_FAILED -> "Every target was restored, but checks failed: the system is not proved to "
                    + "have recovered.";
            case HALTED -> "The rollback halted at the first failure and can be resumed once the cause is fixed.";
            case COMPLETED_WITH_ERRORS -> "The remaining steps ran after the failures; see the targets below.";
            case PUT_BACK -> "What had been changed was put back to the state before the rollback.";
            case FAILED -> "Putting the changed targets back failed too: the targets marked NEEDS_ATTENTION must be "
                    + "looked at by a person.";
            case ABANDONED -> "The rollback was abandoned by the operator; nothing more was changed.";
            case FAILED_STATE_RESTORED -> "Failed state restored: every target holds again exactly the state set aside "
                    + "by rollback " + r.undoes() + ", as its comparison below shows.";
        };
    }

    /** {@code text} on one line with its pipes escaped, for a Markdown table cell; null is empty. */
    static String cell(String text) {
        return oneLine(text).replace("|", "\\|");
    }

    /** {@code text} with its line breaks turned to spaces; null is empty. */
    static String oneLine(String text) {
        return text == null ? "" : text.replace("\r", " ").replace("\n", " ");
    }

    /** Appends {@code text} and a line break. */
    static void line(StringBuilder md, String text) {
        md.append(text).append('\n');
    }
}
