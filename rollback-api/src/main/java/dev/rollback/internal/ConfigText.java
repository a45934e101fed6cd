package dev.rollback.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the assignments of dotenv and properties files with the line and column of the first
 * mistake, tells which keys look secret, and masks their values line by line so that a diff or a
 * message can be shown without them.
 *
 * <p>Messages never quote a value: at most a key.
 *
 * <p>Stateless and thread-safe.
 */
public final class ConfigText {

    /** What replaces a secret value. */
    public static final String MASK = "****";

    private static final List<String> SECRET_WORDS = List.of("PASSWORD", "SECRET", "TOKEN", "KEY", "PASS",
            "CREDENTIAL");
    private static final Pattern DOTENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    /** {@code key: value}, {@code - KEY=value}, {@code export KEY=value}, {@code "key": value}. */
    private static final Pattern LOOSE_ASSIGNMENT = Pattern.compile(
            "^(\\s*(?:-\\s+)?(?:export\\s+)?[\"']?([A-Za-z0-9_.\\-]+)[\"']?\\s*[:=]\\s*)(\\S.*)$");
    private static final Pattern JSON_MEMBER = Pattern.compile(
            "(\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|[-0-9.eE+]+|true|false)");
    private static final Pattern BLOCK_SCALAR = Pattern.compile("[|>][-+0-9]*\\s*(#.*)?");

    private ConfigText() {}

    /**
     * One assignment.
     *
     * @param key the key
     * @param value the value, quotes and escapes removed where the format has them
     * @param firstLine the line it starts on, from 0
     * @param lastLine the line it ends on, from 0 (later than {@code firstLine} for a value that
     *     spans lines)
     * @param valueColumn where the value starts in the first line, from 0
     */
    public record Entry(String key, String value, int firstLine, int lastLine, int valueColumn) {}

    /**
     * What a file holds: its assignments, and its first mistake if it has one.
     *
     * @param entries the assignments that could be read, in order
     * @param error the first mistake, without any value in it; null if none
     * @param line the line of the mistake, from 1; 0 if none
     * @param column the column of the mistake, from 1; 0 if none or unknown
     */
    public record Parsed(List<Entry> entries, String error, int line, int column) {

        /** Copies the entries. */
        public Parsed {
            entries = List.copyOf(entries);
        }

        /** Whether the file has no mistake. */
        public boolean valid() {
            return error == null;
        }
    }

    /** Whether a key looks like it holds a secret: it contains PASSWORD, SECRET, TOKEN, KEY, PASS or CREDENTIAL. */
    public static boolean looksSecret(String key) {
        String upper = key.toUpperCase(Locale.ROOT);
        return SECRET_WORDS.stream().anyMatch(upper::contains);
    }

    /** The lines of a text without their terminators ({@code \n} or {@code \r\n}). */
    public static List<String> plainLines(String text) {
        return LineDiff.lines(text).stream().map(LineDiff::strip).toList();
    }

    // ---- dotenv ----------------------------------------------------------------------------------

