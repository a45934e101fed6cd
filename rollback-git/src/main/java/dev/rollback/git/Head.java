package dev.rollback.git;

/**
 * Where HEAD is.
 *
 * @param commit the full id of the commit HEAD names, or null in a repository without commits
 * @param branch the short name of the branch HEAD is on, or null when HEAD is detached
 */
record Head(String commit, String branch) {

    /** Whether HEAD is detached from any branch. */
    public boolean detached() {
        return branch == null;
    }
}
