package dev.rollback.git;

import static dev.rollback.git.GitKeys.COMMIT;
import static dev.rollback.git.GitKeys.DESCRIBE;
import static dev.rollback.git.GitKeys.UNCOMMITTED;
import static dev.rollback.git.GitKeys.shortId;
import static dev.rollback.git.GitRestore.onFirstParentLine;

import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.git.GitCode.Strategy;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link GitCode} says before a rollback changes anything: the problems that would stop it
 * (a missing commit, an unfinished operation, a commit off the first-parent line, missing paths) and
 * the preview text of the chosen strategy (the commits dropped or reverted, the files that change).
 *
 * <p>Immutable and thread-safe; it only reads the repository.
 */
final class GitPreview {

    private final GitCode code;

    GitPreview(GitCode code) {
        this.code = code;
    }

    /** What would stop the rollback, found before anything changes; see {@link GitCode#preflight}. */
    List<Problem> preflight(Snapshot snapshot, RestoreContext ctx) {
        List<Problem> problems = new ArrayList<>();
        Optional<String> unusable = code.repos.unusable(ctx.host());
        if (unusable.isPresent()) {
            problems.add(Problem.of(code.name, "a git work tree at " + code.dir, unusable.get(),
                    "correct the path, or install what is missing"));
            return problems;
        }
        try (GitRepo repo = code.repos.open(ctx.host())) {
            Optional<String> why = repo.whyNotUsable();
            if (why.isPresent()) {
                problems.add(Problem.of(code.name, "a git work tree at " + code.dir, why.get(),
                        "give the top of the work tree (where .git is)"));
                return problems;
            }
            String commit = snapshot.require(COMMIT);
            boolean exists = repo.resolve(commit).filter(commit::equals).isPresent();
            if (!exists) {
                problems.add(Problem.of(code.name, "the commit " + commit + " (" + snapshot.get(DESCRIBE).orElse("")
                        + ") in " + code.dir, "no such commit", "fetch it (git fetch), or roll back to another restore point"));
            }
            repo.operationInProgress().ifPresent(op -> problems.add(Problem.of(code.name, "no unfinished operation in "
                    + code.dir, "a " + op + " in progress", "finish it or abort it (git " + op.split(" ")[0]
                    + " --abort), then roll back")));
            Head head = repo.head();
            if (head.commit() == null) {
                problems.add(Problem.of(code.name, "a commit at HEAD in " + code.dir, "a repository without commits",
                        "check that this is the right repository"));
            }
            if (exists && head.commit() != null && code.strategy == Strategy.REVERT
                    && !onFirstParentLine(repo, commit, head.commit())) {
                problems.add(Problem.of(code.name, "the commit " + shortId(commit) + " on the first-parent line of HEAD "
                        + shortId(head.commit()) + ", so that reverting the commits after it brings its tree back",
                        repo.isAncestor(commit, head.commit()) ? "it is only reachable through a merged branch"
                                : "it is not an ancestor of HEAD",
                        "roll back with the reset strategy (GitCode.of(dir) without reverting())"));
            }
            if (exists && code.strategy == Strategy.PATHS) {
                for (String p : code.paths) {
                    if (!repo.pathExists(commit, p)) {
                        problems.add(Problem.of(code.name, "the path '" + p + "' in commit " + shortId(commit),
                                "no such path", "correct only(...) or choose another restore point"));
                    }
                }
            }
        }
        return problems;
    }

    /** The preview text of the strategy: the failed state kept, the commits and the files that change. */
    List<String> plan(Snapshot snapshot, RestoreContext ctx) {
        try (GitRepo repo = code.repos.open(ctx.host())) {
            code.repos.requireUsable(repo);
            String commit = snapshot.require(COMMIT);
            String at = shortId(commit) + " (" + snapshot.get(DESCRIBE).orElse("") + ")";
            Head head = repo.head();
            if (repo.resolve(commit).isEmpty() || head.commit() == null) {
                return List.of("(the commit " + at + " is not in " + code.dir + "; preflight refuses the rollback)");
            }
            List<String> out = new ArrayList<>();
            int dirty = repo.uncommittedPaths().size();
            out.add("the failed state is kept first: a branch rollback/failed-<time> at HEAD " + shortId(head.commit())
                    + (dirty == 0 ? "" : ", and the " + dirty + " uncommitted change(s) saved in the store"));
            switch (code.strategy) {
                case RESET -> {
                    out.add("git reset --hard " + at + " in " + code.dir + (head.branch() == null ? " (detached HEAD)"
                            : ", moving branch " + head.branch()));
                    List<CommitInfo> dropped = repo.commitsBetween(commit, head.commit(), false);
                    if (!dropped.isEmpty()) {
                        out.add("drops " + Plural.of(dropped.size(), "commit") + " from the work tree (still reachable from the "
                                + "branch set aside):");
                        dropped.forEach(c -> out.add("  drop " + c.describe()));
                    }
                    List<CommitInfo> gained = repo.commitsBetween(head.commit(), commit, false);
                    if (!gained.isEmpty()) {
                        out.add("brings in " + Plural.of(gained.size(), "commit") + " HEAD does not have:");
                        gained.forEach(c -> out.add("  add " + c.describe()));
                    }
                    files(out, repo.diff(head.commit(), commit, List.of()));
                }
                case REVERT -> {
                    List<CommitInfo> reverted = repo.commitsBetween(commit, head.commit(), true);
                    out.add("create " + Plural.of(reverted.size(), "revert commit") + " on " + (head.branch() == null
                            ? "the detached HEAD" : "branch " + head.branch()) + ", newest first, back to " + at + ":");
                    reverted.forEach(c -> out.add("  revert " + c.describe() + (c.isMerge() ? " (a merge: against "
                            + "its first parent)" : "")));
                    files(out, repo.diff(head.commit(), commit, List.of()));
                }
                case PATHS -> {
                    out.add("restore only " + String.join(", ", code.paths) + " from " + at + " into the index and the work "
                            + "tree of " + code.dir + "; every other path is left as it is, nothing is committed");
                    files(out, repo.diff(head.commit(), commit, code.paths));
                }
            }
            int saved = Integer.parseInt(snapshot.get(UNCOMMITTED).orElse("0"));
            if (saved > 0) {
                out.add("then put back the " + saved + " uncommitted change(s) captured with the restore point"
                        + (code.strategy == Strategy.PATHS ? " (those under " + String.join(", ", code.paths) + ")" : ""));
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
        out.add("changes " + Plural.of(changes.size(), "file") + ", +" + added + " -" + removed + " lines:");
        changes.forEach(c -> out.add("  " + c.describe()));
    }
}
