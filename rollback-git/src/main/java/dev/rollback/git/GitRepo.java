package dev.rollback.git;

import java.util.List;
import java.util.Optional;

/**
 * The git operations the code targets need, done either with JGit on a local tree ({@link JGitRepo})
 * or with the {@code git} program through a host ({@link CliRepo}). Both must behave the same; the
 * behaviour tests run against each.
 *
 * <p>Revisions are anything git resolves ({@code v2.0.0}, {@code HEAD~1}, an id); paths are relative
 * to the work tree, with {@code /} as separator and no trailing {@code /}.
 */
interface GitRepo extends AutoCloseable {

    /** How the repository is reached, for messages: {@code JGit on /srv/app}, {@code git on local}. */
    String describe();

    /**
     * Why the work tree cannot be worked on (no such folder, not the top of a git work tree, the
     * driver missing), or empty when it can.
     */
    Optional<String> whyNotUsable();

    /** The full id of the commit {@code revision} names, if it names one (tags are peeled). */
    Optional<String> resolve(String revision);

    /** The commit with this full id. */
    CommitInfo commit(String id);

    /** Where HEAD is. */
    Head head();

    /** The short names of the tags that point (once peeled) at {@code commit}, sorted. */
    List<String> tagsAt(String commit);

    /** {@code git describe --tags --always} of a commit. */
    String describe(String commit);

    /**
     * The subject, the tags and the describe name of {@code commit}, as {@link #commit(String)}, {@link
     * #tagsAt(String)} and {@link #describe(String)} give them; a driver may read them together.
     */
    default CommitLabels labels(String commit) {
        return new CommitLabels(commit(commit).subject(), tagsAt(commit), describe(commit));
    }

    /** The operation the repository is in the middle of ({@code merge}, {@code rebase}, ...), if any. */
    Optional<String> operationInProgress();

    /**
     * The paths with uncommitted changes: modified, staged, deleted, or untracked and not ignored.
     * Sorted, each once.
     */
    List<String> uncommittedPaths();

    /**
     * The commits reachable from {@code head} and not from {@code base}, newest first; with {@code
     * firstParent}, only those on the first-parent line.
     */
    List<CommitInfo> commitsBetween(String base, String head, boolean firstParent);

    /** Whether {@code ancestor} is {@code commit} or one of its ancestors. */
    boolean isAncestor(String ancestor, String commit);

    /** The files that differ between the trees of two commits, restricted to {@code paths} if any given. */
    List<FileChange> diff(String from, String to, List<String> paths);

    /** The paths among {@code paths} whose index entries differ from {@code commit}'s tree. */
    List<String> indexDiffersFrom(String commit, List<String> paths);

    /** The id of the tree of {@code commit}. */
    String treeOf(String commit);

    /** Whether {@code path} (a file or a folder) exists in the tree of {@code commit}. */
    boolean pathExists(String commit, String path);

    /** Whether the full ref name exists ({@code refs/heads/x}, {@code refs/tags/y}). */
    boolean refExists(String fullName);

    /** Creates a branch at {@code commit}; an existing branch is an error. */
    void createBranch(String name, String commit);

    /**
     * Creates a branch at {@code commit} if no branch has that name, in one step that git checks atomically (no
     * lookup before it); returns false, changing nothing, when the branch exists.
     */
    boolean createBranchIfAbsent(String name, String commit);

    /** Creates a lightweight tag at {@code commit}; an existing tag is an error. */
    void createTag(String name, String commit);

    /** {@code git reset --hard commit}: index and work tree to the commit, moving the current branch. */
    void resetHard(String commit);

    /**
     * Reverts each commit in the order given, one new commit each, with the given messages; a merge
     * is reverted against its first parent. On a conflict, resets to the HEAD it started from and
     * returns the conflict.
     */
    Optional<RevertConflict> revert(List<CommitInfo> commits, List<String> messages);

    /**
     * Makes {@code paths} in the index and the work tree exactly as in {@code commit}: changed files
     * rewritten, files the commit does not have removed. Other paths are not touched.
     */
    void restorePaths(String commit, List<String> paths);

    /** Releases what the driver holds open. */
    @Override
    void close();
}
