package dev.rollback.junit;

import dev.rollback.DrillReport;
import dev.rollback.RollbackReport;
import dev.rollback.WatchReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Files a test's reports: one {@code TestReporter} entry per report and one Markdown file for the test. */
final class ReportFiling {

    private ReportFiling() {}

    /**
     * Publishes each report and writes them all to {@code <dir>/<test>.md}; nothing when there is none.
     *
     * @param failure the test's failure, or null if it passed
     */
    static void file(ExtensionContext ctx, List<Object> reports, Path dir, String test, Throwable failure) {
        if (reports.isEmpty()) {
            return;
        }
        String nl = System.lineSeparator();
        StringBuilder md = new StringBuilder();
        md.append("# Test ").append(test).append(": ").append(failure == null ? "passed" : "FAILED").append(nl)
                .append(nl);
        md.append("- **Test:** ").append(ctx.getDisplayName()).append(nl);
        if (failure != null) {
            md.append("- **Failure:** ").append(firstLine(failure)).append(nl);
        }
        md.append("- **Reports:** ").append(reports.size()).append(nl);
        for (Object report : reports) {
            String text = markdown(report);
            ctx.publishReportEntry(kind(report), text);
            md.append(nl).append("---").append(nl).append(nl).append(text);
        }
        Path file = dir.resolve(test + ".md").toAbsolutePath();
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + test, ".tmp");
            Files.writeString(temp, md, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("rollback reports of " + test + ": expected to write " + file + ", found "
                    + e + "; make the folder writable, or name another with the JUnit configuration parameter "
                    + RollbackExtension.REPORTS_DIR, e);
        }
        ctx.publishReportEntry("rollback reports file", file.toString());
    }

    private static String firstLine(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        int end = message.indexOf('\n');
        return failure.getClass().getSimpleName() + ": " + (end < 0 ? message : message.substring(0, end)).strip();
    }

    private static String kind(Object report) {
        if (report instanceof DrillReport d) {
            return "rollback drill " + d.drillId();
        }
        if (report instanceof WatchReport w) {
            return "rollback watch " + w.watchId();
        }
        return "rollback " + ((RollbackReport) report).rollbackId();
    }

    private static String markdown(Object report) {
        if (report instanceof DrillReport d) {
            return d.toMarkdown();
        }
        if (report instanceof WatchReport w) {
            return w.toMarkdown();
        }
        return ((RollbackReport) report).toMarkdown();
    }
}
