package dev.rollback.git;

import java.util.Objects;

/**
 * One file that differs between two revisions, as {@code git diff --stat} counts it.
 *
 * @param type {@code A} added, {@code M} modified, {@code D} deleted, {@code R} renamed
 * @param path the path after the change (before, for a deletion)
 * @param oldPath the path before a rename, else null
 * @param added lines added, or -1 for a binary file
 * @param removed lines removed, or -1 for a binary file
 */
record FileChange(char type, String path, String oldPath, int added, int removed) {

    /** Validates the parts. */
    public FileChange {
        Objects.requireNonNull(path, "path");
        if ("AMDR".indexOf(type) < 0) {
            throw new IllegalArgumentException("change type must be one of A M D R, was " + type);
        }
    }

    /** Whether the file is binary (no line counts). */
    public boolean binary() {
        return added < 0;
    }

    /** {@code M app/main.py (+3 -1)}, {@code R app/old.py -> app/new.py}, {@code A logo.png (binary)}. */
    public String describe() {
        String name = type == 'R' ? oldPath + " -> " + path : path;
        return type + " " + name + (binary() ? " (binary)" : " (+" + added + " -" + removed + ")");
    }
}
