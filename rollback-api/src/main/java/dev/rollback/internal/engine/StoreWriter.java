package dev.rollback.internal.engine;

import dev.rollback.RestorePoint;
import dev.rollback.RestorePointStore;
import dev.rollback.error.RollbackException;
import dev.rollback.store.RollbackInProgressException;
import dev.rollback.DrillReport;
import dev.rollback.Report;
import dev.rollback.WatchReport;
import dev.rollback.store.StoreException;
import dev.rollback.store.StoreLock;
import dev.rollback.internal.Files2;
import dev.rollback.internal.LocalMachine;
import dev.rollback.internal.Logs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The write side of a {@link RestorePointStore}: new ids, points written under a temporary name and renamed into
 * place ({@link Pending}), the journals and locks folders, reports, and the deletion of points with the plan's
 * lock held. The store's own {@code delete} and {@code retain} come here.
 *
 * <p>Thread-safe: every change is a single atomic rename, so several threads and processes may share a store.
 */
public final class StoreWriter {

    private static final Logger LOG = Logs.of(RestorePointStore.class);

    /** The folder of a plan's watch reports under {@code reports/<plan>/}. */
    public static final String WATCHES = "watches";

    /** The folder of a plan's drill reports under {@code reports/<plan>/}. */
    public static final String DRILLS = "drills";
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    private final RestorePointStore store;
    private final Clock clock;
    private final SharedRecords shared;
    private final SharedRecords activity;

    /**
     * The write side of {@code store}, whose ids and lock times come from {@code clock}.
     *
     * @param shared the records shared with the team, or null
     */
    public StoreWriter(RestorePointStore store, Clock clock, SharedRecords shared) {
        this.store = store;
        this.clock = clock;
        this.shared = shared;
        this.activity = shared != null ? shared : SharedRecords.localHistory(store.root(), clock);
    }

    /** Where the plan's history is written: the shared records, or the store's folder. */
    public SharedRecords activity() {
        return activity;
    }

    /** The plan's lock: the OS lock of this folder and, in a shared store, the team's lock, held together. */
    public final class Held implements AutoCloseable {
        private final PlanLock local;
        private final StoreLock team;

        private Held(PlanLock local, StoreLock team) {
            this.local = local;
            this.team = team;
        }

        /** Gives both back, the team's first. */
        @Override
        public void close() {
            try {
                if (team != null) {
                    team.close();
                }
            } finally {
                local.close();
            }
        }
    }

    /** Takes the plan's lock for a rollback ({@code rollbackId} to {@code pointId}), a capture or a deletion. */
    Held lock(String plan, String rollbackId, String pointId, java.time.Instant since) {
        if (shared != null) {
            shared.requireFormat(); // records this library cannot read change nothing, not even a lock file here
        }
        PlanLock local = PlanLock.acquire(locks(), plan, new PlanLock.Owner(LocalMachine.pid(), LocalMachine.name(),
                rollbackId, pointId, since));
        if (shared == null) {
            return new Held(local, null);
        }
        try {
            String doing = "capture".equals(rollbackId) ? "capture"
                    : "delete".equals(rollbackId) ? "deletion of restore points" + (pointId == null ? "" : " from " + pointId)
                    : "rollback " + rollbackId + " to " + pointId;
            return new Held(local, shared.lock(plan, doing));
        } catch (RuntimeException e) {
            local.close();
            throw e;
        }
    }

    /**
     * Takes the plan's lock away from a holder that cannot give it back, and records it in the history.
     *
     * @return the holder removed, or empty if the lock was free
     * @throws RollbackInProgressException if the holder is a live process on this machine (stop it instead)
     */
    public Optional<dev.rollback.store.LockOwner> breakLock(String plan, String why) {
        dev.rollback.store.StoreRules.requireReason(why, plan, shared == null ? store.root().toString()
                : shared.backend().describe());
        Optional<PlanLock.Owner> here = PlanLock.holder(locks(), plan);
        if (here.isPresent()) {
            PlanLock.Owner o = here.get();
            throw new RollbackInProgressException("lock of plan '" + plan + "': expected a holder that is gone, found "
                    + "it held by process " + o.pid() + " on " + o.host() + " (" + o.rollbackId() + ", since "
                    + o.since() + "), alive on this machine; stop that process (the lock is freed when it ends), a "
                    + "lock here is never stale");
        }
        if (shared == null) {
            return Optional.empty();
        }
        Optional<dev.rollback.store.LockOwner> removed = shared.backend().breakLock(plan,
                dev.rollback.store.LockOwner.me("break the lock", clock), why);
        removed.ifPresent(h -> activity.record(plan, "break-lock", null, null, "took the lock from " + h.describe()
                + ": " + why));
        return removed;
    }

