package dev.rollback.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One self-contained HTML page of an incident report: a title and outcome, a timeline drawn as inline SVG (bars on
 * a time axis, marks for checks, triggers and the recovery point), tables, and the Markdown report as text. No
 * script, no external style sheet, font or image: the file opens the same anywhere, years later.
 *
 * <p>Not thread-safe; build one page per report.
 */
public final class HtmlPage {

    /** A bar of the timeline: a step, a stage or a host, from {@code start} for {@code duration}. */
    public record Bar(String label, String group, Instant start, Duration duration, String status, String detail) {}

    /** A mark on the timeline at one instant: a check, a failed probe, the trigger, the recovery point. */
    public record Mark(String label, Instant at, String kind) {}

    private static final int WIDTH = 960;
    private static final int LABEL = 260;
    private static final int ROW = 22;
    private static final int TOP = 46;

    private final String title;
    private final String outcome;
    private final boolean good;
    private final StringBuilder body = new StringBuilder();

    /** A page titled {@code title} whose outcome line reads {@code outcome}, green when {@code good}. */
    public HtmlPage(String title, String outcome, boolean good) {
        this.title = title;
        this.outcome = outcome;
        this.good = good;
    }

    /** Adds a list of facts (name, value), such as the plan, the point and the times. */
    public HtmlPage facts(List<String[]> facts) {
        body.append("<dl class=\"facts\">\n");
        for (String[] f : facts) {
            body.append("<dt>").append(escape(f[0])).append("</dt><dd>").append(escape(f[1])).append("</dd>\n");
        }
        body.append("</dl>\n");
        return this;
    }

