package dev.rollback.internal.engine;

import dev.rollback.RestorePoint;
import dev.rollback.store.StoreException;
import dev.rollback.host.FileDigest;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.internal.Files2;
import dev.rollback.internal.Logs;
import dev.rollback.spi.Artifact;
import dev.rollback.spi.ArtifactLocation;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Where the artifacts of a plan's restore points live, and how they are prepared, recorded,
 * checked, copied and deleted. When the plan's host shares this process's files, they are in the
 * local store, as they always were. Otherwise each target's artifacts are in {@code
 * <hostStore>/<plan>/<point>/<target>/} on the host, checksummed there, so that neither capture nor
 * restore moves data between machines; with {@code copyArtifactsToStore} a copy also goes to the
 * local store, and is pushed back to the host if the host's copy is gone or damaged.
 *
 * <p>Checking and pushing back are {@link ArtifactChecks}'. Stateless beyond the plan; used by one thread at a time
 * per restore point.
 */
final class ArtifactPlace {

    private static final Logger LOG = Logs.of(ArtifactPlace.class);

    private final PlanSpec spec;

    ArtifactPlace(PlanSpec spec) {
        this.spec = spec;
    }

    private Host host() {
        return spec.host();
    }

    /** Whether the artifacts of this plan's new points go to its host rather than the local store. */
    boolean onHost() {
        return !spec.host().sharesLocalFiles();
    }

    /** The folder of a point on the host. */
    private Path hostPointDir(String pointId) {
        return spec.hostStore().resolve(spec.name()).resolve(pointId);
    }

    // ---- capture ---------------------------------------------------------------------------------

    /** An empty folder, owner-only, for one target's artifacts in a point being written. */
    Path prepare(StoreWriter.Pending pending, String target) {
        if (!onHost()) {
            Path dir = spec.writer().targetDir(pending, target);
            try {
                Files2.deleteTree(dir);
                Files2.createPrivateDirectories(dir);
            } catch (IOException e) {
                throw new StoreException("cannot prepare the artifact folder " + dir + " of target '" + target + "'", e);
            }
            return dir;
        }
        Path dir = hostPointDir(pending.id()).resolve(target);
        privateFolder(spec.hostStore());
        privateFolder(spec.hostStore().resolve(spec.name()));
        privateFolder(dir.getParent());
        host().delete(dir);
        host().createDirectories(dir);
        host().setMode(dir, 0700);
        return dir;
    }

    /** Creates a folder on the host readable by its owner only; an existing folder is left as it is. */
    void privateFolder(Path dir) {
        Optional<FileStat> s = host().stat(dir);
        if (s.isEmpty()) {
            host().createDirectories(dir);
            host().setMode(dir, 0700);
        } else if (!s.get().isDirectory()) {
            throw new StoreException("artifact folder " + dir + " on host " + host().name() + ": expected a folder, found a "
                    + s.get().type().name().toLowerCase() + "; move it away or choose another folder with .hostStore(...)",
                    null);
        }
    }

    /**
     * The artifact folder of the same target in the previous point, when it is in the same place as
     * the new one (the same host, or both in the local store): a target may link unchanged files to it.
     */
    Optional<Path> previousDir(Optional<RestorePoint> previous, String target) {
        Optional<Snapshot> s = previous.flatMap(p -> p.snapshot(target));
        if (s.isEmpty()) {
            return Optional.empty();
        }
        ArtifactLocation where = s.get().location();
        if (onHost()) {
            return where != null && where.host().equals(host().name()) ? Optional.of(Path.of(where.dir())) : Optional.empty();
        }
        return where == null ? Optional.of(spec.store().artifactDir(previous.get(), target)) : Optional.empty();
    }

    /**
     * The snapshot completed with the artifacts the target left in {@code dir}, their sizes and
     * SHA-256 computed where they are, and their location; copied to the local store too if the plan
     * asks for it.
     */
    Snapshot complete(Snapshot data, String target, TargetKind kind, StoreWriter.Pending pending, Path dir,
            Optional<RestorePoint> previous) {
        Optional<Path> earlier = previousDir(previous, target);
        List<FileDigest> known = earlier.isEmpty() ? List.of() : previous.flatMap(p -> p.snapshot(target)).orElseThrow()
                .artifacts().stream().map(a -> new FileDigest(a.path(), a.size(), a.sha256())).toList();
        if (!onHost()) {
            closeToOthers(dir);
        }
        // the checksums are taken where the files are: this machine for the local store, else the plan's host
        Host where = onHost() ? host() : Hosts.local();
        List<FileDigest> digests = where.digestTree(dir, earlier.orElse(null), known);
        List<Artifact> artifacts = digests.stream().map(d -> new Artifact(d.path(), d.size(), d.sha256())).toList();
        if (!onHost()) {
            try {
                return data.completedBy(target, kind, artifacts).withTree(StoredTree.walk(dir));
            } catch (IOException e) {
                throw new StoreException("cannot record the stored tree of target '" + target + "' in " + dir + ": "
                        + e, e);
            }
        }
        if (spec.copyArtifactsToStore()) {
            Path local = spec.writer().targetDir(pending, target);
            pull(target, dir, local, digests);
        }
        return data.completedBy(target, kind, artifacts)
                .locatedAt(ArtifactLocation.of(host().name(), dir, spec.copyArtifactsToStore()));
    }

