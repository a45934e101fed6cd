package dev.rollback.db.internal;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Encodes lists of names as one snapshot value: each name percent-encoded, joined by commas. */
public final class Codec {

    private Codec() {}

    /** The names as one text; any name survives the round trip. */
    public static String encode(List<String> names) {
        List<String> parts = new ArrayList<>();
        for (String n : names) {
            parts.add(URLEncoder.encode(n, StandardCharsets.UTF_8));
        }
        return String.join(",", parts);
    }

    /** The names of {@link #encode}. */
    public static List<String> decode(String text) {
        List<String> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String p : text.split(",", -1)) {
            out.add(URLDecoder.decode(p, StandardCharsets.UTF_8));
        }
        return out;
    }
}
