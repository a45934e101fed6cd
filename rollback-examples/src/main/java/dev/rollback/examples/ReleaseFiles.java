package dev.rollback.examples;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A target written by a user against the SPI: a few release files of an application (its page,
 * its {@code .env}), captured into the restore point and put back one by one with an atomic
 * rename. It shows how little a team writes to make its own thing a first-class target.
 *
 * <p>Immutable and thread-safe.
 */
public final class ReleaseFiles implements Target {

    private final String name;
    private final Path root;
    private final List<String> files;

    /** The given files, relative to {@code root}, as one target. */
    public ReleaseFiles(String name, Path root, String... files) {
        this.name = name;
        this.root = root;
        this.files = List.of(files);
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
    public Snapshot capture(CaptureContext ctx) throws IOException {
        for (String f : files) {
            Path copy = ctx.artifactDir().resolve(f);
            Files.createDirectories(copy.getParent());
            Files.copy(root.resolve(f), copy);
        }
        return Snapshot.of(Map.of("root", root.toString(), "files", String.join(",", files)));
    }

    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        return Files.isDirectory(root) ? List.of()
                : List.of(Problem.of(name, "the folder " + root, "none", "check the application's path"));
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) throws IOException {
        List<String> actions = new ArrayList<>();
        for (String f : files) {
            boolean same = Arrays.equals(Files.readAllBytes(root.resolve(f)), Files.readAllBytes(ctx.artifact(snapshot, f)));
            actions.add(same ? f + " is unchanged" : "put back " + f + " as captured");
        }
        return actions;
    }

    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws IOException {
        for (String f : files) {
            Path live = root.resolve(f);
            Path temp = live.resolveSibling("." + live.getFileName() + ".rollback");
            Files.copy(ctx.artifact(snapshot, f), temp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temp, live, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) throws IOException {
        for (String f : files) {
            if (!Arrays.equals(Files.readAllBytes(root.resolve(f)), Files.readAllBytes(ctx.artifact(snapshot, f)))) {
                return CheckResult.failed(name, f + " differs from the restore point");
            }
        }
        return CheckResult.passed(name, files.size() + (files.size() == 1 ? " file matches" : " files match") + " the restore point");
    }
}
