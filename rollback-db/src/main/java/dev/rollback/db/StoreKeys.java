package dev.rollback.db;

import java.util.regex.Pattern;

/**
 * The key rule of {@link dev.rollback.store.StoreBackend}, as {@link PostgresStore} checks it: segments of 1 to 128
 * letters, digits, '.', '_' and '-', separated by '/', none starting with '.'. The same rule and messages as the
 * folder store's. Stateless and thread-safe.
 */
final class StoreKeys {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private StoreKeys() {}

    static String require(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("store key: expected segments separated by '/', such as "
                    + "'points/p-1/manifest.json', found " + (key == null ? "null" : "an empty key"));
        }
        for (String s : key.split("/", -1)) {
            requireSegment(s, "store key '" + key + "'");
        }
        return key;
    }

    static String requireSegment(String s, String what) {
        if (s == null || !SEGMENT.matcher(s).matches() || s.startsWith(".")) {
            throw new IllegalArgumentException(what + ": expected 1 to 128 letters, digits, '.', '_' or '-' per "
                    + "segment, not starting with '.', found " + (s == null ? "null" : "'" + s + "'")
                    + "; use names such as 'gestima' or 'manifest.json'");
        }
        return s;
    }
}
