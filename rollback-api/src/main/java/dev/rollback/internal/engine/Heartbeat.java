package dev.rollback.internal.engine;

import dev.rollback.host.WorkMeter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Progress of long steps: while a watched step runs, every interval (two seconds by default, in real time) it says
 * how long the step has run and what its {@link WorkMeter} shows, done of the total when known, and the rate. A
 * step shorter than the interval says nothing. One scheduler thread per heartbeat, made on first use and ended by
 * itself after a few idle seconds, so nothing needs closing. Thread-safe.
 */
public final class Heartbeat {

    private final long intervalNanos;
    private ScheduledThreadPoolExecutor scheduler;

    /** Beats every {@code interval}. */
    public Heartbeat(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** Beats every two seconds. */
    public Heartbeat() {
        this(Duration.ofSeconds(2));
    }

    /**
     * Starts watching a step: binds a fresh meter to this thread and, until the handle is closed, hands {@code say}
     * a progress line every interval. {@code say} runs on the scheduler's thread and must not throw.
     */
    public Watch watch(Consumer<String> say) {
        WorkMeter meter = new WorkMeter();
        WorkMeter.Binding binding = WorkMeter.bind(meter);
        long start = System.nanoTime();
        ScheduledFuture<?> beat = scheduler().scheduleAtFixedRate(() -> {
            try {
                say.accept(line(meter, System.nanoTime() - start));
            } catch (RuntimeException e) {
                // a listener's failure never stops the step; the listeners log their own
            }
        }, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
        return () -> {
            beat.cancel(false);
            binding.close();
        };
    }

    private synchronized ScheduledThreadPoolExecutor scheduler() {
        if (scheduler == null) {
            scheduler = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "rollback-progress");
                t.setDaemon(true);
                return t;
            });
            scheduler.setKeepAliveTime(5, TimeUnit.SECONDS);
            scheduler.allowCoreThreadTimeOut(true);
            scheduler.setRemoveOnCancelPolicy(true);
        }
        return scheduler;
    }

    /** "still running after 6 s: 1,204 of 3,000 files, 512.0 MB of 1.2 GB (85.3 MB/s)". */
    static String line(WorkMeter m, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "still running after %.0f s", seconds));
        long files = m.files();
        long bytes = m.bytes();
        if (files > 0 || bytes > 0) {
            s.append(": ").append(String.format(Locale.ROOT, "%,d", files));
            if (m.expectedFiles() >= 0) {
                s.append(String.format(Locale.ROOT, " of %,d", m.expectedFiles()));
            }
            s.append(files == 1 && m.expectedFiles() < 0 ? " file, " : " files, ").append(size(bytes));
            if (m.expectedBytes() >= 0) {
                s.append(" of ").append(size(m.expectedBytes()));
            }
            s.append(" done (").append(size((long) (bytes / Math.max(seconds, 1e-3)))).append("/s)");
        }
        return s.toString();
    }

    /** Bytes in B, kB, MB or GB (powers of 1,000), one decimal above bytes. */
    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Ends the watch of one step. */
    @FunctionalInterface
    public interface Watch extends AutoCloseable {
        /** Stops the beats and unbinds the step's meter. */
        @Override
        void close();
    }
}
