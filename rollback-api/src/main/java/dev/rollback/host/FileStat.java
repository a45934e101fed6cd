package dev.rollback.host;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * What a host knows of one file, without following a symbolic link.
 *
 * <p>Immutable and thread-safe.
 *
 * @param path the path
 * @param type what it is
 * @param size its size in bytes (the link's own size for a symbolic link)
 * @param mode its permission bits, such as {@code 0644}
 * @param owner the owning user's name
 * @param group the owning group's name
 * @param modified its last modification time
 * @param linkTarget where a symbolic link points, as written in the link; null otherwise
 */
public record FileStat(Path path, Type type, long size, int mode, String owner, String group, Instant modified,
        Path linkTarget) {

    /** What a path is. */
    public enum Type {
        /** A regular file. */
        FILE,
        /** A folder. */
        DIRECTORY,
        /** A symbolic link. */
        SYMLINK,
        /** A device, socket or pipe. */
        OTHER
    }

    /** Validates the parts. */
    public FileStat {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(modified, "modified");
    }

    /** Whether it is a regular file. */
    public boolean isFile() {
        return type == Type.FILE;
    }

    /** Whether it is a folder. */
    public boolean isDirectory() {
        return type == Type.DIRECTORY;
    }

    /** Whether it is a symbolic link. */
    public boolean isSymlink() {
        return type == Type.SYMLINK;
    }

    /** The mode in octal, as {@code ls} and {@code chmod} write it: {@code 0644}. */
    public String octalMode() {
        return String.format("%04o", mode);
    }
}
