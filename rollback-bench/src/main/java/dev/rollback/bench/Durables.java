package dev.rollback.bench;

import dev.rollback.internal.IoCount;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The durable writes (files and folder entries forced to disk) and processes that the library counts per phase
 * ({@link IoCount}), measured around one call and printed beside a benchmark's times.
 */
final class Durables {

    private Durables() {}

    /** What one call counted, per phase, and its result. */
    record Counted<T>(T result, List<IoCount.Counts> phases, java.util.Map<String, Long> syncNanos,
            java.util.Map<String, Long> wallNanos) {
        /** Everything the call counted. */
        IoCount.Counts total() {
            return IoCount.total("total", phases);
        }

        /** The counts of one phase label, zero if it counted nothing. */
        IoCount.Counts phase(String label) {
            return phases.stream().filter(c -> c.label().equals(label)).findFirst()
                    .orElse(new IoCount.Counts(label, 0, 0, 0));
        }

        /**
         * One line per label: {@code preflight 1+0 syncs, 0 processes | set_aside ...}, then the total, as a
         * benchmark prints it.
         */
        String describe() {
            StringBuilder s = new StringBuilder();
            for (IoCount.Counts c : phases) {
                s.append(String.format(Locale.ROOT, "%s %d+%d/%d, ", c.label(), c.fileSyncs(), c.folderSyncs(),
                        c.processes()));
            }
            IoCount.Counts t = total();
            s.append(String.format(Locale.ROOT, "total %d+%d/%d (file syncs + folder syncs / processes)",
                    t.fileSyncs(), t.folderSyncs(), t.processes()));
            return s.toString();
        }

        /**
         * One entry per label with its durable writes and the time they took: {@code set_aside 3 syncs 4.1 ms, ...},
         * the profile of where a fast path's time goes to disk.
         */
        String syncTimes() {
            StringBuilder s = new StringBuilder();
            for (IoCount.Counts c : phases) {
                s.append(String.format(Locale.ROOT, "%s %d syncs %.1f ms, ", c.label(), c.durableWrites(),
                        syncNanos.getOrDefault(c.label(), 0L) / 1e6));
            }
            long all = syncNanos.values().stream().mapToLong(Long::longValue).sum();
            s.append(String.format(Locale.ROOT, "total %d syncs %.1f ms", total().durableWrites(), all / 1e6));
            return s.toString();
        }
    }

    /** Runs {@code call} with the counts reset before, and returns what it counted. */
    static <T> Counted<T> count(Supplier<T> call) {
        IoCount.reset();
        T result = call.get();
        List<IoCount.Counts> phases = IoCount.snapshot();
        java.util.Map<String, Long> nanos = new java.util.LinkedHashMap<>();
        phases.forEach(p -> nanos.put(p.label(), IoCount.syncNanos(p.label())));
        java.util.Map<String, Long> wall = new java.util.LinkedHashMap<>();
        for (String label : List.of("preflight", "stop", "set_aside", "restore", "start", "verify", "finish")) {
            wall.put(label, IoCount.wallNanos(label));
        }
        Counted<T> c = new Counted<>(result, phases, nanos, wall);
        IoCount.reset();
        return c;
    }
}
