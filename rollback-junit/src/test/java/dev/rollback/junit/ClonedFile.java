package dev.rollback.junit;

import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.ReleaseContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.Target;
import dev.rollback.spi.TargetKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A target that keeps its copy outside the store, as a clone database does: capture copies the file to
 * {@code <clones>/<point id>.copy}, restore copies it back, and only {@link #release} (a plan's delete) removes it.
 */
final class ClonedFile implements Target {

    private final String name;
    private final Path file;
    private final Path clones;

    ClonedFile(String name, Path file, Path clones) {
        this.name = name;
        this.file = file;
        this.clones = clones;
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
        Files.createDirectories(clones);
        Path copy = clones.resolve(ctx.pointId() + ".copy");
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        return Snapshot.of(Map.of("copy", copy.toString()));
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) {
        return List.of("copy " + snapshot.require("copy") + " over " + file);
    }

    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws Exception {
        Path temp = file.resolveSibling("." + name + ".tmp");
        Files.copy(Path.of(snapshot.require("copy")), temp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws Exception {
        boolean same = Arrays.equals(Files.readAllBytes(file), Files.readAllBytes(Path.of(snapshot.require("copy"))));
        return same ? CheckResult.passed(name, file + " matches its clone")
                : CheckResult.failed(name, file + " differs from its clone");
    }

    @Override
    public void release(Snapshot snapshot, ReleaseContext ctx) throws Exception {
        Files.deleteIfExists(Path.of(snapshot.require("copy")));
    }
}
