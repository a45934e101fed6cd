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

    /** A readable description of an exception and its causes, secrets masked: see {@link #chain(Throwable, int)}. */
    public String describe(Throwable error) {
        return redact(chain(error, 5));
    }

    /**
     * An exception and up to {@code depth - 1} causes in one line. The library's own exceptions (in {@code
     * dev.rollback}) speak in sentences and are shown by their message alone; any other is shown with its class name,
     * which often is half the meaning ({@code NoSuchFileException: /etc/app.env}). A cause whose message the text
     * already holds is left out, so a wrapped message is never repeated.
     */
    public static String chain(Throwable error, int depth) {
        StringBuilder text = new StringBuilder();
        Throwable t = error;
        for (int i = 0; t != null && i < depth; i++) {
            String message = t.getMessage() == null || t.getMessage().isBlank() ? null : t.getMessage();
            if (i == 0 || message == null || !text.toString().contains(message)) {
                if (i > 0) {
                    text.append("; caused by ");
                }
                boolean ours = t.getClass().getName().startsWith("dev.rollback.");
                if (!ours || message == null) {
                    text.append(t.getClass().getSimpleName());
                }
                if (message != null) {
                    text.append(ours ? "" : ": ").append(message);
                }
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return text.toString();
    }
}
