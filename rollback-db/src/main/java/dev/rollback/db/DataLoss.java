package dev.rollback.db;

import dev.rollback.spi.Plural;
import java.util.Objects;

/**
 * Data that a rollback would destroy: rows written after the restore point, or a table or column
 * that did not exist then and holds data now. A database target lists these in the preview and
 * refuses the rollback in preflight unless it was told to {@code acceptDataLoss()}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param table the table, as the database names it
 * @param column the column, for {@link Kind#NEW_COLUMN} and {@link Kind#WRITTEN_AFTER}; null otherwise
 * @param kind what kind of data would be lost
 * @param rows how many rows hold it
 */
public record DataLoss(String table, String column, Kind kind, long rows) {

    /** What kind of data a rollback would destroy. */
    public enum Kind {
        /** Rows inserted after the restore point (ids above the largest id recorded, or more rows than recorded). */
        NEW_ROWS,
        /** Rows whose timestamp column says they were inserted or updated after the restore point. */
        WRITTEN_AFTER,
        /** A table created after the restore point, holding rows. */
        NEW_TABLE,
        /** A column added after the restore point, holding values other than NULL. */
        NEW_COLUMN,
        /** Rows of a table whose data the restore replaces entirely (a schema-only restore). */
        ALL_ROWS
    }

    /** Validates the parts. */
    public DataLoss {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(kind, "kind");
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, was " + rows);
        }
    }

    /** The loss as a sentence for previews and reports. */
    public String describe() {
        return switch (kind) {
            case NEW_ROWS -> Plural.of(rows, "row") + " of table '" + table + "' inserted after the restore point";
            case WRITTEN_AFTER -> Plural.of(rows, "row") + " of table '" + table + "' written after the restore point (by "
                    + column + ")";
            case NEW_TABLE -> "table '" + table + "', created after the restore point, holds " + Plural.of(rows, "row");
            case NEW_COLUMN -> "column '" + column + "' of table '" + table + "', added after the restore point, holds "
                    + "values in " + Plural.of(rows, "row");
            case ALL_ROWS -> Plural.of(rows, "row") + " of table '" + table + "' that a schema-only restore empties";
        };
    }

    @Override
    public String toString() {
        return describe();
    }
}