    /** What the shared journal of each plan last said: its rollback, status, resume count, phase and set-aside. */
    private final java.util.Map<String, String> sharedJournal = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Writes the journal here, durably, after every step, and in a shared store there once per phase: when the
     * rollback starts, enters a new phase, changes status, is resumed, or writes its first record after the commit
     * of its set-aside (the commit itself is shared when it is made, {@link #commit}). A machine that dies
     * mid-phase leaves the team a journal from the start of that phase, so a resume elsewhere repeats that phase's
     * finished steps (steps are repeatable: a resume after a power loss does the same), and a rollback costs the
     * shared store a few writes per phase, not one per target.
     */
    void writeJournal(Journal journal) {
        journal.write(journals());
        if (shared != null) {
            String phase = journal.steps().isEmpty() ? "-"
                    : journal.steps().get(journal.steps().size() - 1).phase().name();
            String key = journal.rollbackId() + " " + journal.status() + " " + journal.resumed() + " " + phase + " "
                    + journal.asidePointId() + " " + journal.asideCommitted();
            if (!key.equals(sharedJournal.put(journal.plan(), key))) {
                shared.pushJournal(journals(), journal.plan());
            }
        }
    }


    /** The plan's journal, read from the shared records in a shared store. */
    Optional<Journal> readJournal(String plan) {
        if (shared != null) {
            shared.pullJournal(journals(), plan);
        }
        return Journal.read(journals(), plan);
    }

    /** Removes the plan's journal here and there. */
    void deleteJournal(String plan) {
        Journal.delete(journals(), plan);
        if (shared != null) {
            sharedJournal.remove(plan);
            shared.dropJournal(plan);
        }
    }

    /** A point being written: its folder is renamed into place by {@link #commit}. */
    public record Pending(String id, Path dir) {
        Path targetDir(String target) {
            return dir.resolve("artifacts").resolve(target);
        }
    }

    /** A new id, unique in practice: the time to the millisecond and 24 random bits. */
    public String newId() {
        return ID_TIME.format(clock.instant()) + "-" + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    }

    Pending begin(String plan, String id) {
        Path dir = points().resolve(PointFiles.PENDING + id);
        boolean fresh = !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
        try {
            Files2.createPrivateDirectories(store.root());
            Files2.createPrivateDirectories(points());
            Files2.createPrivateDirectories(dir.resolve("artifacts"));
            // names the plan, so that a later capture of the same plan can remove it if a crash left it
            Files2.writeAtomically(dir.resolve(PointFiles.PENDING_PLAN),
                    plan.getBytes(java.nio.charset.StandardCharsets.UTF_8), Files2.Sync.NONE);
        } catch (IOException e) {
            if (fresh) {
                // a folder without its plan note would never be cleaned up: remove what was made of it
                try {
                    Files2.deleteTree(dir);
                } catch (IOException again) {
                    e.addSuppressed(again);
                }
            }
            throw new StoreException("cannot create restore point " + id + " in " + store.root() + ": " + e
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
                String id = name.substring(Math.min(PointFiles.PENDING.length(), name.length()));
                if (!name.startsWith(PointFiles.PENDING) || inUse.contains(id) || !plan.equals(PointFiles.pendingPlan(p))) {
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

    Path targetDir(Pending pending, String target) {
        try {
            return Files2.createPrivateDirectories(pending.targetDir(target));
        } catch (IOException e) {
            throw new StoreException("cannot create the artifact folder of target '" + target + "' in "
                    + pending.dir(), e);
        }
    }

    RestorePoint commit(Pending pending, RestorePoint point) {
        PointFiles.write(pending.dir(), point);
        try {
            // the plan note stays: it tells which plan a point whose manifest is lost belonged to
            Files2.moveAtomically(pending.dir(), store.pointDir(point.id()));
            Files2.syncDirectory(points());
        } catch (IOException e) {
            throw new StoreException("cannot store restore point " + point.id() + " in " + store.root() + ": "
                    + e.getMessage(), e);
        }
        if (shared != null) {
            try {
                shared.pushPoint(point.id());
            } catch (RuntimeException e) {
                // a point the team cannot see is not kept here either: the capture fails whole
                try {
                    Files2.deleteTree(store.pointDir(point.id()));
                } catch (IOException again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
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

    /** Whether the folder of the pending point {@code id} exists. */
    boolean pendingExists(String id) {
        return Files.isDirectory(points().resolve(PointFiles.PENDING + id), LinkOption.NOFOLLOW_LINKS);
    }

    /** A pending point left by an interrupted rollback, reopened to finish it. */
    Pending reopen(String plan, String id) {
        return begin(plan, id);
    }

    Path journals() {
        return store.root().resolve("journals");
    }

    Path locks() {
        return store.root().resolve("locks");
    }

    /**
     * Saves a report in the plan's history: a rollback's in {@code reports/<plan>/<id>.json}, a watch's in {@code
     * reports/<plan>/watches/}, a drill's in {@code reports/<plan>/drills/}; and in the shared records if the store is
     * shared.
     */
    private void saveReport(Report report) {
        String name = StoreWriter.reportName(report);
        Path file = reports(report.plan()).resolve(name);
        byte[] json = report.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            Files2.createPrivateDirectories(file.getParent());
            // history: the content is forced; a power loss may at worst lose the folder entry of the newest report
            Files2.writeAtomically(file, json, Files2.Sync.FILE);
        } catch (IOException e) {
            throw new StoreException("cannot save the report of " + report.kind() + " " + report.id() + " in " + file,
                    e);
        }
        if (shared != null) {
            shared.pushReport(report.plan(), name, json);
        }
    }

    /**
     * Saves a report of an operation that is over (a rollback, a watch, a drill) in the plan's history; if the store
     * cannot keep it, says so in the log instead of throwing: the report is still returned to the caller.
     */
    public void keepReport(Report report, dev.rollback.internal.Redactor redactor) {
        try {
            saveReport(report);
        } catch (RollbackException e) {
            LOG.error("plan '{}': the report of {} {} could not be saved in the history: {}", report.plan(),
                    report.kind(), report.id(), redactor.redact(e.getMessage()));
        }
    }

    /**
     * Deletes the plan's reports that finished before {@code before}, newest first, from the team's records first
     * (so no other machine copies them again) and then from this store's folder; the newest rollback's report is
     * kept whatever its age (a fleet's resume reads it to know which hosts are done). Takes no lock: a report never
     * changes once written, so deleting one twice, or while another is written, loses nothing else.
     *
     * @return the reports deleted, newest first
     */
    public List<Report> pruneHistory(String plan, java.time.Instant before) {
        List<Report> history = store.history(plan);
        Report newestRollback = history.stream().filter(r -> r instanceof dev.rollback.RollbackReport).findFirst()
                .orElse(null);
        Path dir = reports(plan);
        List<Report> pruned = new ArrayList<>();
        for (Report r : history) {
            if (r == newestRollback || !r.finishedAt().isBefore(before)) {
                continue;
            }
            String name = reportName(r);
            if (shared != null) {
                shared.dropReport(plan, name);
            }
            try {
                Files.deleteIfExists(dir.resolve(name));
            } catch (IOException e) {
                throw new StoreException("plan '" + plan + "': expected to delete the report " + dir.resolve(name)
                        + " of " + r.kind() + " " + r.id() + ", found " + e + "; check the folder's permissions, then "
                        + "prune again (" + pruned.size() + " older report(s) were deleted before it)", e);
            }
            pruned.add(r);
        }
        if (!pruned.isEmpty()) {
            LOG.info("plan '{}': deleted {} report(s) of the history that finished before {}", plan, pruned.size(),
                    before);
        }
        return List.copyOf(pruned);
    }

    /** The plan's report folder in this store, {@code reports/<plan>/}. */
    private Path reports(String plan) {
        return store.root().resolve("reports").resolve(plan);
    }

    /** Where a report lies under {@code reports/<plan>/}: its file name, in a folder of its kind but a rollback's. */
    static String reportName(Report report) {
        String file = report.id() + ".json";
        if (report instanceof WatchReport) {
            return WATCHES + "/" + file;
        }
        if (report instanceof DrillReport) {
            return DRILLS + "/" + file;
        }
        return file;
    }

    // ---- deleting ----------------------------------------------------------------------------------

    /**
     * Deletes a point, calling {@code first} (which removes its artifacts elsewhere) once it may be
     * deleted; holds the plan's lock meanwhile, so no capture or rollback of the plan runs.
     *
     * @throws RollbackInProgressException if an unfinished rollback uses the point, or a capture,
     *     rollback or deletion of its plan is running
     */
    @SuppressWarnings("try") // the lock is held for the body's duration, never referenced
    public void delete(String id, Consumer<RestorePoint> first) {
        RestorePoint point = store.get(id);
        try (Held lock = lock(point.plan(), id)) {
            deleteLocked(store.get(id), first);
        }
    }

    /**
     * Keeps the newest {@code keepLast} points of a plan, calling {@code first} for each point before it is
     * deleted; holds the plan's lock meanwhile.
     *
     * @return the points deleted
     */
    @SuppressWarnings("try") // the lock is held for the body's duration, never referenced
    public List<RestorePoint> retain(String plan, int keepLast, Consumer<RestorePoint> first) {
        requireKeep(plan, keepLast);
        try (Held lock = lock(plan, null)) {
            return retainLocked(plan, keepLast, first);
        }
    }

    /** Takes the lock of {@code plan} for a deletion. */
    private Held lock(String plan, String pointId) {
        return lock(plan, "delete", pointId, clock.instant());
    }

    private static void requireKeep(String plan, int keepLast) {
        if (keepLast < 1) {
            throw new IllegalArgumentException("retention of plan '" + plan + "': expected keepLast >= 1, found "
                    + keepLast + "; keep at least the newest point");
        }
    }

    /** {@link #retain} with the plan's lock held by the caller. */
    List<RestorePoint> retainLocked(String plan, int keepLast, Consumer<RestorePoint> first) {
        requireKeep(plan, keepLast);
        List<RestorePoint> newestFirst = new ArrayList<>(store.list(plan));
        Collections.reverse(newestFirst);
        Set<String> keep = new HashSet<>(pointsInUse());
        newestFirst.stream().limit(keepLast).forEach(p -> keep.add(p.id()));
        store.latestGood(plan).ifPresent(p -> keep.add(p.id()));
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

    /** Deletes a point with the plan's lock held by the caller. */
    private void deleteLocked(RestorePoint point, Consumer<RestorePoint> first) {
        String id = point.id();
        if (pointsInUse().contains(id)) {
            throw new RollbackInProgressException("restore point " + id + " of plan '" + point.plan()
                    + "': expected no rollback to use it, found an unfinished rollback that does; "
                    + "finish or abandon that rollback first (plan.resume(...))");
        }
        first.accept(point);
        if (shared != null) {
            shared.dropPoint(id); // gone for the team first: no other machine starts to use it meanwhile
        }
        Path dir = store.pointDir(id);
        Path doomed = points().resolve(".deleting-" + id);
        try {
            Files2.moveAtomically(dir, doomed);
            Files2.deleteTree(doomed);
        } catch (IOException e) {
            throw new StoreException("cannot delete restore point " + id + " in " + store.root() + ": " + e.getMessage()
                    + "; check the folder's permissions", e);
        }
        activity.record(point.plan(), "delete", id, null, "'" + point.label() + "'");
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
        return PointFiles.points(store);
    }
}
