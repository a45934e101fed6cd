package dev.rollback.git;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.RestorePoint;
import dev.rollback.RestorePointNotFoundException;
import dev.rollback.RollbackPlan;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.host.Command;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Names;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A git working tree as a CODE target: captures the commit HEAD is at, and puts it back the way a
 * runbook does, with {@code git reset --hard} (the default), with revert commits ({@link
 * #reverting()}), or by restoring only some paths from the revision ({@link #only(String...)}).
 *
 * <h2>What it does</h2>
 *
 * <ul>
 *   <li><b>Capture</b> records HEAD's commit, its branch, the tags at it, {@code git describe}, and
 *       whether the tree has uncommitted changes. A tree with uncommitted changes is refused unless
 *       {@link #allowDirty()}; then its changes are saved in the restore point, and a rollback to the
 *       point puts them back. With {@link #tagDeploys()} it also tags the commit {@code
 *       deploy/<label>}, so {@link #lastGoodDeploy(RollbackPlan)} finds it later.
 *   <li><b>Set aside</b>, before every rollback, makes a branch {@code rollback/failed-<time>} at the
 *       commit HEAD is at and saves every uncommitted change in the store: nothing reachable before
 *       the rollback becomes unreachable, nothing uncommitted is lost, and undoing the rollback puts
 *       both back.
 *   <li><b>Preflight</b> refuses, before anything changes, a commit that does not exist, a
 *       repository in the middle of a merge, rebase, cherry-pick, revert or bisect, paths the
 *       revision does not have, and (reverting) a commit that is not on HEAD's first-parent line.
 *   <li><b>Preview</b> lists the commits that would be dropped or reverted (id, subject, author) and
 *       the files that would change, with line counts, changing nothing.
 *   <li><b>Reset</b> moves HEAD, the current branch, the index and the work tree to the commit.
 *       <b>Revert</b> makes one revert commit per commit after it, newest first, each naming the
 *       rollback; a conflict stops it with the conflicting paths and leaves the tree as it was.
 *       <b>Paths</b> makes the named paths exactly as in the commit (in the index and the work tree;
 *       files the commit does not have are removed) and leaves every other path alone; nothing is
 *       committed.
 *   <li><b>Verify</b> checks that the tree is at the commit, then runs the {@link
 *       #verifiedBy(String...)} commands in the tree, each recorded in the report.
 * </ul>
 *
 * <h2>Local and remote</h2>
 *
 * The target works through the plan's host. On a remote host it runs the {@code git} program there,
 * with argv lists. On this machine it runs the {@code git} program too when it is installed, because
 * it is the faster of the two (see {@code GitBenchmark}), and JGit (an optional dependency) when it
 * is not; {@link #using(Driver)} forces either.
 *
 * <pre>{@code
 * GitCode code = GitCode.of(Path.of("/srv/gestima")).tagDeploys().verifiedBy("npm", "run", "build");
 * RollbackPlan plan = Rollback.plan("gestima").store(Path.of("/var/lib/rollback")).target(code).build();
 *
 * plan.capture("v2.0.0");                              // before the deploy: tags deploy/v2.0.0
 * // ... the deploy of v2.1.0 goes bad ...
 * RollbackReport report = plan.rollback(code.lastGoodDeploy(plan));
 *
 * // backend only, keep the frontend (git checkout v2.0.0 -- app/ alembic/):
 * GitCode backend = GitCode.of(dir).only("app/", "alembic/").named("backend");
 * }</pre>
 *
 * <p>Immutable and thread-safe: each configuration method returns a new target.
 */
public final class GitCode implements Target {

    /** How a rollback puts the work tree back. */
    public enum Strategy {
        /** {@code git reset --hard <commit>}: HEAD, the branch, the index and the work tree move back. */
        RESET,
        /** One revert commit per commit after the restore point, newest first; history only grows. */
        REVERT,
        /** Only the named paths, from the restore point's commit; the rest of the tree is left alone. */
        PATHS
    }

    /** Which implementation of git does the work. */
    public enum Driver {
        /**
         * The {@code git} program through the host when it is installed there; JGit on this machine
         * when it is not.
         */
        AUTO,
        /** JGit, in this process; only for a work tree on this machine ({@code Hosts.local()}). */
        JGIT,
        /** The {@code git} program, run through the plan's host with argv lists. */
        CLI
    }

    // written only by of(..) and by an option method on its own copy, before the copy is returned
    String name;
    Path dir;
    Strategy strategy;
    List<String> paths;
    boolean allowDirty;
    boolean tagDeploys;
    List<List<String>> verifyCommands;
    Driver driver;
    String revision;
    private final GitCapture capturer;
    private final GitPreview preview;
    private final GitRestore restorer;
    private final GitVerify verifier;
    final GitRepos repos;

    private GitCode(Path dir) {
        this.name = "code";
        this.dir = dir;
        this.strategy = Strategy.RESET;
        this.paths = List.of();
        this.verifyCommands = List.of();
        this.driver = Driver.AUTO;
        this.capturer = new GitCapture(this);
        this.preview = new GitPreview(this);
        this.restorer = new GitRestore(this);
        this.verifier = new GitVerify(this);
        this.repos = new GitRepos(this);
    }

    private GitCode(GitCode from) {
        this.name = from.name;
        this.dir = from.dir;
        this.strategy = from.strategy;
        this.paths = from.paths;
        this.allowDirty = from.allowDirty;
        this.tagDeploys = from.tagDeploys;
        this.verifyCommands = from.verifyCommands;
        this.driver = from.driver;
        this.revision = from.revision;
        this.capturer = new GitCapture(this);
        this.preview = new GitPreview(this);
        this.restorer = new GitRestore(this);
        this.verifier = new GitVerify(this);
        this.repos = new GitRepos(this);
    }

    /**
     * The git working tree at {@code dir} (the top of the tree, where {@code .git} is), named {@code
     * code}, rolled back with {@code git reset --hard}. A relative path is taken from this process's
     * working folder.
     *
     * <pre>{@code
     * GitCode code = GitCode.of(Path.of("/srv/gestima"));
     * }</pre>
     */
    public static GitCode of(Path dir) {
        Objects.requireNonNull(dir, "work tree");
        return new GitCode(dir.isAbsolute() ? dir.normalize() : dir.toAbsolutePath().normalize());
    }

    /**
     * The same as {@link #of(Path)}.
     *
     * @deprecated use {@link #of(Path)}, the factory spelling every target follows
     */
    @Deprecated(forRemoval = true)
    public static GitCode workTree(Path dir) {
        return of(dir);
    }

    /**
     * This target under another name.
     *
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, {@code . _ -}, starting with a
     *     letter or digit ({@link Names#requireName})
     */
    public GitCode named(String newName) {
        GitCode copy = new GitCode(this);
        copy.name = Names.requireName(newName, "target name of git target '" + name + "'");
        return copy;
    }

    /**
     * This target rolling back with revert commits instead of a reset (scenario 001 method B): one
     * commit per commit after the restore point, newest first, so pushed history never moves back.
     *
     * @throws IllegalStateException if {@link #only(String...)} was chosen
     */
    public GitCode reverting() {
        if (strategy == Strategy.PATHS) {
            throw new IllegalStateException("git target '" + name + "': expected one strategy, found both only("
                    + String.join(", ", paths) + ") and reverting(); choose one");
        }
        GitCode copy = new GitCode(this);
        copy.strategy = Strategy.REVERT;
        return copy;
    }

    /**
     * This target rolling back only the given paths (files or folders, relative to the work tree),
     * as {@code git checkout v2.0.0 -- app/ alembic/} does, leaving every other path (the frontend)
     * as it is. The paths become exactly as in the restore point's commit, uncommitted.
     *
     * @throws IllegalArgumentException for no path, an absolute path, or one with {@code ..}
     * @throws IllegalStateException if {@link #reverting()} was chosen
     */
    public GitCode only(String... paths) {
        Objects.requireNonNull(paths, "paths");
        if (strategy == Strategy.REVERT) {
            throw new IllegalStateException("git target '" + name + "': expected one strategy, found both reverting() "
                    + "and only(" + String.join(", ", paths) + "); choose one");
        }
        if (paths.length == 0) {
            throw new IllegalArgumentException("git target '" + name + "': only(..) expected at least one path, "
                    + "found none; give the folders to restore, e.g. only(\"app/\", \"alembic/\")");
        }
        List<String> clean = new ArrayList<>();
        for (String p : paths) {
            String c = cleanPath(p);
            if (!clean.contains(c)) {
                clean.add(c);
            }
        }
        GitCode copy = new GitCode(this);
        copy.strategy = Strategy.PATHS;
        copy.paths = List.copyOf(clean);
        return copy;
    }

    /**
     * The same as {@link #only(String...)}.
     *
     * @deprecated use {@link #only(String...)}, the spelling of every target's subset
     */
    @Deprecated(forRemoval = true)
    public GitCode onlyPaths(String... paths) {
        return only(paths);
    }

    private String cleanPath(String path) {
        Objects.requireNonNull(path, "path");
        String p = path.replace('\\', '/');
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty() || p.startsWith("/") || Arrays.asList(p.split("/")).contains("..")
                || Arrays.asList(p.split("/")).contains(".git")) {
            throw new IllegalArgumentException("git target '" + name + "': expected a path inside the work tree such "
                    + "as 'app/', found '" + path + "'; give it relative to " + dir + ", without '..' or '.git'");
        }
        return p;
    }

    /**
     * This target accepting a work tree with uncommitted changes at capture: the changes are saved in
     * the restore point, and a rollback to it puts them back. Without it, such a capture is refused.
     */
    public GitCode allowDirty() {
        GitCode copy = new GitCode(this);
        copy.allowDirty = true;
        return copy;
    }

    /**
     * This target tagging the captured commit {@code deploy/<label>} at each capture (the label made
     * safe for a tag name), so that "roll back to the last good deploy" is {@link
     * #lastGoodDeploy(RollbackPlan)}. A capture whose tag already names another commit is refused.
     */
    public GitCode tagDeploys() {
        GitCode copy = new GitCode(this);
        copy.tagDeploys = true;
        return copy;
    }

    /**
     * This target running {@code argv} in the work tree after a rollback, through the host, as part
     * of its verification (a build, the tests): {@code verifiedBy("npm", "run", "build")}. Commands
     * run in the order added; the first that fails fails the verification. Each is recorded in the
     * report.
     */
    public GitCode verifiedBy(String... argv) {
        return verifiedBy(Arrays.asList(Objects.requireNonNull(argv, "argv")));
    }

    /** Like {@link #verifiedBy(String...)}, with the argv as a list. */
    public GitCode verifiedBy(List<String> argv) {
        Command.of(argv); // validates: a program, no null or NUL
        List<List<String>> more = new ArrayList<>(verifyCommands);
        more.add(List.copyOf(argv));
        GitCode copy = new GitCode(this);
        copy.verifyCommands = List.copyOf(more);
        return copy;
    }

    /**
     * The same as {@link #verifiedBy(String...)}.
     *
     * @deprecated use {@link #verifiedBy(String...)}, the spelling of every target's extra check
     */
    @Deprecated(forRemoval = true)
    public GitCode verifyWith(String... argv) {
        return verifiedBy(argv);
    }

    /**
     * The same as {@link #verifiedBy(List)}.
     *
     * @deprecated use {@link #verifiedBy(List)}, the spelling of every target's extra check
     */
    @Deprecated(forRemoval = true)
    public GitCode verifyWith(List<String> argv) {
        return verifiedBy(argv);
    }

    /** This target done by the given implementation of git; {@link Driver#AUTO} unless set. */
    public GitCode using(Driver how) {
        GitCode copy = new GitCode(this);
        copy.driver = Objects.requireNonNull(how, "driver");
        return copy;
    }

    /**
     * This target capturing the commit {@code revision} names (a tag, {@code HEAD~1}, an id) rather
     * than HEAD, for the runbook's {@code git reset --hard HEAD~1} or {@code git checkout v2.0.0}
     * when no restore point was taken before the deploy. The revision is resolved when the point is
     * captured; uncommitted changes are neither checked nor saved then (the set-aside before the
     * rollback still saves them).
     *
     * <pre>{@code
     * RollbackPlan plan = Rollback.plan("rosey").target(GitCode.of(dir).capturing("HEAD~1")).build();
     * plan.rollback(plan.capture("HEAD~1"));   // git reset --hard HEAD~1, the failed commit kept on a branch
     * }</pre>
     *
     * @throws IllegalArgumentException for a blank revision or one starting with {@code -}
     */
    public GitCode capturing(String revision) {
        Objects.requireNonNull(revision, "revision");
        if (revision.isBlank() || revision.startsWith("-") || revision.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("git target '" + name + "': expected a revision such as v2.0.0 or "
                    + "HEAD~1, found '" + revision + "'");
        }
        GitCode copy = new GitCode(this);
        copy.revision = revision;
        return copy;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.CODE;
    }

    /** The top of the work tree. */
    public Path workTree() {
        return dir;
    }

    /** How a rollback puts the tree back. */
    public Strategy strategy() {
        return strategy;
    }

    /** The paths a {@link Strategy#PATHS} rollback restores; empty for the others. */
    public List<String> paths() {
        return paths;
    }

    // ---- capture and set aside -------------------------------------------------------------------

    @Override
    public Snapshot capture(CaptureContext ctx) {
        return capturer.capture(ctx);
    }

    /**
     * Saves the failed state before a rollback: a branch {@code rollback/failed-<time>} at HEAD, and
     * every uncommitted change (never refused, whatever {@link #allowDirty()} says).
     */
    @Override
    public Snapshot setAside(CaptureContext ctx) {
        return capturer.setAside(ctx);
    }

    // ---- preflight and plan ----------------------------------------------------------------------

    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        if (scoped(ctx) != this) {
            return scoped(ctx).preflight(snapshot, ctx);
        }
        return preview.preflight(snapshot, ctx);
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) {
        if (scoped(ctx) != this) {
            List<String> out = new ArrayList<>(List.of("put back the whole work tree as set aside, not only "
                    + String.join(", ", paths)));
            out.addAll(scoped(ctx).plan(snapshot, ctx));
            return out;
        }
        return preview.plan(snapshot, ctx);
    }

    // ---- restore ---------------------------------------------------------------------------------

    /**
     * This target as it must act for {@code ctx}: a state set aside (a put-back, an undo) is put
     * back whole, every file of the tree, so a paths-only target resets to the set-aside commit and
     * puts back every uncommitted change it saved; the other strategies already act on the whole
     * tree.
     */
    private GitCode scoped(RestoreContext ctx) {
        if (strategy != Strategy.PATHS || !ctx.restoresSetAside()) {
            return this;
        }
        GitCode whole = new GitCode(this);
        whole.strategy = Strategy.RESET;
        whole.paths = List.of();
        return whole;
    }

    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) {
        if (scoped(ctx) != this) {
            scoped(ctx).restore(snapshot, ctx);
            return;
        }
        restorer.restore(snapshot, ctx);
    }

    /** The paths the strategy restores: all, or those under {@link #paths()}. */
    Predicate<String> inScope() {
        if (strategy != Strategy.PATHS) {
            return p -> true;
        }
        return p -> paths.stream().anyMatch(root -> p.equals(root) || p.startsWith(root + "/"));
    }

    // ---- verify ----------------------------------------------------------------------------------

    @Override
    public CheckResult verify(Snapshot snapshot, RestoreContext ctx) {
        if (scoped(ctx) != this) {
            return scoped(ctx).verify(snapshot, ctx);
        }
        return verifier.verify(snapshot, ctx);
    }

    // ---- deploy tags -----------------------------------------------------------------------------

    /**
     * The restore point to roll back to for "roll back to the last good deploy": the plan's newest
     * captured point that is not marked bad and whose {@code deploy/<label>} tag (see {@link
     * #tagDeploys()}) still names the captured commit in the work tree.
     *
     * <pre>{@code
     * RollbackReport report = plan.rollback(code.lastGoodDeploy(plan));
     * }</pre>
     *
     * @throws RestorePointNotFoundException if the plan has no such point
     */
    public RestorePoint lastGoodDeploy(RollbackPlan plan) {
        Objects.requireNonNull(plan, "plan");
        List<RestorePoint> points = plan.restorePoints();
        try (GitRepo repo = repos.open(plan.host())) {
            repos.requireUsable(repo);
            for (int i = points.size() - 1; i >= 0; i--) {
                RestorePoint p = points.get(i);
                if (p.isBad() || p.origin() != RestorePoint.Origin.CAPTURE) {
                    continue;
                }
                Optional<Snapshot> s = p.snapshot(name);
                Optional<String> tag = s.flatMap(x -> x.get(GitKeys.DEPLOY_TAG));
                if (tag.isPresent() && repo.resolve("refs/tags/" + tag.get()).equals(s.get().get(GitKeys.COMMIT))) {
                    return p;
                }
            }
        }
        throw new RestorePointNotFoundException("plan '" + plan.name() + "', git target '" + name + "': expected a "
                + "captured restore point, not marked bad, whose deploy/<label> tag still names its commit, found none "
                + "among " + points.size() + " point(s); capture with GitCode...tagDeploys() before each deploy");
    }

    // ---- the driver ------------------------------------------------------------------------------

    /** Opens the repository with the driver this target uses on {@code host}. */
    GitRepo open(Host host) {
        return repos.open(host);
    }

    @Override
    public String toString() {
        return "GitCode[" + name + ", " + dir + ", " + strategy.name().toLowerCase()
                + (paths.isEmpty() ? "" : " " + paths) + (allowDirty ? ", allow dirty" : "")
                + (revision == null ? "" : ", capturing " + revision) + (tagDeploys ? ", tag deploys" : "") + (verifyCommands.isEmpty() ? "" : ", verify with "
                + verifyCommands.stream().map(a -> Command.of(a).display()).toList()) + ", driver " + driver + "]";
    }
}