    /**
     * Adds a timeline: one row per bar on a common time axis starting at {@code origin} and ending at {@code end},
     * the marks as lines across every row.
     */
    public HtmlPage timeline(String caption, Instant origin, Instant end, List<Bar> bars, List<Mark> marks) {
        Instant last = end;
        for (Bar b : bars) {
            Instant e = b.start().plus(b.duration());
            last = e.isAfter(last) ? e : last;
        }
        for (Mark m : marks) {
            last = m.at().isAfter(last) ? m.at() : last;
        }
        double span = Math.max(1, Duration.between(origin, last).toNanos());
        int height = TOP + ROW * Math.max(1, bars.size()) + 34;
        int plot = WIDTH - LABEL - 20;
        StringBuilder svg = new StringBuilder();
        svg.append("<figure class=\"timeline\"><figcaption>").append(escape(caption)).append("</figcaption>\n");
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(WIDTH).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height).append("\">\n");
        svg.append("<title>").append(escape(caption)).append("</title>\n");
        // the axis, with five ticks
        int axisY = TOP + ROW * Math.max(1, bars.size()) + 6;
        svg.append("<line class=\"axis\" x1=\"").append(LABEL).append("\" y1=\"").append(axisY).append("\" x2=\"")
                .append(LABEL + plot).append("\" y2=\"").append(axisY).append("\"/>\n");
        for (int i = 0; i <= 4; i++) {
            double x = LABEL + plot * i / 4.0;
            long nanos = (long) (span * i / 4.0);
            svg.append("<text class=\"tick\" x=\"").append(num(x)).append("\" y=\"").append(axisY + 16)
                    .append("\" text-anchor=\"").append(i == 0 ? "start" : i == 4 ? "end" : "middle").append("\">")
                    .append(escape(shortly(Duration.ofNanos(nanos))))
                    .append("</text>\n");
        }
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            int y = TOP + ROW * i;
            double x = LABEL + plot * Duration.between(origin, b.start()).toNanos() / span;
            double w = Math.max(2, plot * b.duration().toNanos() / span);
            svg.append("<text class=\"label\" x=\"").append(LABEL - 8).append("\" y=\"").append(y + 15)
                    .append("\" text-anchor=\"end\">").append(escape(clip(b.label(), 38))).append("</text>\n");
            svg.append("<rect class=\"step ").append(css(b.status())).append("\" data-group=\"").append(escape(b.group()))
                    .append("\" x=\"").append(num(x)).append("\" y=\"").append(y + 3).append("\" width=\"").append(num(w))
                    .append("\" height=\"").append(ROW - 6).append("\"><title>").append(escape(b.label() + " — "
                            + b.status() + ", " + shortly(b.duration()) + (b.detail() == null
                            || b.detail().isEmpty() ? "" : ": " + b.detail()))).append("</title></rect>\n");
        }
        List<Mark> byTime = new java.util.ArrayList<>(marks);
        byTime.sort(java.util.Comparator.comparing(Mark::at));
        for (int i = 0; i < byTime.size(); i++) {
            Mark m = byTime.get(i);
            int labelY = 12 + 12 * (i % 3); // three rows of labels, so that marks close in time stay readable
            double x = LABEL + plot * Duration.between(origin, m.at()).toNanos() / span;
            svg.append("<g class=\"mark ").append(css(m.kind())).append("\"><line x1=\"").append(num(x))
                    .append("\" y1=\"").append(labelY + 3).append("\" x2=\"").append(num(x)).append("\" y2=\"").append(axisY).append("\"/>")
                    .append("<text x=\"").append(num(x)).append("\" y=\"").append(labelY).append("\" text-anchor=\"")
                    .append(x > WIDTH - 80 ? "end" : "middle").append("\">")
                    .append(escape(clip(m.label(), 24))).append("</text><title>").append(escape(m.label() + " at "
                            + m.at())).append("</title></g>\n");
        }
        svg.append("</svg></figure>\n");
        body.append(svg);
        return this;
    }

    /** Adds a table with a caption, a header row and rows of cells. */
    public HtmlPage table(String caption, List<String> headers, List<List<String>> rows) {
        body.append("<table><caption>").append(escape(caption)).append("</caption>\n<tr>");
        headers.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
        body.append("</tr>\n");
        for (List<String> r : rows) {
            body.append("<tr>");
            r.forEach(c -> body.append("<td>").append(escape(c == null ? "-" : c)).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** Adds the Markdown report as preformatted text, under a heading. */
    public HtmlPage markdown(String heading, String markdown) {
        body.append("<section class=\"markdown\"><h2>").append(escape(heading)).append("</h2>\n<pre>")
                .append(escape(markdown)).append("</pre></section>\n");
        return this;
    }

    /** The whole page. */
    public String html() {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + escape(title)
                + "</title>\n<style>\n" + STYLE + "</style></head>\n<body>\n<h1>" + escape(title) + "</h1>\n"
                + "<p class=\"outcome " + (good ? "good" : "bad") + "\">" + escape(outcome) + "</p>\n" + body
                + "</body></html>\n";
    }

    private static final String STYLE = """
            body { font-family: sans-serif; margin: 24px; color: #1d2430; max-width: 1000px; }
            h1 { font-size: 20px; margin: 0 0 8px; }
            h2 { font-size: 16px; }
            .outcome { font-weight: bold; padding: 6px 10px; border-radius: 4px; display: inline-block; }
            .outcome.good { background: #e3f4e6; color: #17602a; }
            .outcome.bad { background: #fbe4e4; color: #8a1c1c; }
            dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; }
            dt { color: #5b6472; } dd { margin: 0; }
            figure { margin: 16px 0; } figcaption { font-weight: bold; margin-bottom: 4px; }
            svg text { font-size: 11px; fill: #1d2430; }
            svg .axis { stroke: #9aa3af; }
            svg rect.step { fill: #4f8fd6; } svg rect.step.succeeded, svg rect.step.passed { fill: #3f9d58; }
            svg rect.step.failed, svg rect.step.halted { fill: #c94141; }
            svg rect.step.skipped, svg rect.step.not-started, svg rect.step.not-run { fill: #c3c8cf; }
            svg .mark line { stroke: #7a5cc2; stroke-dasharray: 3 2; } svg .mark text { fill: #7a5cc2; }
            svg .mark.failed line, svg .mark.trigger line { stroke: #c94141; } svg .mark.failed text,
            svg .mark.trigger text { fill: #c94141; }
            svg .mark.recovered line { stroke: #17602a; stroke-dasharray: none; } svg .mark.recovered text { fill: #17602a; }
            table { border-collapse: collapse; margin: 12px 0; font-size: 13px; }
            caption { text-align: left; font-weight: bold; margin-bottom: 4px; }
            th, td { border: 1px solid #d5d9df; padding: 3px 8px; text-align: left; vertical-align: top; }
            pre { background: #f5f6f8; padding: 10px; overflow-x: auto; font-size: 12px; white-space: pre-wrap; }
            """;

    /** The text with HTML's special characters escaped, for text and attribute values. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String css(String status) {
        return status == null ? "" : status.toLowerCase(Locale.ROOT).replace('_', '-').replaceAll("[^a-z0-9-]", "");
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static String num(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    /** A short duration for the axis and the tooltips. */
    private static String shortly(Duration d) {
        long ms = d.toMillis();
        if (ms < 1) {
            return String.format(Locale.ROOT, "%.2f ms", d.toNanos() / 1e6);
        }
        if (ms < 10_000) {
            return ms + " ms";
        }
        if (ms < 120_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return (ms / 60_000) + " min " + (ms % 60_000) / 1000 + " s";
    }
}
