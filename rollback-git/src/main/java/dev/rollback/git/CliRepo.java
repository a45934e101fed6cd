package dev.rollback.git;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The {@code git} program run through a {@link Host}, with argv lists only: the same code works on
 * this machine and on a server reached over SSH. Every command runs in the work tree with a fixed
 * locale, literal pathspecs, no pager, no prompt, and signing turned off for the commits it makes.
 *
 * <p>Not thread-safe; one instance serves one call of a target.
 */
final class CliRepo implements GitRepo {

    private static final List<String> BASE = List.of("git", "-c", "core.quotePath=false", "-c", "color.ui=false",
            "-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false", "-c", "log.showSignature=false",
            "-c", "core.pager=cat", "-c", "advice.detachedHead=false");

    /** Files git leaves in its folder during an unfinished operation, and the operation's name. */
    private static final String[][] OPERATIONS = {
        {"MERGE_HEAD", "merge"}, {"rebase-merge", "rebase"}, {"rebase-apply", "rebase or am"},
        {"CHERRY_PICK_HEAD", "cherry-pick"}, {"REVERT_HEAD", "revert"}, {"BISECT_LOG", "bisect"}};

    private static final String FORMAT = "%H%x1f%P%x1f%an <%ae>%x1f%s";

    private final Host host;
    private final Path dir;
    private List<String> identity;
    private Probe probe;

    /** A repository whose work tree is {@code dir} on {@code host}. */
    public CliRepo(Host host, Path dir) {
        this.host = host;
        this.dir = dir;
    }

    @Override
    public String describe() {
        return "git on " + host.name() + " in " + dir;
    }

    @Override
    public Optional<String> whyNotUsable() {
        if (!host.hasProgram("git")) {
            return Optional.of("the program 'git' is not installed on host " + host.name() + "; install it "
                    + "(Debian: apt-get install git)");
        }
        Optional<FileStat> stat = host.stat(dir);
        if (stat.isEmpty() || !stat.get().isDirectory()) {
            return Optional.of("no folder " + dir + " on host " + host.name());
        }
        Probe p = probe();
        if (p.error() != null) {
            return Optional.of("no git repository at " + dir + " (" + p.error() + ")");
        }
        if (!p.prefix().isEmpty()) {
            return Optional.of("a folder inside a work tree, not its top (" + p.prefix() + " below it)");
        }
        return Optional.empty();
    }

    /**
     * What one {@code git rev-parse} says of the repository: the prefix of the folder in its work
     * tree, where git keeps the files of unfinished operations, and HEAD (its commit and, unless
     * detached, its branch). One process instead of four; kept until this instance changes the
     * repository.
     */
    private record Probe(String error, String prefix, List<String> operationFiles, Head head) {}

    private Probe probe() {
        if (probe != null) {
            return probe;
        }
        List<String> args = new ArrayList<>(List.of("rev-parse", "--show-prefix"));
        for (String[] op : OPERATIONS) {
            args.add("--git-path");
            args.add(op[0]);
        }
        args.addAll(List.of("HEAD", "--symbolic-full-name", "HEAD"));
        CommandResult r = git(false, null, args.toArray(String[]::new));
        if (r.succeeded()) {
            List<String> out = r.stdout().lines().toList();
            int n = OPERATIONS.length;
            String ref = out.get(n + 2).strip();
            probe = new Probe(null, out.get(0).strip(), out.subList(1, n + 1).stream().map(String::strip).toList(),
                    new Head(out.get(n + 1).strip(), ref.startsWith("refs/heads/") ? ref.substring(11) : null));
            return probe;
        }
        // no commit yet (HEAD does not resolve), or no repository at all: ask again without HEAD
        CommandResult bare = git(false, null, args.subList(0, args.size() - 3).toArray(String[]::new));
        if (!bare.succeeded()) {
            return new Probe(bare.stderr().strip(), "", List.of(), new Head(null, null));
        }
        List<String> out = bare.stdout().lines().toList();
        CommandResult branch = git(false, null, "symbolic-ref", "--quiet", "HEAD");
        String ref = branch.succeeded() ? branch.stdout().strip() : "";
        probe = new Probe(null, out.get(0).strip(), out.subList(1, out.size()).stream().map(String::strip).toList(),
                new Head(null, ref.startsWith("refs/heads/") ? ref.substring(11) : null));
        return probe;
    }

