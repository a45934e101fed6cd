package dev.rollback.spi;

import java.util.Objects;

/**
 * One file that a target wrote into a restore point when it captured its state, with the size and
 * SHA-256 recorded at capture. The store checks both before the artifact is used.
 *
 * <p>Immutable and thread-safe.
 *
 * @param path the file's path relative to the target's folder in the restore point, with {@code /}
 *     as separator
 * @param size the size in bytes at capture
 * @param sha256 the SHA-256 of the content at capture, lower-case hex
 */
public record Artifact(String path, long size, String sha256) {

    /** Validates the parts. */
    public Artifact {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
        if (size < 0) {
            throw new IllegalArgumentException("artifact size must be >= 0, was " + size);
        }
    }
}
