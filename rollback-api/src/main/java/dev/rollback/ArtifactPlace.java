package dev.rollback;

import dev.rollback.spi.TargetKind;

import dev.rollback.spi.Problem;

import dev.rollback.spi.ArtifactLocation;

import dev.rollback.spi.Artifact;

import dev.rollback.spi.Snapshot;

import dev.rollback.spi.Check;

import dev.rollback.host.FileDigest;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.internal.Files2;
import dev.rollback.internal.Logs;
import dev.rollback.internal.StoredTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
import java.util.stream.Stream;
import org.slf4j.Logger;

/**
 * Where the artifacts of a plan's restore points live, and how they are prepared, recorded,
 * checked, copied and deleted. When the plan's host shares this process's files, they are in the
 * local store, as they always were. Otherwise each target's artifacts are in {@code
 * <hostStore>/<plan>/<point>/<target>/} on the host, checksummed there, so that neither capture nor
 * restore moves data between machines; with {@code copyArtifactsToStore} a copy also goes to the
 * local store, and is pushed back to the host if the host's copy is gone or damaged.
 *
 * <p>Not API. Stateless beyond the plan; used by one thread at a time per restore point.
 */
final class ArtifactPlace {

    private static final Logger LOG = Logs.of(ArtifactPlace.class);

    private final RollbackPlan plan;

    ArtifactPlace(RollbackPlan plan) {
        this.plan = plan;
    }

    private Host host() {
        return plan.host;
    }

    /** Whether the artifacts of this plan's new points go to its host rather than the local store. */
    boolean onHost() {
        return !plan.host.sharesLocalFiles();
    }

    /** The folder of a point on the host. */
    private Path hostPointDir(String pointId) {
        return plan.hostStore.resolve(plan.name).resolve(pointId);
    }

    // ---- capture ---------------------------------------------------------------------------------

    /** An empty folder, owner-only, for one target's artifacts in a point being written. */
    Path prepare(RestorePointStore.Pending pending, String target) {
        if (!onHost()) {
            Path dir = plan.store.targetDir(pending, target);
            try {
                Files2.deleteTree(dir);
                Files2.createPrivateDirectories(dir);
            } catch (IOException e) {
                throw new StoreException("cannot prepare the artifact folder " + dir + " of target '" + target + "'", e);
            }
            return dir;
        }
        Path dir = hostPointDir(pending.id()).resolve(target);
        privateFolder(plan.hostStore);
        privateFolder(plan.hostStore.resolve(plan.name));
        privateFolder(dir.getParent());
        host().delete(dir);
        host().createDirectories(dir);
        host().setMode(dir, 0700);
        return dir;
    }

    /** Creates a folder on the host readable by its owner only; an existing folder is left as it is. */
    private void privateFolder(Path dir) {
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
        return where == null ? Optional.of(plan.store.artifactDir(previous.get(), target)) : Optional.empty();
    }

