package dev.rollback.spi;

import java.util.regex.Pattern;

/**
 * The naming rules every plan, target and step follows, for target authors to apply in their
 * factories and {@code named(..)} methods so that a bad name is refused the same way everywhere.
 *
 * <pre>{@code
 * public MyTarget named(String name) {
 *     return new MyTarget(this, Names.requireName(name, "target name"));
 * }
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class Names {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Names() {}

    /**
     * Checks a target or plan name: it becomes part of file names in the store, so it is 1 to 64
     * letters, digits, '.', '_' or '-', starting with a letter or digit.
     *
     * @param name the name given
     * @param what what the name is for, used in the message ("target name")
     * @return the name
     * @throws IllegalArgumentException naming what was expected and found
     */
    public static String requireName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + ": expected 1 to 64 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit, found " + (name == null ? "null" : "'" + name + "'")
                    + "; choose a name such as 'backend' or 'db'");
        }
        return name;
    }

    /**
     * Checks a free text (a label, a step name): 1 to 200 printable characters.
     *
     * @param text the text given
     * @param what what the text is for, used in the message ("label")
     * @return the text
     * @throws IllegalArgumentException naming what was expected and found
     */
    public static String requireText(String text, String what) {
        if (text == null || text.isBlank() || text.length() > 200 || text.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + ": expected 1 to 200 printable characters, found "
                    + (text == null ? "null" : "'" + text.replaceAll("\\p{Cntrl}", "?") + "'")
                    + "; give a short readable text such as 'v2.0.0'");
        }
        return text;
    }
}
