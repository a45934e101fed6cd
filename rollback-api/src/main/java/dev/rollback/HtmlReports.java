package dev.rollback;

import dev.rollback.internal.HtmlPage;
import dev.rollback.internal.HtmlPage.Bar;
import dev.rollback.internal.HtmlPage.Mark;
import dev.rollback.spi.CheckAttempt;
import dev.rollback.spi.CheckResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The HTML pages of the reports of this package: what {@code toHtml()} of each report returns. */
final class HtmlReports {

    private HtmlReports() {}

    static String of(RollbackReport r) {
        HtmlPage page = new HtmlPage((r.isUndo() ? "Undo" : "Rollback") + " of " + r.plan() + " to " + r.pointLabel(),
                outcomeLine(r), r.isSuccessful());
        page.facts(facts(r));
        List<Bar> bars = new ArrayList<>();
        List<Mark> marks = new ArrayList<>();
        addRollback(r, bars, marks);
        page.timeline("Timeline: " + r.steps().size() + " steps, " + r.checks().size() + " checks", r.startedAt(),
                r.finishedAt(), bars, marks);
        targets(page, r);
        return page.markdown("The report", r.toMarkdown()).html();
    }

    static String of(WatchReport w) {
        boolean good = w.outcome() == WatchReport.Outcome.HEALTHY || w.outcome() == WatchReport.Outcome.ROLLED_BACK;
        HtmlPage page = new HtmlPage("Watch of " + w.plan() + " after the deploy (point " + w.pointLabel() + ")",
                "Outcome: " + w.outcome() + (w.timeToDetect() == null ? "" : "; time to detect "
                        + w.timeToDetect().toMillis() + " ms") + (w.timeToRecover() == null ? "" : ", time to recover "
                        + w.timeToRecover().toMillis() + " ms"), good);
        List<String[]> facts = new ArrayList<>();
        facts.add(new String[] {"Watch", w.watchId()});
        facts.add(new String[] {"Triggers", String.join("; ", w.triggers())});
        facts.add(new String[] {"Watched", "from " + w.watchedFrom() + " to " + w.endedAt() + ", " + w.probesMade()
                + " probes"});
        if (w.fired() != null) {
            facts.add(new String[] {"Fired", w.fired() + ": " + w.reason()});
        }
        page.facts(facts);
        List<Mark> marks = new ArrayList<>();
        for (WatchReport.Probe p : w.failures()) {
            marks.add(new Mark("probe " + p.number() + " failed", p.at(), "failed"));
        }
        if (w.triggeredAt() != null) {
            marks.add(new Mark("trigger", w.triggeredAt(), "trigger"));
        }
        List<Bar> bars = new ArrayList<>();
        RollbackReport r = w.rollback();
        if (r != null) {
            addRollback(r, bars, marks);
        }
        page.timeline("Timeline: the watch" + (r == null ? "" : ", then the rollback's " + r.steps().size() + " steps"),
                w.watchedFrom(), w.endedAt(), bars, marks);
        if (r != null) {
            targets(page, r);
        }
        return page.markdown("The report", w.toMarkdown()).html();
    }

    static String of(DrillReport d) {
        HtmlPage page = new HtmlPage("Drill of " + d.plan() + ": " + d.change(), "Outcome: " + d.outcome()
                + (d.reason() == null ? "" : " — " + d.reason()), d.outcome() == DrillReport.Outcome.PASSED);
        page.facts(List.of(new String[] {"Drill", d.drillId()}, new String[] {"Restore point",
                d.pointLabel() + " (" + d.pointId() + ")"}, new String[] {"Ran", "from " + d.startedAt() + " to "
                        + d.finishedAt()}));
        List<Bar> bars = new ArrayList<>();
        for (DrillReport.StageRecord s : d.stages()) {
            bars.add(new Bar("stage " + s.stage().name().toLowerCase(java.util.Locale.ROOT), "stage", s.startedAt(),
                    s.took(), s.passed() ? "passed" : "failed", s.detail()));
        }
        List<Mark> marks = new ArrayList<>();
        RollbackReport r = d.rollback();
        if (r != null) {
            addRollback(r, bars, marks);
        }
        page.timeline("Timeline: " + d.stages().size() + " stages" + (r == null ? "" : ", the rollback's "
                + r.steps().size() + " steps"), d.startedAt(), d.finishedAt(), bars, marks);
        if (r != null) {
            targets(page, r);
        }
        return page.markdown("The report", d.toMarkdown()).html();
    }

    private static String outcomeLine(RollbackReport r) {
        return "Outcome: " + r.outcome() + (r.timeToRecover() == null ? "" : "; time to recover "
                + r.timeToRecover().toMillis() + " ms") + (r.errors().isEmpty() ? "" : " — " + String.join("; ",
                        r.errors()));
    }

    private static List<String[]> facts(RollbackReport r) {
        List<String[]> facts = new ArrayList<>();
        facts.add(new String[] {"Rollback", r.rollbackId() + (r.resumed() > 0 ? " (resumed " + r.resumed() + "×)" : "")});
        facts.add(new String[] {"Restore point", r.pointLabel() + " (" + r.pointId() + ")"});
        facts.add(new String[] {"Scope", String.join(", ", r.scope())});
        facts.add(new String[] {"Policy", String.valueOf(r.policy())});
        facts.add(new String[] {"Ran", "from " + r.startedAt() + " to " + r.finishedAt()});
        if (r.setAsidePointId() != null) {
            facts.add(new String[] {"Failed state set aside in", r.setAsidePointId()});
        }
        return facts;
    }

    /** What a rollback adds to a timeline: a bar per step, a mark per check, and the recovery point if it recovered. */
    private static void addRollback(RollbackReport r, List<Bar> bars, List<Mark> marks) {
        bars.addAll(stepBars(r));
        marks.addAll(checkMarks(r.checks()));
        if (r.isSuccessful()) {
            marks.add(new Mark("recovered", r.finishedAt(), "recovered"));
        }
    }

    /** A bar per step, labelled with its phase. */
    private static List<Bar> stepBars(RollbackReport r) {
        List<Bar> bars = new ArrayList<>();
        for (StepRecord s : r.steps()) {
            Instant start = s.startedAt() == null ? r.startedAt() : s.startedAt();
            bars.add(new Bar(s.phase().name().toLowerCase(java.util.Locale.ROOT) + ": " + s.name(), s.phase().name(),
                    start, s.duration(), s.status().name(), s.detail()));
        }
        return bars;
    }

    /** A mark per check, at the end of its last attempt. */
    private static List<Mark> checkMarks(List<CheckResult> checks) {
        List<Mark> marks = new ArrayList<>();
        for (CheckResult c : checks) {
            if (c.history().isEmpty()) {
                continue;
            }
            CheckAttempt last = c.history().get(c.history().size() - 1);
            Duration took = last.took() == null ? Duration.ZERO : last.took();
            marks.add(new Mark("check " + c.name(), last.at().plus(took), c.passed() ? "passed" : "failed"));
        }
        return marks;
    }

    private static void targets(HtmlPage page, RollbackReport r) {
        List<List<String>> rows = new ArrayList<>();
        for (TargetStatus t : r.targets()) {
            rows.add(List.of(t.name(), String.valueOf(t.kind()), String.valueOf(t.state()), t.detail()));
        }
        page.table("Targets", List.of("target", "kind", "state", "detail"), rows);
    }
}
