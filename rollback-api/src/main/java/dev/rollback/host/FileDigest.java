package dev.rollback.host;

import java.util.Objects;

/**
 * The size and SHA-256 of one regular file in a tree, as {@link Host#digestTree} computes them on
 * the host that holds the file.
 *
 * <p>Immutable and thread-safe.
 *
 * @param path the file's path relative to the tree's root, with {@code /} as separator
 * @param size its size in bytes
 * @param sha256 the SHA-256 of its content, lower-case hex
 */
public record FileDigest(String path, long size, String sha256) {

    /** Validates the parts. */
    public FileDigest {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
        if (size < 0) {
            throw new IllegalArgumentException("size of " + path + ": expected >= 0, found " + size);
        }
    }
}
