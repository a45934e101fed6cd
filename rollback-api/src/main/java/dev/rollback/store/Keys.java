package dev.rollback.store;

import java.util.regex.Pattern;

/** The key rule of {@link StoreBackend}: segments of letters, digits, '.', '_' and '-', separated by '/'. */
final class Keys {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private Keys() {}

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
        if (s == null || !SEGMENT.matcher(s).matches() || s.equals(".") || s.equals("..") || s.startsWith(".")) {
            throw new IllegalArgumentException(what + ": expected 1 to 128 letters, digits, '.', '_' or '-' per "
                    + "segment, not starting with '.', found " + (s == null ? "null" : "'" + s + "'")
                    + "; use names such as 'gestima' or 'manifest.json'");
        }
        return s;
    }
}
