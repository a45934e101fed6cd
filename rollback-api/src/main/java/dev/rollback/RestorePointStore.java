package dev.rollback;

import dev.rollback.spi.Names;

import dev.rollback.spi.Problem;

import dev.rollback.spi.TreeEntry;

import dev.rollback.spi.ArtifactLocation;

import dev.rollback.spi.Artifact;

import dev.rollback.spi.Snapshot;

import dev.rollback.error.RollbackException;

import dev.rollback.internal.Files2;
import dev.rollback.internal.Journal;
import dev.rollback.internal.Logs;
import dev.rollback.internal.Manifest;
import dev.rollback.internal.PlanLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;

/**
 * Keeps restore points in a folder: one folder per point with a {@code manifest.json} and the
 * artifacts of each target, the SHA-256 of every artifact recorded at capture and checked before
 * use. Every file is written atomically (temp file, fsync, rename) and readable by the owner only.
 * A point appears in the store complete or not at all: it is written under a temporary name and
 * renamed when its manifest is on disk.
 *
 * <p>Nothing in a point is trusted without a check: the manifest is sealed with the SHA-256 of its
 * own content and every field is checked when it is read; it records every entry of each target's
 * stored folder (type, mode, link target) beside each file's checksum, and {@link #verify} (which
 * a rollback's preflight runs) refuses a folder that differs, naming the path and the change.
 *
 * <pre>
 * root/
 *   points/&lt;id&gt;/manifest.json
 *   points/&lt;id&gt;/artifacts/&lt;target&gt;/…
 *   journals/&lt;plan&gt;.json        the unfinished rollback of a plan, if any
 *   locks/&lt;plan&gt;.lock           held while a capture, rollback or deletion of the plan runs
 *   reports/&lt;plan&gt;/&lt;rollback&gt;.json
 * </pre>
 *
 * <p>A plan on a remote host keeps its artifacts on that host ({@link RollbackPlanBuilder#hostStore});
 * the manifest here records, per snapshot, where they are ({@link ArtifactLocation}) with their
 * sizes and checksums, and {@code points/<id>/artifacts/} holds only the copies the plan was asked
 * to make ({@link RollbackPlanBuilder#copyArtifactsToStore()}).
 *
 * <p>One store may hold the points of many plans. Thread-safe: every change is a single atomic
 * rename, so several threads and processes may share a store.
 *
 * <pre>{@code
 * RestorePointStore store = RestorePointStore.at(Path.of("/var/lib/rollback"));
 * RestorePoint good = store.findByLabel("gestima", "v2.0.0").orElseThrow();
 * store.markBad(store.latest("gestima").orElseThrow().id(), "ops", "500s on /quotes");
 * }</pre>
 */
public final class RestorePointStore {

    private static final Logger LOG = Logs.of(RestorePointStore.class);
    private static final String MANIFEST = "manifest.json";
    private static final String PENDING = ".pending-";
    private static final String PENDING_PLAN = ".plan";
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    private final Path root;
    private final Clock clock;

    private RestorePointStore(Path root, Clock clock) {
        this.root = root.toAbsolutePath().normalize();
        this.clock = clock;
    }

    /** A store in the given folder, created on first write. */
    public static RestorePointStore at(Path root) {
        return at(root, Clock.systemUTC());
    }

    /** A store in the given folder whose marks and ids take their time from {@code clock}. */
    public static RestorePointStore at(Path root, Clock clock) {
        java.util.Objects.requireNonNull(root, "root");
        java.util.Objects.requireNonNull(clock, "clock");
        return new RestorePointStore(root, clock);
    }

    /** The store's folder. */
    public Path root() {
        return root;
    }

    /** The folder of a point. */
    public Path pointDir(String id) {
        return points().resolve(id);
    }

    /** The folder of one target's artifacts in a point. */
    public Path artifactDir(RestorePoint point, String target) {
        return pointDir(point.id()).resolve("artifacts").resolve(target);
    }

