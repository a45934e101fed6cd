package dev.rollback.git;

import java.util.List;

/**
 * Reverting a commit conflicted with the work tree's history. The revert stopped and the tree was
 * left as it was before the restore began (HEAD, index and uncommitted changes).
 */
public class RevertConflictException extends GitException {

    private static final long serialVersionUID = 1L;

    private final String commit;
    private final List<String> paths;

    /** An exception naming the commit whose revert conflicted and the conflicting paths. */
    public RevertConflictException(String target, String commit, List<String> paths, String message) {
        super(target, message);
        this.commit = commit;
        this.paths = List.copyOf(paths);
    }

    /** The full id of the commit whose revert conflicted. */
    public String commit() {
        return commit;
    }

    /** The conflicting paths, relative to the work tree. */
    public List<String> paths() {
        return paths;
    }
}
