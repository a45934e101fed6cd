package dev.rollback.git;

/** The behaviour of {@link GitCode} with JGit doing the work, in this process. */
class JGitCodeTest extends GitCodeBehaviour {

    @Override
    GitCode.Driver driver() {
        return GitCode.Driver.JGIT;
    }
}
