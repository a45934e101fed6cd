package dev.rollback.check;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;

/** Validation and display helpers of the health checks; not API. */
final class Texts {

    /** What a masked secret is shown as. */
    static final String MASK = "****";

    private static final int EXCERPT = 200;
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)([?&][^=&#]*(?:password|passwd|pwd|secret|token|key|signature|sig|auth)[^=&#]*=)[^&#]*");

    private Texts() {}

    /** A check name: 1 to 200 printable characters. */
    static String requireName(String name) {
        if (name == null || name.isBlank() || name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("check name: expected 1 to 200 printable characters, found "
                    + (name == null ? "null" : "'" + name.replaceAll("\\p{Cntrl}", "?") + "'")
                    + "; give a short readable name such as 'orders page'");
        }
        return name;
    }

    /** A duration that must be positive. */
    static Duration requirePositive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + ": expected a positive duration, found " + d
                    + "; give one such as Duration.ofSeconds(5)");
        }
        return d;
    }

    /** A URI for messages: the password of its user-info and secret-looking query values masked. */
    static String display(URI uri) {
        String text = uri.toString();
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String masked = colon < 0 ? userInfo : userInfo.substring(0, colon + 1) + MASK;
            text = text.replace(userInfo + "@", masked + "@");
        }
        return SECRET_PARAM.matcher(text).replaceAll("$1" + MASK);
    }

    /** The start of a text on one line: control characters as spaces, at most 200 characters. */
    static String excerpt(String text) {
        String line = text.replaceAll("[\\p{Cntrl}&&[^\t]]+", " ").strip();
        return line.length() <= EXCERPT ? line : line.substring(0, EXCERPT) + "...";
    }

    /** The end of a text on one line, at most 200 characters. */
    static String tail(String text) {
        String line = text.replaceAll("[\\p{Cntrl}&&[^\t]]+", " ").strip();
        return line.length() <= EXCERPT ? line : "..." + line.substring(line.length() - EXCERPT);
    }

}
