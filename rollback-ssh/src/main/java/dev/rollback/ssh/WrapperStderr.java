package dev.rollback.ssh;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Standard error of a wrapped command: the wrapper's report (the pid, or why the command did not
 * start) is kept apart, and so is whatever the server's login shell wrote before it (a
 * {@code ~/.bashrc} that bash reads for every SSH command, such as pyenv's "cannot rehash"); the
 * rest is the command's own. When no report comes, what came before it is the command's standard
 * error after all, so that the reason shows in the error.
 *
 * <p>Thread-safe: the stream's pump writes while the waiting thread reads the pid and the text.
 */
final class WrapperStderr {
    private ByteArrayOutputStream text = new ByteArrayOutputStream();
    /** The line being read while the report is awaited. */
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    /** Lines the login shell wrote before the report. */
    private final ByteArrayOutputStream before = new ByteArrayOutputStream();
    private final CompletableFuture<String> report = new CompletableFuture<>();
    /** At most this much of what the login shell writes before the report is kept. */
    private static final int BEFORE_LIMIT = 64 * 1024;
    private final int limit;
    private boolean awaitingReport;

    /** The whole standard error of a command that ends by itself. */
    WrapperStderr(boolean wrapped) {
        this(wrapped, Integer.MAX_VALUE);
    }

    /** Standard error of which only the last {@code limit} bytes are kept, for a command kept running. */
    WrapperStderr(boolean wrapped, int limit) {
        this.limit = limit;
        awaitingReport = wrapped;
        if (!wrapped) {
            report.complete(null);
        }
    }

    synchronized void accept(byte[] b, int off, int len) {
        int i = off;
        while (awaitingReport && i < off + len) {
            byte c = b[i++];
            if (c == '\n') {
                String line = partial.toString(StandardCharsets.UTF_8);
                partial.reset();
                int at = line.indexOf(RemoteShell.MARKER); // after a shell's last line without a newline, too
                if (at >= 0) {
                    awaitingReport = false;
                    keepBefore(line.substring(0, at));
                    report.complete(line.substring(at + RemoteShell.MARKER.length()));
                } else {
                    keepBefore(line + "\n");
                }
            } else if (partial.size() < BEFORE_LIMIT) {
                partial.write(c);
            }
        }
        text.write(b, i, off + len - i);
        if (text.size() - limit > Math.min(limit, 1 << 20)) {
            byte[] all = text.toByteArray();
            text = new ByteArrayOutputStream();
            text.write(all, all.length - limit, limit);
        }
    }

    private void keepBefore(String shellSaid) {
        if (before.size() < BEFORE_LIMIT) {
            before.writeBytes(shellSaid.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The wrapper's report without its pid line, or null if it wrote none. */
    synchronized String report() {
        if (awaitingReport) {
            // stderr ended with no report: what came (all of it held back, text is empty) is the reason
            awaitingReport = false;
            text.writeBytes(before.toByteArray());
            text.writeBytes(partial.toByteArray());
            report.complete(null);
        }
        String r = report.getNow(null);
        return r;
    }

    /** The pid the wrapper reported, waiting up to {@code limit} for it; null if it reported none. */
    Long awaitPid(Duration limit) {
        String r;
        try {
            r = report.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        }
        return r != null && r.startsWith("pid:") ? Long.valueOf(r.substring(4)) : null;
    }

    /** What the server's login shell wrote before the wrapper's report; empty when it wrote nothing. */
    synchronized String beforeReport() {
        return awaitingReport ? "" : before.toString(StandardCharsets.UTF_8);
    }

    /** Whether the wrapper's report has come, or standard error ended without one. */
    boolean reported() {
        return report.isDone();
    }

    synchronized String text() {
        report();
        byte[] all = text.toByteArray();
        int from = Math.max(0, all.length - limit);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }
}
