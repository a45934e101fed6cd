package dev.rollback.fault;

import dev.rollback.testing.Requirements;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a folder for a test, to fill the disk on demand: a real {@code ENOSPC}
 * from the kernel, not a fake. Needs root (CI runs as root); elsewhere the test is skipped with a
 * visible reason, or fails where {@code ROLLBACK_REQUIRE_ALL=true}.
 */
public final class SmallDisk implements AutoCloseable {

    private final Path dir;

    private SmallDisk(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} (such as {@code 1m}) on {@code dir}, created if missing. */
    public static SmallDisk mount(Path dir, String size) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Requirements.require(root && Requirements.onPath("mount"), "root and mount(8), to mount a small tmpfs");
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs",
                dir.toString()).redirectErrorStream(true).start();
        boolean ended = p.waitFor(30, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes());
        Requirements.require(ended && p.exitValue() == 0, "a tmpfs mounted on " + dir + " (mount said: " + out + ")");
        return new SmallDisk(dir);
    }

    /** The mounted folder. */
    public Path dir() {
        return dir;
    }

    /** Bytes still free. */
    public long free() {
        try {
            FileStore store = Files.getFileStore(dir);
            return store.getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code filler} until the disk is full, leaving about {@code leave} bytes free. */
    public Path fill(long leave) {
        Path filler = dir.resolve("filler");
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND)) {
            while (free() > leave) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException e) {
            // full: what was meant
        }
        return filler;
    }

    /** Frees what {@link #fill} took. */
    public void free(Path filler) throws IOException {
        Files.deleteIfExists(filler);
    }

    /** Unmounts the tmpfs. */
    @Override
    public void close() throws Exception {
        Process p = new ProcessBuilder("umount", "-l", dir.toString()).redirectErrorStream(true).start();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
