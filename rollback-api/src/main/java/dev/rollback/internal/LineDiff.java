package dev.rollback.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A line diff (Myers' O((N+M)D) algorithm, after trimming the common start and end) and its
 * rendering as a unified diff with {@code ---}/{@code +++} headers and {@code @@} hunks.
 *
 * <p>Lines are compared with their line terminators, so a change of the last line's newline is a
 * change; what is printed for each line can differ from what is compared (secrets masked).
 *
 * <p>Stateless and thread-safe.
 */
public final class LineDiff {

    /** How many edits the diff searches for before it reports the whole middle as replaced. */
    private static final int MAX_EDITS = 2000;

    private LineDiff() {}

    /** What happens to one line. */
    public enum Op {
        /** The line is in both. */
        KEEP,
        /** The line is only in the old text. */
        DELETE,
        /** The line is only in the new text. */
        INSERT
    }

    /**
     * One line of the edit script.
     *
     * @param op what happens to it
     * @param oldIndex its index in the old lines, or -1 for an insert
     * @param newIndex its index in the new lines, or -1 for a delete
     */
    public record Edit(Op op, int oldIndex, int newIndex) {}

    /**
     * Splits a text into lines, each keeping its {@code \n}; the last line has none if the text does
     * not end with one. An empty text has no lines.
     */
    public static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    /** A line without its terminator ({@code \n} or {@code \r\n}). */
    public static String strip(String line) {
        if (line.endsWith("\r\n")) {
            return line.substring(0, line.length() - 2);
        }
        return line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
    }

    /** The shortest edit script turning {@code a} into {@code b} (exact up to {@value #MAX_EDITS} edits). */
    public static List<Edit> diff(List<String> a, List<String> b) {
        int prefix = 0;
        while (prefix < a.size() && prefix < b.size() && a.get(prefix).equals(b.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < a.size() - prefix && suffix < b.size() - prefix
                && a.get(a.size() - 1 - suffix).equals(b.get(b.size() - 1 - suffix))) {
            suffix++;
        }
        List<Edit> out = new ArrayList<>();
        for (int i = 0; i < prefix; i++) {
            out.add(new Edit(Op.KEEP, i, i));
        }
        out.addAll(middle(a.subList(prefix, a.size() - suffix), b.subList(prefix, b.size() - suffix), prefix));
        for (int i = suffix; i > 0; i--) {
            out.add(new Edit(Op.KEEP, a.size() - i, b.size() - i));
        }
        return out;
    }

    private static List<Edit> middle(List<String> a, List<String> b, int base) {
        int n = a.size();
        int m = b.size();
        int max = Math.min(n + m, MAX_EDITS);
        int offset = max + 1;
        int[] v = new int[2 * max + 3];
        List<int[]> trace = new ArrayList<>();
        for (int d = 0; d <= max; d++) {
            trace.add(Arrays.copyOfRange(v, offset - d, offset + d + 1));
            for (int k = -d; k <= d; k += 2) {
                int x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1]
                        : v[offset + k - 1] + 1;
                int y = x - k;
                while (x < n && y < m && a.get(x).equals(b.get(y))) {
                    x++;
                    y++;
                }
                v[offset + k] = x;
                if (x >= n && y >= m) {
                    return backtrack(trace, n, m, base);
                }
            }
        }
        // too different to be worth an exact script: everything old goes, everything new comes
        List<Edit> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Edit(Op.DELETE, base + i, -1));
        }
        for (int j = 0; j < m; j++) {
            out.add(new Edit(Op.INSERT, -1, base + j));
        }
        return out;
    }

    private static List<Edit> backtrack(List<int[]> trace, int n, int m, int base) {
        List<Edit> out = new ArrayList<>();
        int x = n;
        int y = m;
        for (int d = trace.size() - 1; d > 0; d--) {
            int[] v = trace.get(d); // the furthest points after d-1 edits, index k + d
            int k = x - y;
            int prevK = k == -d || (k != d && v[k - 1 + d] < v[k + 1 + d]) ? k + 1 : k - 1;
            int prevX = v[prevK + d];
            int prevY = prevX - prevK;
            while (x > prevX && y > prevY) {
                out.add(new Edit(Op.KEEP, base + x - 1, base + y - 1));
                x--;
                y--;
            }
            if (x == prevX) {
                out.add(new Edit(Op.INSERT, -1, base + y - 1));
            } else {
                out.add(new Edit(Op.DELETE, base + x - 1, -1));
            }
            x = prevX;
            y = prevY;
        }
        while (x > 0 && y > 0) {
            out.add(new Edit(Op.KEEP, base + x - 1, base + y - 1));
            x--;
            y--;
        }
        Collections.reverse(out);
        return out;
    }

    /**
     * The unified diff turning {@code a} into {@code b}: the two headers, then hunks of changes with
     * {@code context} lines around them; empty if the lines are equal. Each printed line is taken
     * from {@code aShown}/{@code bShown} (same indexes as {@code a}/{@code b}, without terminators),
     * so a caller can mask what must not be shown.
     */
    public static List<String> unified(List<String> a, List<String> b, List<String> aShown, List<String> bShown,
            String aHeader, String bHeader, int context) {
        Objects.requireNonNull(aHeader, "aHeader");
        Objects.requireNonNull(bHeader, "bHeader");
        if (a.size() != aShown.size() || b.size() != bShown.size()) {
            throw new IllegalArgumentException("expected one shown line per line, found " + aShown.size() + " for "
                    + a.size() + " and " + bShown.size() + " for " + b.size());
        }
        List<Edit> edits = diff(a, b);
        int[] oldBefore = new int[edits.size() + 1]; // old lines before each edit
        int[] newBefore = new int[edits.size() + 1];
        for (int j = 0; j < edits.size(); j++) {
            oldBefore[j + 1] = oldBefore[j] + (edits.get(j).op() == Op.INSERT ? 0 : 1);
            newBefore[j + 1] = newBefore[j] + (edits.get(j).op() == Op.DELETE ? 0 : 1);
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < edits.size()) {
            if (edits.get(i).op() == Op.KEEP) {
                i++;
                continue;
            }
            // a hunk takes in every later change separated from the previous one by at most 2 * context lines
            int lastChange = i;
            for (int j = i + 1; j < edits.size() && j - lastChange <= 2 * context + 1; j++) {
                if (edits.get(j).op() != Op.KEEP) {
                    lastChange = j;
                }
            }
            int start = Math.max(0, i - context);
            int end = Math.min(edits.size(), lastChange + context + 1);
            if (out.isEmpty()) {
                out.add("--- " + aHeader);
                out.add("+++ " + bHeader);
            }
            hunk(out, edits.subList(start, end), a, b, aShown, bShown, oldBefore[start], newBefore[start]);
            i = end;
        }
        return out;
    }

    private static void hunk(List<String> out, List<Edit> hunk, List<String> a, List<String> b, List<String> aShown,
            List<String> bShown, int oldBefore, int newBefore) {
        int oldCount = (int) hunk.stream().filter(e -> e.op() != Op.INSERT).count();
        int newCount = (int) hunk.stream().filter(e -> e.op() != Op.DELETE).count();
        out.add("@@ -" + range(oldBefore, oldCount) + " +" + range(newBefore, newCount) + " @@");
        for (Edit e : hunk) {
            switch (e.op()) {
                case KEEP -> line(out, ' ', a.get(e.oldIndex()), aShown.get(e.oldIndex()));
                case DELETE -> line(out, '-', a.get(e.oldIndex()), aShown.get(e.oldIndex()));
                case INSERT -> line(out, '+', b.get(e.newIndex()), bShown.get(e.newIndex()));
            }
        }
    }

    private static String range(int before, int count) {
        int start = count == 0 ? before : before + 1;
        return count == 1 ? Integer.toString(start) : start + "," + count;
    }

    private static void line(List<String> out, char mark, String raw, String shown) {
        out.add(mark + shown);
        if (!raw.endsWith("\n")) {
            out.add("\\ No newline at end of file");
        }
    }
}
