package dev.rollback.git;

import dev.rollback.host.Host;
import dev.rollback.host.LocalHost;
import java.util.Optional;

/**
 * Opens the repository of a {@link GitCode} work tree with the target's {@link GitCode.Driver} (the
 * {@code git} program through the host, or JGit in this process), and refuses a tree it cannot use.
 *
 * <p>Immutable and thread-safe; each call opens a repository the caller closes.
 */
final class GitRepos {

    private final GitCode code;

    GitRepos(GitCode code) {
        this.code = code;
    }

    /** Why git cannot be run on {@code host} with the target's driver; empty if it can. */
    Optional<String> unusable(Host host) {
        boolean local = host instanceof LocalHost;
        return switch (code.driver) {
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

    /** HEAD, after refusing a tree that is unusable, has no commit, or is in the middle of an operation. */
    Head requireHead(GitRepo repo) {
        requireUsable(repo);
        Head head = repo.head();
        if (head.commit() == null) {
            throw new GitException(code.name, "git target '" + code.name + "': expected a commit at HEAD in " + code.dir
                    + ", found a repository without commits; commit first");
        }
        Optional<String> op = repo.operationInProgress();
        if (op.isPresent()) {
            throw new GitException(code.name, "git target '" + code.name + "': expected no unfinished operation in " + code.dir
                    + ", found a " + op.get() + " in progress; finish it or abort it (git " + op.get().split(" ")[0]
                    + " --abort), then try again");
        }
        return head;
    }

    /** Opens the repository with the driver this target uses on {@code host}. */
    GitRepo open(Host host) {
        Optional<String> why = unusable(host);
        if (why.isPresent()) {
            throw new GitException(code.name, "git target '" + code.name + "': expected a way to run git on " + code.dir + ", found "
                    + why.get());
        }
        boolean cli = switch (code.driver) {
            case JGIT -> false;
            case CLI -> true;
            case AUTO -> host.hasProgram("git");
        };
        return cli ? new CliRepo(host, code.dir) : new JGitRepo(code.dir);
    }

    /** Refuses a folder that is not the top of a git work tree. */
    void requireUsable(GitRepo repo) {
        Optional<String> why = repo.whyNotUsable();
        if (why.isPresent()) {
            throw new GitException(code.name, "git target '" + code.name + "': expected a git work tree at " + code.dir + ", found "
                    + why.get() + "; give the top of the work tree (where .git is)");
        }
    }
}
