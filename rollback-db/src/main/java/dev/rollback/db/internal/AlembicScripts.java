package dev.rollback.db.internal;

import dev.rollback.host.Host;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Alembic's migration scripts (also Flask-Migrate's) without running Python: each script's
 * revision, its parent revisions, whether its {@code downgrade()} does nothing, and which tables and
 * columns its {@code downgrade()} drops.
 */
public final class AlembicScripts {

    private static final Pattern REVISION = Pattern.compile("(?m)^revision\\s*(?::\\s*[^=]+)?=\\s*['\"]([^'\"]+)['\"]");
    private static final Pattern DOWN = Pattern.compile("(?m)^down_revision\\s*(?::\\s*[^=]+)?=\\s*(.+)$");
    private static final Pattern QUOTED = Pattern.compile("['\"]([^'\"]+)['\"]");
    private static final Pattern DROP_TABLE = Pattern.compile("op\\.drop_table\\(\\s*['\"]([^'\"]+)['\"]");
    private static final Pattern DROP_COLUMN = Pattern.compile(
            "op\\.drop_column\\(\\s*['\"]([^'\"]+)['\"]\\s*,\\s*['\"]([^'\"]+)['\"]");
    private static final Pattern BATCH = Pattern.compile("batch_alter_table\\(\\s*['\"]([^'\"]+)['\"]");
    private static final Pattern BATCH_DROP_COLUMN = Pattern.compile("batch_op\\.drop_column\\(\\s*['\"]([^'\"]+)['\"]");

    private static final Pattern RENAME_TABLE = Pattern.compile(
            "op\\.rename_table\\(\\s*['\"]([^'\"]+)['\"]\\s*,\\s*['\"]([^'\"]+)['\"]");
    private static final Pattern ALTER_RENAME = Pattern.compile(
            "op\\.alter_column\\(\\s*['\"]([^'\"]+)['\"]\\s*,\\s*['\"]([^'\"]+)['\"](?:[^()]|\\([^()]*\\))*?new_column_name\\s*=\\s*['\"]([^'\"]+)['\"]",
            Pattern.DOTALL);
    private static final Pattern BATCH_RENAME = Pattern.compile(
            "batch_op\\.alter_column\\(\\s*['\"]([^'\"]+)['\"](?:[^()]|\\([^()]*\\))*?new_column_name\\s*=\\s*['\"]([^'\"]+)['\"]",
            Pattern.DOTALL);

    /**
     * One migration script; {@code renames} maps what its {@code downgrade()} renames, from the name
     * before the downgrade ({@code table} or {@code table.column}) to the name after it.
     */
    public record Script(String revision, List<String> parents, String file, boolean stubDowngrade,
            List<String> dropsTables, List<String[]> dropsColumns, Map<String, String> renames) {}

    private AlembicScripts() {}

    /** Every script in {@code versionsDir}, by revision. */
    public static Map<String, Script> read(Host host, Path versionsDir) {
        Map<String, Script> out = new LinkedHashMap<>();
        for (Path f : host.list(versionsDir)) {
            if (!f.getFileName().toString().endsWith(".py")) {
                continue;
            }
            String text = new String(host.read(f), StandardCharsets.UTF_8);
            Matcher rev = REVISION.matcher(text);
            if (!rev.find()) {
                continue;
            }
            List<String> parents = new ArrayList<>();
            Matcher down = DOWN.matcher(text);
            if (down.find()) {
                Matcher q = QUOTED.matcher(down.group(1));
                while (q.find()) {
                    parents.add(q.group(1));
                }
            }
            String body = downgradeBody(text);
            List<String> tables = new ArrayList<>();
            Matcher dt = DROP_TABLE.matcher(body);
            while (dt.find()) {
                tables.add(dt.group(1));
            }
            List<String[]> columns = new ArrayList<>();
            Matcher dc = DROP_COLUMN.matcher(body);
            while (dc.find()) {
                columns.add(new String[] {dc.group(1), dc.group(2)});
            }
            Matcher batch = BATCH.matcher(body);
            while (batch.find()) {
                int end = body.indexOf("batch_alter_table(", batch.end());
                Matcher bc = BATCH_DROP_COLUMN.matcher(body.substring(batch.end(), end < 0 ? body.length() : end));
                while (bc.find()) {
                    columns.add(new String[] {batch.group(1), bc.group(1)});
                }
            }
            Map<String, String> renames = new LinkedHashMap<>();
            Matcher rt = RENAME_TABLE.matcher(body);
            while (rt.find()) {
                renames.put(rt.group(1), rt.group(2));
            }
            Matcher ar = ALTER_RENAME.matcher(body);
            while (ar.find()) {
                renames.put(ar.group(1) + "." + ar.group(2), ar.group(3));
            }
            Matcher bt = BATCH.matcher(body);
            while (bt.find()) {
                int end = body.indexOf("batch_alter_table(", bt.end());
                Matcher br = BATCH_RENAME.matcher(body.substring(bt.end(), end < 0 ? body.length() : end));
                while (br.find()) {
                    renames.put(bt.group(1) + "." + br.group(1), br.group(2));
                }
            }
            out.put(rev.group(1), new Script(rev.group(1), parents, f.getFileName().toString(), isStub(body), tables,
                    columns, renames));
        }
        return out;
    }

    /**
     * The scripts a downgrade from {@code current} to {@code target} runs, newest first, or null when
     * {@code target} is not an ancestor of {@code current} (an upgrade, or unrelated).
     */
    public static List<Script> path(Map<String, Script> scripts, String current, String target) {
        List<Script> out = new ArrayList<>();
        String at = current;
        while (at != null && !at.equals(target)) {
            Script s = scripts.get(at);
            if (s == null) {
                return null;
            }
            out.add(s);
            at = s.parents().isEmpty() ? ("base".equals(target) ? "base" : null) : s.parents().get(0);
        }
        return at == null ? null : out;
    }

    /** The body of {@code def downgrade(...)}: the indented lines after it. */
    static String downgradeBody(String text) {
        String[] lines = text.split("\n", -1);
        StringBuilder body = new StringBuilder();
        boolean in = false;
        for (String line : lines) {
            if (!in) {
                if (line.matches("def\\s+downgrade\\s*\\(.*")) {
                    in = true;
                }
                continue;
            }
            if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                break;
            }
            body.append(line).append('\n');
        }
        return body.toString();
    }

    /** Whether a body does nothing: only blank lines, comments, docstrings, {@code pass} or {@code ...}. */
    static boolean isStub(String body) {
        String code = body.replaceAll("(?s)\"\"\".*?\"\"\"|'''.*?'''", "");
        for (String line : code.split("\n")) {
            String l = line.strip();
            int hash = l.indexOf('#');
            if (hash >= 0) {
                l = l.substring(0, hash).strip();
            }
            if (!l.isEmpty() && !l.equals("pass") && !l.equals("...")) {
                return false;
            }
        }
        return true;
    }
}
