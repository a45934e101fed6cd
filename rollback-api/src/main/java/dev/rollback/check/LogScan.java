package dev.rollback.check;

import dev.rollback.spi.Check;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.StepContext;
import dev.rollback.host.Host;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A health check that no line written to a log since a moment matches an error pattern: "no ERROR
 * since the rollback began"; or, made by {@link HealthCheck#logLine}, that one does: "the service
 * logged that it listens", a readiness check for {@link dev.rollback.targets.Service#readyWhen}.
 *
 * <p><b>Since when.</b> The moment is a {@link LogMark}: where the file ended then. A scan made by
 * {@link HealthCheck#logScan(Path, Pattern)} takes its mark when the rollback begins: the engine calls
 * {@link #begin} after preflight and before the first step changes anything, and runs the returned
 * copy in the VERIFY phase, so the errors the bad release logged before the rollback do not count
 * and everything logged while the services stop, restart and answer does. A scan made with a mark
 * ({@link HealthCheck#logScan(Path, Pattern, LogMark)}) reads from that mark. A scan run without
 * either (directly, outside a plan, never begun) reads the whole file. A file that shrank or was
 * replaced since the mark is read whole (see {@link LogMark}).
 *
 * <p>Each attempt reads the file through the plan's {@link Host} (so it works on a remote host),
 * splits what follows the mark into lines, and fails if any line matches the pattern ({@link
 * java.util.regex.Matcher#find()}); a missing file fails the attempt too. The observation names the
 * first matching lines with their line numbers in the file. The whole file is read each time, so
 * keep logs rotated to a size that fits in memory.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * HealthCheck.logScan(Path.of("logs/gestima.log"), Pattern.compile("ERROR|Traceback"))
 * }</pre>
 */
public final class LogScan implements HealthCheck {

    private static final int SHOWN = 3;

    private final String name;
    private final Path file;
    private final Pattern pattern;
    private final LogMark since;
    private final Retry retry;
    private final boolean expect;

    private LogScan(String name, Path file, Pattern pattern, LogMark since, Retry retry, boolean expect) {
        this.name = name;
        this.file = file;
        this.pattern = pattern;
        this.since = since;
        this.retry = retry;
        this.expect = expect;
    }

    static LogScan of(Path file, Pattern pattern, LogMark since) {
        if (file == null) {
            throw new IllegalArgumentException("log scan: expected a log file, found null; give one such as "
                    + "Path.of(\"logs/app.log\")");
        }
        if (pattern == null) {
            throw new IllegalArgumentException("log scan of " + file + ": expected an error pattern, found null; give "
                    + "one such as Pattern.compile(\"ERROR|Traceback\")");
        }
        if (since != null && !since.file().equals(file)) {
            throw new IllegalArgumentException("log scan of " + file + ": expected a mark of that file, found a mark of "
                    + since.file() + "; take the mark with LogMark.take(host, " + file + ", clock)");
        }
        return new LogScan(null, file, pattern, since, Retry.ONCE, false);
    }

    /** A scan that passes when a line since the mark matches {@code pattern}: see {@link HealthCheck#logLine}. */
    static LogScan expecting(Path file, Pattern pattern) {
        LogScan scan = of(file, pattern, null);
        return new LogScan(null, file, pattern, null, scan.retry, true);
    }

    /** Whether this scan passes when a line matches (a readiness line) rather than when none does. */
    public boolean expectsLine() {
        return expect;
    }

    /** The check's name: by default {@code log <file> has no /<pattern>/}. */
    @Override
    public String name() {
        return name != null ? name : "log " + file + (expect ? " shows /" : " has no /") + Texts.excerpt(pattern.pattern())
                + "/";
    }

    @Override
    public Retry retry() {
        return retry;
    }

    /** The mark this scan reads from, or null when it reads the whole file. */
    public LogMark since() {
        return since;
    }

    /**
     * A copy of this scan that reads from where the log ends now, unless this scan already has a
     * mark; the engine calls it when a rollback begins.
     */
    @Override
    public Check begin(StepContext ctx) {
        if (since != null) {
            return this;
        }
        return new LogScan(name, file, pattern, LogMark.take(ctx.host(), file, ctx.clock()), retry, expect);
    }

    @Override
    public LogScan named(String newName) {
        return new LogScan(Texts.requireName(newName), file, pattern, since, retry, expect);
    }

    @Override
    public LogScan attempts(int n) {
        return new LogScan(name, file, pattern, since, retry.withAttempts(n), expect);
    }

    @Override
    public LogScan every(Duration interval) {
        return new LogScan(name, file, pattern, since, retry.withInterval(interval), expect);
    }

    @Override
    public LogScan timeout(Duration timeout) {
        return new LogScan(name, file, pattern, since, retry.withTimeout(timeout), expect);
    }

    /** Reads what was written since the mark and looks for matching lines, recording each attempt. */
    @Override
    public CheckResult run(StepContext ctx) throws Exception {
        // reading a file has no timeout of its own; the overall timeout bounds the attempts
        return Attempts.run(ctx, name(), retry, retry.timeout(), limit -> scan(ctx.host()));
    }

    private Attempts.Seen scan(Host host) {
        if (!host.exists(file)) {
            return Attempts.Seen.fail("expected the log file " + file + " on " + host.name() + ", found nothing there");
        }
        byte[] content = host.read(file);
        int start = 0;
        String from = "(the whole file)";
        if (since != null) {
            if (content.length < since.offset()) {
                from = "(the whole file: it is shorter than at the mark of " + since.at()
                        + ", so it was rotated or truncated)";
            } else if (!LogMark.tailHash(content, since.offset()).equals(since.tailSha256())) {
                from = "(the whole file: it was replaced since the mark of " + since.at() + ")";
            } else {
                start = (int) since.offset();
                from = "written since " + since.at() + " (after byte " + start + ")";
            }
        }
        int lineNumber = 1;
        for (int i = 0; i < start; i++) {
            if (content[i] == '\n') {
                lineNumber++;
            }
        }
        String text = new String(content, start, content.length - start, StandardCharsets.UTF_8);
        List<String> matches = new ArrayList<>();
        int count = 0;
        int lines = 0;
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                lines++;
                String clean = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                if (pattern.matcher(clean).find()) {
                    count++;
                    if (matches.size() < SHOWN) {
                        matches.add("line " + lineNumber + ": '" + Texts.excerpt(clean) + "'");
                    }
                }
            }
            lineNumber++;
        }
        String where = file + " " + from;
        if (expect) {
            return count > 0 ? Attempts.Seen.pass(String.join("; ", matches.subList(0, 1)) + " of " + where
                    + " matches /" + Texts.excerpt(pattern.pattern()) + "/")
                    : Attempts.Seen.fail("no line matching /" + Texts.excerpt(pattern.pattern()) + "/ among " + lines
                    + " line" + (lines == 1 ? "" : "s") + " of " + where + "; expected one");
        }
        if (count == 0) {
            return Attempts.Seen.pass("no line matching /" + Texts.excerpt(pattern.pattern()) + "/ among " + lines
                    + " line" + (lines == 1 ? "" : "s") + " of " + where);
        }
        return Attempts.Seen.fail(count + " line" + (count == 1 ? "" : "s") + " matching /"
                + Texts.excerpt(pattern.pattern()) + "/ in " + where + ": " + String.join("; ", matches)
                + (count > SHOWN ? "; and " + (count - SHOWN) + " more" : "") + "; expected none");
    }

    /** The check in one line. */
    @Override
    public String toString() {
        return "LogScan[" + name() + (since == null ? "" : ", since " + since.at() + " at byte " + since.offset())
                + ", " + retry + "]";
    }
}
