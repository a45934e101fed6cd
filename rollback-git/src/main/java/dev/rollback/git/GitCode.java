package dev.rollback.git;

import dev.rollback.CheckAttempt;
import dev.rollback.CheckResult;
import dev.rollback.Problem;
import dev.rollback.RestorePoint;
import dev.rollback.RestorePointNotFoundException;
import dev.rollback.RollbackPlan;
import dev.rollback.Snapshot;
import dev.rollback.TargetKind;
import dev.rollback.git.internal.CliRepo;
import dev.rollback.git.internal.CommitInfo;
import dev.rollback.git.internal.FileChange;
import dev.rollback.git.internal.GitRepo;
import dev.rollback.git.internal.Head;
import dev.rollback.git.internal.JGitRepo;
import dev.rollback.git.internal.RevertConflict;
import dev.rollback.git.internal.Uncommitted;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.host.LocalHost;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A git working tree as a CODE target: captures the commit HEAD is at, and puts it back the way a
 * runbook does, with {@code git reset --hard} (the default), with revert commits ({@link
 * #reverting()}), or by restoring only some paths from the revision ({@link #onlyPaths(String...)}).
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
 *       #verifyWith(String...)} commands in the tree, each recorded in the report.
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
 * GitCode code = GitCode.workTree(Path.of("/srv/gestima")).tagDeploys().verifyWith("npm", "run", "build");
 * RollbackPlan plan = Rollback.plan("gestima").store(Path.of("/var/lib/rollback")).target(code).build();
 *
 * plan.capture("v2.0.0");                              // before the deploy: tags deploy/v2.0.0
 * // ... the deploy of v2.1.0 goes bad ...
 * RollbackReport report = plan.rollback(code.lastGoodDeploy(plan));
 *
 * // backend only, keep the frontend (git checkout v2.0.0 -- app/ alembic/):
 * GitCode backend = GitCode.workTree(dir).onlyPaths("app/", "alembic/").named("backend");
 * }</pre>
 *
 * <p>Immutable and thread-safe: each {@code withX}-style method returns a new target.
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

    /** Snapshot keys. */
    static final String WORK_TREE = "workTree";
    static final String COMMIT = "commit";
    static final String BRANCH = "branch";
    static final String TAGS = "tags";
    static final String DESCRIBE = "describe";
    static final String SUBJECT = "subject";
    static final String DIRTY = "dirty";
    static final String UNCOMMITTED = "uncommitted";
    static final String DEPLOY_TAG = "deployTag";
    static final String ASIDE_BRANCH = "setAsideBranch";

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final String name;
    private final Path dir;
    private final Strategy strategy;
    private final List<String> paths;
    private final boolean allowDirty;
    private final boolean tagDeploys;
    private final List<List<String>> verifyCommands;
    private final Driver driver;
    private final String revision;

    private GitCode(String name, Path dir, Strategy strategy, List<String> paths, boolean allowDirty,
            boolean tagDeploys, List<List<String>> verifyCommands, Driver driver, String revision) {
        this.name = name;
        this.dir = dir;
        this.strategy = strategy;
        this.paths = List.copyOf(paths);
        this.allowDirty = allowDirty;
        this.tagDeploys = tagDeploys;
        this.verifyCommands = verifyCommands.stream().map(List::copyOf).toList();
        this.driver = driver;
        this.revision = revision;
    }

    /**
     * The git working tree at {@code dir} (the top of the tree, where {@code .git} is), named {@code
     * code}, rolled back with {@code git reset --hard}. A relative path is taken from this process's
     * working folder.
     */
    public static GitCode workTree(Path dir) {
        Objects.requireNonNull(dir, "work tree");
        Path absolute = dir.isAbsolute() ? dir.normalize() : dir.toAbsolutePath().normalize();
        return new GitCode("code", absolute, Strategy.RESET, List.of(), false, false, List.of(), Driver.AUTO, null);
    }

    /** This target under another name (letters, digits, {@code . _ -}, at most 64). */
    public GitCode named(String newName) {
        Objects.requireNonNull(newName, "name");
        if (!newName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("git target name: expected 1 to 64 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit, found '" + newName + "'");
        }
        return new GitCode(newName, dir, strategy, paths, allowDirty, tagDeploys, verifyCommands, driver, revision);
    }

    /**
     * This target rolling back with revert commits instead of a reset (scenario 001 method B): one
     * commit per commit after the restore point, newest first, so pushed history never moves back.
     *
     * @throws IllegalStateException if {@link #onlyPaths(String...)} was chosen
     */
    public GitCode reverting() {
        if (strategy == Strategy.PATHS) {
            throw new IllegalStateException("git target '" + name + "': expected one strategy, found both onlyPaths("
                    + String.join(", ", paths) + ") and reverting(); choose one");
        }
        return new GitCode(name, dir, Strategy.REVERT, paths, allowDirty, tagDeploys, verifyCommands, driver, revision);
    }

    /**
     * This target rolling back only the given paths (files or folders, relative to the work tree),
     * as {@code git checkout v2.0.0 -- app/ alembic/} does, leaving every other path (the frontend)
     * as it is. The paths become exactly as in the restore point's commit, uncommitted.
     *
     * @throws IllegalArgumentException for no path, an absolute path, or one with {@code ..}
     * @throws IllegalStateException if {@link #reverting()} was chosen
     */
    public GitCode onlyPaths(String... paths) {
        Objects.requireNonNull(paths, "paths");
        if (strategy == Strategy.REVERT) {
            throw new IllegalStateException("git target '" + name + "': expected one strategy, found both reverting() "
                    + "and onlyPaths(" + String.join(", ", paths) + "); choose one");
        }
        if (paths.length == 0) {
            throw new IllegalArgumentException("git target '" + name + "': onlyPaths expected at least one path, "
                    + "found none; give the folders to restore, e.g. onlyPaths(\"app/\", \"alembic/\")");
        }
        List<String> clean = new ArrayList<>();
        for (String p : paths) {
            String c = cleanPath(p);
            if (!clean.contains(c)) {
                clean.add(c);
            }
        }
        return new GitCode(name, dir, Strategy.PATHS, clean, allowDirty, tagDeploys, verifyCommands, driver, revision);
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
        return new GitCode(name, dir, strategy, paths, true, tagDeploys, verifyCommands, driver, revision);
    }

    /**
     * This target tagging the captured commit {@code deploy/<label>} at each capture (the label made
     * safe for a tag name), so that "roll back to the last good deploy" is {@link
     * #lastGoodDeploy(RollbackPlan)}. A capture whose tag already names another commit is refused.
     */
    public GitCode tagDeploys() {
        return new GitCode(name, dir, strategy, paths, allowDirty, true, verifyCommands, driver, revision);
    }

    /**
     * This target running {@code argv} in the work tree after a rollback, through the host, as part
     * of its verification (a build, the tests): {@code verifyWith("npm", "run", "build")}. Commands
     * run in the order added; the first that fails fails the verification. Each is recorded in the
     * report.
     */
    public GitCode verifyWith(String... argv) {
        return verifyWith(Arrays.asList(Objects.requireNonNull(argv, "argv")));
    }

    /** Like {@link #verifyWith(String...)}, with the argv as a list. */
    public GitCode verifyWith(List<String> argv) {
        Command.of(argv); // validates: a program, no null or NUL
        List<List<String>> more = new ArrayList<>(verifyCommands);
        more.add(argv);
        return new GitCode(name, dir, strategy, paths, allowDirty, tagDeploys, more, driver, revision);
    }

    /** This target done by the given implementation of git; {@link Driver#AUTO} unless set. */
    public GitCode using(Driver how) {
        return new GitCode(name, dir, strategy, paths, allowDirty, tagDeploys, verifyCommands,
                Objects.requireNonNull(how, "driver"), revision);
    }

    /**
     * This target capturing the commit {@code revision} names (a tag, {@code HEAD~1}, an id) rather
     * than HEAD, for the runbook's {@code git reset --hard HEAD~1} or {@code git checkout v2.0.0}
     * when no restore point was taken before the deploy. The revision is resolved when the point is
     * captured; uncommitted changes are neither checked nor saved then (the set-aside before the
     * rollback still saves them).
     *
     * <pre>{@code
     * RollbackPlan plan = Rollback.plan("rosey").target(GitCode.workTree(dir).capturing("HEAD~1")).build();
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
        return new GitCode(name, dir, strategy, paths, allowDirty, tagDeploys, verifyCommands, driver, revision);
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
        try (GitRepo repo = open(ctx.host())) {
            Head head = requireHead(repo);
            if (revision != null) {
                String commit = repo.resolve(revision).orElseThrow(() -> new GitException(name, "git target '" + name
                        + "': expected the revision " + revision + " to name a commit in " + dir + ", found none; "
                        + "check it with git log"));
                head = new Head(commit, null);
            }
            Map<String, String> data = describe(repo, head);
            List<String> dirty = revision == null ? repo.uncommittedPaths() : List.of();
            if (!dirty.isEmpty() && !allowDirty) {
                throw new GitException(name, "git target '" + name + "': expected a clean work tree at " + dir
                        + " to capture, found " + dirty.size() + " uncommitted change(s): " + sample(dirty)
                        + "; commit or stash them, or capture them too with GitCode...allowDirty()");
            }
            saveUncommitted(ctx, repo, dirty, data);
            if (tagDeploys) {
                String tag = "deploy/" + refPart(ctx.label());
                Optional<String> existing = repo.refExists("refs/tags/" + tag) ? repo.resolve("refs/tags/" + tag)
                        : Optional.empty();
                if (existing.isPresent() && !existing.get().equals(head.commit())) {
                    throw new GitException(name, "git target '" + name + "': expected the tag " + tag + " to be free "
                            + "or at " + shortId(head.commit()) + ", found it at " + shortId(existing.get())
                            + "; capture with another label, or delete the tag if it is wrong");
                }
                if (existing.isEmpty()) {
                    repo.createTag(tag, head.commit());
                }
                data.put(DEPLOY_TAG, tag);
            }
            return Snapshot.of(data);
        }
    }

    /**
     * Saves the failed state before a rollback: a branch {@code rollback/failed-<time>} at HEAD, and
     * every uncommitted change (never refused, whatever {@link #allowDirty()} says).
     */
    @Override
    public Snapshot setAside(CaptureContext ctx) {
        try (GitRepo repo = open(ctx.host())) {
            Head head = requireHead(repo);
            Map<String, String> data = describe(repo, head);
            saveUncommitted(ctx, repo, repo.uncommittedPaths(), data);
            data.put(ASIDE_BRANCH, asideBranch(repo, head.commit(), ctx.clock().instant()));
            ctx.progress("failed state of " + dir + " kept on branch " + data.get(ASIDE_BRANCH)
                    + (data.get(UNCOMMITTED).equals("0") ? "" : " with " + data.get(UNCOMMITTED)
                    + " uncommitted change(s) saved in the store"));
            return Snapshot.of(data);
        }
    }

    private Head requireHead(GitRepo repo) {
        requireUsable(repo);
        Head head = repo.head();
        if (head.commit() == null) {
            throw new GitException(name, "git target '" + name + "': expected a commit at HEAD in " + dir
                    + ", found a repository without commits; commit first");
        }
        Optional<String> op = repo.operationInProgress();
        if (op.isPresent()) {
            throw new GitException(name, "git target '" + name + "': expected no unfinished operation in " + dir
                    + ", found a " + op.get() + " in progress; finish it or abort it (git " + op.get().split(" ")[0]
                    + " --abort), then try again");
        }
        return head;
    }

    private Map<String, String> describe(GitRepo repo, Head head) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(WORK_TREE, dir.toString());
        data.put(COMMIT, head.commit());
        data.put(BRANCH, head.branch() == null ? "" : head.branch());
        data.put(TAGS, String.join(" ", repo.tagsAt(head.commit())));
        data.put(DESCRIBE, repo.describe(head.commit()));
        data.put(SUBJECT, repo.commit(head.commit()).subject());
        return data;
    }

    private void saveUncommitted(CaptureContext ctx, GitRepo repo, List<String> dirty, Map<String, String> data) {
        data.put(DIRTY, String.valueOf(!dirty.isEmpty()));
        Uncommitted saved = Uncommitted.read(ctx.host(), dir, dirty);
        if (!saved.isEmpty()) {
            saved.writeTo(ctx.host(), ctx.artifactDir().resolve(Uncommitted.FOLDER));
        }
        data.put(UNCOMMITTED, String.valueOf(saved.size()));
    }

    /** Makes (or reuses, if already at the commit) the branch that keeps the failed commit reachable. */
    private String asideBranch(GitRepo repo, String commit, Instant now) {
        String base = "rollback/failed-" + STAMP.format(now);
        for (int n = 1; ; n++) {
            String branch = n == 1 ? base : base + "-" + n;
            if (!repo.refExists("refs/heads/" + branch)) {
                repo.createBranch(branch, commit);
                return branch;
            }
            if (repo.resolve("refs/heads/" + branch).orElse("").equals(commit)) {
                return branch;
            }
        }
    }

    // ---- preflight and plan ----------------------------------------------------------------------

    @Override
    public List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        if (scoped(ctx) != this) {
            return scoped(ctx).preflight(snapshot, ctx);
        }
        List<Problem> problems = new ArrayList<>();
        Optional<String> unusable = unusable(ctx.host());
        if (unusable.isPresent()) {
            problems.add(Problem.of(name, "a git work tree at " + dir, unusable.get(),
                    "correct the path, or install what is missing"));
            return problems;
        }
        try (GitRepo repo = open(ctx.host())) {
            Optional<String> why = repo.whyNotUsable();
            if (why.isPresent()) {
                problems.add(Problem.of(name, "a git work tree at " + dir, why.get(),
                        "give the top of the work tree (where .git is)"));
                return problems;
            }
            String commit = snapshot.require(COMMIT);
            boolean exists = repo.resolve(commit).filter(commit::equals).isPresent();
            if (!exists) {
                problems.add(Problem.of(name, "the commit " + commit + " (" + snapshot.get(DESCRIBE).orElse("")
                        + ") in " + dir, "no such commit", "fetch it (git fetch), or roll back to another restore point"));
            }
            repo.operationInProgress().ifPresent(op -> problems.add(Problem.of(name, "no unfinished operation in "
                    + dir, "a " + op + " in progress", "finish it or abort it (git " + op.split(" ")[0]
                    + " --abort), then roll back")));
            Head head = repo.head();
            if (head.commit() == null) {
                problems.add(Problem.of(name, "a commit at HEAD in " + dir, "a repository without commits",
                        "check that this is the right repository"));
            }
            if (exists && head.commit() != null && strategy == Strategy.REVERT
                    && !onFirstParentLine(repo, commit, head.commit())) {
                problems.add(Problem.of(name, "the commit " + shortId(commit) + " on the first-parent line of HEAD "
                        + shortId(head.commit()) + ", so that reverting the commits after it brings its tree back",
                        repo.isAncestor(commit, head.commit()) ? "it is only reachable through a merged branch"
                                : "it is not an ancestor of HEAD",
                        "roll back with the reset strategy (GitCode.workTree(dir) without reverting())"));
            }
            if (exists && strategy == Strategy.PATHS) {
                for (String p : paths) {
                    if (!repo.pathExists(commit, p)) {
                        problems.add(Problem.of(name, "the path '" + p + "' in commit " + shortId(commit),
                                "no such path", "correct onlyPaths(...) or choose another restore point"));
                    }
                }
            }
        }
        return problems;
    }

    private static boolean onFirstParentLine(GitRepo repo, String commit, String head) {
        if (commit.equals(head)) {
            return true;
        }
        if (!repo.isAncestor(commit, head)) {
            return false;
        }
        List<CommitInfo> line = repo.commitsBetween(commit, head, true);
        return !line.isEmpty() && !line.get(line.size() - 1).parents().isEmpty()
                && line.get(line.size() - 1).parents().get(0).equals(commit);
    }

    @Override
    public List<String> plan(Snapshot snapshot, RestoreContext ctx) {
        if (scoped(ctx) != this) {
            List<String> out = new ArrayList<>(List.of("put back the whole work tree as set aside, not only "
                    + String.join(", ", paths)));
            out.addAll(scoped(ctx).plan(snapshot, ctx));
            return out;
        }
        try (GitRepo repo = open(ctx.host())) {
            requireUsable(repo);
            String commit = snapshot.require(COMMIT);
            String at = shortId(commit) + " (" + snapshot.get(DESCRIBE).orElse("") + ")";
            Head head = repo.head();
            if (repo.resolve(commit).isEmpty() || head.commit() == null) {
                return List.of("(the commit " + at + " is not in " + dir + "; preflight refuses the rollback)");
            }
            List<String> out = new ArrayList<>();
            int dirty = repo.uncommittedPaths().size();
            out.add("the failed state is kept first: a branch rollback/failed-<time> at HEAD " + shortId(head.commit())
                    + (dirty == 0 ? "" : ", and the " + dirty + " uncommitted change(s) saved in the store"));
            switch (strategy) {
                case RESET -> {
                    out.add("git reset --hard " + at + " in " + dir + (head.branch() == null ? " (detached HEAD)"
                            : ", moving branch " + head.branch()));
                    List<CommitInfo> dropped = repo.commitsBetween(commit, head.commit(), false);
                    if (!dropped.isEmpty()) {
                        out.add("drops " + dropped.size() + " commit(s) from the work tree (still reachable from the "
                                + "branch set aside):");
                        dropped.forEach(c -> out.add("  drop " + c.describe()));
                    }
                    List<CommitInfo> gained = repo.commitsBetween(head.commit(), commit, false);
                    if (!gained.isEmpty()) {
                        out.add("brings in " + gained.size() + " commit(s) HEAD does not have:");
                        gained.forEach(c -> out.add("  add " + c.describe()));
                    }
                    files(out, repo.diff(head.commit(), commit, List.of()));
                }
                case REVERT -> {
                    List<CommitInfo> reverted = repo.commitsBetween(commit, head.commit(), true);
                    out.add("create " + reverted.size() + " revert commit(s) on " + (head.branch() == null
                            ? "the detached HEAD" : "branch " + head.branch()) + ", newest first, back to " + at + ":");
                    reverted.forEach(c -> out.add("  revert " + c.describe() + (c.isMerge() ? " (a merge: against "
                            + "its first parent)" : "")));
                    files(out, repo.diff(head.commit(), commit, List.of()));
                }
                case PATHS -> {
                    out.add("restore only " + String.join(", ", paths) + " from " + at + " into the index and the work "
                            + "tree of " + dir + "; every other path is left as it is, nothing is committed");
                    files(out, repo.diff(head.commit(), commit, paths));
                }
            }
            int saved = Integer.parseInt(snapshot.get(UNCOMMITTED).orElse("0"));
            if (saved > 0) {
                out.add("then put back the " + saved + " uncommitted change(s) captured with the restore point"
                        + (strategy == Strategy.PATHS ? " (those under " + String.join(", ", paths) + ")" : ""));
            }
            return out;
        }
    }

    private static void files(List<String> out, List<FileChange> changes) {
        if (changes.isEmpty()) {
            out.add("no committed file changes");
            return;
        }
        int added = changes.stream().filter(c -> !c.binary()).mapToInt(FileChange::added).sum();
        int removed = changes.stream().filter(c -> !c.binary()).mapToInt(FileChange::removed).sum();
        out.add("changes " + changes.size() + " file(s), +" + added + " -" + removed + " lines:");
        changes.forEach(c -> out.add("  " + c.describe()));
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
        return new GitCode(name, dir, Strategy.RESET, List.of(), allowDirty, tagDeploys, verifyCommands, driver, revision);
    }

    @Override
    public void restore(Snapshot snapshot, RestoreContext ctx) {
        if (scoped(ctx) != this) {
            scoped(ctx).restore(snapshot, ctx);
            return;
        }
        Host host = ctx.host();
        try (GitRepo repo = open(host)) {
            Head head = requireHead(repo);
            String commit = snapshot.require(COMMIT);
            if (repo.resolve(commit).filter(commit::equals).isEmpty()) {
                throw new GitException(name, "git target '" + name + "': expected the commit " + commit + " in " + dir
                        + ", found none; fetch it, or roll back to another restore point");
            }
            switch (strategy) {
                case RESET -> {
                    ctx.progress("git reset --hard " + shortId(commit) + " in " + dir);
                    repo.resetHard(commit);
                }
                case REVERT -> revert(snapshot, ctx, repo, head, commit);
                case PATHS -> {
                    ctx.progress("restore " + String.join(", ", paths) + " from " + shortId(commit) + " in " + dir);
                    repo.restorePaths(commit, paths);
                }
            }
            Uncommitted saved = Uncommitted.readFrom(ctx.host(), ctx.artifactDir(snapshot).resolve(Uncommitted.FOLDER));
            if (!saved.isEmpty()) {
                ctx.progress("put back " + saved.size() + " uncommitted change(s) in " + dir);
                saved.applyTo(host, dir, inScope());
            }
        }
    }

    private void revert(Snapshot snapshot, RestoreContext ctx, GitRepo repo, Head head, String commit) {
        if (repo.treeOf(head.commit()).equals(repo.treeOf(commit)) && repo.uncommittedPaths().isEmpty()) {
            ctx.progress(dir + " already has the tree of " + shortId(commit) + ": nothing to revert");
            return;
        }
        if (!onFirstParentLine(repo, commit, head.commit())) {
            throw new GitException(name, "git target '" + name + "': expected " + shortId(commit) + " on the "
                    + "first-parent line of HEAD " + shortId(head.commit()) + ", found it is not; roll back with the "
                    + "reset strategy");
        }
        List<CommitInfo> commits = repo.commitsBetween(commit, head.commit(), true);
        Uncommitted before = Uncommitted.read(ctx.host(), dir, repo.uncommittedPaths());
        if (!before.isEmpty()) {
            repo.resetHard(head.commit()); // the changes were set aside, and are held here to put back on a conflict
        }
        List<String> messages = new ArrayList<>();
        for (CommitInfo c : commits) {
            messages.add("Revert \"" + c.subject() + "\"\n\nThis reverts commit " + c.id()
                    + (c.isMerge() ? ", reversing changes made to " + c.parents().get(1) : "") + ".\n\n"
                    + "Rolled back by rollback " + ctx.rollbackId() + " of plan '" + ctx.plan() + "' to restore point '"
                    + ctx.point().label() + "' (" + ctx.point().id() + ").\n");
        }
        ctx.progress("revert " + commits.size() + " commit(s) in " + dir + ", newest first");
        Optional<RevertConflict> conflict = repo.revert(commits, messages);
        if (conflict.isPresent()) {
            before.applyTo(ctx.host(), dir, p -> true);
            RevertConflict c = conflict.get();
            throw new RevertConflictException(name, c.commit().id(), c.paths(), "git target '" + name + "': expected "
                    + "the revert of " + c.commit().describe() + " to apply, found conflicts in " + c.paths().size()
                    + " path(s): " + sample(c.paths()) + "; the tree was left as it was at " + shortId(head.commit())
                    + "; resolve by hand, or roll back with the reset strategy");
        }
    }

    private Predicate<String> inScope() {
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
        Instant started = ctx.clock().instant();
        List<CheckAttempt> attempts = new ArrayList<>();
        String commit = snapshot.require(COMMIT);
        try (GitRepo repo = open(ctx.host())) {
            requireUsable(repo);
            String at = repo.head().commit();
            String state = switch (strategy) {
                case RESET -> commit.equals(at) ? null : "HEAD is at " + shortId(at) + ", not " + shortId(commit);
                case REVERT -> repo.treeOf(at).equals(repo.treeOf(commit)) ? null
                        : "the tree of HEAD " + shortId(at) + " differs from that of " + shortId(commit) + ": "
                        + sample(repo.diff(commit, at, List.of()).stream().map(FileChange::path).toList());
                case PATHS -> {
                    List<String> differ = repo.indexDiffersFrom(commit, paths);
                    yield differ.isEmpty() ? null : "paths differ from " + shortId(commit) + ": " + sample(differ);
                }
            };
            if (state == null) {
                List<String> lost = Uncommitted.readFrom(ctx.host(), ctx.artifactDir(snapshot).resolve(Uncommitted.FOLDER))
                        .differences(ctx.host(), dir, inScope());
                state = lost.isEmpty() ? null : "uncommitted changes not put back: " + sample(lost);
            }
            Instant now = ctx.clock().instant();
            attempts.add(new CheckAttempt(1, started, state == null, state == null ? (strategy == Strategy.PATHS
                    ? String.join(", ", paths) + " as in " : "work tree at ") + shortId(commit) + " ("
                    + snapshot.get(DESCRIBE).orElse("") + ")" : state, Duration.between(started, now)));
        }
        boolean passed = attempts.get(0).passed();
        for (List<String> argv : verifyCommands) {
            if (!passed) {
                break;
            }
            Instant t0 = ctx.clock().instant();
            CommandResult r = ctx.host().run(Command.of(argv).in(dir));
            passed = r.succeeded();
            String out = (r.stdout() + r.stderr()).strip();
            attempts.add(new CheckAttempt(attempts.size() + 1, t0, passed, passed ? "'" + r.command() + "' exited 0"
                    + (out.isEmpty() ? "" : ": " + tail(out)) : r.describe(), r.duration()));
        }
        Duration took = Duration.between(started, ctx.clock().instant());
        CheckAttempt last = attempts.get(attempts.size() - 1);
        String detail = passed ? attempts.stream().map(CheckAttempt::observed).reduce((a, b) -> a + "; " + b)
                .orElse("") : last.observed();
        return new CheckResult("verify " + name, passed, detail, attempts.size(), took, attempts);
    }

    private static String tail(String text) {
        return text.length() <= 200 ? text : "..." + text.substring(text.length() - 200);
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
        try (GitRepo repo = open(plan.host())) {
            requireUsable(repo);
            for (int i = points.size() - 1; i >= 0; i--) {
                RestorePoint p = points.get(i);
                if (p.isBad() || p.origin() != RestorePoint.Origin.CAPTURE) {
                    continue;
                }
                Optional<Snapshot> s = p.snapshot(name);
                Optional<String> tag = s.flatMap(x -> x.get(DEPLOY_TAG));
                if (tag.isPresent() && repo.resolve("refs/tags/" + tag.get()).equals(s.get().get(COMMIT))) {
                    return p;
                }
            }
        }
        throw new RestorePointNotFoundException("plan '" + plan.name() + "', git target '" + name + "': expected a "
                + "captured restore point, not marked bad, whose deploy/<label> tag still names its commit, found none "
                + "among " + points.size() + " point(s); capture with GitCode...tagDeploys() before each deploy");
    }

    // ---- the driver ------------------------------------------------------------------------------

    private Optional<String> unusable(Host host) {
        boolean local = host instanceof LocalHost;
        return switch (driver) {
            case JGIT -> !local ? Optional.of("the JGit driver on host " + host.name() + ", which works only on this "
                    + "machine (use Driver.CLI or AUTO)") : JGitRepo.available() ? Optional.empty()
                    : Optional.of("no JGit on the class path (add org.eclipse.jgit:org.eclipse.jgit)");
            case CLI -> host.hasProgram("git") ? Optional.empty()
                    : Optional.of("no 'git' program on host " + host.name() + " (install git)");
            case AUTO -> host.hasProgram("git") || (local && JGitRepo.available()) ? Optional.empty()
                    : Optional.of("no 'git' program on host " + host.name() + (local ? " and no JGit on the class "
                    + "path" : "") + " (install git)");
        };
    }

    /** Opens the repository with the driver this target uses on {@code host}. */
    GitRepo open(Host host) {
        Optional<String> why = unusable(host);
        if (why.isPresent()) {
            throw new GitException(name, "git target '" + name + "': expected a way to run git on " + dir + ", found "
                    + why.get());
        }
        boolean cli = switch (driver) {
            case JGIT -> false;
            case CLI -> true;
            case AUTO -> host.hasProgram("git");
        };
        return cli ? new CliRepo(host, dir) : new JGitRepo(dir);
    }

    private void requireUsable(GitRepo repo) {
        Optional<String> why = repo.whyNotUsable();
        if (why.isPresent()) {
            throw new GitException(name, "git target '" + name + "': expected a git work tree at " + dir + ", found "
                    + why.get() + "; give the top of the work tree (where .git is)");
        }
    }

    /** Text made safe as one part of a ref name: {@code v2.0.0} stays, {@code release 7/b} becomes {@code release-7-b}. */
    static String refPart(String text) {
        String s = text.strip().replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("\\.{2,}", ".");
        s = s.replaceAll("^[.-]+", "").replaceAll("(\\.lock|\\.)+$", "");
        if (s.isEmpty()) {
            throw new IllegalArgumentException("label '" + text + "': expected letters or digits to name a tag, found "
                    + "none; capture with a label such as v2.0.0");
        }
        return s;
    }

    private static String shortId(String id) {
        return id == null ? "(none)" : id.substring(0, Math.min(10, id.length()));
    }

    private static String sample(List<String> items) {
        return items.size() <= 10 ? String.join(", ", items)
                : String.join(", ", items.subList(0, 10)) + " and " + (items.size() - 10) + " more";
    }

    @Override
    public String toString() {
        return "GitCode[" + name + ", " + dir + ", " + strategy.name().toLowerCase()
                + (paths.isEmpty() ? "" : " " + paths) + (allowDirty ? ", allow dirty" : "")
                + (revision == null ? "" : ", capturing " + revision) + (tagDeploys ? ", tag deploys" : "") + (verifyCommands.isEmpty() ? "" : ", verify with "
                + verifyCommands.stream().map(a -> Command.of(a).display()).toList()) + ", driver " + driver + "]";
    }
}
