package dev.rollback.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format, version 0.0.4: comments, {@code # HELP}
 * and {@code # TYPE} lines, samples with labels (escapes {@code \\}, {@code \"}, {@code \n}), values
 * with {@code NaN} and {@code ±Inf}, and optional millisecond timestamps. Any line that does not
 * follow the format, a second TYPE or HELP of one family, a TYPE after the family's first sample, or
 * the same series twice makes the whole text rejected, with the line number and what was found.
 * Not API.
 */
final class PromText {

    /** The metric types a TYPE line may name. */
    static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
    private static final Pattern INF = Pattern.compile("(?i)[+-]?inf(?:inity)?");
    private static final Pattern TIMESTAMP = Pattern.compile("-?[0-9]+");

    /** One sample line: a series (name and labels, sorted by label name) and its value. */
    record Sample(String name, Map<String, String> labels, double value, Long timestamp) {

        /** The series as Prometheus writes it: {@code name{a="1",b="2"}}. */
        String series() {
            return series(name, labels);
        }

        static String series(String name, Map<String, String> labels) {
            if (labels.isEmpty()) {
                return name;
            }
            StringBuilder b = new StringBuilder(name).append('{');
            labels.forEach((k, v) -> b.append(b.charAt(b.length() - 1) == '{' ? "" : ",").append(k).append("=\"")
                    .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"'));
            return b.append('}').toString();
        }
    }

    /** A parsed text: its samples in order and the type each family declared. */
    record Exposition(List<Sample> samples, Map<String, String> types) {

        /** The declared type of the family a sample name belongs to, or null when none was declared. */
        String typeOf(String family) {
            return types.get(family);
        }

        /** The samples named exactly {@code name}. */
        List<Sample> named(String name) {
            return samples.stream().filter(s -> s.name().equals(name)).toList();
        }
    }

    /** A text that does not follow the format. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private PromText() {}

    /** Parses a whole exposition text. */
    static Exposition parse(String text) throws Malformed {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        Set<String> helps = new HashSet<>();
        Set<String> seenFamilies = new HashSet<>();
        Set<String> seenSeries = new HashSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i];
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isBlank()) {
                continue;
            }
            String stripped = line.stripLeading();
            if (stripped.startsWith("#")) {
                comment(number, stripped, types, helps, seenFamilies);
                continue;
            }
            Sample s = new Line(number, line).sample();
            if (!seenSeries.add(s.series())) {
                throw new Malformed(number, "expected each series once, found " + Texts.excerpt(s.series()) + " again");
            }
            seenFamilies.add(s.name());
            for (String suffix : List.of("_bucket", "_count", "_sum")) {
                if (s.name().endsWith(suffix)) {
                    seenFamilies.add(s.name().substring(0, s.name().length() - suffix.length()));
                }
            }
            samples.add(s);
        }
        return new Exposition(Collections.unmodifiableList(samples), Collections.unmodifiableMap(types));
    }

    private static void comment(int number, String line, Map<String, String> types, Set<String> helps,
            Set<String> seenFamilies) throws Malformed {
        String[] tokens = line.substring(1).strip().split("[ \t]+", 3);
        if (tokens.length < 2 || !(tokens[0].equals("HELP") || tokens[0].equals("TYPE"))) {
            return; // an ordinary comment
        }
        String name = tokens[1];
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new Malformed(number, "expected a metric name after # " + tokens[0] + ", found '"
                    + Texts.excerpt(name) + "'");
        }
        if (tokens[0].equals("HELP")) {
            if (!helps.add(name)) {
                throw new Malformed(number, "expected one HELP line for " + name + ", found a second");
            }
            if (tokens.length == 3) {
                unescape(number, tokens[2], false);
            }
            return;
        }
        String type = tokens.length == 3 ? tokens[2].strip() : "";
        if (!TYPES.contains(type)) {
            throw new Malformed(number, "expected the type of " + name + " (counter, gauge, histogram, summary or "
                    + "untyped), found '" + Texts.excerpt(type) + "'");
        }
        if (types.containsKey(name)) {
            throw new Malformed(number, "expected one TYPE line for " + name + ", found a second");
        }
        if (seenFamilies.contains(name)) {
            throw new Malformed(number, "expected the TYPE line of " + name + " before its first sample, found it "
                    + "after");
        }
        types.put(name, type);
    }

    /** The text of an escaped HELP docstring ({@code \\}, {@code \n}) or label value (also {@code \"}). */
    private static String unescape(int number, String text, boolean quotes) throws Malformed {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            if (next == '\\') {
                b.append('\\');
            } else if (next == 'n') {
                b.append('\n');
            } else if (next == '"' && quotes) {
                b.append('"');
            } else {
                throw new Malformed(number, "expected an escape \\\\, \\n" + (quotes ? " or \\\"" : "") + ", found '\\"
                        + (next == 0 ? "' at the end" : next + "'"));
            }
            i++;
        }
        return b.toString();
    }

    /** A value as the format writes it: a float, {@code NaN}, {@code +Inf} or {@code -Inf}. */
    static double value(String token) {
        if (token.equalsIgnoreCase("nan")) {
            return Double.NaN;
        }
        if (INF.matcher(token).matches()) {
            return token.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (NUMBER.matcher(token).matches()) {
            return Double.parseDouble(token);
        }
        throw new NumberFormatException(token);
    }

    /** The reading of one sample line. */
    private static final class Line {
        private final int number;
        private final String text;
        private int at;

        Line(int number, String text) {
            this.number = number;
            this.text = text;
        }

        Sample sample() throws Malformed {
            blanks();
            String name = token(METRIC_NAME, "a metric name");
            Map<String, String> labels = new TreeMap<>();
            if (at < text.length() && text.charAt(at) == '{') {
                at++;
                labels(name, labels);
            }
            if (blanks() == 0) {
                throw fail("expected a blank and a value after " + name, true);
            }
            String valueToken = word();
            double value;
            try {
                value = value(valueToken);
            } catch (NumberFormatException e) {
                throw new Malformed(number, "expected a value of " + name + " (a number, NaN, +Inf or -Inf), found '"
                        + Texts.excerpt(valueToken) + "'");
            }
            Long timestamp = null;
            if (blanks() > 0 && at < text.length()) {
                String ts = word();
                if (!TIMESTAMP.matcher(ts).matches()) {
                    throw new Malformed(number, "expected a timestamp in milliseconds after the value of " + name
                            + ", found '" + Texts.excerpt(ts) + "'");
                }
                try {
                    timestamp = Long.parseLong(ts);
                } catch (NumberFormatException e) {
                    throw new Malformed(number, "expected a timestamp that fits 64 bits, found '" + ts + "'");
                }
                blanks();
            }
            if (at < text.length()) {
                throw fail("expected the end of the line after the sample of " + name, true);
            }
            return new Sample(name, Collections.unmodifiableMap(labels), value, timestamp);
        }

        private void labels(String metric, Map<String, String> labels) throws Malformed {
            while (true) {
                blanks();
                if (peek() == '}') {
                    at++;
                    return;
                }
                String label = token(Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*"), "a label name of " + metric);
                blanks();
                expect('=', "'=' after the label " + label);
                blanks();
                expect('"', "a quoted value of the label " + label);
                int start = at;
                while (at < text.length() && text.charAt(at) != '"') {
                    at += text.charAt(at) == '\\' ? 2 : 1;
                }
                if (at >= text.length()) {
                    throw new Malformed(number, "expected a closing quote of the label " + label + ", found the end "
                            + "of the line");
                }
                String value = unescape(number, text.substring(start, at), true);
                at++;
                if (labels.put(label, value) != null) {
                    throw new Malformed(number, "expected each label once in " + metric + ", found " + label
                            + " twice");
                }
                blanks();
                if (peek() == ',') {
                    at++;
                } else if (peek() != '}') {
                    throw fail("expected ',' or '}' after the label " + label, true);
                }
            }
        }

        private String token(Pattern pattern, String what) throws Malformed {
            java.util.regex.Matcher m = pattern.matcher(text).region(at, text.length());
            if (!m.lookingAt()) {
                throw fail("expected " + what, true);
            }
            at = m.end();
            return m.group();
        }

        private String word() {
            int start = at;
            while (at < text.length() && text.charAt(at) != ' ' && text.charAt(at) != '\t') {
                at++;
            }
            return text.substring(start, at);
        }

        private int blanks() {
            int start = at;
            while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
                at++;
            }
            return at - start;
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : 0;
        }

        private void expect(char c, String what) throws Malformed {
            if (peek() != c) {
                throw fail("expected " + what, true);
            }
            at++;
        }

        private Malformed fail(String expected, boolean showFound) {
            String found = at >= text.length() ? "the end of the line"
                    : "'" + Texts.excerpt(text.substring(at)) + "' at column " + (at + 1);
            return new Malformed(number, expected + (showFound ? ", found " + found : ""));
        }
    }
}
