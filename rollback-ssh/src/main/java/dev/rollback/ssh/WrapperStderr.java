package dev.rollback.ssh;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Standard error of a wrapped command: its first line, when it is the wrapper's report, is kept
 * apart (the pid, or why the command did not start); the rest is the command's own.
 *
 * <p>Thread-safe: the stream's pump writes while the waiting thread reads the pid and the text.
 */
final class WrapperStderr {
    private ByteArrayOutputStream text = new ByteArrayOutputStream();
    private final ByteArrayOutputStream first = new ByteArrayOutputStream();
    private final CompletableFuture<String> report = new CompletableFuture<>();
    private final int limit;
    private boolean inFirst;

    /** The whole standard error of a command that ends by itself. */
    WrapperStderr(boolean wrapped) {
        this(wrapped, Integer.MAX_VALUE);
    }

    /** Standard error of which only the last {@code limit} bytes are kept, for a command kept running. */
    WrapperStderr(boolean wrapped, int limit) {
        this.limit = limit;
        inFirst = wrapped;
        if (!wrapped) {
            report.complete(null);
        }
    }

    synchronized void accept(byte[] b, int off, int len) {
        int i = off;
        while (inFirst && i < off + len) {
            byte c = b[i++];
            if (c == '\n') {
                inFirst = false;
                String line = first.toString(StandardCharsets.UTF_8);
                if (line.startsWith(RemoteShell.MARKER)) {
                    report.complete(line.substring(RemoteShell.MARKER.length()));
                } else {
                    report.complete(null);
                    text.writeBytes(first.toByteArray());
                    text.write('\n');
                }
            } else {
                first.write(c);
            }
        }
        text.write(b, i, off + len - i);
        if (text.size() - limit > Math.min(limit, 1 << 20)) {
            byte[] all = text.toByteArray();
            text = new ByteArrayOutputStream();
            text.write(all, all.length - limit, limit);
        }
    }

    /** The wrapper's report without its pid line, or null if it wrote none. */
    synchronized String report() {
        if (inFirst) {
            // stderr ended inside the first line: it was not the wrapper's
            inFirst = false;
            text.writeBytes(first.toByteArray());
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

    /** Whether the wrapper's report, or the first line that shows there is none, has come. */
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