    @Override
    public Optional<String> resolve(String revision) {
        if (revision.isEmpty() || revision.startsWith("-")) {
            return Optional.empty();
        }
        CommandResult r = git(false, null, "rev-parse", "--verify", "--quiet", "--end-of-options",
                revision + "^{commit}");
        return r.succeeded() ? Optional.of(r.stdout().strip()) : Optional.empty();
    }

    @Override
    public CommitInfo commit(String id) {
        String out = ok(git(false, null, "log", "-1", "-z", "--format=" + FORMAT, id, "--")).stdout();
        return parse(out.split("\0")[0]);
    }

    private static CommitInfo parse(String record) {
        String[] f = record.split("\u001f", -1);
        List<String> parents = f[1].isBlank() ? List.of() : Arrays.asList(f[1].strip().split(" "));
        return new CommitInfo(f[0].strip(), f[3], f[2], parents);
    }

    @Override
    public Head head() {
        return probe().head();
    }

    @Override
    public List<String> tagsAt(String commit) {
        return lines(ok(git(false, null, "tag", "--list", "--points-at", commit)).stdout());
    }

    @Override
    public String describe(String commit) {
        return ok(git(false, null, "describe", "--tags", "--always", commit)).stdout().strip();
    }

    /**
     * One {@code git log -1} for the three: the subject, the tag decorations and {@code %(describe:tags)}, with
     * the abbreviated id when no tag describes the commit (what {@code --always} prints). A git older than 2.32,
     * which prints an unknown placeholder as it is, gets the describe name from {@code git describe}.
     */
    @Override
    public CommitLabels labels(String commit) {
        String out = ok(git(false, null, "log", "-1", "-z", "--decorate-refs=refs/tags/",
                "--format=%s%x1f%(describe:tags)%x1f%h%x1f%D", commit, "--")).stdout();
        String[] f = out.split("\0", -1)[0].split("\u001f", -1);
        if (f.length != 4) {
            throw new GitException(null, describe() + ": expected 4 fields from git log for the commit " + commit
                    + ", found " + f.length + " in '" + out.strip() + "'; check the commit with git log");
        }
        TreeSet<String> tags = new TreeSet<>();
        for (String ref : f[3].split(", ")) {
            if (ref.startsWith("tag: ")) {
                tags.add(ref.substring(5));
            }
        }
        String describe = f[1].startsWith("%(") ? describe(commit) : f[1].isEmpty() ? f[2] : f[1];
        return new CommitLabels(f[0], List.copyOf(tags), describe);
    }

    @Override
    public Optional<String> operationInProgress() {
        List<String> paths = probe().operationFiles();
        for (int i = 0; i < OPERATIONS.length && i < paths.size(); i++) {
            if (host.exists(dir.resolve(paths.get(i)))) {
                return Optional.of(OPERATIONS[i][1]);
            }
        }
        return Optional.empty();
    }

