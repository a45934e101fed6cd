package dev.rollback.db;

import java.util.Objects;

/**
 * An integrity check written in SQL, run against a database after it was restored: the query
 * selects the rows that are wrong (orphans, duplicates, impossible values), and the check passes
 * when it returns none.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * SqlCheck.of("every section has its post",
 *     "SELECT s.id FROM post_section s LEFT JOIN post p ON p.id = s.post_id WHERE p.id IS NULL")
 * }</pre>
 *
 * @param name the name shown in reports
 * @param sql a query whose rows are the violations; no rows means the check passes
 */
public record SqlCheck(String name, String sql) {

    /** Validates that both parts are given. */
    public SqlCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sql, "sql");
        if (name.isBlank()) {
            throw new IllegalArgumentException("SQL check: expected a name, found a blank one; name what it checks");
        }
        if (sql.isBlank()) {
            throw new IllegalArgumentException("SQL check '" + name + "': expected a query, found a blank one; give a "
                    + "SELECT that returns the rows that are wrong");
        }
    }

    /** A check named {@code name} that passes when {@code sql} returns no rows. */
    public static SqlCheck of(String name, String sql) {
        return new SqlCheck(name, sql);
    }
}
