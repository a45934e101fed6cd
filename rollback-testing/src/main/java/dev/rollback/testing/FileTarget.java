package dev.rollback.testing;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A target written the way a user would write one: a single file on disk, captured as an artifact
 * and restored by an atomic rename. Restore can be told to die half-way (to simulate a crash) or
 * to fail once, and capture to die after writing its artifact, through marker files, so that a
 * second JVM sees the same behaviour.
 */
public final class FileTarget implements Target {

    private final String name;
    private final Path file;

    /** A target {@code name} over the single file {@code file}. */
    public FileTarget(String name, Path file) {
        this.name = name;
        this.file = file;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.FILES;
    }

    @Override
    public Snapshot capture(CaptureContext ctx) throws Exception {
        Files.copy(file, ctx.artifactDir().resolve("content"));
        if (Files.exists(file.getParent().resolve(name + ".capture-crash"))) {
            Runtime.getRuntime().halt(137); // dies like a killed process, its artifact written
        }
        return Snapshot.of(Map.of("file", file.toString(), "size", Long.toString(Files.size(file))));
    }

    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        if (!Files.isDirectory(file.getParent())) {
            return List.of(Problem.of(name, "folder " + file.getParent(), "none", "create it"));
        }
        return List.of();
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) throws Exception {
        return List.of("replace " + file + " (" + (Files.exists(file) ? Files.size(file) : 0) + " bytes) with the "
                + snapshot.require("size") + " bytes captured");
    }

    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Path dir = file.getParent();
        if (Files.deleteIfExists(dir.resolve(name + ".fail"))) {
            // a one-shot fault: the marker is consumed, so a retry or a put-back can succeed
            throw new IllegalStateException("disk of '" + name + "' refuses writes");
        }
        byte[] content = Files.readAllBytes(ctx.artifact(snapshot, "content"));
        if (Files.exists(dir.resolve(name + ".crash"))) {
            // write half of the file in place, then die like a killed process
            Files.write(file, Arrays.copyOf(content, content.length / 2));
            Runtime.getRuntime().halt(137);
        }
        Path temp = dir.resolve("." + name + ".tmp");
        Files.write(temp, content);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws Exception {
        boolean same = Arrays.equals(Files.readAllBytes(file), Files.readAllBytes(ctx.artifact(snapshot, "content")));
        return same ? CheckResult.passed(name, file + " matches the capture")
                : CheckResult.failed(name, file + " differs from the capture");
    }
}
