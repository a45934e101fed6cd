package dev.rollback.git;

import java.util.List;
import java.util.Objects;

/**
 * What a capture or a set-aside records of a commit beside its id: its subject, the tags that point at it
 * (sorted) and its {@code git describe --tags --always} name.
 *
 * @param subject the first line of the commit's message
 * @param tags the short names of the tags at the commit, sorted
 * @param describe the commit's describe name
 */
record CommitLabels(String subject, List<String> tags, String describe) {
    CommitLabels {
        Objects.requireNonNull(subject, "subject");
        tags = List.copyOf(tags);
        Objects.requireNonNull(describe, "describe");
    }
}
