package dev.rollback.db;

/**
 * How rows that a rollback would destroy are written into the restore point before the rollback
 * overwrites them, so that a person can merge them back by hand.
 */
public enum ExportFormat {
    /** One CSV file per table (RFC 4180, header row, NULL as an empty unquoted field). */
    CSV,
    /** One SQL file per table of {@code INSERT} statements with quoted identifiers. */
    SQL
}
