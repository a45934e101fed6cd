package dev.rollback.internal.engine;

import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.store.StoreException;
import dev.rollback.host.FileDigest;
import dev.rollback.host.FileStat;
import dev.rollback.internal.Files2;
import dev.rollback.internal.Logs;
import dev.rollback.spi.Artifact;
import dev.rollback.spi.ArtifactLocation;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;

/**
 * Preflight's check of a point's artifacts where they live (sizes and SHA-256, in the local store or on the
 * plan's host), and the push of an intact local copy back to a host whose copy is missing or damaged.
 *
 * <p>Stateless beyond the plan; used by one thread at a time per restore point.
 */
final class ArtifactChecks {

    private static final Logger LOG = Logs.of(ArtifactPlace.class);

    private final PlanSpec spec;
    private final ArtifactPlace place;

    ArtifactChecks(PlanSpec spec, ArtifactPlace place) {
        this.spec = spec;
        this.place = place;
    }

    /** What preflight found about the artifacts of a point: problems, and snapshots to push back from the local copy. */
    public record Check(List<Problem> problems, List<Snapshot> pushBack) {}

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
                problems.addAll(StoreCheck.verifyLocal(spec.store(), point, s, consumedBy));
                continue;
            }
            if (!where.host().equals(spec.host().name())) {
                problems.add(Problem.of(s.target(), "its artifacts on host " + spec.host().name() + ", the plan's host",
                        "them kept on host " + where.host() + " in " + where.dir(),
                        "roll back with the plan .on(" + where.host() + "), where the artifacts are"));
                continue;
            }
            List<Problem> remote = verifyOnHost(point, s, consumedBy);
            if (remote.isEmpty()) {
                continue;
            }
            if (where.storeCopy()) {
                List<Problem> local = StoreCheck.verifyLocal(spec.store(), point, s);
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
            Optional<FileStat> st = spec.host().stat(dir);
            if (st.isPresent() && st.get().isDirectory()) {
                spec.host().digestTree(dir).forEach(d -> found.put(d.path(), d));
            }
        } catch (RuntimeException e) {
            problems.add(Problem.of(s.target(), "the artifacts of restore point " + point.id() + " readable in " + dir
                    + " on host " + spec.host().name(), e.getMessage(), "check that the host answers and the folder is readable"));
            return problems;
        }
        for (Artifact a : s.artifacts()) {
            Path file = dir.resolve(a.path()).normalize();
            String what = "artifact " + a.path() + " of target '" + s.target() + "' in restore point " + point.id();
            FileDigest d = found.get(a.path());
            if (!file.startsWith(dir) || file.equals(dir)) {
                problems.add(Problem.of(s.target(), what + " inside " + dir, "a path that leaves it",
                        "the manifest was altered; do not use this restore point"));
            } else if (d == null && spec.host().exists(ConsumedNotes.of(file))) {
                String note = new String(spec.host().read(ConsumedNotes.of(file)), java.nio.charset.StandardCharsets.UTF_8).strip();
                if (consumedBy == null || !consumedBy.equals(ConsumedNotes.consumer(note))) {
                    problems.add(Problem.of(s.target(), what + " at " + file + " on host " + spec.host().name(),
                            "no such file: consumed: " + note,
                            "the point's copy became the live state; roll back to another restore point"));
                }
            } else if (d == null) {
                problems.add(Problem.of(s.target(), what + " at " + file + " on host " + spec.host().name(), "no such file",
                        s.location().storeCopy() ? "the local copy is damaged too; roll back to another restore point"
                                : "restore the folder from a copy, or roll back to another restore point"));
            } else if (d.size() != a.size() || !d.sha256().equals(a.sha256())) {
                problems.add(Problem.of(s.target(), what + " on host " + spec.host().name() + " with " + a.size()
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
        Path local = spec.store().artifactDir(point, s.target());
        if (spec.host().exists(dir)) {
            Path damaged = dir.resolveSibling("." + s.target() + ".damaged-" + rollbackId);
            spec.host().move(dir, damaged);
            LOG.warn("plan '{}': the artifacts of '{}' in {} on host {} were missing or damaged; kept them in {} and "
                    + "pushed the local copy back", spec.name(), s.target(), dir, spec.host().name(), damaged);
        }
        place.privateFolder(dir.getParent());
        spec.host().createDirectories(dir);
        List<Path[]> folders = new ArrayList<>();
        try {
            folders.add(new Path[] {local, dir});
            Map<String, Artifact> artifacts = new HashMap<>();
            s.artifacts().forEach(a -> artifacts.put(a.path(), a));
            push(s.target(), local, local, dir, artifacts, folders);
            for (int i = folders.size() - 1; i >= 0; i--) {
                spec.host().setMode(folders.get(i)[1], mode(Files.getPosixFilePermissions(folders.get(i)[0],
                        LinkOption.NOFOLLOW_LINKS)));
            }
        } catch (IOException e) {
            throw new StoreException("cannot push the local copy " + local + " of the artifacts of target '" + s.target()
                    + "' back to " + dir + " on host " + spec.host().name() + ": " + e.getMessage(), e);
        }
        List<Problem> still = verifyOnHost(point, s, null);
        if (!still.isEmpty()) {
            throw new PreflightFailedException(spec.name(), point.id(), still);
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
                spec.host().symlink(to, Files.readSymbolicLink(p));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                spec.host().createDirectories(to);
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
                                + "local copy " + p + " to host " + spec.host().name() + ": expected " + want.size()
                                + " bytes with sha256 " + want.sha256() + ", found " + size + " bytes with sha256 " + sha
                                + "; the local copy changed since it was checked; roll back to another restore point",
                                null);
                    }
                }
                spec.host().upload(p, to, mode(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }
}
