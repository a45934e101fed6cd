package dev.rollback.db.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Counts the rows a {@code mysqldump --complete-insert} file holds, table by table, and finds the
 * largest value of each table's integer key in it, reading the file once as a stream. The counts
 * are those of the dump's own consistent snapshot, so they are exact even while the application
 * writes during the dump.
 *
 * <p>It reads what {@code mysqldump} writes: every table starts with a line {@code CREATE TABLE
 * `name` (}, and its rows come in statements that start a line with {@code INSERT INTO `name` (`a`,
 * `b`) VALUES (..),(..);} (MySQL's tool writes a statement on one line, MariaDB's starts each row on
 * a new line), whose strings escape quotes and backslashes with a backslash and hold no raw line
 * end. Other lines are skipped. Stateless;
 * thread-safe.
 */
public final class DumpRows {

    private static final byte[] INSERT = "INSERT INTO `".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CREATE = "CREATE TABLE `".getBytes(StandardCharsets.US_ASCII);

    /**
     * What the dump holds of one table.
     *
     * @param rows the number of rows
     * @param maxId the largest value of the table's integer key, or null (no key, or no rows)
     */
    public record Table(long rows, Long maxId) {}

    private DumpRows() {}

    /**
     * The tables of the dump at {@code file} with their rows, by name, sorted.
     *
     * @param idColumn the integer key column of a table, or null when it has none; asked once per
     *     table, when the dump creates it
     * @throws IOException if the file cannot be read
     * @throws IllegalStateException if the file is not a complete dump in the form described above
     */
    public static Map<String, Table> read(Path file, Function<String, String> idColumn) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(new Bytes(in, file), idColumn);
        }
    }

    private static Map<String, Table> read(Bytes in, Function<String, String> idColumn) throws IOException {
        Map<String, long[]> found = new TreeMap<>();
        Map<String, String> ids = new TreeMap<>();
        while (in.peek() >= 0) {
            int kind = in.matchEither(INSERT, CREATE);
            if (kind == 2) {
                String table = in.quoted();
                found.putIfAbsent(table, new long[] {0, 0, 0});
                String id = idColumn.apply(table);
                if (id != null) {
                    ids.put(table, id);
                }
            } else if (kind == 1) {
                String table = in.quoted();
                long[] state = found.get(table);
                if (state == null) {
                    throw in.unexpected("rows of table '" + table + "' before its CREATE TABLE");
                }
                insert(in, table, ids.get(table), state);
            }
            in.skipLine();
        }
        Map<String, Table> out = new TreeMap<>();
        found.forEach((t, s) -> out.put(t, new Table(s[0], s[2] == 0 ? null : s[1])));
        return out;
    }

    /** Reads the rest of one INSERT: the column list and every tuple, up to its semicolon. */
    private static void insert(Bytes in, String table, String id, long[] state) throws IOException {
        in.expect(' ');
        in.expect('(');
        List<String> columns = new ArrayList<>();
        while (true) {
            in.expect('`');
            columns.add(in.quoted());
            int c = in.next();
            if (c == ')') {
                break;
            }
            if (c != ',') {
                throw in.unexpected("',' or ')' in the column list of table '" + table + "'");
            }
            in.expect(' ');
        }
        int idIndex = id == null ? -1 : columns.indexOf(id);
        for (byte b : " VALUES ".getBytes(StandardCharsets.US_ASCII)) {
            in.expect((char) b);
        }
        StringBuilder idText = new StringBuilder();
        while (true) {
            in.skipSpace();
            in.expect('(');
            int field = 0;
            int depth = 0;
            idText.setLength(0);
            while (true) {
                int c = in.next();
                if (c == '\'') {
                    in.skipString();
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    if (depth == 0) {
                        break;
                    }
                    depth--;
                } else if (c == ',' && depth == 0) {
                    field++;
                } else if (c < 0 || c == '\n') {
                    throw in.unexpected("the end of a row of table '" + table + "'");
                } else if (field == idIndex) {
                    idText.append((char) c);
                }
            }
            state[0]++;
            String idValue = idText.toString().trim();
            if (idIndex >= 0 && !idValue.isEmpty() && !idValue.equals("NULL")) {
                long v;
                try {
                    v = Long.parseLong(idValue);
                } catch (NumberFormatException e) {
                    throw in.unexpected("an integer in column '" + id + "' of table '" + table + "'", e);
                }
                if (state[2] == 0 || v > state[1]) {
                    state[1] = v;
                    state[2] = 1;
                }
            }
            int c = in.next();
            if (c == ';') {
                return;
            }
            if (c != ',') {
                throw in.unexpected("',' or ';' after a row of table '" + table + "'");
            }
        }
    }

    /** A byte stream with its own buffer and one byte of look-ahead, and the position for messages. */
    private static final class Bytes {
        private final InputStream in;
        private final Path file;
        private final byte[] buffer = new byte[1 << 16];
        private int at;
        private int end;
        private long offset;

        Bytes(InputStream in, Path file) {
            this.in = in;
            this.file = file;
        }

        int peek() throws IOException {
            if (at == end) {
                int n = in.read(buffer);
                if (n <= 0) {
                    return -1;
                }
                at = 0;
                end = n;
            }
            return buffer[at] & 0xff;
        }

        int next() throws IOException {
            int c = peek();
            if (c >= 0) {
                at++;
                offset++;
            }
            return c;
        }

        void expect(char want) throws IOException {
            int c = next();
            if (c != want) {
                throw unexpected("'" + want + "'");
            }
        }

        /** At a line's start: 1 if the line starts with {@code a}, 2 with {@code b}, else 0; consumes what matched. */
        int matchEither(byte[] a, byte[] b) throws IOException {
            boolean maybeA = true;
            boolean maybeB = true;
            for (int i = 0; ; i++) {
                maybeA &= i <= a.length;
                maybeB &= i <= b.length;
                if (maybeA && i == a.length) {
                    return 1;
                }
                if (maybeB && i == b.length) {
                    return 2;
                }
                int c = peek();
                maybeA &= i < a.length && c == a[i];
                maybeB &= i < b.length && c == b[i];
                if (!maybeA && !maybeB) {
                    return 0;
                }
                next();
            }
        }

        /** The rest of an identifier after its opening backquote, up to the closing one; {@code ``} is one backquote. */
        String quoted() throws IOException {
            ByteArrayOutputStream name = new ByteArrayOutputStream();
            while (true) {
                int c = next();
                if (c < 0) {
                    throw unexpected("the end of a quoted name");
                }
                if (c == '`') {
                    if (peek() != '`') {
                        return name.toString(StandardCharsets.UTF_8);
                    }
                    next();
                }
                name.write(c);
            }
        }

        /** Skips the rest of a string after its opening quote. */
        void skipString() throws IOException {
            while (true) {
                int c = next();
                if (c < 0) {
                    throw unexpected("the end of a string");
                }
                if (c == '\\') {
                    if (next() < 0) {
                        throw unexpected("the end of a string");
                    }
                } else if (c == '\'') {
                    if (peek() != '\'') {
                        return;
                    }
                    next();
                }
            }
        }

        /** Skips spaces and line ends: MariaDB's {@code mysqldump} starts each row of an INSERT on a new line. */
        void skipSpace() throws IOException {
            while (peek() == ' ' || peek() == '\n' || peek() == '\r' || peek() == '\t') {
                next();
            }
        }

        void skipLine() throws IOException {
            int c;
            do {
                c = next();
            } while (c >= 0 && c != '\n');
        }

        IllegalStateException unexpected(String what) throws IOException {
            return unexpected(what, null);
        }

        IllegalStateException unexpected(String what, Exception cause) throws IOException {
            int c = peek();
            return new IllegalStateException("MariaDB dump " + file + ": expected " + what + " near byte " + offset
                    + ", found " + (c < 0 ? "the end of the file" : "other text") + "; the dump is incomplete or not "
                    + "written by mysqldump --complete-insert: capture again", cause);
        }
    }
}
