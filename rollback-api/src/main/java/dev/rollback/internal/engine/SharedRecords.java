package dev.rollback.internal.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.rollback.HistoryEntry;
import dev.rollback.RestorePoint;
import dev.rollback.internal.Files2;
import dev.rollback.internal.LocalMachine;
import dev.rollback.internal.Logs;
import dev.rollback.store.LockOwner;
import dev.rollback.store.StoreBackend;
import dev.rollback.store.StoreException;
import dev.rollback.store.StoreLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;

/**
 * The records of a store that a team shares ({@link StoreBackend}), beside the local folder that keeps the
 * artifacts and a copy of every record: the manifests of the points, the journal of an unfinished rollback, the
 * reports, the history and the plan's lock. The shared records are the truth: a point or journal found there is
 * copied into the local folder before it is read, so a rollback captured on one machine is listed, rolled back
 * and resumed on another; every record written here is written there too, after the local copy.
 *
 * <p>Thread-safe as its backend is.
 */
public final class SharedRecords {

    private static final Logger LOG = Logs.of(SharedRecords.class);

    /** The format of the shared records this library writes and reads. */
    public static final int FORMAT = 1;

    private static final DateTimeFormatter ENTRY_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final TypeReference<Map<String, String>> FIELDS = new TypeReference<>() {};

    private final StoreBackend records;
    private final Path root;
    private final Clock clock;
    private volatile boolean formatChecked;
    /** Whether these are the history of a store of this machine only, in its own folder. */
    private boolean localFolder;

    /**
     * The shared records of the store in {@code root}.
     *
     * @param records where the team's records are
     * @param root the local store's folder
     * @param clock the store's clock
     */
    public SharedRecords(StoreBackend records, Path root, Clock clock) {
        this.records = records;
        this.root = root;
        this.clock = clock;
    }

    /** The history of a store of this machine only: kept in its own folder, {@code history/}. */
    static SharedRecords localHistory(Path root, Clock clock) {
        SharedRecords r = new SharedRecords(StoreBackend.onHost(dev.rollback.host.Hosts.local(), root), root, clock);
        r.formatChecked = true; // the local folder's format is its manifests'
        r.localFolder = true;
        return r;
    }

    /** The backend. */
    public StoreBackend backend() {
        return records;
    }

    /** Refuses records of a newer format than this library reads; marks new records with this format. */
    void requireFormat() {
        if (formatChecked) {
            return;
        }
        Optional<byte[]> f = records.read("format.json");
        if (f.isEmpty()) {
            records.write("format.json", Json.bytes(Map.of("format", Integer.toString(FORMAT))));
        } else {
            String found;
            try {
                found = Json.mapper().readValue(f.get(), FIELDS).get("format");
            } catch (IOException | RuntimeException e) {
                found = new String(f.get(), java.nio.charset.StandardCharsets.UTF_8);
            }
            if (!Integer.toString(FORMAT).equals(found)) {
                throw new StoreException("store " + records.describe() + ": expected records of format " + FORMAT
                        + ", found format " + found + " in format.json; nothing was read or changed; this library "
                        + "reads format " + FORMAT + " only: upgrade the library (every operator of the plan uses "
                        + "the same or a newer version)", null);
            }
        }
        formatChecked = true;
    }

    // ---- points -------------------------------------------------------------------------------------

    private static String manifestKey(String id) {
        return "points/" + id + "/" + PointFiles.MANIFEST;
    }

    /** Copies the local manifest of point {@code id} to the shared records. */
    public void pushPoint(String id) {
        requireFormat();
        Path manifest = root.resolve("points").resolve(id).resolve(PointFiles.MANIFEST);
        try {
            records.write(manifestKey(id), Files.readAllBytes(manifest));
        } catch (IOException e) {
            throw new StoreException("cannot read " + manifest + " to share it in " + records.describe() + ": " + e, e);
        }
    }

    /** Removes point {@code id} from the shared records. */
    public void dropPoint(String id) {
        requireFormat();
        records.delete(manifestKey(id));
    }

    /**
     * Copies into the local folder every shared manifest it lacks or holds differently; a point only here (made
     * before the store was shared) stays.
     */
    public void pull() {
        requireFormat();
        // every manifest in one call (one query for PostgreSQL): a point is compared whole, its bad mark included
        for (Map.Entry<String, byte[]> document : records.readAll("points").entrySet()) {
            String key = document.getKey();
            String[] parts = key.split("/");
            if (parts.length != 3 || !parts[2].equals(PointFiles.MANIFEST)) {
                continue;
            }
            Path dir = root.resolve("points").resolve(parts[1]);
            Path local = dir.resolve(PointFiles.MANIFEST);
            byte[] shared = document.getValue();
            try {
                if (Files.exists(local) && Arrays.equals(Files.readAllBytes(local), shared)) {
                    continue;
                }
                Manifest.read(local, shared); // checked before it is kept: a damaged record is refused here
                Files2.createPrivateDirectories(dir);
                Files2.writeAtomically(local, shared);
            } catch (IOException e) {
                throw new StoreException("cannot copy restore point " + parts[1] + " from " + records.describe()
                        + " into " + dir + ": " + e, e);
            }
        }
    }

    // ---- journals -----------------------------------------------------------------------------------

    private static String journalKey(String plan) {
        return "journals/" + plan + ".json";
    }

    /** Copies the plan's local journal to the shared records. */
    void pushJournal(Path journalDir, String plan) {
        requireFormat();
        Path file = Journal.file(journalDir, plan);
        try {
            records.write(journalKey(plan), Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            records.delete(journalKey(plan));
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + " to share it in " + records.describe() + ": " + e, e);
        }
    }

