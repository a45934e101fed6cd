package dev.rollback.targets;

import dev.rollback.spi.TargetKind;
import dev.rollback.host.TreeCopy;
import java.nio.file.Path;

/**
 * Targets for a deployment directory, in the two ways teams roll one back: from a copy of the
 * tree ({@link #backup(Path)}), or by pointing a release link back ({@link #releases(Path)}).
 *
 * <p>Prefer the release switch where the deploy lays releases out side by side: its rollback is
 * one atomic rename whatever the size of the tree. The backup copy suits a release folder updated
 * in place, such as {@code /opt/app} filled by {@code git pull} or {@code cp}.
 *
 * <p>Stateless; the targets it returns are immutable and thread-safe.
 *
 * <pre>{@code
 * Target release = Directory.backup(Path.of("/opt/rosey-bot"))   // copy in, copy back
 *     .excluding("logs", "uploads")                             // data that must survive
 *     .kind(TargetKind.CODE);
 * Target current = Directory.releases(Path.of("/srv/shop/current"));  // current -> releases/20240115
 * }</pre>
 */
public final class Directory {

    private Directory() {}

    /**
     * A folder captured as a copy in the restore point and restored from it, the failed tree moved
     * aside and kept. Named after the folder, of kind {@link TargetKind#FILES}, nothing excluded;
     * see {@link DirectoryBackup} for what each step does.
     *
     * @param dir the folder, such as {@code /opt/app}; made absolute
     * @throws IllegalArgumentException if {@code dir} is the root folder
     */
    public static DirectoryBackup backup(Path dir) {
        Path abs = DirectoryPaths.absolute(dir, "folder of a directory target");
        return new DirectoryBackup(abs, DirectoryPaths.nameOf(abs, "directory"), TargetKind.FILES, TreeCopy.all());
    }

    /**
     * A release link such as {@code current -> releases/20240115}, captured as where it points and
     * restored by switching it back atomically. Named after the link, of kind {@link
     * TargetKind#CODE}; see {@link DirectoryReleases} for what each step does.
     *
     * @param currentLink the symbolic link, such as {@code /srv/app/current}; made absolute
     * @throws IllegalArgumentException if {@code currentLink} is the root folder
     */
    public static DirectoryReleases releases(Path currentLink) {
        Path abs = DirectoryPaths.absolute(currentLink, "link of a release target");
        return new DirectoryReleases(abs, null, DirectoryPaths.nameOf(abs, "current"), TargetKind.CODE);
    }
}
