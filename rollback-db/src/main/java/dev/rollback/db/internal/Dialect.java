package dev.rollback.db.internal;

import java.util.List;
import java.util.Objects;

/**
 * What differs between database engines in the SQL the targets write: how identifiers are quoted,
 * where the catalog keeps the tables, how "now" is read and compared. Immutable.
 *
 * @param engine a short name for messages
 * @param quote the identifier quote character
 * @param catalog the JDBC catalog of the tables, or null
 * @param schema the JDBC schema of the tables, or null
 * @param nowSql a query returning the database's current time as text
 * @param afterSql a condition with one {@code %s} (the quoted column) and one parameter (a time
 *     read with {@code nowSql}): true when the column's time is later
 * @param hiddenPrefixes table name prefixes that belong to the engine, not the application
 */
public record Dialect(String engine, char quote, String catalog, String schema, String nowSql, String afterSql,
        List<String> hiddenPrefixes) {

    /** Validates the parts. */
    public Dialect {
        Objects.requireNonNull(engine, "engine");
        hiddenPrefixes = List.copyOf(hiddenPrefixes);
    }

    /** SQLite: {@code "} quotes, no catalog or schema, times compared with {@code julianday}. */
    public static Dialect sqlite() {
        return new Dialect("SQLite", '"', null, null, "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')",
                "julianday(%s) > julianday(?)", List.of("sqlite_"));
    }

    /** PostgreSQL: {@code "} quotes, tables in {@code schema}. */
    public static Dialect postgres(String schema) {
        return new Dialect("PostgreSQL", '"', null, schema, "SELECT CAST(clock_timestamp() AS text)",
                "%s > CAST(? AS timestamptz)", List.of());
    }

    /** MySQL and MariaDB: backquotes, tables in the catalog named after the database. */
    public static Dialect mysql(String database) {
        return new Dialect("MariaDB", '`', database, null, "SELECT CAST(NOW(6) AS CHAR)", "%s > ?", List.of());
    }

    /**
     * An identifier quoted so that no name can end the quotes early: the quote character is doubled.
     *
     * @throws IllegalArgumentException for a name that is empty or holds a NUL character
     */
    public String quote(String identifier) {
        Objects.requireNonNull(identifier, "identifier");
        if (identifier.isEmpty() || identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(engine + ": expected an identifier, found '" + identifier.replace("\0", "\\0")
                    + "'; give a table or column name without NUL characters");
        }
        String q = String.valueOf(quote);
        return q + identifier.replace(q, q + q) + q;
    }

    /** A table's name as used in SQL: quoted, and qualified by the schema where there is one. */
    public String table(String table) {
        return schema == null ? quote(table) : quote(schema) + "." + quote(table);
    }

    /** Whether a table belongs to the engine rather than the application. */
    public boolean hidden(String table) {
        return hiddenPrefixes.stream().anyMatch(table::startsWith);
    }
}
