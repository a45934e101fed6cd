package dev.rollback.git;

import java.util.List;

/**
 * A revert that stopped on conflicting paths; the repository was put back as it was.
 *
 * @param commit the commit whose revert conflicted
 * @param paths the conflicting paths
 */
record RevertConflict(CommitInfo commit, List<String> paths) {

    /** Copies the paths. */
    public RevertConflict {
        paths = List.copyOf(paths);
    }
}
