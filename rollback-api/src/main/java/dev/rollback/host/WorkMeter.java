package dev.rollback.host;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How much of a long step's work is done: files and bytes copied or hashed so far, and the total when the step
 * knows it. The engine gives each running step a meter (bound to the thread that runs it) and, while the step runs
 * longer than about two seconds, reports the meter's figures and rate as {@code PROGRESS} events every two seconds.
 * Hosts and targets add to {@link #current()}; where no step runs, it is a meter that counts for nobody.
 *
 * <p>Thread-safe: the figures are atomic, so a copy may add from several threads.
 *
 * <pre>{@code
 * WorkMeter meter = WorkMeter.current();
 * meter.expect(files.size(), totalBytes);
 * for (Path f : files) { copy(f); meter.add(1, Files.size(f)); }
 * }</pre>
 */
public final class WorkMeter {

    private static final ThreadLocal<WorkMeter> CURRENT = new ThreadLocal<>();

    private final AtomicLong files = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong expectedFiles = new AtomicLong(-1);
    private final AtomicLong expectedBytes = new AtomicLong(-1);

    /** A meter at zero with no total. */
    public WorkMeter() {}

    /** The meter of the step running on this thread, or a fresh one nobody reads. */
    public static WorkMeter current() {
        WorkMeter m = CURRENT.get();
        return m != null ? m : new WorkMeter();
    }

    /**
     * Makes {@code meter} the current one of this thread until the returned handle is closed (then the previous one
     * is current again). For the engine, and for a host that does a step's work on a thread of its own.
     */
    public static Binding bind(WorkMeter meter) {
        WorkMeter before = CURRENT.get();
        CURRENT.set(meter);
        Runnable helpers = dev.rollback.internal.WorkCount.bind(meter::add);
        return () -> {
            helpers.run();
            if (before == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(before);
            }
        };
    }

    /** Counts {@code files} more files and {@code bytes} more bytes done. */
    public void add(long files, long bytes) {
        this.files.addAndGet(files);
        this.bytes.addAndGet(bytes);
    }

    /** Sets the total the step expects to do; a negative figure means unknown. */
    public void expect(long files, long bytes) {
        expectedFiles.set(files);
        expectedBytes.set(bytes);
    }

    /** Files done so far. */
    public long files() {
        return files.get();
    }

    /** Bytes done so far. */
    public long bytes() {
        return bytes.get();
    }

    /** The files expected in all, or -1 when unknown. */
    public long expectedFiles() {
        return expectedFiles.get();
    }

    /** The bytes expected in all, or -1 when unknown. */
    public long expectedBytes() {
        return expectedBytes.get();
    }

    /** Ends a {@link #bind(WorkMeter)}. */
    @FunctionalInterface
    public interface Binding extends AutoCloseable {
        /** Makes the previous meter current again. */
        @Override
        void close();
    }
}
