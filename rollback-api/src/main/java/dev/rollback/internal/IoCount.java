package dev.rollback.internal;

import java.nio.channels.FileChannel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counts of what costs a rollback most beside its own work: files forced to disk, folder entries forced to
 * disk and processes started, each counted where it happens ({@link Files2#force}, {@link Files2#syncDirectory},
 * the local host's command execution) under the label of the phase that the current thread is in ({@link
 * #during}). For the benchmarks, which print them beside the times; nothing else reads them, and counting costs a
 * few additions.
 *
 * <p>Thread-safe: the counters are adders, and each thread has its own label.
 */
public final class IoCount {

    /** The label of work outside any phase the engine names. */
    public static final String OUTSIDE = "other";

    private static final ThreadLocal<String> LABEL = new ThreadLocal<>();
    private static final Map<String, LongAdder[]> COUNTS = new ConcurrentHashMap<>();
    private static final Map<String, LongAdder> SYNC_NANOS = new ConcurrentHashMap<>();
    private static final Map<String, LongAdder> WALL_NANOS = new ConcurrentHashMap<>();
    /** The time of the labels opened inside the current one, per thread. */
    private static final ThreadLocal<long[]> NESTED_NANOS = new ThreadLocal<>();
    /** The labels in the order they were first counted, so that a printout follows the run. */
    private static final ConcurrentLinkedQueue<String> ORDER = new ConcurrentLinkedQueue<>();

    private static final int FILES = 0;
    private static final int FOLDERS = 1;
    private static final int PROCESSES = 2;

    private IoCount() {}

    /** What one label counted. */
    public record Counts(String label, long fileSyncs, long folderSyncs, long processes) {
        /** Files and folder entries forced to disk together. */
        public long durableWrites() {
            return fileSyncs + folderSyncs;
        }

        /** As {@code label: 2 file syncs + 1 folder sync, 0 processes}. */
        @Override
        public String toString() {
            return label + ": " + fileSyncs + " file + " + folderSyncs + " folder syncs, " + processes + " processes";
        }
    }

    /**
     * Counts what this thread does under {@code label} until the returned handle is closed, which brings back the
     * label before it.
     */
    public static Scope during(String label) {
        String before = LABEL.get();
        long[] outer = NESTED_NANOS.get();
        long[] nested = {0};
        NESTED_NANOS.set(nested);
        LABEL.set(label);
        long start = System.nanoTime();
        return () -> {
            long took = System.nanoTime() - start;
            WALL_NANOS.computeIfAbsent(label, l -> new LongAdder()).add(took - nested[0]);
            if (outer == null) {
                NESTED_NANOS.remove();
            } else {
                outer[0] += took;
                NESTED_NANOS.set(outer);
            }
            if (before == null) {
                LABEL.remove();
            } else {
                LABEL.set(before);
            }
        };
    }

    /**
     * The time spent under this label so far, in nanoseconds, without the time of the labels opened inside it:
     * with {@link #syncNanos}, where a run's time goes, for a benchmark's profile.
     */
    public static long wallNanos(String label) {
        LongAdder n = WALL_NANOS.get(label);
        return n == null ? 0 : n.sum();
    }

    /** The label this thread counts under now. */
    public static String label() {
        String l = LABEL.get();
        return l != null ? l : OUTSIDE;
    }

    /** A label that is held until closed. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        /** Brings back the label before. */
        @Override
        void close();
    }

    /** Forces a file's content to disk, counted, with the time it took. */
    static void forced(FileChannel ch) throws IOException {
        long start = System.nanoTime();
        ch.force(true);
        add(FILES);
        timed(System.nanoTime() - start);
    }

    /** Counts a folder forced to disk, which took {@code nanos}. */
    static void folderForced(long nanos) {
        add(FOLDERS);
        timed(nanos);
    }

    private static void timed(long nanos) {
        SYNC_NANOS.computeIfAbsent(label(), l -> new LongAdder()).add(nanos);
    }

    /**
     * The time this label's files and folders took to be forced to disk so far, in nanoseconds: how much of a
     * phase's time the durable writes are, for a benchmark's profile.
     */
    public static long syncNanos(String label) {
        LongAdder n = SYNC_NANOS.get(label);
        return n == null ? 0 : n.sum();
    }

    /** Counts a process started. */
    public static void processStarted() {
        add(PROCESSES);
    }

    private static void add(int what) {
        String label = label();
        COUNTS.computeIfAbsent(label, l -> {
            ORDER.add(l);
            return new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()};
        })[what].increment();
    }

    /** Forgets every count. */
    public static void reset() {
        COUNTS.clear();
        SYNC_NANOS.clear();
        WALL_NANOS.clear();
        ORDER.clear();
    }

    /** Every label's counts so far, in the order each was first counted. */
    public static List<Counts> snapshot() {
        Map<String, Counts> out = new LinkedHashMap<>();
        for (String l : ORDER) {
            LongAdder[] c = COUNTS.get(l);
            if (c != null && !out.containsKey(l)) {
                out.put(l, new Counts(l, c[FILES].sum(), c[FOLDERS].sum(), c[PROCESSES].sum()));
            }
        }
        return new ArrayList<>(out.values());
    }

    /** The sum of {@code counts}, under {@code label}. */
    public static Counts total(String label, List<Counts> counts) {
        long f = 0;
        long d = 0;
        long p = 0;
        for (Counts c : counts) {
            f += c.fileSyncs();
            d += c.folderSyncs();
            p += c.processes();
        }
        return new Counts(label, f, d, p);
    }
}
