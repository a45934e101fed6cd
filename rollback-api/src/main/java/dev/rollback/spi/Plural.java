package dev.rollback.spi;

/**
 * Counts in words for messages and reports: {@code Plural.of(1, "file")} is {@code "1 file"}, {@code Plural.of(3,
 * "file")} is {@code "3 files"}, {@code Plural.of(2, "entry", "entries")} is {@code "2 entries"}. Numbers of four
 * digits or more are grouped ({@code "12,345 rows"}). Stateless and thread-safe.
 */
public final class Plural {

    private Plural() {}

    /** {@code n} and the noun, with an {@code s} added unless {@code n} is 1. */
    public static String of(long n, String singular) {
        return of(n, singular, singular + "s");
    }

    /** {@code n} and the singular or plural noun. */
    public static String of(long n, String singular, String plural) {
        return String.format(java.util.Locale.ROOT, "%,d %s", n, n == 1 ? singular : plural);
    }
}
