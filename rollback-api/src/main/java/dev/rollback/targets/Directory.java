package dev.rollback.targets;

import java.nio.file.Path;

/**
 * The former factories of the two directory targets, kept one release as delegates: a copy of the
 * tree is {@link DirectoryBackup#of(Path)}, a release link switched back is {@link
 * DirectoryReleases#of(Path)}.
 *
 * <p>Stateless and thread-safe.
 *
 * @deprecated use {@link DirectoryBackup#of(Path)} and {@link DirectoryReleases#of(Path)}
 */
@Deprecated(forRemoval = true)
public final class Directory {

    private Directory() {}

    /**
     * The same as {@link DirectoryBackup#of(Path)}.
     *
     * @deprecated use {@link DirectoryBackup#of(Path)}
     */
    @Deprecated(forRemoval = true)
    public static DirectoryBackup backup(Path dir) {
        return DirectoryBackup.of(dir);
    }

    /**
     * The same as {@link DirectoryReleases#of(Path)}.
     *
     * @deprecated use {@link DirectoryReleases#of(Path)}
     */
    @Deprecated(forRemoval = true)
    public static DirectoryReleases releases(Path currentLink) {
        return DirectoryReleases.of(currentLink);
    }
}
