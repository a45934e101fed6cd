package dev.rollback.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * File helpers with the guarantees the store promises: atomic replacement (temp file, fsync,
 * rename, fsync of the folder), owner-only permissions, SHA-256.
 *
 * <p>Stateless and thread-safe.
 */
public final class Files2 {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private Files2() {}

    /** How much of an atomic replacement is forced to disk. */
    public enum Sync {
        /**
         * Nothing: survives the death of the process (the page cache is the kernel's), not a power
         * loss. For notes such as a lock's owner.
         */
        NONE,
        /**
         * The content, before the rename: after a power loss the file is whole, the old version or
         * the new one. For a journal, whose older version only makes a resume repeat one step.
         */
        FILE,
        /** The content and the folder entry: after a power loss the new version is there. */
        FILE_AND_FOLDER
    }

    /**
     * Replaces {@code file} with {@code content} atomically: the content goes to a temp file in the
     * same folder, is forced to disk, renamed over the file, and the folder is forced too. Readers
     * see the old content or the new, never a mix. The file is readable by the owner only.
     */
    public static void writeAtomically(Path file, byte[] content) throws IOException {
        writeAtomically(file, content, Sync.FILE_AND_FOLDER);
    }

    /** {@link #writeAtomically(Path, byte[])} forcing to disk only what {@code sync} says. */
    public static void writeAtomically(Path file, byte[] content, Sync sync) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ownerOnly(temp);
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                if (sync != Sync.NONE) {
                    force(ch);
                }
            }
            moveAtomically(temp, file);
        } finally {
            Files.deleteIfExists(temp);
        }
        if (sync == Sync.FILE_AND_FOLDER) {
            syncDirectory(dir);
        }
    }

    /** Renames {@code from} to {@code to} atomically, replacing {@code to} if it exists. */
    public static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " to " + to + " atomically: expected both on one file "
                    + "system; keep the store and its temp files on the same file system", e);
        }
    }

    /**
     * Forces a file's content and metadata to disk: the one place the library does so for a local file, counted
     * in {@link IoCount}.
     */
    public static void force(FileChannel ch) throws IOException {
        IoCount.forced(ch);
    }

    /**
     * Forces a folder's entries to disk, where the platform allows it: the one place the library does so for a
     * local folder, counted in {@link IoCount}.
     */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            long start = System.nanoTime();
            ch.force(true);
            IoCount.folderForced(System.nanoTime() - start);
        } catch (IOException | UnsupportedOperationException e) {
            // Some file systems cannot open folders for sync; the rename itself is still atomic.
        }
    }

    /**
     * Creates a folder readable by the owner only, and each missing parent the same way; parents
     * that already exist are left as they are.
     */
    public static Path createPrivateDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        java.util.Deque<Path> missing = new java.util.ArrayDeque<>();
        for (Path p = absolute; p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw e;
                }
            }
            if (POSIX) {
                Files.setPosixFilePermissions(p, OWNER_DIR);
            }
        }
        if (POSIX && missing.isEmpty()) {
            Files.setPosixFilePermissions(absolute, OWNER_DIR);
        }
        return dir;
    }

    /** Makes a file or folder readable by the owner only. */
    public static void ownerOnly(Path path) throws IOException {
        if (POSIX && !Files.isSymbolicLink(path)) {
            Files.setPosixFilePermissions(path, Files.isDirectory(path) ? OWNER_DIR : OWNER_FILE);
        }
    }

    /** The SHA-256 of a file's content, lower-case hex; the bytes read count on the step's {@link WorkCount}. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[1 << 16];
        WorkCount.Sink meter = WorkCount.current();
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
                meter.add(0, n);
            }
        }
        meter.add(1, 0);
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The SHA-256 of some bytes, lower-case hex. */
    public static String sha256(byte[] content) {
        return HexFormat.of().formatHex(sha256().digest(content));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Deletes a folder and everything in it, without following symbolic links; absent is fine. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException e) {
                    // already gone
                }
            }
        }
    }
}
