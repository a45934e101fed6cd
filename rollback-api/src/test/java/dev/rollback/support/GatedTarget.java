package dev.rollback.support;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.ReleaseContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A one-file target whose capture, restore and release stop at a gate while the file {@code gate}
 * exists in its control folder: they run {@code whileHeld}, create {@code holding}, and wait until
 * {@code go} appears. The gate is files, so a test in another JVM can open it.
 */
public final class GatedTarget implements Target {

    private final String name;
    private final Path file;
    private final Path control;
    private final Runnable whileHeld;

    public GatedTarget(String name, Path file, Path control, Runnable whileHeld) {
        this.name = name;
        this.file = file;
        this.control = control;
        this.whileHeld = whileHeld;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.FILES;
    }

    /** Waits at the gate if it is closed; called by every operation of the target. */
    public void gate() {
        if (!Files.exists(control.resolve("gate"))) {
            return;
        }
        whileHeld.run();
        try {
            Files.writeString(control.resolve("holding"), Long.toString(ProcessHandle.current().pid()));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.exists(control.resolve("go"))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the gate in " + control + " was not opened within 30 s");
                }
                Thread.sleep(10);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at the gate", e);
        }
    }

    @Override
    public Snapshot capture(CaptureContext ctx) throws Exception {
        Files.copy(file, ctx.artifactDir().resolve("content"));
        gate();
        return Snapshot.of(Map.of("file", file.toString()));
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) {
        return List.of("replace " + file + " with the captured copy");
    }

    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws Exception {
        gate();
        Path temp = file.resolveSibling("." + name + ".tmp");
        Files.copy(ctx.artifact(snapshot, "content"), temp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws Exception {
        boolean same = Arrays.equals(Files.readAllBytes(file), Files.readAllBytes(ctx.artifact(snapshot, "content")));
        return same ? CheckResult.passed(name, file + " matches") : CheckResult.failed(name, file + " differs");
    }

    @Override
    public void release(Snapshot snapshot, ReleaseContext ctx) {
        gate();
    }
}
