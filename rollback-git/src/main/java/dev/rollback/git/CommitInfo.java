package dev.rollback.git;

import java.util.List;
import java.util.Objects;

/**
 * One commit as a preview shows it.
 *
 * @param id the full commit id
 * @param subject the first line of its message
 * @param author the author as {@code Name <email>}
 * @param parents the full ids of its parents
 */
record CommitInfo(String id, String subject, String author, List<String> parents) {

    /** Validates the parts and copies the parents. */
    public CommitInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(author, "author");
        parents = List.copyOf(parents);
    }

    /** The first 10 characters of the id. */
    public String shortId() {
        return id.substring(0, Math.min(10, id.length()));
    }

    /** Whether it is a merge. */
    public boolean isMerge() {
        return parents.size() > 1;
    }

    /** {@code 1a2b3c4d5e 'subject' by Name <email>}. */
    public String describe() {
        return shortId() + " '" + subject + "' by " + author;
    }
}
