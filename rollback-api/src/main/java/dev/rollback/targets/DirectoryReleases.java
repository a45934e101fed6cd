package dev.rollback.targets;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.error.RollbackException;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Names;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A release switch rolled back by pointing a symbolic link back: releases live side by side
 * ({@code releases/20240115}, {@code releases/20240116}) and {@code current} links to one, as
 * Capistrano-style deploys lay them out. Obtain it with {@link #of(Path)}.
 *
 * <ul>
 *   <li><b>capture</b> records where the link points, as written in it, and the release folder it
 *       resolves to; nothing is copied. A link that resolves outside the releases folder is
 *       refused.
 *   <li><b>restore</b> makes a new link beside {@code current} and renames it over the old one:
 *       the link is never missing, not even for an instant, and no release folder is touched.
 *   <li><b>preflight</b> refuses a release that is gone, is not a folder, or resolves (through any
 *       link) outside the releases folder; <b>verify</b> checks the link points where captured.
 * </ul>
 *
 * <p>Setting the current state aside records only where the link points: the failed release stays
 * where it is, so undoing the rollback points the link back at it.
 *
 * <p>Immutable and thread-safe; the configuration methods return new instances.
 *
 * <pre>{@code
 * RollbackPlan plan = Rollback.plan("shop")
 *     .target(DirectoryReleases.of(Path.of("/srv/shop/current")).releasesIn(Path.of("/srv/shop/releases")))
 *     .build();
 * }</pre>
 */
public final class DirectoryReleases implements Target {

    private static final String STRATEGY = "releases";

    // written only by of(..) and by an option method on its own copy, before the copy is returned
    private Path link;
    private Path releasesDir;
    private String name;
    private TargetKind kind;

    private DirectoryReleases(Path link) {
        this.link = link;
        this.name = DirectoryPaths.nameOf(link, "current");
        this.kind = TargetKind.CODE;
    }

    private DirectoryReleases(DirectoryReleases from) {
        this.link = from.link;
        this.releasesDir = from.releasesDir;
        this.name = from.name;
        this.kind = from.kind;
    }

    /**
     * A release link such as {@code current -> releases/20240115}, captured as where it points and
     * restored by switching it back atomically. Named after the link, of kind {@link
     * TargetKind#CODE}.
     *
     * <pre>{@code
     * DirectoryReleases current = DirectoryReleases.of(Path.of("/srv/shop/current"));
     * }</pre>
     *
     * @param currentLink the symbolic link, such as {@code /srv/app/current}; made absolute
     * @throws IllegalArgumentException if {@code currentLink} is the root folder
     */
    public static DirectoryReleases of(Path currentLink) {
        return new DirectoryReleases(DirectoryPaths.absolute(currentLink, "link of a release target"));
    }

    /**
     * This target, with the folder every release must resolve inside. By default it is the folder
     * holding the release the link points to when captured.
     */
    public DirectoryReleases releasesIn(Path folder) {
        DirectoryReleases copy = new DirectoryReleases(this);
        copy.releasesDir = DirectoryPaths.absolute(folder, "releases folder of target '" + name + "'");
        return copy;
    }

    /**
     * This target under another name (by default the link's name, such as {@code current}).
     *
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, {@code . _ -}, starting with a
     *     letter or digit ({@link Names#requireName})
     */
    public DirectoryReleases named(String newName) {
        DirectoryReleases copy = new DirectoryReleases(this);
        copy.name = Names.requireName(newName, "target name of release target '" + name + "'");
        return copy;
    }

    /** This target reported as another kind: {@link TargetKind#CODE} by default. */
    public DirectoryReleases kind(TargetKind newKind) {
        DirectoryReleases copy = new DirectoryReleases(this);
        copy.kind = Objects.requireNonNull(newKind, "kind");
        return copy;
    }

    /** The link this target switches, absolute. */
    public Path link() {
        return link;
    }

    /** The releases folder, if one was given with {@link #releasesIn}. */
    public Optional<Path> releasesDir() {
        return Optional.ofNullable(releasesDir);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return kind;
    }

    // ---- capture ---------------------------------------------------------------------------------

    @Override
    public Snapshot capture(CaptureContext ctx) {
        Host host = ctx.host();
        FileStat st = host.stat(link).orElseThrow(() -> fail("a symbolic link at " + link, "nothing there",
                "check the path; nothing was stored"));
        if (!st.isSymlink()) {
            throw fail("a symbolic link at " + link, st.isDirectory() ? "a folder" : "a file", st.isDirectory()
                    ? "a folder is rolled back by copy with Directory.backup(dir); nothing was stored"
                    : "correct the path; nothing was stored");
        }
        Resolved r = resolve(host, st.linkTarget(), null);
        Optional<String> wrong = r.problem();
        if (wrong.isPresent()) {
            throw fail("a link to a release folder inside " + r.releases(), wrong.get(),
                    "point " + link.getFileName() + " at a release in " + r.releases() + ", or give the releases folder "
                            + "with releasesIn(...); nothing was stored");
        }
        return snapshot(st.linkTarget(), r);
    }

    /**
     * Records where the link points before a restore switches it: cheap, nothing is copied. A link
     * that is missing is recorded as missing.
     */
    @Override
    public Snapshot setAside(CaptureContext ctx) {
        Optional<FileStat> st = ctx.host().stat(link);
        if (st.isEmpty()) {
            return Snapshot.of(Map.of("strategy", STRATEGY, "link", link.toString(), "absent", "true"));
        }
        if (!st.get().isSymlink()) {
            throw fail("a symbolic link at " + link, st.get().isDirectory() ? "a folder" : "a file",
                    "move it away by hand; nothing was changed");
        }
        return snapshot(st.get().linkTarget(), resolve(ctx.host(), st.get().linkTarget(), null));
    }

    private Snapshot snapshot(Path target, Resolved r) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("strategy", STRATEGY);
        data.put("link", link.toString());
        data.put("target", target.toString());
        data.put("release", r.release().toString());
        data.put("releases", r.releases().toString());
        return Snapshot.of(data);
    }

    // ---- preflight, plan, restore, verify ---------------------------------------------------------

    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        Optional<Problem> own = ownSnapshot(snapshot);
        if (own.isPresent()) {
            return List.of(own.get());
        }
        List<Problem> problems = new ArrayList<>();
        Host host = ctx.host();
        host.stat(link).filter(st -> !st.isSymlink()).ifPresent(st -> problems.add(Problem.of(name,
                "a symbolic link or nothing at " + link, st.isDirectory() ? "a folder" : "a file",
                "move it away by hand, then roll back again")));
        if (!absent(snapshot)) {
            Resolved r = resolve(host, Path.of(snapshot.require("target")), snapshot);
            r.problem().ifPresent(p -> problems.add(Problem.of(name, "the release " + snapshot.require("target")
                    + " as a folder inside " + r.releases(), p, "restore the release folder, or roll back to another "
                    + "restore point; the link was not changed")));
        }
        return problems;
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) {
        ownSnapshot(snapshot).ifPresent(p -> {
            throw fail(p.expected(), p.found(), p.action());
        });
        Optional<FileStat> st = ctx.host().stat(link);
        String now = st.map(s -> s.isSymlink() ? String.valueOf(s.linkTarget()) : "(not a link)").orElse("(missing)");
        if (absent(snapshot)) {
            return List.of("remove the link " + link + " (now -> " + now + "): it was missing when captured; "
                    + "no release folder is touched");
        }
        return List.of("switch " + link.getFileName() + ": " + now + " -> " + snapshot.require("target")
                + " (a new link renamed over " + link + ", atomic; no release folder is touched)");
    }

    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) {
        List<Problem> problems = preflight(snapshot, ctx); // again: a release may have gone since preflight
        if (!problems.isEmpty()) {
            Problem p = problems.get(0);
            throw fail(p.expected(), p.found(), p.action());
        }
        Host host = ctx.host();
        if (absent(snapshot)) {
            if (host.stat(link).map(FileStat::isSymlink).orElse(false)) {
                host.delete(link); // only the link: it holds no data, and the release it named stays
            }
            return;
        }
        host.replaceSymlink(link, Path.of(snapshot.require("target")));
    }

    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) {
        String check = "verify " + name;
        Optional<FileStat> st = ctx.host().stat(link);
        if (absent(snapshot)) {
            return st.isEmpty() ? CheckResult.passed(check, link + " is missing, as captured")
                    : CheckResult.failed(check, "expected " + link + " missing, as captured, found it");
        }
        String want = snapshot.require("target");
        if (st.isPresent() && st.get().isSymlink() && String.valueOf(st.get().linkTarget()).equals(want)) {
            return CheckResult.passed(check, link + " -> " + want);
        }
        return CheckResult.failed(check, "expected " + link + " -> " + want + ", found "
                + st.map(s -> s.isSymlink() ? "-> " + s.linkTarget() : "not a link").orElse("nothing"));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** Where a link target leads, and the releases folder it must stay in. */
    private record Resolved(Path release, Path releases, Optional<String> problem) {}

    private Resolved resolve(Host host, Path target, Snapshot captured) {
        Path lexical = link.getParent().resolve(target); // not normalised: "a/.." must follow a first
        Path releases;
        if (releasesDir != null) {
            releases = DirectoryPaths.realPath(host, releasesDir, name);
        } else if (captured != null) {
            releases = Path.of(captured.require("releases"));
        } else {
            releases = DirectoryPaths.realPath(host, lexical.getParent(), name);
        }
        Path release = DirectoryPaths.realPath(host, lexical, name);
        Optional<FileStat> st = host.stat(release);
        String problem = null;
        if (releases.getParent() == null) {
            problem = "the root folder as the releases folder; give it with releasesIn(...)";
        } else if (!release.startsWith(releases) || release.equals(releases)) {
            problem = "it resolves to " + release + ", outside the releases folder";
        } else if (st.isEmpty()) {
            problem = "nothing at " + release;
        } else if (!st.get().isDirectory()) {
            problem = "a file, not a folder, at " + release;
        }
        return new Resolved(release, releases, Optional.ofNullable(problem));
    }

    private Optional<Problem> ownSnapshot(Snapshot s) {
        // "absent" deletes the live state on restore: only a set-aside that found nothing records it, with nothing
        // else; a value other than true or false throws, naming the field (the engine adds the manifest)
        if (absent(s) && (s.get("target").isPresent())) {
            throw new dev.rollback.spi.InvalidSnapshotException("snapshot of target '" + name + "': expected field 'absent' "
                    + "only in a snapshot that records nothing there, found it in one that also holds a release it pointed to; the "
                    + "restore point was changed: roll back to another point", name, "absent", "true");
        }
        if (!s.get("strategy").equals(Optional.of(STRATEGY))) {
            return Optional.of(Problem.of(name, "a snapshot made by DirectoryReleases.of", "one made by strategy '"
                    + s.get("strategy").orElse("none") + "'", "the plan's target changed since the capture; capture a "
                    + "new restore point"));
        }
        if (!s.get("link").equals(Optional.of(link.toString()))) {
            return Optional.of(Problem.of(name, "a capture of the link " + link, "one of " + s.get("link").orElse("none"),
                    "the target's link changed since the capture; capture a new restore point"));
        }
        return Optional.empty();
    }

    /** Whether the capture found nothing there, which a restore makes so again; only "true" or "false" is read. */
    private static boolean absent(Snapshot s) {
        return dev.rollback.spi.SnapshotFields.of(s).bool("absent", false);
    }

    private RollbackException fail(String expected, String found, String action) {
        return new RollbackException("target '" + name + "': expected " + expected + ", found " + found + "; " + action,
                null, name, null);
    }

    @Override
    public String toString() {
        return "DirectoryReleases.of(" + link + ")" + (releasesDir == null ? "" : ".releasesIn(" + releasesDir + ")")
                + "[" + name + ", " + kind + "]";
    }
}
