package dev.rollback.internal;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Masks known secret values (passwords, tokens) in any text before it reaches a log, an event or a
 * report.
 *
 * <p>Immutable and thread-safe.
 */
public final class Redactor {

    /** What a secret is replaced with. */
    public static final String MASK = "****";

    private final List<String> secrets;

    /** A redactor for the given values; blank values are ignored. */
    public Redactor(Collection<String> secrets) {
        // longest first, so that a secret containing another is masked whole
        this.secrets = secrets.stream().filter(s -> s != null && !s.isBlank()).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** The text with every secret replaced by {@value #MASK}; null stays null. */
    public String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, MASK);
        }
        return out;
    }

    /** A readable description of an exception and its causes, secrets masked. */
    public String describe(Throwable error) {
        StringBuilder text = new StringBuilder();
        Throwable t = error;
        int depth = 0;
        while (t != null && depth < 5) {
            if (depth > 0) {
                text.append("; caused by ");
            }
            String message = t.getMessage();
            text.append(t.getClass().getSimpleName());
            if (message != null && !message.isBlank()) {
                text.append(": ").append(message);
            }
            t = t.getCause() == t ? null : t.getCause();
            depth++;
        }
        return redact(text.toString());
    }
}
