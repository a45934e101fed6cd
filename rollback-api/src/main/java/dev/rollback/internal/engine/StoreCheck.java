package dev.rollback.internal.engine;

import dev.rollback.RestorePoint;
import dev.rollback.RestorePointStore;
import dev.rollback.internal.Files2;
import dev.rollback.spi.Artifact;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TreeEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the artifacts a store keeps for a point: each file's size and SHA-256 against the manifest, and each
 * target's stored tree against the entries the capture recorded. Changes nothing. Stateless; thread-safe.
 */
public final class StoreCheck {

    private StoreCheck() {}

    /**
     * Checks every artifact of the point kept in {@code store}; a snapshot whose artifacts are on a remote host
     * is checked only through its local copy, if the plan made one.
     *
     * @return one problem per missing or changed artifact; empty when all are intact
     */
    public static List<Problem> verify(RestorePointStore store, RestorePoint point) {
        List<Problem> problems = new ArrayList<>();
        for (Snapshot s : point.snapshots()) {
            if (s.location() == null || s.location().storeCopy()) {
                problems.addAll(verifyLocal(store, point, s));
            }
        }
        return problems;
    }

    /** Checks the artifacts of one snapshot in this store's folder of the point. */
    static List<Problem> verifyLocal(RestorePointStore store, RestorePoint point, Snapshot s) {
        return verifyLocal(store, point, s, null);
    }

    /**
     * Checks the artifacts of one snapshot in this store's folder of the point; an artifact that the
     * rollback {@code consumedBy} consumed (one being resumed) is not a problem.
     */
    static List<Problem> verifyLocal(RestorePointStore store, RestorePoint point, Snapshot s, String consumedBy) {
        List<Problem> problems = new ArrayList<>();
        Path dir = store.artifactDir(point, s.target());
        problems.addAll(verifyTree(point, s, dir));
        for (Artifact a : s.artifacts()) {
            Path file = dir.resolve(a.path()).normalize();
            String where = "artifact " + a.path() + " of target '" + s.target() + "' in restore point " + point.id();
            if (!file.startsWith(dir)) {
                problems.add(Problem.of(s.target(), where + " inside " + dir, "a path that leaves it",
                        "the manifest was altered; do not use this restore point"));
            } else if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    && Files.isRegularFile(ConsumedNotes.of(file), LinkOption.NOFOLLOW_LINKS)) {
                String note;
                try {
                    note = Files.readString(ConsumedNotes.of(file)).strip();
                } catch (IOException e) {
                    note = "(the note " + ConsumedNotes.of(file) + " cannot be read: " + e + ")";
                }
                if (consumedBy != null && consumedBy.equals(ConsumedNotes.consumer(note))) {
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
    private static List<Problem> verifyTree(RestorePoint point, Snapshot s, Path dir) {
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
            found = StoredTree.walk(dir);
        } catch (IOException e) {
            return List.of(Problem.of(s.target(), "its stored tree " + dir + " readable", e.toString(),
                    "check the permissions of " + dir));
        }
        Set<String> consumed = new HashSet<>();
        Set<String> missing = new HashSet<>();
        for (Artifact a : s.artifacts()) {
            Path file = dir.resolve(a.path()).normalize();
            if (file.startsWith(dir) && Files.exists(ConsumedNotes.of(file), LinkOption.NOFOLLOW_LINKS)) {
                consumed.add(a.path());
            } else if (file.startsWith(dir) && !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                missing.add(a.path()); // a missing artifact is named by the checksum check
            }
        }
        // a consumed artifact, its note and what its target keeps beside it (<artifact>.replaced) are the
        // consuming rollback's: the checksum check says whether the point may still be used
        java.util.function.Predicate<String> ignored = path -> missing.contains(path) || consumed.stream()
                .anyMatch(c -> path.equals(c) || path.startsWith(c + "."));
        List<String> changes = StoredTree.changes(s.tree(), found, ignored);
        if (changes.isEmpty()) {
            return List.of();
        }
        return List.of(Problem.of(s.target(), "its stored tree " + dir + " in restore point " + point.id()
                + " as the capture recorded it", String.join("; ", changes), "the stored tree was changed or corrupted "
                + "after the capture; do not use this restore point: roll back to another one"));
    }
}
