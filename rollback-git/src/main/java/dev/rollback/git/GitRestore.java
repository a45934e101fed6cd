package dev.rollback.git;

import static dev.rollback.git.GitKeys.COMMIT;
import static dev.rollback.git.GitKeys.sample;
import static dev.rollback.git.GitKeys.shortId;

import dev.rollback.spi.Snapshot;
import dev.rollback.host.Host;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Puts a {@link GitCode} tree back with one of its three strategies: {@code git reset --hard}, revert
 * commits back to the captured commit, or only the named paths; then puts back the uncommitted changes
 * saved with the snapshot.
 *
 * <p>Immutable and thread-safe; a restore works on the repository it opens.
 */
final class GitRestore {

    private final GitCode code;

    GitRestore(GitCode code) {
        this.code = code;
    }

    /** Puts the tree back with the target's strategy, then the saved uncommitted changes in scope. */
    void restore(Snapshot snapshot, RestoreContext ctx) {
        Host host = ctx.host();
        try (GitRepo repo = code.repos.open(host)) {
            Head head = code.repos.requireHead(repo);
            String commit = snapshot.require(COMMIT);
            if (code.strategy != GitCode.Strategy.RESET) {
                requireCommit(repo, commit);
            }
            switch (code.strategy) {
                case RESET -> {
                    ctx.progress("git reset --hard " + shortId(commit) + " in " + code.dir);
                    try {
                        // a reset to an id that names no commit changes nothing and fails: the check comes after,
                        // only to say why, which saves a git process on every reset
                        repo.resetHard(commit);
                    } catch (GitException e) {
                        requireCommit(repo, commit);
                        throw e;
                    }
                }
                case REVERT -> revert(snapshot, ctx, repo, head, commit);
                case PATHS -> {
                    ctx.progress("restore " + String.join(", ", code.paths) + " from " + shortId(commit) + " in " + code.dir);
                    repo.restorePaths(commit, code.paths);
                }
            }
            Uncommitted saved = Uncommitted.readFrom(ctx.host(), ctx.artifactDir(snapshot).resolve(Uncommitted.FOLDER));
            if (!saved.isEmpty()) {
                ctx.progress("put back " + saved.size() + " uncommitted change(s) in " + code.dir);
                saved.applyTo(host, code.dir, code.inScope());
            }
        }
    }

    /** Refuses a commit id that names no commit of the repository, with what to do. */
    private void requireCommit(GitRepo repo, String commit) {
        if (repo.resolve(commit).filter(commit::equals).isEmpty()) {
            throw new GitException(code.name, "git target '" + code.name + "': expected the commit " + commit + " in "
                    + code.dir + ", found none; fetch it, or roll back to another restore point");
        }
    }

    /** The revert strategy: one revert commit per commit after {@code commit}, or nothing on a conflict. */
    private void revert(Snapshot snapshot, RestoreContext ctx, GitRepo repo, Head head, String commit) {
        if (repo.treeOf(head.commit()).equals(repo.treeOf(commit)) && repo.uncommittedPaths().isEmpty()) {
            ctx.progress(code.dir + " already has the tree of " + shortId(commit) + ": nothing to revert");
            return;
        }
        if (!onFirstParentLine(repo, commit, head.commit())) {
            throw new GitException(code.name, "git target '" + code.name + "': expected " + shortId(commit) + " on the "
                    + "first-parent line of HEAD " + shortId(head.commit()) + ", found it is not; roll back with the "
                    + "reset strategy");
        }
        List<CommitInfo> commits = repo.commitsBetween(commit, head.commit(), true);
        Uncommitted before = Uncommitted.read(ctx.host(), code.dir, repo.uncommittedPaths());
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
        ctx.progress("revert " + Plural.of(commits.size(), "commit") + " in " + code.dir + ", newest first");
        Optional<RevertConflict> conflict = repo.revert(commits, messages);
        if (conflict.isPresent()) {
            before.applyTo(ctx.host(), code.dir, p -> true);
            RevertConflict c = conflict.get();
            throw new RevertConflictException(code.name, c.commit().id(), c.paths(), "git target '" + code.name + "': expected "
                    + "the revert of " + c.commit().describe() + " to apply, found conflicts in " + c.paths().size()
                    + " path(s): " + sample(c.paths()) + "; the tree was left as it was at " + shortId(head.commit())
                    + "; resolve by hand, or roll back with the reset strategy");
        }
    }

    /** Whether reverting the commits after {@code commit} on HEAD's first-parent line brings its tree back. */
    static boolean onFirstParentLine(GitRepo repo, String commit, String head) {
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
}
