package dev.rollback;

import java.util.regex.Pattern;

/** Validation of the names and labels users give; not API. */
final class Names {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Names() {}

    /** A target or plan name: it becomes part of file names in the store. */
    static String requireName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + ": expected 1 to 64 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit, found " + (name == null ? "null" : "'" + name + "'")
                    + "; choose a name such as 'backend' or 'db'");
        }
        return name;
    }

    /** A free text that must not be blank or hold control characters (labels, step names). */
    static String requireText(String text, String what) {
        if (text == null || text.isBlank() || text.length() > 200 || text.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + ": expected 1 to 200 printable characters, found "
                    + (text == null ? "null" : "'" + text.replaceAll("\\p{Cntrl}", "?") + "'")
                    + "; give a short readable text such as 'v2.0.0'");
        }
        return text;
    }
}
