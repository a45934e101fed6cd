package dev.rollback.internal.engine;

import dev.rollback.RestorePoint;
import dev.rollback.RestorePointStore;
import dev.rollback.store.StoreException;
import dev.rollback.internal.Files2;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The files of a store's points: the folder {@code points/}, each point's sealed {@code manifest.json}, and the
 * plan note of a point still being written ({@code points/.pending-<id>/.plan}). Stateless; thread-safe.
 */
public final class PointFiles {

    /** The name of a point's manifest. */
    public static final String MANIFEST = "manifest.json";
    /** The prefix of the folder of a point being written. */
    static final String PENDING = ".pending-";
    /** The note in a pending point that names its plan. */
    static final String PENDING_PLAN = ".plan";

    private PointFiles() {}

    /** The folder of every point of {@code store}. */
    public static Path points(RestorePointStore store) {
        return store.root().resolve("points");
    }

    /**
     * The point whose manifest is {@code manifest}, checked.
     *
     * @throws StoreException if the manifest is missing, unreadable or damaged, saying what to do
     */
    public static RestorePoint read(Path manifest) {
        try {
            return Manifest.read(manifest, Files.readAllBytes(manifest));
        } catch (NoSuchFileException e) {
            throw new StoreException("restore point folder " + manifest.getParent() + ": expected a " + MANIFEST
                    + ", found none; restore it from a copy, or delete the folder: it is not a complete restore point", e);
        } catch (IOException e) {
            throw new StoreException("cannot read " + manifest + ": " + e + "; check its permissions", e);
        }
    }

    /** Writes the sealed manifest of {@code point} into {@code dir}, atomically. */
    public static void write(Path dir, RestorePoint point) {
        try {
            Files2.writeAtomically(dir.resolve(MANIFEST), Manifest.bytes(point));
        } catch (IOException e) {
            throw new StoreException("cannot write the manifest of restore point " + point.id() + " in " + dir
                    + ": " + e.getMessage(), e);
        }
    }

    /** The plan a point folder's note names, or null when it has none (not ours to judge). */
    public static String pendingPlan(Path pointDir) {
        try {
            return Files.readString(pointDir.resolve(PENDING_PLAN), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null; // not ours to judge: left alone
        }
    }
}