    /**
     * Makes a target's folder in the local store owner-only again (a target may have changed it),
     * which closes everything in it to others; the files keep their own modes, since a target may
     * need them back as they were (a release tree).
     */
    private static void closeToOthers(Path dir) {
        try {
            Files2.ownerOnly(dir);
        } catch (IOException e) {
            throw new StoreException("cannot make the artifact folder " + dir + " readable by its owner only: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Copies a target's folder from the host into the local store: folders, files with their modes,
     * links as links; each file's SHA-256 is checked against the host's as it arrives.
     */
    private void pull(String target, Path from, Path to, List<FileDigest> digests) {
        Map<String, FileDigest> byPath = new HashMap<>();
        digests.forEach(d -> byPath.put(d.path(), d));
        try {
            Files2.deleteTree(to);
            Files2.createPrivateDirectories(to);
            List<Path[]> folders = new ArrayList<>();
            pullTree(target, from, from, to, byPath, folders);
            for (int i = folders.size() - 1; i >= 0; i--) {
                Files.setPosixFilePermissions(folders.get(i)[1], permissions(host().stat(folders.get(i)[0])
                        .orElseThrow().mode()));
            }
            Files2.ownerOnly(to);
        } catch (IOException e) {
            throw new StoreException("cannot copy the artifacts of target '" + target + "' from " + from + " on host "
                    + host().name() + " into " + to + ": " + e.getMessage() + "; check the free space of the local store",
                    e);
        }
    }

    private void pullTree(String target, Path root, Path dir, Path local, Map<String, FileDigest> digests,
            List<Path[]> folders) throws IOException {
        for (Path p : host().list(dir)) {
            FileStat s = host().stat(p).orElseThrow(() -> new StoreException("copy of the artifacts of target '" + target
                    + "': " + p + " on host " + host().name() + " vanished while it was copied; capture again", null));
            Path to = local.resolve(p.getFileName().toString());
            String rel = root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
            switch (s.type()) {
                case DIRECTORY -> {
                    Files.createDirectory(to);
                    folders.add(new Path[] {p, to});
                    pullTree(target, root, p, to, digests, folders);
                }
                case FILE -> {
                    host().download(p, to);
                    FileDigest want = digests.get(rel);
                    if (want != null) {
                        long size = Files.size(to);
                        String sha = Files2.sha256(to);
                        if (want.size() != size || !want.sha256().equals(sha)) {
                            Files.delete(to);
                            throw new StoreException("copy of artifact " + rel + " of target '" + target + "' from host "
                                    + host().name() + ": expected " + want.size() + " bytes with sha256 " + want.sha256()
                                    + ", found " + size + " bytes with sha256 " + sha + "; the file changed "
                                    + "during the capture or the transfer failed; capture again", null);
                        }
                    }
                    Files.setPosixFilePermissions(to, permissions(s.mode()));
                }
                case SYMLINK -> Files.createSymbolicLink(to, s.linkTarget());
                default -> LOG.warn("copy of the artifacts of target '{}': left out {}, neither a file, a folder nor a link",
                        target, p);
            }
        }
    }

    /** Removes what an abandoned capture left on the host. */
    void abort(StoreWriter.Pending pending) {
        abandon(pending.id());
    }

    /** Removes the artifact folder on the plan's host of a point that was never finished (nothing to do locally). */
    void abandon(String pointId) {
        if (onHost()) {
            try {
                host().delete(hostPointDir(pointId));
            } catch (RuntimeException e) {
                LOG.warn("could not remove the unfinished restore point {} on host {}: {}", hostPointDir(pointId),
                        host().name(), e.toString());
            }
        }
    }

    // ---- restore ---------------------------------------------------------------------------------

    /** The folder that holds the artifacts of {@code snapshot} of {@code point}: on the host, or in the local store. */
    Path dirOf(RestorePoint point, Snapshot snapshot) {
        ArtifactLocation where = snapshot.location();
        return where == null ? spec.store().artifactDir(point, snapshot.target()) : Path.of(where.dir());
    }

    /** Where the artifacts of a snapshot live, for messages and reports. */
    String describe(RestorePoint point, Snapshot snapshot) {
        ArtifactLocation where = snapshot.location();
        return where == null ? spec.store().artifactDir(point, snapshot.target()).toString() : where.describe();
    }

    // ---- deleting --------------------------------------------------------------------------------

    /**
     * Deletes the point's artifact folders on the host (the point's folder {@code <id>} that holds
     * them), before the store deletes the point itself. A location whose folder is not named
     * {@code <id>/<target>} is refused, so an altered manifest cannot delete anything else.
     */
    void deleteOnHost(RestorePoint point) {
        Set<Path> pointDirs = new LinkedHashSet<>();
        for (Snapshot s : point.snapshots()) {
            ArtifactLocation where = s.location();
            if (where == null) {
                continue;
            }
            Path dir = Path.of(where.dir()).normalize();
            if (dir.getParent() == null || !dir.getFileName().toString().equals(s.target())
                    || !dir.getParent().getFileName().toString().equals(point.id())) {
                throw new StoreException("delete restore point " + point.id() + ": expected the artifacts of '"
                        + s.target() + "' in a folder <hostStore>/" + spec.name() + "/" + point.id() + "/" + s.target()
                        + ", found " + where.describe() + "; the manifest was altered, delete that folder by hand", null);
            }
            if (!where.host().equals(host().name())) {
                throw new StoreException("delete restore point " + point.id() + ": expected its artifacts on host "
                        + host().name() + ", found them on " + where.describe() + "; delete the point with the plan "
                        + ".on(" + where.host() + ")", null);
            }
            pointDirs.add(dir.getParent());
        }
        pointDirs.forEach(d -> host().delete(d));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE, high bit first
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                out.add(all[i]);
            }
        }
        return out;
    }
}
