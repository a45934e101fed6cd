package dev.rollback.spi;

import dev.rollback.spi.Plural;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one target captured: plain data (a commit id, an image id, a migration revision, sizes) and
 * the artifacts it wrote into the restore point, never a live object. Snapshots serialise to JSON
 * in the restore point's manifest.
 *
 * <p>A target returns {@code Snapshot.of(data)} from {@link dev.rollback.spi.Target#capture}; the
 * engine fills in the target's name and kind and the artifacts with their checksums.
 *
 * <p>Immutable and thread-safe.
 *
 * @param target the name of the target that captured it
 * @param kind the target's kind
 * @param data what the target recorded, as text keys and values
 * @param artifacts the files written into the restore point, with size and SHA-256
 * @param location where the artifacts live when not in the local store (a folder on the plan's
 *     host); null when they are in the local store
 * @param tree every entry of the target's folder in the local store as the capture left it (its
 *     regular files' checksums are in {@code artifacts}); empty for artifacts kept on a host
 */
public record Snapshot(String target, TargetKind kind, Map<String, String> data, List<Artifact> artifacts,
        ArtifactLocation location, List<TreeEntry> tree) {

    /** One short line: the target, its kind, and how many fields and artifacts it holds (not their values). */
    @Override
    public String toString() {
        return "Snapshot[" + target + " (" + kind + "), " + Plural.of(data.size(), "field") + ", "
                + Plural.of(artifacts.size(), "artifact") + (location == null ? "" : ", " + location) + "]";
    }

    /** Copies the collections; {@code target} and {@code kind} may be null only before completion. */
    public Snapshot {
        data = Collections.unmodifiableMap(new TreeMap<>(data == null ? Map.of() : data));
        artifacts = List.copyOf(artifacts == null ? List.of() : artifacts);
        tree = List.copyOf(tree == null ? List.of() : tree);
    }

    /** A snapshot without a record of its stored tree. */
    public Snapshot(String target, TargetKind kind, Map<String, String> data, List<Artifact> artifacts,
            ArtifactLocation location) {
        this(target, kind, data, artifacts, location, List.of());
    }

    /** Data captured by a target; the engine completes it with the target's name, kind and artifacts. */
    public static Snapshot of(Map<String, String> data) {
        Objects.requireNonNull(data, "data");
        data.forEach((k, v) -> {
            Objects.requireNonNull(k, "snapshot key");
            Objects.requireNonNull(v, () -> "snapshot value of '" + k + "'");
        });
        return new Snapshot(null, null, data, List.of(), null, List.of());
    }

    /** A snapshot with no data: for targets whose state is entirely in their artifacts. */
    public static Snapshot empty() {
        return of(Map.of());
    }

    /** The value recorded under {@code key}, if any. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(data.get(key));
    }

    /**
     * The value recorded under {@code key}.
     *
     * @throws NoSuchElementException naming the target and the keys it has, if there is none
     */
    public String require(String key) {
        String value = data.get(key);
        if (value == null) {
            throw new NoSuchElementException("snapshot of target '" + target + "': expected a value for '" + key
                    + "', found only " + data.keySet() + "; capture a new restore point with this version");
        }
        return value;
    }

    /** The artifact at {@code path}, if the snapshot has one. */
    public Optional<Artifact> artifact(String path) {
        return artifacts.stream().filter(a -> a.path().equals(path)).findFirst();
    }

    /** This snapshot completed with the target's name, kind and artifacts, kept in the local store. */
    public Snapshot completedBy(String targetName, TargetKind targetKind, List<Artifact> files) {
        return new Snapshot(targetName, targetKind, data, files, null, List.of());
    }

    /** This snapshot with its artifacts at {@code where} (null: in the local store). */
    public Snapshot locatedAt(ArtifactLocation where) {
        return new Snapshot(target, kind, data, artifacts, where, tree);
    }

    /** This snapshot with the record of its stored tree. */
    public Snapshot withTree(List<TreeEntry> entries) {
        return new Snapshot(target, kind, data, artifacts, location, entries);
    }
}
