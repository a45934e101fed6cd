package dev.rollback.spi;

import java.util.Objects;

/**
 * One entry of the folder a target wrote into a restore point, as the capture left it: its path,
 * type, mode (with the setuid, setgid and sticky bits) and, for a symbolic link, its target. With
 * the size and SHA-256 of each regular file ({@link Artifact}) it records the stored tree whole, so
 * that a link retargeted, a file made setuid, an entry added or removed after the capture is found
 * before the tree is used.
 *
 * <p>Immutable and thread-safe.
 *
 * @param path the path relative to the target's folder, with {@code /} as separator
 * @param type what the entry is
 * @param mode the permission bits and the setuid, setgid and sticky bits ({@code 07777})
 * @param link the target of a symbolic link; null for any other type
 */
public record TreeEntry(String path, Type type, int mode, String link) {

    /** What an entry is. */
    public enum Type {
        /** A folder. */
        DIR,
        /** A regular file. */
        FILE,
        /** A symbolic link, never followed. */
        LINK,
        /** Anything else (a pipe, a socket, a device). */
        OTHER
    }

    /** Validates the parts. */
    public TreeEntry {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("tree entry " + path + ": expected a mode from 0 to 07777, found 0"
                    + Integer.toOctalString(mode));
        }
        if ((type == Type.LINK) != (link != null)) {
            throw new IllegalArgumentException("tree entry " + path + ": expected a link target only for a link, found "
                    + type + " with " + (link == null ? "none" : "'" + link + "'"));
        }
    }

    /** A line a person can read: type, mode in octal, path and link target. */
    public String describe() {
        return type.name().toLowerCase() + " " + String.format("%04o", mode) + (link == null ? "" : " -> " + link);
    }
}
