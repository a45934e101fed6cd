package dev.rollback;

import dev.rollback.store.RollbackInProgressException;

import dev.rollback.store.StoreException;

import dev.rollback.error.RollbackException;
import dev.rollback.internal.Logs;
import dev.rollback.internal.engine.PointFiles;
import dev.rollback.internal.engine.SharedRecords;
import dev.rollback.store.StoreBackend;
import dev.rollback.internal.engine.StoreCheck;
import dev.rollback.internal.engine.StoreWriter;
import dev.rollback.spi.ArtifactLocation;
import dev.rollback.spi.Names;
import dev.rollback.spi.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.Optional;
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
 *   reports/&lt;plan&gt;/watches/&lt;watch&gt;.json
 *   reports/&lt;plan&gt;/drills/&lt;drill&gt;.json
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

    /** Newest first: the later start first; for the same start, the later end first, then by id. */
    private static final Comparator<Report> NEWEST_FIRST = Comparator.comparing(Report::startedAt)
            .thenComparing(Report::finishedAt).thenComparing(Report::id).reversed();
    private final Path root;
    private final Clock clock;
    /** The records shared with the team, or null for a store of this machine only. */
    private final SharedRecords shared;
    /** The write side, which the engine uses and {@link #delete} and {@link #retain} go through. */
    final StoreWriter writer;

    private RestorePointStore(Path root, Clock clock, StoreBackend records) {
        this.root = root.toAbsolutePath().normalize();
        this.clock = clock;
        this.shared = records == null ? null : new SharedRecords(records, this.root, clock);
        this.writer = new StoreWriter(this, clock, shared);
    }

    /** A store in the given folder, created on first write. */
    public static RestorePointStore at(Path root) {
        return at(root, Clock.systemUTC());
    }

    /** A store in the given folder whose marks and ids take their time from {@code clock}. */
    public static RestorePointStore at(Path root, Clock clock) {
        java.util.Objects.requireNonNull(root, "root");
        java.util.Objects.requireNonNull(clock, "clock");
        return new RestorePointStore(root, clock, null);
    }

    /**
     * This store with its records shared with the team: the manifests of the points, the journal of an unfinished
     * rollback, the reports, the history and each plan's lock are also kept in {@code records} (a folder on a server
     * reached over SSH, {@link StoreBackend#onHost}, or PostgreSQL, {@code dev.rollback.db.PostgresStore}), which
     * every operator's and CI runner's store shares. A point captured on one machine is then listed, rolled back and
     * resumed on another, and two machines never roll one plan back at once. This folder keeps the artifacts a plan
     * writes here and a copy of every record; share points whose artifacts stay on the plan's host ({@code
     * .on(host)}), since another machine cannot reach this one's folder.
     *
     * <pre>{@code
     * RestorePointStore store = RestorePointStore.at(Path.of("/var/lib/rollback"))
     *         .sharedWith(StoreBackend.onHost(deployHost, Path.of("/var/lib/rollback/records")));
     * }</pre>
     *
     * @param records the team's records
     * @return a new store over the same folder
     */
    public RestorePointStore sharedWith(StoreBackend records) {
        java.util.Objects.requireNonNull(records, "records");
        return new RestorePointStore(root, clock, records);
    }

    /** The records this store shares with the team, if it shares them. */
    public Optional<StoreBackend> sharedRecords() {
        return shared == null ? Optional.empty() : Optional.of(shared.backend());
    }

    /**
     * The plan's history as every operator sees it, oldest first: captures, rollbacks, undos, resumes, points marked
     * bad or deleted, locks broken, with who and when. Kept in the shared records, or in this folder when the store
     * is not shared.
     */
    public List<HistoryEntry> activity(String plan) {
        Names.requireName(plan, "plan name");
        return writer.activity().history(plan);
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
        if (shared != null) {
            shared.pull();
        }
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
        Path manifest = pointDir(id).resolve(PointFiles.MANIFEST);
        if (shared != null && !Files.isDirectory(pointDir(id), LinkOption.NOFOLLOW_LINKS)) {
            shared.pull();
        }
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
        PointFiles.write(pointDir(id), marked);
        if (shared != null) {
            shared.pushPoint(id);
        }
        writer.activity().record(marked.plan(), "mark-bad", id, null, by + ": " + reason);
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

    /** Deletes a point, calling {@code first} (which removes its artifacts elsewhere) once it may be deleted. */
    void delete(String id, java.util.function.Consumer<RestorePoint> first) {
        writer.delete(id, first);
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
    List<RestorePoint> retain(String plan, int keepLast, java.util.function.Consumer<RestorePoint> first) {
        return writer.retain(plan, keepLast, first);
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
        return StoreCheck.verify(this, point);
    }

    /**
     * The plan's history of reports, newest first: its rollbacks and undoes, its watches ({@link Watchdog}) and its
     * drills ({@link Drill}), each with its outcome and time to recover. In a store {@link #sharedWith shared} with the
     * team it holds every machine's reports (the shared reports this machine lacks are copied into its folder first).
     */
    public List<Report> history(String plan) {
        Path dir = pulledReports(plan);
        List<Report> out = new ArrayList<>(readReports(plan, dir, RollbackReport::fromJson));
        out.addAll(readReports(plan, dir.resolve(StoreWriter.WATCHES), WatchReport::fromJson));
        out.addAll(readReports(plan, dir.resolve(StoreWriter.DRILLS), DrillReport::fromJson));
        out.sort(NEWEST_FIRST);
        return List.copyOf(out);
    }

    /**
     * Deletes the plan's reports ({@link #history}) that finished before {@code before}, and returns them, newest
     * first. The newest rollback's report is kept whatever its age: it says where the plan stands (a fleet's {@code
     * resume} reads it). In a store {@link #sharedWith shared} with the team the reports leave the team's records
     * too, so a machine that reads the history later does not see them; a machine that has already read them keeps
     * its own copies until it prunes its history in turn. The restore points and the log of who did what ({@link
     * #activity}) are not touched: points go with {@link #retain}.
     *
     * @throws StoreException if a report cannot be deleted; the ones before it in the list are gone
     */
    public List<Report> pruneHistory(String plan, Instant before) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(before, "before");
        return writer.pruneHistory(plan, before);
    }

    /**
     * The reports of the plan's finished rollbacks and undoes, newest first: the rollbacks of {@link #history}. In a
     * store {@link #sharedWith shared} with the team it holds every machine's rollbacks.
     */
    public List<RollbackReport> rollbacks(String plan) {
        List<RollbackReport> out = new ArrayList<>(readReports(plan, pulledReports(plan), RollbackReport::fromJson));
        out.sort(NEWEST_FIRST);
        return List.copyOf(out);
    }

    /** The plan's local report folder, with the shared reports it lacks copied in first. */
    private Path pulledReports(String plan) {
        Path dir = root.resolve("reports").resolve(plan);
        if (shared != null) {
            shared.pullReports(plan, dir);
        }
        return dir;
    }

    /** The reports in one folder (not below it), as {@code read} reads them. */
    private static <R extends Report> List<R> readReports(String plan, Path dir, Function<String, R> read) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<R> out = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".json") && !name.startsWith(".") && Files.isRegularFile(f)) {
                    try {
                        out.add(read.apply(Files.readString(f)));
                    } catch (RuntimeException e) {
                        throw new StoreException("plan '" + plan + "': expected a report in " + f + ", found one "
                                + "that cannot be read (" + e.getMessage() + "); move it out of " + dir
                                + " to read the rest of the history", e);
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot read the history of plan '" + plan + "' in " + dir, e);
        }
        return out;
    }

    private Path points() {
        return PointFiles.points(this);
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
                Path manifest = p.resolve(PointFiles.MANIFEST);
                try {
                    out.add(readManifest(manifest));
                } catch (RollbackException e) {
                    if (plan.equals(PointFiles.pendingPlan(p))) {
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
        return PointFiles.read(manifest);
    }

    @Override
    public String toString() {
        return "RestorePointStore[" + root + "]";
    }
}
