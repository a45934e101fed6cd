package dev.rollback.spi;

import java.util.Objects;

/**
 * Where the artifacts of a snapshot live when they are not in the local store: a folder on the
 * plan's host, such as {@code /var/tmp/rollback/rosey/<point>/release} on the server, so that a
 * restore moves no data between machines. A snapshot without a location keeps its artifacts in the
 * local {@link dev.rollback.RestorePointStore}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param host the name of the host that holds the folder ({@link dev.rollback.host.Host#name()})
 * @param dir the folder on that host, absolute
 * @param storeCopy whether a copy of every artifact is also in the local store (an off-host backup,
 *     see {@link dev.rollback.RollbackPlanBuilder#copyArtifactsToStore()})
 */
public record ArtifactLocation(String host, String dir, boolean storeCopy) {

    /** Validates the parts. */
    public ArtifactLocation {
        Objects.requireNonNull(host, "host of the artifacts");
        Objects.requireNonNull(dir, "folder of the artifacts");
        if (!dir.startsWith("/")) {
            throw new IllegalArgumentException("folder of the artifacts: expected an absolute path, found " + dir);
        }
    }

    /** A one-line description: {@code /var/tmp/rollback/rosey/… on rosey@10.0.0.5:22}. */
    public String describe() {
        return dir + " on " + host;
    }

    /**
     * The location of the artifacts of one snapshot.
     *
     * @param host the name of the host that holds them
     * @param dir their folder on that host
     * @param storeCopy true if a copy is also in the local store
     */
    public static ArtifactLocation of(String host, java.nio.file.Path dir, boolean storeCopy) {
        Objects.requireNonNull(dir, "dir");
        return new ArtifactLocation(host, dir.toString(), storeCopy);
    }
}
