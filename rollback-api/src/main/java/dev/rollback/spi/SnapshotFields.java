package dev.rollback.spi;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads the fields of a snapshot as the types a target needs, checking each one: text, whole
 * numbers in a range, octal file modes, booleans written as {@code true} or {@code false}, enum
 * constants, absolute paths and relative paths that stay inside their folder. A wrong field throws
 * an {@link InvalidSnapshotException} naming the target, the field and what was found, so a target
 * that reads its snapshot this way in {@code preflight} refuses a damaged point before anything
 * changes.
 *
 * <pre>{@code
 * SnapshotFields f = SnapshotFields.of(snapshot);
 * int count = f.integer("files", 0, 10_000);
 * int mode = f.mode("file.0.mode");
 * boolean absent = f.bool("absent", false);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class SnapshotFields {

    private final Snapshot snapshot;

    private SnapshotFields(Snapshot snapshot) {
        this.snapshot = snapshot;
    }

    /** The fields of {@code snapshot}. */
    public static SnapshotFields of(Snapshot snapshot) {
        return new SnapshotFields(java.util.Objects.requireNonNull(snapshot, "snapshot"));
    }

    /** The text of a field that must be there. */
    public String text(String key) {
        String v = snapshot.data().get(key);
        if (v == null) {
            throw wrong(key, "a value", null);
        }
        return v;
    }

    /** A whole number from {@code min} to {@code max}. */
    public long number(String key, long min, long max) {
        String v = text(key);
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw wrong(key, "a whole number from " + min + " to " + max, v);
    }

    /** A whole number from {@code min} to {@code max}. */
    public int integer(String key, int min, int max) {
        return (int) number(key, min, max);
    }

    /** A file mode written in octal, from {@code 0} to {@code 7777}. */
    public int mode(String key) {
        String v = text(key);
        if (v.matches("[0-7]{1,4}")) {
            return Integer.parseInt(v, 8);
        }
        throw wrong(key, "a file mode in octal from 0 to 7777", v);
    }

    /** A boolean written {@code true} or {@code false}. */
    public boolean bool(String key) {
        String v = text(key);
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw wrong(key, "true or false", v);
        };
    }

    /** A boolean written {@code true} or {@code false}, or {@code otherwise} when the field is not there. */
    public boolean bool(String key, boolean otherwise) {
        return snapshot.data().containsKey(key) ? bool(key) : otherwise;
    }

    /** The constant of {@code type} named by the field. */
    public <E extends Enum<E>> E oneOf(String key, Class<E> type) {
        String v = text(key);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(v)) {
                return e;
            }
        }
        throw wrong(key, "one of " + Arrays.toString(type.getEnumConstants()), v);
    }

    /** A path, relative or absolute. */
    public Path path(String key) {
        String v = text(key);
        try {
            if (!v.isEmpty() && !v.contains("\0")) {
                return Path.of(v);
            }
        } catch (InvalidPathException e) {
            // reported below
        }
        throw wrong(key, "a path", v);
    }

    /** An absolute path, normalised (no {@code ..} parts). */
    public Path absolutePath(String key) {
        String v = text(key);
        try {
            Path p = Path.of(v);
            if (p.isAbsolute() && p.normalize().equals(p) && !v.contains("\0")) {
                return p;
            }
        } catch (InvalidPathException e) {
            // reported below
        }
        throw wrong(key, "an absolute, normalised path", v);
    }

    /** A relative path that stays inside {@code folder}: no leading {@code /}, no {@code ..}. */
    public Path inside(String key, Path folder) {
        String v = text(key);
        try {
            Path rel = Path.of(v);
            Path p = folder.resolve(rel).normalize();
            if (!v.isEmpty() && !rel.isAbsolute() && p.startsWith(folder.normalize()) && !p.equals(folder.normalize())) {
                return p;
            }
        } catch (InvalidPathException e) {
            // reported below
        }
        throw wrong(key, "a relative path inside " + folder, v);
    }

    /** The text of a field, if it is there. */
    public Optional<String> optional(String key) {
        return snapshot.get(key);
    }

    private InvalidSnapshotException wrong(String key, String expected, String found) {
        return new InvalidSnapshotException("snapshot of target '" + snapshot.target() + "': expected field '" + key
                + "' to be " + expected + ", found " + (found == null ? "none" : "'" + found + "'")
                + "; the restore point does not hold what this target captured: roll back to another point, or "
                + "capture a new one", snapshot.target(), key, found);
    }
}