    @Override
    public List<String> uncommittedPaths() {
        String out = ok(git(false, null, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames",
                "--ignore-submodules=none")).stdout();
        TreeSet<String> paths = new TreeSet<>();
        for (String entry : out.split("\0")) {
            if (entry.length() > 3) {
                String path = entry.substring(3);
                paths.add(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
            }
        }
        return List.copyOf(paths);
    }

    @Override
    public List<CommitInfo> commitsBetween(String base, String head, boolean firstParent) {
        List<String> args = new ArrayList<>(List.of("log", "-z", "--topo-order", "--format=" + FORMAT));
        if (firstParent) {
            args.add("--first-parent");
        }
        args.add(base + ".." + head);
        args.add("--");
        String out = ok(git(false, null, args.toArray(String[]::new))).stdout();
        List<CommitInfo> commits = new ArrayList<>();
        for (String record : out.split("\0")) {
            if (record.isBlank()) {
                continue;
            }
            commits.add(parse(record));
        }
        return commits;
    }

    @Override
    public boolean isAncestor(String ancestor, String commit) {
        CommandResult r = git(false, null, "merge-base", "--is-ancestor", ancestor, commit);
        if (r.exitCode() > 1 || r.timedOut()) {
            throw failed(r);
        }
        return r.succeeded();
    }

    @Override
    public List<FileChange> diff(String from, String to, List<String> paths) {
        List<String> common = new ArrayList<>(List.of("diff", "--no-ext-diff", "--no-textconv", "-M", "-z"));
        List<String> tail = new ArrayList<>(List.of(from, to, "--"));
        tail.addAll(paths);
        List<String> status = new ArrayList<>(common);
        status.add("--name-status");
        status.addAll(tail);
        List<String> numstat = new ArrayList<>(common);
        numstat.add("--numstat");
        numstat.addAll(tail);
        String[] s = ok(git(false, null, status.toArray(String[]::new))).stdout().split("\0");
        String[] n = ok(git(false, null, numstat.toArray(String[]::new))).stdout().split("\0");
        List<FileChange> out = new ArrayList<>();
        int si = 0;
        int ni = 0;
        while (si < s.length && !s[si].isEmpty()) {
            char type = s[si].charAt(0);
            boolean renamed = type == 'R' || type == 'C';
            String oldPath = renamed ? s[si + 1] : null;
            String path = renamed ? s[si + 2] : s[si + 1];
            si += renamed ? 3 : 2;
            String[] counts = n[ni].split("\t", -1);
            ni += renamed ? 3 : 1;
            int added = counts[0].equals("-") ? -1 : Integer.parseInt(counts[0]);
            int removed = counts[1].equals("-") ? -1 : Integer.parseInt(counts[1]);
            char kind = switch (type) {
                case 'A', 'C' -> 'A';
                case 'D' -> 'D';
                case 'R' -> 'R';
                default -> 'M';
            };
            out.add(new FileChange(kind, path, type == 'R' ? oldPath : null, added, removed));
        }
        return out;
    }

    @Override
    public List<String> indexDiffersFrom(String commit, List<String> paths) {
        List<String> args = new ArrayList<>(List.of("diff", "--cached", "--no-renames", "--name-only", "-z", commit, "--"));
        args.addAll(paths);
        String out = ok(git(false, null, args.toArray(String[]::new))).stdout();
        return Arrays.stream(out.split("\0")).filter(p -> !p.isEmpty()).sorted().toList();
    }

    @Override
    public String treeOf(String commit) {
        return ok(git(false, null, "rev-parse", "--verify", commit + "^{tree}")).stdout().strip();
    }

    @Override
    public boolean pathExists(String commit, String path) {
        return git(false, null, "cat-file", "-e", commit + ":" + path).succeeded();
    }

    @Override
    public boolean refExists(String fullName) {
        return git(false, null, "show-ref", "--verify", "--quiet", fullName).succeeded();
    }

    @Override
    public void createBranch(String name, String commit) {
        createRef("refs/heads/" + name, commit, "branch: created by rollback");
    }

    @Override
    public boolean createBranchIfAbsent(String name, String commit) {
        String ref = "refs/heads/" + name;
        CommandResult r = git(true, null, "update-ref", "--create-reflog", "-m", "branch: created by rollback", ref,
                commit, "");
        if (r.succeeded()) {
            return true;
        }
        if (refExists(ref)) {
            return false; // refused because it exists: the one case that is not a failure
        }
        throw failed(r);
    }

    @Override
    public void createTag(String name, String commit) {
        createRef("refs/tags/" + name, commit, "tag: created by rollback");
    }

    private void createRef(String ref, String commit, String reason) {
        // an empty old value: the ref must not exist yet, checked atomically by git
        ok(git(true, null, "update-ref", "--create-reflog", "-m", reason, ref, commit, ""));
    }

    @Override
    public void resetHard(String commit) {
        ok(git(true, null, "reset", "--hard", "--quiet", commit));
    }

    @Override
    public Optional<RevertConflict> revert(List<CommitInfo> commits, List<String> messages) {
        String start = head().commit();
        for (int i = 0; i < commits.size(); i++) {
            CommitInfo c = commits.get(i);
            List<String> args = new ArrayList<>(List.of("revert", "--no-commit", "--no-rerere-autoupdate"));
            if (c.isMerge()) {
                args.addAll(List.of("-m", "1"));
            }
            args.add(c.id());
            CommandResult r = git(true, null, args.toArray(String[]::new));
            if (!r.succeeded()) {
                String unmerged = git(true, null, "diff", "--name-only", "--diff-filter=U", "-z").stdout();
                List<String> paths = Arrays.stream(unmerged.split("\0")).filter(p -> !p.isEmpty()).sorted().toList();
                resetHard(start);
                if (paths.isEmpty()) {
                    throw failed(r);
                }
                return Optional.of(new RevertConflict(c, paths));
            }
            List<String> commit = new ArrayList<>(identity());
            commit.addAll(List.of("commit", "--quiet", "--no-verify", "--allow-empty", "--cleanup=verbatim", "-F", "-"));
            ok(git(true, messages.get(i).getBytes(StandardCharsets.UTF_8), commit.toArray(String[]::new)));
        }
        return Optional.empty();
    }

    /** {@code -c user.name=… -c user.email=…} when the repository has no identity configured, else nothing. */
    private List<String> identity() {
        if (identity == null) {
            boolean named = git(false, null, "config", "user.name").succeeded()
                    && git(false, null, "config", "user.email").succeeded();
            identity = named ? List.of() : List.of("-c", "user.name=Rollback", "-c", "user.email=rollback@localhost");
        }
        return identity;
    }

    @Override
    public void restorePaths(String commit, List<String> paths) {
        List<String> args = new ArrayList<>(List.of("restore", "--source=" + commit, "--staged", "--worktree",
                "--no-overlay", "--"));
        args.addAll(paths);
        ok(git(true, null, args.toArray(String[]::new)));
    }

    @Override
    public void close() {
        // the host belongs to the plan; nothing of ours is open
    }

    // ---- running git -----------------------------------------------------------------------------

    /**
     * Runs git in the work tree. A read-only command may not take optional locks (so that a status
     * never rewrites the index of a tree we only look at).
     */
    private CommandResult git(boolean writes, byte[] stdin, String... args) {
        List<String> argv = new ArrayList<>(BASE);
        argv.addAll(Arrays.asList(args));
        if (writes) {
            probe = null;
        }
        Command c = Command.of(argv).in(dir).env("LC_ALL", "C").env("GIT_TERMINAL_PROMPT", "0")
                .env("GIT_LITERAL_PATHSPECS", "1").env("GIT_EDITOR", "true");
        if (!writes) {
            c = c.env("GIT_OPTIONAL_LOCKS", "0");
        }
        if (stdin != null) {
            c = c.input(stdin);
        }
        return host.run(c);
    }

    private CommandResult ok(CommandResult r) {
        if (!r.succeeded()) {
            throw failed(r);
        }
        return r;
    }

    private GitException failed(CommandResult r) {
        return new GitException(null, describe() + ": " + r.describe() + "; expected exit 0; fix the cause in the "
                + "repository and try again");
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
