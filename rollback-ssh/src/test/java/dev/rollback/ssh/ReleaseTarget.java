package dev.rollback.ssh;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.host.FileStat;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A target as a user would write one for the seed-001 story, doing all its work through {@code
 * ctx.host()}: the app's config file (kept as an artifact in the restore point, on the host) and the {@code
 * current} symlink of a release folder (recorded as data). It works unchanged on any host.
 */
final class ReleaseTarget implements Target {

    private final Path config;
    private final Path current;

    ReleaseTarget(Path config, Path current) {
        this.config = config;
        this.current = current;
    }

    @Override
    public String name() {
        return "release";
    }

    @Override
    public TargetKind kind() {
        return TargetKind.CONFIG;
    }

    @Override
    public Snapshot capture(CaptureContext ctx) throws Exception {
        byte[] content = ctx.host().read(config);
        // the artifact folder is on the plan's host too
        ctx.host().write(ctx.artifactDir().resolve("config.json"), content, 0600);
        FileStat link = ctx.host().stat(current).orElseThrow();
        return Snapshot.of(Map.of("release", link.linkTarget().toString()));
    }

    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        List<Problem> problems = new ArrayList<>();
        Path release = current.resolveSibling(snapshot.require("release"));
        Optional<FileStat> s = ctx.host().stat(release);
        if (s.isEmpty() || !s.get().isDirectory()) {
            problems.add(Problem.of(name(), "the release folder " + release + " on " + ctx.host().name(),
                    s.isEmpty() ? "nothing" : "a " + s.get().type(), "restore that release folder first"));
        }
        return problems;
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) {
        return List.of("put back " + config + " on " + ctx.host().name(),
                "point " + current + " at " + snapshot.require("release"));
    }

    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) throws Exception {
        ctx.host().write(config, ctx.host().read(ctx.artifact(snapshot, "config.json")));
        ctx.host().replaceSymlink(current, Path.of(snapshot.require("release")));
    }

    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) {
        Path target = ctx.host().stat(current).orElseThrow().linkTarget();
        return target.toString().equals(snapshot.require("release"))
                ? CheckResult.passed("verify release", current + " -> " + target)
                : CheckResult.failed("verify release", "expected " + snapshot.require("release") + ", found " + target);
    }
}
