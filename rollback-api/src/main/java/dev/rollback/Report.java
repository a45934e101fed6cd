package dev.rollback;

import dev.rollback.spi.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * A report a plan's history keeps: of a {@link RollbackReport rollback} (or undo), a {@link WatchReport watch} or a
 * {@link DrillReport drill}. {@link RollbackPlan#history()} returns them together, newest first; each says what it
 * was, how it ended, and how long the system took to recover where a rollback ran:
 *
 * <pre>{@code
 * for (Report r : plan.history()) {
 *     System.out.println(r.summary());
 * }
 * // 2026-12-02T03:12:09Z  rollback rb-20261202-031208-512-a41c07 to v1.4.2: SUCCEEDED, time to recover 1.8 s
 * // 2026-12-02T03:02:00Z  watch watch-20261202-030200-001-9be2f4 of v1.4.2: ROLLED_BACK, time to recover 1.8 s
 * }</pre>
 *
 * A watch that rolled back, and a drill, each carry the report of their rollback, which the history also holds on
 * its own. Use {@code instanceof} to read what only one kind of report has; {@link RollbackPlan#rollbacks()} gives
 * the rollbacks alone.
 *
 * <p>Immutable and thread-safe, like the three reports.
 */
public sealed interface Report permits RollbackReport, WatchReport, DrillReport {

    /** The id of the rollback, watch or drill: unique in the store. */
    String id();

    /** The plan's name. */
    String plan();

    /** What the report is of: {@code rollback}, {@code undo}, {@code watch} or {@code drill}. */
    String kind();

    /** How it ended: a {@link Outcome}, {@link WatchReport.Outcome} or {@link DrillReport.Outcome}. */
    Enum<?> outcome();

    /** When it started, by the plan's clock. */
    Instant startedAt();

    /** When it ended, by the plan's clock. */
    Instant finishedAt();

    /**
     * How long the system took to recover: the rollback's time from its start to its end, the rollback a watch ran,
     * the rollback of a drill; empty where no rollback ran (a healthy watch, a drill that failed before it).
     */
    Optional<Duration> recoveryTime();

    /**
     * Whether a person must look: a rollback that did not succeed, a watch whose rollback failed, was held back, would
     * have rolled back (dry run) or saw the restored release fail again, a drill that failed.
     */
    boolean needsAttention();

    /** The report as pretty-printed JSON; the report's own {@code fromJson} reads it back. */
    String toJson();

    /** The report as a Markdown document for the incident record. */
    String toMarkdown();

    /** The report as one self-contained HTML page with its timeline. */
    String toHtml();

    /**
     * One line: when it started (to the second), kind, id, what it was about, outcome, and the time to recover if a
     * rollback ran; {@code "  (a person must look)"} at the end when {@link #needsAttention()}.
     */
    default String summary() {
        return startedAt().truncatedTo(ChronoUnit.SECONDS) + "  " + kind() + " " + id() + " " + about() + ": "
                + outcome()
                + recoveryTime().map(d -> ", time to recover " + Durations.format(d)).orElse("")
                + (needsAttention() ? "  (a person must look)" : "");
    }

    /** What the report is about, in a few words, for {@link #summary()}: {@code to v1}, {@code of v1}, the change. */
    String about();

    /**
     * The reports as a Markdown table, in the order given: started (to the second), kind, id, about, outcome, time to
     * recover, and whether a person must look. For {@code plan.history()} that is newest first.
     */
    static String table(List<? extends Report> reports) {
        StringBuilder md = new StringBuilder();
        MarkdownReport.line(md, "| started | kind | id | about | outcome | time to recover | a person must look |");
        MarkdownReport.line(md, "|---|---|---|---|---|---:|---|");
        for (Report r : reports) {
            MarkdownReport.line(md, "| " + r.startedAt().truncatedTo(ChronoUnit.SECONDS) + " | " + r.kind() + " | "
                    + r.id() + " | "
                    + MarkdownReport.cell(r.about()) + " | " + r.outcome() + " | "
                    + r.recoveryTime().map(Durations::format).orElse("-") + " | " + (r.needsAttention() ? "yes" : "")
                    + " |");
        }
        return md.toString();
    }
}
