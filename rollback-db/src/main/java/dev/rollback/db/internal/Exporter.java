package dev.rollback.db.internal;

import dev.rollback.host.Host;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Writes the rows a rollback would destroy into a file of the restore point, as CSV or as SQL
 * {@code INSERT} statements, so they can be merged back by hand. The file is on the plan's host: in
 * the local store it is streamed to disk; for a remote host it is streamed into an owner-only temp
 * file on this machine, uploaded through the host (SFTP) and the temp file deleted, so memory use
 * does not grow with the number of rows.
 */
public final class Exporter {

    private Exporter() {}

    /** A file name for the export of {@code table}: only letters, digits, {@code _ -}, never a path. */
    public static String fileName(int index, String table, String suffix, boolean sql) {
        String safe = table.replaceAll("[^A-Za-z0-9_-]", "_");
        if (safe.length() > 60) {
            safe = safe.substring(0, 60);
        }
        return String.format("%02d-%s-%s.%s", index, safe, suffix, sql ? "sql" : "csv");
    }

    /**
     * Runs {@code SELECT * FROM table WHERE condition} and writes its rows to {@code file} on {@code
     * host}, a new file readable by the owner only.
     *
     * @return the number of rows written
     */
    public static long export(Handle h, Dialect d, String table, String condition, List<Object> params, boolean sql,
            Host host, Path file) {
        try {
            if (host.sharesLocalFiles()) {
                Files.deleteIfExists(file);
                try (OutputStream out = Files.newOutputStream(Files.createFile(file,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                        StandardOpenOption.WRITE)) {
                    return write(h, d, table, condition, params, sql, out);
                }
            }
            // built in a private temp file here, then sent whole: memory stays small whatever the row count
            Path temp = Files.createTempFile("rollback-export-", "." + (sql ? "sql" : "csv"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                long rows;
                try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
                    rows = write(h, d, table, condition, params, sql, out);
                }
                host.upload(temp, file, 0600);
                return rows;
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the export " + file + " on host " + host.name(), e);
        }
    }

    private static long write(Handle h, Dialect d, String table, String condition, List<Object> params, boolean sql,
            OutputStream to) throws IOException {
        String query = "SELECT * FROM " + d.table(table) + (condition == null ? "" : " WHERE " + condition);
        Connection c = h.getConnection();
        try (PreparedStatement ps = c.prepareStatement(query)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery();
                    BufferedWriter w = new BufferedWriter(new OutputStreamWriter(to, StandardCharsets.UTF_8))) {
                ResultSetMetaData m = rs.getMetaData();
                int n = m.getColumnCount();
                StringBuilder cols = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    if (i > 1) {
                        cols.append(sql ? ", " : ",");
                    }
                    cols.append(sql ? d.quote(m.getColumnLabel(i)) : csv(m.getColumnLabel(i)));
                }
                if (!sql) {
                    w.write(cols + "\r\n");
                } else {
                    w.write("-- rows of " + d.table(table) + " that the rollback replaced; merge them back by hand\n");
                }
                long rows = 0;
                while (rs.next()) {
                    StringBuilder line = new StringBuilder();
                    if (sql) {
                        line.append("INSERT INTO ").append(d.table(table)).append(" (").append(cols).append(") VALUES (");
                    }
                    for (int i = 1; i <= n; i++) {
                        if (i > 1) {
                            line.append(sql ? ", " : ",");
                        }
                        Object v = rs.getObject(i);
                        line.append(sql ? literal(v) : v == null ? "" : csv(v instanceof byte[] b ? HexFormat.of().formatHex(b)
                                : v.toString()));
                    }
                    line.append(sql ? ");\n" : "\r\n");
                    w.write(line.toString());
                    rows++;
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(d.engine() + ": cannot export rows of '" + table + "': " + e.getMessage(), e);
        }
    }

    private static String csv(String v) {
        if (v.isEmpty() || v.chars().anyMatch(ch -> ch == ',' || ch == '"' || ch == '\n' || ch == '\r')) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    private static String literal(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof byte[] b) {
            return "X'" + HexFormat.of().formatHex(b) + "'";
        }
        return "'" + v.toString().replace("'", "''") + "'";
    }
}