    /**
     * The points of a plan, oldest first.
     *
     * @throws StoreException if a point of the plan is damaged (its manifest is missing, changed or
     *     unreadable), naming each such folder and what to do; a damaged point of no known plan is
     *     logged and left out
     */
    public List<RestorePoint> list(String plan) {
        List<RestorePoint> out = new ArrayList<>();
        List<String> damaged = new ArrayList<>();
        for (RestorePoint p : all(plan, damaged)) {
            if (p.plan().equals(plan)) {
                out.add(p);
            }
        }
        if (!damaged.isEmpty()) {
            throw new StoreException("plan '" + plan + "' in store " + root + ": expected every restore point readable, "
                    + "found " + damaged.size() + " damaged: " + String.join("; ", damaged), null);
        }
        out.sort(Comparator.comparing(RestorePoint::createdAt).thenComparing(RestorePoint::id));
        return out;
    }

    /** The newest point of a plan, whether good or bad. */
    public Optional<RestorePoint> latest(String plan) {
        List<RestorePoint> points = list(plan);
        return points.isEmpty() ? Optional.empty() : Optional.of(points.get(points.size() - 1));
    }

    /** The newest captured point of a plan that is not marked bad: the usual rollback target. */
    public Optional<RestorePoint> latestGood(String plan) {
        List<RestorePoint> points = list(plan);
        for (int i = points.size() - 1; i >= 0; i--) {
            RestorePoint p = points.get(i);
            if (!p.isBad() && p.origin() == RestorePoint.Origin.CAPTURE) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The point with this id, if it exists. */
    public Optional<RestorePoint> find(String id) {
        if (id == null || id.isBlank() || id.contains("/") || id.contains("\\") || id.startsWith(".")) {
            return Optional.empty();
        }
        Path manifest = pointDir(id).resolve(MANIFEST);
        if (!Files.isDirectory(pointDir(id), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(readManifest(manifest)); // a folder without its manifest is a damaged point, not none
    }

    /**
     * The point with this id.
     *
     * @throws RestorePointNotFoundException naming the store and how to list its points
     */
    public RestorePoint get(String id) {
        return find(id).orElseThrow(() -> new RestorePointNotFoundException("restore point '" + id
                + "': expected it in store " + root + ", found none; list the points with store.list(plan)"));
    }

    /** The newest point of a plan with this label, if any. */
    public Optional<RestorePoint> findByLabel(String plan, String label) {
        List<RestorePoint> points = list(plan);
        for (int i = points.size() - 1; i >= 0; i--) {
            if (points.get(i).label().equals(label)) {
                return Optional.of(points.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * Marks a point bad, so that no rollback goes back to it (preflight refuses it).
     *
     * @return the point as now stored
     */
    public RestorePoint markBad(String id, String by, String reason) {
        Names.requireText(by, "who marks the point bad");
        Names.requireText(reason, "why the point is bad");
        RestorePoint marked = get(id).markedBad(new BadMark(by, clock.instant(), reason));
        writeManifest(pointDir(id), marked);
        LOG.info("restore point {} marked bad by {}: {}", id, by, reason);
        return marked;
    }

    /**
     * Deletes a point and its artifacts in this store. Artifacts a plan keeps on a remote host stay
     * there, and so does what a target keeps outside the store (such as a clone database): the store
     * does not know the targets. Delete such points with {@link RollbackPlan#delete(RestorePoint)},
     * which removes all of it ({@link dev.rollback.spi.Target#release}).
     *
     * <p>Holds the plan's lock while it deletes: no capture, rollback or other deletion of the plan
     * runs meanwhile, in this process or another.
     *
     * @throws RollbackInProgressException if an unfinished rollback uses the point, or a capture,
     *     rollback or deletion of its plan is running
     */
    public void delete(String id) {
        delete(id, p -> { });
    }

    /**
     * Deletes a point, calling {@code first} (which removes its artifacts elsewhere) once it may be
     * deleted; holds the plan's lock meanwhile, so no capture or rollback of the plan runs.
     */
    @SuppressWarnings("try") // the lock is held for the body's duration, never referenced
    void delete(String id, java.util.function.Consumer<RestorePoint> first) {
        RestorePoint point = get(id);
        try (PlanLock lock = lock(point.plan(), id)) {
            deleteLocked(get(id), first);
        }
    }

    /** Takes the lock of {@code plan} for a deletion. */
    private PlanLock lock(String plan, String pointId) {
        return PlanLock.acquire(locks(), plan, new PlanLock.Owner(dev.rollback.internal.LocalMachine.pid(),
                dev.rollback.internal.LocalMachine.name(), "delete", pointId, clock.instant()));
    }

    /** Deletes a point with the plan's lock held by the caller. */
    private void deleteLocked(RestorePoint point, java.util.function.Consumer<RestorePoint> first) {
        String id = point.id();
        if (pointsInUse().contains(id)) {
            throw new RollbackInProgressException("restore point " + id + " of plan '" + point.plan()
                    + "': expected no rollback to use it, found an unfinished rollback that does; "
                    + "finish or abandon that rollback first (plan.resume(...))");
        }
        first.accept(point);
        Path dir = pointDir(id);
        Path doomed = points().resolve(".deleting-" + id);
        try {
            Files2.moveAtomically(dir, doomed);
            Files2.deleteTree(doomed);
        } catch (IOException e) {
            throw new StoreException("cannot delete restore point " + id + " in " + root + ": " + e.getMessage()
                    + "; check the folder's permissions", e);
        }
    }

    /**
     * Keeps the newest {@code keepLast} points of a plan and deletes the older ones, except the
     * newest point that is not marked bad (so a good point is always left) and any point an
     * unfinished rollback uses.
     *
     * <p>Artifacts a plan keeps on a remote host stay there, and so does what a target keeps outside
     * the store; the plan's own retention ({@link RollbackPlanBuilder#keepLast(int)}) removes all of it.
     *
     * <p>Holds the plan's lock while it deletes, like {@link #delete(String)}.
     *
     * @return the points deleted
     * @throws RollbackInProgressException if a capture, rollback or deletion of the plan is running
     */
    public List<RestorePoint> retain(String plan, int keepLast) {
        return retain(plan, keepLast, p -> { });
    }

    /**
     * {@link #retain(String, int)}, calling {@code first} for each point before it is deleted; holds
     * the plan's lock meanwhile.
     */
    @SuppressWarnings("try") // the lock is held for the body's duration, never referenced
    List<RestorePoint> retain(String plan, int keepLast, java.util.function.Consumer<RestorePoint> first) {
        requireKeep(plan, keepLast);
        try (PlanLock lock = lock(plan, null)) {
            return retainLocked(plan, keepLast, first);
        }
    }

    private static void requireKeep(String plan, int keepLast) {
        if (keepLast < 1) {
            throw new IllegalArgumentException("retention of plan '" + plan + "': expected keepLast >= 1, found "
                    + keepLast + "; keep at least the newest point");
        }
    }

    /** {@link #retain(String, int, java.util.function.Consumer)} with the plan's lock held by the caller. */
    List<RestorePoint> retainLocked(String plan, int keepLast, java.util.function.Consumer<RestorePoint> first) {
        requireKeep(plan, keepLast);
        List<RestorePoint> newestFirst = new ArrayList<>(list(plan));
        java.util.Collections.reverse(newestFirst);
        Set<String> keep = new HashSet<>(pointsInUse());
        newestFirst.stream().limit(keepLast).forEach(p -> keep.add(p.id()));
        latestGood(plan).ifPresent(p -> keep.add(p.id()));
        List<RestorePoint> deleted = new ArrayList<>();
        for (RestorePoint p : newestFirst) {
            if (!keep.contains(p.id())) {
                deleteLocked(p, first);
                deleted.add(p);
            }
        }
        if (!deleted.isEmpty()) {
            LOG.info("plan '{}': retention kept the newest {} points and deleted {}", plan, keepLast,
                    deleted.stream().map(RestorePoint::id).toList());
        }
        return deleted;
    }

    /**
     * Checks that every artifact of the point kept in this store is present with the size and
     * SHA-256 recorded at capture. Changes nothing. Artifacts kept on a remote host (a snapshot with
     * an {@link ArtifactLocation}) are checked there by the plan's preflight; only their local copy,
     * if the plan made one, is checked here.
     *
     * @return one problem per missing or changed artifact; empty when all are intact
     */
    public List<Problem> verify(RestorePoint point) {
        List<Problem> problems = new ArrayList<>();
        for (Snapshot s : point.snapshots()) {
            if (s.location() == null || s.location().storeCopy()) {
                problems.addAll(verifyLocal(point, s));
            }
        }
        return problems;
    }

    /** Checks the artifacts of one snapshot in this store's folder of the point. */
    List<Problem> verifyLocal(RestorePoint point, Snapshot s) {
        return verifyLocal(point, s, null);
    }

    /**
     * Checks the artifacts of one snapshot in this store's folder of the point; an artifact that the
     * rollback {@code consumedBy} consumed (one being resumed) is not a problem.
     */
    List<Problem> verifyLocal(RestorePoint point, Snapshot s, String consumedBy) {
        List<Problem> problems = new ArrayList<>();
        Path dir = artifactDir(point, s.target());
        problems.addAll(verifyTree(point, s, dir));
        for (Artifact a : s.artifacts()) {
            Path file = dir.resolve(a.path()).normalize();
            String where = "artifact " + a.path() + " of target '" + s.target() + "' in restore point " + point.id();
            if (!file.startsWith(dir)) {
                problems.add(Problem.of(s.target(), where + " inside " + dir, "a path that leaves it",
                        "the manifest was altered; do not use this restore point"));
            } else if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    && Files.isRegularFile(ArtifactPlace.consumedNote(file), LinkOption.NOFOLLOW_LINKS)) {
                String note;
                try {
                    note = Files.readString(ArtifactPlace.consumedNote(file)).strip();
                } catch (IOException e) {
                    note = "(the note " + ArtifactPlace.consumedNote(file) + " cannot be read: " + e + ")";
                }
                if (consumedBy != null && consumedBy.equals(ArtifactPlace.consumer(note))) {
                    continue;
                }
                problems.add(Problem.of(s.target(), where + " at " + file, "no such file: consumed: " + note,
                        "the point's copy became the live state; roll back to another restore point"));
            } else if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                problems.add(Problem.of(s.target(), where + " at " + file, "no such file",
                        "restore the store from a copy, or roll back to another restore point"));
            } else {
                try {
                    long size = Files.size(file);
                    String sha = size == a.size() ? Files2.sha256(file) : "(not computed)";
                    if (size != a.size() || !sha.equals(a.sha256())) {
                        problems.add(Problem.of(s.target(), where + " with " + a.size() + " bytes and sha256 "
                                + a.sha256(), size + " bytes and sha256 " + sha,
                                "the artifact is corrupted; roll back to another restore point"));
                    }
                } catch (IOException e) {
                    problems.add(Problem.of(s.target(), where + " readable", e.toString(),
                            "check the permissions of " + file));
                }
            }
        }
        return problems;
    }

    /**
     * Compares the target's folder in the point with the entries the capture recorded: type, mode,
     * link target, nothing added or removed. An artifact a rollback consumed, and its note, are
     * left to the checksum check.
     */
    private List<Problem> verifyTree(RestorePoint point, Snapshot s, Path dir) {
        if ((s.tree().isEmpty() && s.artifacts().isEmpty()) || s.location() != null) {
            return List.of(); // a copy of artifacts kept on a host: checked file by file, its tree is the host's
        }
        if (s.tree().isEmpty()) {
            return List.of(Problem.of(s.target(), "a record of every entry of its stored tree in restore point "
                    + point.id(), "none (the point was captured by an older version, or its record was removed)",
                    "the stored tree cannot be checked whole and may be corrupted; capture a new restore point"));
        }
        List<TreeEntry> found;
        try {
            found = dev.rollback.internal.StoredTree.walk(dir);
        } catch (IOException e) {
            return List.of(Problem.of(s.target(), "its stored tree " + dir + " readable", e.toString(),
                    "check the permissions of " + dir));
        }
        Set<String> consumed = new HashSet<>();
        Set<String> missing = new HashSet<>();
        for (Artifact a : s.artifacts()) {
            Path file = dir.resolve(a.path()).normalize();
            if (file.startsWith(dir) && Files.exists(ArtifactPlace.consumedNote(file), LinkOption.NOFOLLOW_LINKS)) {
                consumed.add(a.path());
            } else if (file.startsWith(dir) && !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                missing.add(a.path()); // a missing artifact is named by the checksum check
            }
        }
        // a consumed artifact, its note and what its target keeps beside it (<artifact>.replaced) are the
        // consuming rollback's: the checksum check says whether the point may still be used
        java.util.function.Predicate<String> ignored = path -> missing.contains(path) || consumed.stream()
                .anyMatch(c -> path.equals(c) || path.startsWith(c + "."));
        List<String> changes = dev.rollback.internal.StoredTree.changes(s.tree(), found, ignored);
        if (changes.isEmpty()) {
            return List.of();
        }
        return List.of(Problem.of(s.target(), "its stored tree " + dir + " in restore point " + point.id()
                + " as the capture recorded it", String.join("; ", changes), "the stored tree was changed or corrupted "
                + "after the capture; do not use this restore point: roll back to another one"));
    }

    /** Reports of the plan's finished rollbacks, oldest first: the plan's rollback history. */
    public List<RollbackReport> history(String plan) {
        Path dir = root.resolve("reports").resolve(plan);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<RollbackReport> out = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".json") && !f.getFileName().toString().startsWith(".")) {
                    out.add(RollbackReport.fromJson(Files.readString(f)));
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot read the rollback history of plan '" + plan + "' in " + dir, e);
        }
        out.sort(Comparator.comparing(RollbackReport::startedAt));
        return out;
    }

    // ---- used by the engine -------------------------------------------------------------------

    /** A point being written: its folder is renamed into place by {@link #commit}. */
    record Pending(String id, Path dir) {
        Path targetDir(String target) {
            return dir.resolve("artifacts").resolve(target);
        }
    }

    String newId() {
        return ID_TIME.format(clock.instant()) + "-" + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    }

    Pending begin(String plan, String id) {
        Path dir = points().resolve(PENDING + id);
        boolean fresh = !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
        try {
            Files2.createPrivateDirectories(root);
            Files2.createPrivateDirectories(points());
            Files2.createPrivateDirectories(dir.resolve("artifacts"));
            // names the plan, so that a later capture of the same plan can remove it if a crash left it
            Files2.writeAtomically(dir.resolve(PENDING_PLAN), plan.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    Files2.Sync.NONE);
        } catch (IOException e) {
            if (fresh) {
                // a folder without its plan note would never be cleaned up: remove what was made of it
                try {
                    Files2.deleteTree(dir);
                } catch (IOException again) {
                    e.addSuppressed(again);
                }
            }
            throw new StoreException("cannot create restore point " + id + " in " + root + ": " + e
                    + "; free space or check that the folder is writable", e);
        }
        return new Pending(id, dir);
    }

    /**
     * Removes the unfinished points of {@code plan} that no rollback uses: those a capture or a
     * set-aside left when its process died. Called with the plan's lock held, so no capture or
     * rollback of the plan is running; a point an interrupted rollback will resume (named in its
     * journal) is kept. Returns the ids removed.
     */
    List<String> removeAbandoned(String plan) {
        Path dir = points();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Set<String> inUse = pointsInUse();
        List<String> removed = new ArrayList<>();
        try (var entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                String id = name.substring(Math.min(PENDING.length(), name.length()));
                if (!name.startsWith(PENDING) || inUse.contains(id) || !plan.equals(pendingPlan(p))) {
                    continue;
                }
                Files2.deleteTree(p);
                removed.add(id);
                LOG.warn("plan '{}': removed the unfinished restore point {} that an interrupted capture or rollback "
                        + "left in {}", plan, id, dir);
            }
        } catch (IOException e) {
            LOG.warn("plan '{}': could not remove unfinished restore points in {}: {}", plan, dir, e.toString());
        }
        return removed;
    }

    private static String pendingPlan(Path pending) {
        try {
            return Files.readString(pending.resolve(PENDING_PLAN), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null; // not ours to judge: left alone
        }
    }

    Path targetDir(Pending pending, String target) {
        try {
            return Files2.createPrivateDirectories(pending.targetDir(target));
        } catch (IOException e) {
            throw new StoreException("cannot create the artifact folder of target '" + target + "' in "
                    + pending.dir(), e);
        }
    }

    RestorePoint commit(Pending pending, RestorePoint point) {
        writeManifest(pending.dir(), point);
        try {
            // the plan note stays: it tells which plan a point whose manifest is lost belonged to
            Files2.moveAtomically(pending.dir(), pointDir(point.id()));
            Files2.syncDirectory(points());
        } catch (IOException e) {
            throw new StoreException("cannot store restore point " + point.id() + " in " + root + ": "
                    + e.getMessage(), e);
        }
        return point;
    }

    void abort(Pending pending) {
        try {
            Files2.deleteTree(pending.dir());
        } catch (IOException e) {
            LOG.warn("could not remove the unfinished restore point {}: {}", pending.dir(), e.toString());
        }
    }

    /** A pending point left by an interrupted rollback, reopened to finish it. */
    Pending reopen(String plan, String id) {
        return begin(plan, id);
    }

    Path journals() {
        return root.resolve("journals");
    }

    Path locks() {
        return root.resolve("locks");
    }

    void saveReport(RollbackReport report) {
        Path file = root.resolve("reports").resolve(report.plan()).resolve(report.rollbackId() + ".json");
        try {
            Files2.createPrivateDirectories(file.getParent());
            // history: the content is forced; a power loss may at worst lose the folder entry of the newest report
            Files2.writeAtomically(file, report.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    Files2.Sync.FILE);
        } catch (IOException e) {
            throw new StoreException("cannot save the report of rollback " + report.rollbackId() + " in " + file, e);
        }
    }

    /** Ids of the points that unfinished or running rollbacks use. */
    Set<String> pointsInUse() {
        Set<String> ids = new HashSet<>();
        for (Journal j : Journal.all(journals())) {
            ids.add(j.pointId());
            if (j.asidePointId() != null) {
                ids.add(j.asidePointId());
            }
        }
        if (Files.isDirectory(locks())) {
            try (var files = Files.list(locks())) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".lock")) {
                        PlanLock.holder(locks(), name.substring(0, name.length() - ".lock".length()))
                                .filter(o -> o.pointId() != null && !"delete".equals(o.rollbackId()))
                                .ifPresent(o -> ids.add(o.pointId()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return ids;
    }

    private Path points() {
        return root.resolve("points");
    }

    private List<RestorePoint> all(String plan, List<String> damaged) {
        Path dir = points();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<RestorePoint> out = new ArrayList<>();
        try (var entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (p.getFileName().toString().startsWith(".")) {
                    continue;
                }
                Path manifest = p.resolve(MANIFEST);
                try {
                    out.add(readManifest(manifest));
                } catch (RollbackException e) {
                    if (plan.equals(pendingPlan(p))) {
                        damaged.add(e.getMessage());
                    } else {
                        LOG.warn("skipping restore point {} of another or no known plan: {}", p.getFileName(),
                                e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list restore points in " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    private RestorePoint readManifest(Path manifest) {
        try {
            return Manifest.read(manifest, Files.readAllBytes(manifest));
        } catch (NoSuchFileException e) {
            throw new StoreException("restore point folder " + manifest.getParent() + ": expected a " + MANIFEST
                    + ", found none; restore it from a copy, or delete the folder: it is not a complete restore point", e);
        } catch (IOException e) {
            throw new StoreException("cannot read " + manifest + ": " + e + "; check its permissions", e);
        }
    }

    private void writeManifest(Path dir, RestorePoint point) {
        try {
            Files2.writeAtomically(dir.resolve(MANIFEST), Manifest.bytes(point));
        } catch (IOException e) {
            throw new StoreException("cannot write the manifest of restore point " + point.id() + " in " + dir
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "RestorePointStore[" + root + "]";
    }
}