    /**
     * The snapshot completed with the artifacts the target left in {@code dir}, their sizes and
     * SHA-256 computed where they are, and their location; copied to the local store too if the plan
     * asks for it.
     */
    Snapshot complete(Snapshot data, String target, TargetKind kind, RestorePointStore.Pending pending, Path dir,
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
        if (plan.copyArtifactsToStore) {
            Path local = plan.store.targetDir(pending, target);
            pull(target, dir, local, digests);
        }
        return data.completedBy(target, kind, artifacts)
                .locatedAt(ArtifactLocation.of(host().name(), dir, plan.copyArtifactsToStore));
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
    void abort(RestorePointStore.Pending pending) {
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
        return where == null ? plan.store.artifactDir(point, snapshot.target()) : Path.of(where.dir());
    }

    /** Where the artifacts of a snapshot live, for messages and reports. */
    String describe(RestorePoint point, Snapshot snapshot) {
        ArtifactLocation where = snapshot.location();
        return where == null ? plan.store.artifactDir(point, snapshot.target()).toString() : where.describe();
    }

    /** What preflight found about the artifacts of a point: problems, and snapshots to push back from the local copy. */
    record Check(List<Problem> problems, List<Snapshot> pushBack) {}

    /**
     * Checks every artifact of the point where it lives (sizes and SHA-256), changing nothing. A
     * snapshot whose host copy is missing or damaged but whose local copy is intact is not a
     * problem: it is listed to be pushed back before the rollback changes anything.
     */
    Check verify(RestorePoint point) {
        return verify(point, null);
    }

    /**
     * {@link #verify(RestorePoint)}, except that an artifact the rollback {@code consumedBy} consumed
     * is not a problem: that rollback, resumed after a crash, already moved it into place.
     */
    Check verify(RestorePoint point, String consumedBy) {
        List<Problem> problems = new ArrayList<>();
        List<Snapshot> pushBack = new ArrayList<>();
        for (Snapshot s : point.snapshots()) {
            ArtifactLocation where = s.location();
            if (where == null) {
                problems.addAll(plan.store.verifyLocal(point, s, consumedBy));
                continue;
            }
            if (!where.host().equals(host().name())) {
                problems.add(Problem.of(s.target(), "its artifacts on host " + host().name() + ", the plan's host",
                        "them kept on host " + where.host() + " in " + where.dir(),
                        "roll back with the plan .on(" + where.host() + "), where the artifacts are"));
                continue;
            }
            List<Problem> remote = verifyOnHost(point, s, consumedBy);
            if (remote.isEmpty()) {
                continue;
            }
            if (where.storeCopy()) {
                List<Problem> local = plan.store.verifyLocal(point, s);
                if (local.isEmpty()) {
                    pushBack.add(s);
                    continue;
                }
                problems.addAll(local);
            }
            problems.addAll(remote);
        }
        return new Check(problems, pushBack);
    }

    private List<Problem> verifyOnHost(RestorePoint point, Snapshot s, String consumedBy) {
        List<Problem> problems = new ArrayList<>();
        if (s.artifacts().isEmpty()) {
            return problems;
        }
        Path dir = Path.of(s.location().dir());
        Map<String, FileDigest> found = new HashMap<>();
        try {
            Optional<FileStat> st = host().stat(dir);
            if (st.isPresent() && st.get().isDirectory()) {
                host().digestTree(dir).forEach(d -> found.put(d.path(), d));
            }
        } catch (RuntimeException e) {
            problems.add(Problem.of(s.target(), "the artifacts of restore point " + point.id() + " readable in " + dir
                    + " on host " + host().name(), e.getMessage(), "check that the host answers and the folder is readable"));
            return problems;
        }
        for (Artifact a : s.artifacts()) {
            Path file = dir.resolve(a.path()).normalize();
            String what = "artifact " + a.path() + " of target '" + s.target() + "' in restore point " + point.id();
            FileDigest d = found.get(a.path());
            if (!file.startsWith(dir) || file.equals(dir)) {
                problems.add(Problem.of(s.target(), what + " inside " + dir, "a path that leaves it",
                        "the manifest was altered; do not use this restore point"));
            } else if (d == null && host().exists(consumedNote(file))) {
                String note = new String(host().read(consumedNote(file)), java.nio.charset.StandardCharsets.UTF_8).strip();
                if (consumedBy == null || !consumedBy.equals(consumer(note))) {
                    problems.add(Problem.of(s.target(), what + " at " + file + " on host " + host().name(),
                            "no such file: consumed: " + note,
                            "the point's copy became the live state; roll back to another restore point"));
                }
            } else if (d == null) {
                problems.add(Problem.of(s.target(), what + " at " + file + " on host " + host().name(), "no such file",
                        s.location().storeCopy() ? "the local copy is damaged too; roll back to another restore point"
                                : "restore the folder from a copy, or roll back to another restore point"));
            } else if (d.size() != a.size() || !d.sha256().equals(a.sha256())) {
                problems.add(Problem.of(s.target(), what + " on host " + host().name() + " with " + a.size()
                        + " bytes and sha256 " + a.sha256(), d.size() + " bytes and sha256 " + d.sha256(),
                        "the artifact is corrupted; roll back to another restore point"));
            }
        }
        return problems;
    }

    /**
     * Puts the local copy of a snapshot's artifacts back on the host, the damaged host folder moved
     * aside first, and checks the result there.
     *
     * @throws PreflightFailedException if the pushed copy does not match the manifest
     */
    void pushBack(RestorePoint point, Snapshot s, String rollbackId) {
        Path dir = Path.of(s.location().dir());
        Path local = plan.store.artifactDir(point, s.target());
        if (host().exists(dir)) {
            Path damaged = dir.resolveSibling("." + s.target() + ".damaged-" + rollbackId);
            host().move(dir, damaged);
            LOG.warn("plan '{}': the artifacts of '{}' in {} on host {} were missing or damaged; kept them in {} and "
                    + "pushed the local copy back", plan.name, s.target(), dir, host().name(), damaged);
        }
        privateFolder(dir.getParent());
        host().createDirectories(dir);
        List<Path[]> folders = new ArrayList<>();
        try {
            folders.add(new Path[] {local, dir});
            Map<String, Artifact> artifacts = new HashMap<>();
            s.artifacts().forEach(a -> artifacts.put(a.path(), a));
            push(s.target(), local, local, dir, artifacts, folders);
            for (int i = folders.size() - 1; i >= 0; i--) {
                host().setMode(folders.get(i)[1], mode(Files.getPosixFilePermissions(folders.get(i)[0],
                        LinkOption.NOFOLLOW_LINKS)));
            }
        } catch (IOException e) {
            throw new StoreException("cannot push the local copy " + local + " of the artifacts of target '" + s.target()
                    + "' back to " + dir + " on host " + host().name() + ": " + e.getMessage(), e);
        }
        List<Problem> still = verifyOnHost(point, s, null);
        if (!still.isEmpty()) {
            throw new PreflightFailedException(plan.name, point.id(), still);
        }
    }

    /**
     * Uploads a local folder's entries to the host; each file that the manifest lists is checked
     * against it (size and SHA-256) just before it is sent, so a local copy that changed since
     * preflight is never pushed.
     */
    private void push(String target, Path root, Path dir, Path remote, Map<String, Artifact> artifacts,
            List<Path[]> folders) throws IOException {
        List<Path> entries;
        try (Stream<Path> list = Files.list(dir)) {
            entries = list.sorted().toList();
        }
        for (Path p : entries) {
            Path to = remote.resolve(p.getFileName().toString());
            if (Files.isSymbolicLink(p)) {
                host().symlink(to, Files.readSymbolicLink(p));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                host().createDirectories(to);
                folders.add(new Path[] {p, to});
                push(target, root, p, to, artifacts, folders);
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                String rel = root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
                Artifact want = artifacts.get(rel);
                if (want != null) {
                    long size = Files.size(p);
                    String sha = Files2.sha256(p);
                    if (want.size() != size || !want.sha256().equals(sha)) {
                        throw new StoreException("push of artifact " + rel + " of target '" + target + "' from the "
                                + "local copy " + p + " to host " + host().name() + ": expected " + want.size()
                                + " bytes with sha256 " + want.sha256() + ", found " + size + " bytes with sha256 " + sha
                                + "; the local copy changed since it was checked; roll back to another restore point",
                                null);
                    }
                }
                host().upload(p, to, mode(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
            }
        }
    }

    /** The name of the note that says an artifact was consumed: {@code <artifact>.consumed}, beside it. */
    static Path consumedNote(Path artifact) {
        return artifact.resolveSibling(artifact.getFileName() + ".consumed");
    }

    /** The id of the rollback a consumed-artifact note names ({@code "rollback <id> of plan …"}), or null. */
    static String consumer(String note) {
        String[] words = note.strip().split(" ", 3);
        return words.length >= 2 && words[0].equals("rollback") ? words[1] : null;
    }

    /** The note beside an artifact that a rollback consumed, or null when there is none. */
    String consumedNoteOf(Snapshot snapshot, Path artifact) {
        Path note = consumedNote(artifact);
        if (snapshot.location() == null) {
            try {
                return Files.isRegularFile(note, LinkOption.NOFOLLOW_LINKS) ? Files.readString(note).strip() : null;
            } catch (IOException e) {
                throw new StoreException("cannot read " + note + ": " + e.getMessage(), e);
            }
        }
        return host().exists(note) ? new String(host().read(note), java.nio.charset.StandardCharsets.UTF_8).strip() : null;
    }

    /** Records durably, beside the artifact, that a restore is about to move it away. */
    void markConsumed(RestorePoint point, Snapshot snapshot, Path artifact, String note) {
        byte[] text = (note + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (snapshot.location() == null) {
            try {
                Files2.writeAtomically(consumedNote(artifact), text);
            } catch (IOException e) {
                throw new StoreException("cannot record in " + consumedNote(artifact) + " that restore point "
                        + point.id() + " is consumed: " + e.getMessage() + "; nothing was moved", e);
            }
        } else {
            host().write(consumedNote(artifact), text, 0600);
        }
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
                        + s.target() + "' in a folder <hostStore>/" + plan.name + "/" + point.id() + "/" + s.target()
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

    private static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }
}