    /**
     * Reads a dotenv file: {@code KEY=value}, {@code export KEY=value}, single- or double-quoted
     * values (which may span lines), comments and blank lines. Anything else is a mistake: a line
     * without {@code =}, a key that is not letters, digits, {@code _ . -} starting with a letter or
     * {@code _}, a quote never closed, or text after a closing quote. Reading goes on after a
     * mistake, so that every assignment is known for masking.
     */
    public static Parsed dotenv(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        String error = null;
        int errLine = 0;
        int errCol = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int col = indent(line);
            if (col == line.length() || line.charAt(col) == '#') {
                continue;
            }
            if (line.startsWith("export", col) && col + 6 < line.length()
                    && Character.isWhitespace(line.charAt(col + 6))) {
                col = col + 6 + indent(line.substring(col + 6));
            }
            int eq = line.indexOf('=', col);
            if (eq < 0) {
                if (error == null) {
                    error = "expected an assignment KEY=value, found a line without '='";
                    errLine = i + 1;
                    errCol = col + 1;
                }
                continue;
            }
            String key = line.substring(col, eq).stripTrailing();
            if (!DOTENV_KEY.matcher(key).matches() && error == null) {
                error = "expected a key of letters, digits, '_', '.' or '-' starting with a letter or '_', found '"
                        + abbreviate(key) + "'";
                errLine = i + 1;
                errCol = col + 1;
            }
            int start = eq + 1 + indent(line.substring(eq + 1));
            if (start < line.length() && (line.charAt(start) == '"' || line.charAt(start) == '\'')) {
                char quote = line.charAt(start);
                int[] end = closingQuote(lines, i, start + 1, quote);
                if (end == null) {
                    if (error == null) {
                        error = "expected a closing " + quote + " for the value of " + abbreviate(key)
                                + ", found none before the end of the file";
                        errLine = i + 1;
                        errCol = start + 1;
                    }
                    entries.add(new Entry(key, line.substring(start + 1), i, i, start));
                    continue;
                }
                String after = lines.get(end[0]).substring(end[1] + 1);
                String rest = after.strip();
                if (!rest.isEmpty() && !rest.startsWith("#") && error == null) {
                    error = "expected nothing but a comment after the quoted value of " + abbreviate(key)
                            + ", found more text";
                    errLine = end[0] + 1;
                    errCol = end[1] + 2 + indent(after);
                }
                entries.add(new Entry(key, quoted(lines, i, start + 1, end, quote), i, end[0], start));
                i = end[0];
            } else {
                String value = line.substring(start);
                int comment = value.indexOf(" #");
                entries.add(new Entry(key, (comment < 0 ? value : value.substring(0, comment)).strip(), i, i, start));
            }
        }
        return new Parsed(entries, error, errLine, errCol);
    }

    /** The line and column of the quote closing a value opened before {@code (line, from)}, or null. */
    private static int[] closingQuote(List<String> lines, int line, int from, char quote) {
        for (int i = line; i < lines.size(); i++) {
            String text = lines.get(i);
            for (int c = i == line ? from : 0; c < text.length(); c++) {
                char ch = text.charAt(c);
                if (ch == '\\' && quote == '"') {
                    c++;
                } else if (ch == quote) {
                    return new int[] {i, c};
                }
            }
        }
        return null;
    }

    private static String quoted(List<String> lines, int line, int from, int[] end, char quote) {
        StringBuilder raw = new StringBuilder();
        for (int i = line; i <= end[0]; i++) {
            String text = lines.get(i);
            raw.append(text, i == line ? from : 0, i == end[0] ? end[1] : text.length());
            if (i < end[0]) {
                raw.append('\n');
            }
        }
        if (quote == '\'') {
            return raw.toString();
        }
        StringBuilder value = new StringBuilder();
        for (int c = 0; c < raw.length(); c++) {
            char ch = raw.charAt(c);
            if (ch == '\\' && c + 1 < raw.length()) {
                char next = raw.charAt(++c);
                value.append(switch (next) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    default -> next;
                });
            } else {
                value.append(ch);
            }
        }
        return value.toString();
    }

    // ---- properties ------------------------------------------------------------------------------

    /**
     * Reads a properties file the way {@link java.util.Properties#load(java.io.Reader)} does:
     * comments ({@code #}, {@code !}), {@code key=value}, {@code key: value}, {@code key value}, and
     * values continued on the next line by a final backslash. The one mistake it can have is a
     * malformed {@code \}{@code uXXXX} escape, which {@code Properties} rejects.
     */
    public static Parsed properties(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        String error = null;
        int errLine = 0;
        int errCol = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int col = propertiesIndent(line, 0);
            if (col == line.length() || line.charAt(col) == '#' || line.charAt(col) == '!') {
                continue;
            }
            int first = i;
            // the logical line: natural lines joined while they end in an odd number of backslashes
            StringBuilder key = new StringBuilder();
            StringBuilder value = new StringBuilder();
            boolean inKey = true;
            int valueColumn = line.length();
            int c = col;
            while (true) {
                String text = lines.get(i);
                boolean continued = false;
                while (c < text.length()) {
                    char ch = text.charAt(c);
                    if (ch == '\\') {
                        if (c + 1 == text.length()) {
                            continued = true;
                            break;
                        }
                        char next = text.charAt(c + 1);
                        char decoded;
                        if (next == 'u') {
                            String hex = text.substring(c + 2, Math.min(text.length(), c + 6));
                            if (hex.length() < 4 || !hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                                if (error == null) {
                                    error = "expected a unicode escape \\uXXXX with four hex digits, found a "
                                            + "malformed one";
                                    errLine = i + 1;
                                    errCol = c + 1;
                                }
                                c += 2;
                                continue;
                            }
                            decoded = (char) Integer.parseInt(hex, 16);
                            c += 6;
                        } else {
                            decoded = switch (next) {
                                case 't' -> '\t';
                                case 'n' -> '\n';
                                case 'r' -> '\r';
                                case 'f' -> '\f';
                                default -> next;
                            };
                            c += 2;
                        }
                        (inKey ? key : value).append(decoded);
                        continue;
                    }
                    if (inKey && (ch == '=' || ch == ':' || ch == ' ' || ch == '\t' || ch == '\f')) {
                        inKey = false;
                        c = propertiesIndent(text, c);
                        if (ch == '=' || ch == ':'
                                || c < text.length() && (text.charAt(c) == '=' || text.charAt(c) == ':')) {
                            c = propertiesIndent(text, c + 1); // one '=' or ':' after the key's blanks
                        }
                        if (i == first) {
                            valueColumn = c;
                        }
                        continue;
                    }
                    (inKey ? key : value).append(ch);
                    c++;
                }
                if (!continued || i + 1 >= lines.size()) {
                    break;
                }
                i++;
                c = propertiesIndent(lines.get(i), 0);
            }
            entries.add(new Entry(key.toString(), value.toString(), first, i, Math.min(valueColumn, line.length())));
        }
        return new Parsed(entries, error, errLine, errCol);
    }

    /** The first index at or after {@code from} that is not a space, tab or form feed. */
    private static int propertiesIndent(String text, int from) {
        int c = from;
        while (c < text.length() && (text.charAt(c) == ' ' || text.charAt(c) == '\t' || text.charAt(c) == '\f')) {
            c++;
        }
        return c;
    }

    // ---- masking ---------------------------------------------------------------------------------

    /**
     * Lines with secret values masked, and the values masked.
     *
     * @param lines the lines as they may be shown
     * @param secrets the values that were masked
     */
    public record Masked(List<String> lines, Set<String> secrets) {

        /** Copies the parts. */
        public Masked {
            lines = List.copyOf(lines);
            secrets = Set.copyOf(secrets);
        }
    }

    /**
     * Masks the values of the entries whose keys look secret: the first line keeps everything up to
     * the value and shows {@value #MASK} for it; the lines a value continues on show only {@value
     * #MASK}.
     */
    public static Masked maskEntries(List<String> lines, List<Entry> entries) {
        List<String> out = new ArrayList<>(lines);
        Set<String> secrets = new LinkedHashSet<>();
        for (Entry e : entries) {
            if (!looksSecret(e.key()) || e.value().isEmpty() && e.firstLine() == e.lastLine()) {
                continue;
            }
            String first = lines.get(e.firstLine());
            out.set(e.firstLine(), first.substring(0, Math.min(e.valueColumn(), first.length())) + MASK);
            for (int i = e.firstLine() + 1; i <= e.lastLine(); i++) {
                out.set(i, MASK);
            }
            addSecret(secrets, e.value());
        }
        return new Masked(out, secrets);
    }

    /**
     * Masks, line by line, what looks like the value of a secret key in a file whose format has no
     * reader here (YAML, INI, any text): {@code password: x}, {@code - DB_PASSWORD=x}, {@code
     * export TOKEN=x}, with the lines of a YAML block scalar ({@code key: |}) after such a key.
     * Best effort: a value the patterns do not see is shown.
     */
    public static Masked maskLoose(List<String> lines) {
        List<String> out = new ArrayList<>(lines);
        Set<String> secrets = new LinkedHashSet<>();
        int blockIndent = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (blockIndent >= 0) {
                if (line.isBlank() || indent(line) > blockIndent) {
                    if (!line.isBlank()) {
                        out.set(i, line.substring(0, indent(line)) + MASK);
                        addSecret(secrets, line.strip());
                    }
                    continue;
                }
                blockIndent = -1;
            }
            Matcher m = LOOSE_ASSIGNMENT.matcher(line);
            if (m.matches() && looksSecret(m.group(2))) {
                String value = m.group(3);
                out.set(i, m.group(1) + MASK);
                if (BLOCK_SCALAR.matcher(value).matches()) {
                    blockIndent = indent(line);
                } else {
                    addSecret(secrets, unquote(value.strip()));
                }
            }
        }
        return new Masked(out, secrets);
    }

    /**
     * Masks, line by line, the string, number and boolean values of JSON members whose names look
     * secret, wherever they are on a line ({@code "password": "x"} becomes {@code "password":
     * "****"}).
     */
    public static Masked maskJson(List<String> lines) {
        List<String> out = new ArrayList<>(lines);
        Set<String> secrets = new LinkedHashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = JSON_MEMBER.matcher(lines.get(i));
            StringBuilder text = new StringBuilder();
            boolean any = false;
            while (m.find()) {
                if (looksSecret(m.group(2))) {
                    any = true;
                    addSecret(secrets, unquote(m.group(3)));
                    m.appendReplacement(text, Matcher.quoteReplacement(m.group(1) + "\"" + MASK + "\""));
                } else {
                    m.appendReplacement(text, Matcher.quoteReplacement(m.group()));
                }
            }
            if (any) {
                m.appendTail(text);
                out.set(i, text.toString());
            }
        }
        return new Masked(out, secrets);
    }

    /** Adds a value, and each of its lines, to the secrets; very short values are left out (they would mask too much). */
    private static void addSecret(Set<String> secrets, String value) {
        if (value.length() >= 4) {
            secrets.add(value);
        }
        if (value.indexOf('\n') >= 0) {
            value.lines().map(String::strip).filter(l -> l.length() >= 4).forEach(secrets::add);
        }
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    private static int indent(String line) {
        int c = 0;
        while (c < line.length() && (line.charAt(c) == ' ' || line.charAt(c) == '\t')) {
            c++;
        }
        return c;
    }

    private static String abbreviate(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 40 ? clean : clean.substring(0, 40) + "...";
    }
}