    /** Removes the plan's journal from the shared records. */
    void dropJournal(String plan) {
        requireFormat();
        records.delete(journalKey(plan));
    }

    /** Makes the local journal of the plan the shared one: copied here if shared, removed here if not. */
    void pullJournal(Path journalDir, String plan) {
        requireFormat();
        Optional<byte[]> shared = records.read(journalKey(plan));
        Path file = Journal.file(journalDir, plan);
        try {
            if (shared.isPresent()) {
                Files2.createPrivateDirectories(journalDir);
                Files2.writeAtomically(file, shared.get(), Files2.Sync.FILE);
            } else if (Files.exists(file)) {
                LOG.warn("plan '{}': the journal {} is not in the shared records {}; it was finished or given up "
                        + "elsewhere, or written before the store was shared: resuming it here", plan, file,
                        records.describe());
            }
        } catch (IOException e) {
            throw new StoreException("cannot copy the journal of plan '" + plan + "' from " + records.describe()
                    + " into " + journalDir + ": " + e, e);
        }
    }

    // ---- reports and history ------------------------------------------------------------------------

    /** Shares a report; {@code name} is its path under {@code reports/<plan>/}. */
    void pushReport(String plan, String name, byte[] json) {
        requireFormat();
        records.write("reports/" + plan + "/" + name, json);
    }

    /** Removes a shared report; {@code name} is its path under {@code reports/<plan>/}. */
    void dropReport(String plan, String name) {
        requireFormat();
        records.delete("reports/" + plan + "/" + name);
    }

    /**
     * Copies the plan's shared reports that {@code dir} (the store's local report folder) lacks into it, each at the
     * same path under it (a watch's and a drill's in their folders), so that the history read from any machine holds
     * every machine's rollbacks, watches and drills. A report never changes once written, so a copy already there is
     * not read again.
     */
    public void pullReports(String plan, Path dir) {
        requireFormat();
        String prefix = "reports/" + plan + "/";
        for (String key : records.list("reports/" + plan)) {
            String name = key.substring(key.lastIndexOf('/') + 1);
            if (!key.startsWith(prefix) || !name.endsWith(".json") || name.startsWith(".")) {
                continue;
            }
            Path local = dir.resolve(key.substring(prefix.length())).normalize();
            if (!local.startsWith(dir) || Files.exists(local)) {
                continue;
            }
            Optional<byte[]> bytes = records.read(key);
            if (bytes.isEmpty()) {
                continue; // removed meanwhile
            }
            try {
                Files2.createPrivateDirectories(local.getParent());
                // a copy: the shared records keep the original, so losing it to a power cut costs one read
                Files2.writeAtomically(local, bytes.get(), Files2.Sync.NONE);
            } catch (IOException e) {
                throw new StoreException("cannot copy the report " + key + " of plan '" + plan + "' from "
                        + records.describe() + " into " + dir + ": " + e, e);
            }
        }
    }

    /** Who this process is, as history names it. */
    static String me() {
        return System.getProperty("user.name", "unknown") + "@" + LocalMachine.name() + " (pid " + LocalMachine.pid()
                + ")";
    }

    /** Appends an entry to the plan's history: one record per entry, never rewritten. */
    public void record(String plan, String what, String pointId, String rollbackId, String detail) {
        requireFormat();
        Instant at = clock.instant();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("at", at.toString());
        m.put("who", me());
        m.put("what", what);
        if (pointId != null) {
            m.put("point", pointId);
        }
        if (rollbackId != null) {
            m.put("rollback", rollbackId);
        }
        m.put("detail", detail == null ? "" : detail);
        String key = "history/" + plan + "/" + ENTRY_TIME.format(at) + "-" + UUID.randomUUID().toString()
                .substring(0, 8) + ".json";
        if (!localFolder) {
            records.write(key, Json.bytes(m));
            return;
        }
        // the history of this machine's store, as its reports: the content is forced, the folder entry is not, so a
        // power loss may at worst lose the newest entry's name; the journal, not the history, resumes a rollback
        Path file = root.resolve(key);
        try {
            Files2.createPrivateDirectories(file.getParent());
            Files2.writeAtomically(file, Json.bytes(m), Files2.Sync.FILE);
        } catch (IOException e) {
            throw new StoreException("store folder " + root + ": expected to write the history entry " + file
                    + ", found " + e + "; nothing was changed there; free space or fix the permissions of " + root
                    + ", then try again", e);
        }
    }

    /** The plan's history, oldest first. */
    public List<HistoryEntry> history(String plan) {
        requireFormat();
        List<HistoryEntry> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> entry : records.readAll("history/" + plan).entrySet()) {
            String key = entry.getKey();
            try {
                Map<String, String> m = Json.mapper().readValue(entry.getValue(), FIELDS);
                out.add(new HistoryEntry(Instant.parse(m.get("at")), m.get("who"), m.get("what"), m.get("point"),
                        m.get("rollback"), m.get("detail")));
            } catch (IOException | RuntimeException e) {
                throw new StoreException("plan '" + plan + "': expected the history entry " + key + " in "
                        + records.describe() + " to be readable, found " + e.getMessage() + "; remove it", e);
            }
        }
        out.sort(java.util.Comparator.comparing(HistoryEntry::at));
        return out;
    }

    // ---- the lock -----------------------------------------------------------------------------------

    /** Takes the plan's shared lock for {@code doing}. */
    StoreLock lock(String plan, String doing) {
        requireFormat();
        return records.lock(plan, LockOwner.me(doing, clock));
    }
}
