package dev.rollback.db.internal;

import dev.rollback.spi.Snapshot;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Where Flyway's {@code flyway_schema_history} stands: its last rank, the schema version Flyway
 * reports as current, and its failed migrations. Read the way Flyway reads its own table: a failed
 * row ({@code success} false, left by a migration that broke half-way on an engine without
 * transactional DDL) is no applied version, a repeatable migration or the schema-creation marker
 * has no version, a baseline row is a version, an undo or delete row takes its version back out,
 * and versions compare part by part as numbers ({@code 1.10} is after {@code 1.9}). Immutable.
 *
 * @param rank the highest {@code installed_rank} of any row, failed or not; 0 when there is no history
 * @param version the highest applied version, or empty when none is
 * @param rows every row, in rank order
 */
public record FlywayHistory(int rank, String version, List<Row> rows) {

    /** The table Flyway keeps its history in, unless configured otherwise. */
    public static final String TABLE = "flyway_schema_history";

    /** One row of the history. */
    public record Row(int rank, String version, String description, String type, boolean success) {

        /** The row as a person reads it: {@code rank 3: version 3 'add email' (SQL, failed)}. */
        public String describe() {
            return "rank " + rank + ": " + (version == null ? "repeatable" : "version " + version) + " '" + description
                    + "' (" + type + (success ? "" : ", failed") + ")";
        }
    }

    /** Copies the rows. */
    public FlywayHistory {
        Objects.requireNonNull(version, "version");
        rows = List.copyOf(rows);
    }

    /** The history in {@code table} of the live database; an empty history when the table does not exist. */
    public static FlywayHistory read(Handle h, Dialect d, String table) {
        if (!Catalog.tables(h, d).contains(table)) {
            return of(List.of());
        }
        List<Row> rows = h.createQuery("SELECT installed_rank, version, description, type, success FROM " + d.table(table)
                + " ORDER BY installed_rank").map((rs, ctx) -> new Row(rs.getInt(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getBoolean(5))).list();
        return of(rows);
    }

    /** The history made of {@code rows}, in rank order. */
    static FlywayHistory of(List<Row> rows) {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt(Row::rank));
        List<String> applied = new ArrayList<>();
        for (Row r : sorted) {
            if (!r.success() || r.version() == null) {
                continue;
            }
            String type = r.type() == null ? "" : r.type();
            if (type.startsWith("UNDO") || type.equals("DELETE")) {
                applied.removeIf(v -> compareVersions(v, r.version()) == 0);
            } else {
                applied.add(r.version());
            }
        }
        String current = applied.stream().max(FlywayHistory::compareVersions).orElse("");
        int rank = sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1).rank();
        return new FlywayHistory(rank, current, sorted);
    }

    /** The failed rows. */
    public List<Row> failed() {
        return rows.stream().filter(r -> !r.success()).toList();
    }

    /** The rows after {@code rank}. */
    public List<Row> after(int rank) {
        return rows.stream().filter(r -> r.rank() > rank).toList();
    }

    /** The history where a person reads it: {@code rank 3 (version 2)}. */
    public String describe() {
        return rank == 0 ? "no migration (rank 0)" : "rank " + rank + " (version " + (version.isEmpty() ? "none" : version)
                + ")" + (failed().isEmpty() ? "" : " with failed migrations " + failed().stream().map(Row::describe).toList());
    }

    /** Writes what a restore must bring back into snapshot data. */
    public void write(Map<String, String> data) {
        data.put("flyway.rank", Integer.toString(rank));
        data.put("flyway.version", version);
        data.put("flyway.failed", Codec.encode(failed().stream().map(r -> Integer.toString(r.rank())).toList()));
    }

    /** What was recorded in {@code s}: its rank, version and failed ranks; empty if {@code s} recorded no history. */
    public static Optional<Recorded> recorded(Snapshot s) {
        return s.get("flyway.rank").map(rank -> new Recorded(Integer.parseInt(rank), s.get("flyway.version").orElse(""),
                s.get("flyway.failed").map(Codec::decode).orElse(List.of()).stream().map(Integer::valueOf).toList()));
    }

    /**
     * What a snapshot recorded of a history.
     *
     * @param rank the last rank
     * @param version the current version, or empty
     * @param failedRanks the ranks of failed rows
     */
    public record Recorded(int rank, String version, List<Integer> failedRanks) {

        /** Copies the ranks. */
        public Recorded {
            failedRanks = List.copyOf(failedRanks);
        }

        /** Whether {@code live} stands where this record does. */
        public boolean matches(FlywayHistory live) {
            return live.rank() == rank && compareVersions(live.version(), version) == 0
                    && live.failed().stream().map(Row::rank).toList().equals(failedRanks);
        }

        /** The record where a person reads it. */
        public String describe() {
            return rank == 0 ? "no migration (rank 0)" : "rank " + rank + " (version " + (version.isEmpty() ? "none" : version)
                    + ")" + (failedRanks.isEmpty() ? "" : " with failed migrations at ranks " + failedRanks);
        }
    }

    /**
     * Compares two Flyway versions part by part as numbers, as Flyway does: {@code 1.10} is after
     * {@code 1.9}, {@code 1.0} equals {@code 1}; the empty version is before every other.
     */
    public static int compareVersions(String a, String b) {
        if (a.isEmpty() || b.isEmpty()) {
            return Boolean.compare(!a.isEmpty(), !b.isEmpty());
        }
        String[] x = a.split("[._]");
        String[] y = b.split("[._]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = part(i < x.length ? x[i] : "0").compareTo(part(i < y.length ? y[i] : "0"));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static BigInteger part(String p) {
        try {
            return new BigInteger(p.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("flyway_schema_history: expected versions made of numbers such as 1.2.3, "
                    + "found a part '" + p + "'; check the table's version column", e);
        }
    }
}
