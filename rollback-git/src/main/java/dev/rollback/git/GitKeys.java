package dev.rollback.git;

import java.util.List;

/** The snapshot keys of a git target and the few text helpers its parts share. */
final class GitKeys {

    private GitKeys() {}

    /** Snapshot keys. */
    static final String WORK_TREE = "workTree";
    static final String COMMIT = "commit";
    static final String BRANCH = "branch";
    static final String TAGS = "tags";
    static final String DESCRIBE = "describe";
    static final String SUBJECT = "subject";
    static final String DIRTY = "dirty";
    static final String UNCOMMITTED = "uncommitted";
    static final String DEPLOY_TAG = "deployTag";
    static final String ASIDE_BRANCH = "setAsideBranch";

    /** Text made safe as one part of a ref name: {@code v2.0.0} stays, {@code release 7/b} becomes {@code release-7-b}. */
    static String refPart(String text) {
        String s = text.strip().replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("\\.{2,}", ".");
        s = s.replaceAll("^[.-]+", "").replaceAll("(\\.lock|\\.)+$", "");
        if (s.isEmpty()) {
            throw new IllegalArgumentException("label '" + text + "': expected letters or digits to name a tag, found "
                    + "none; capture with a label such as v2.0.0");
        }
        return s;
    }

    static String shortId(String id) {
        return id == null ? "(none)" : id.substring(0, Math.min(10, id.length()));
    }

    static String sample(List<String> items) {
        return items.size() <= 10 ? String.join(", ", items)
                : String.join(", ", items.subList(0, 10)) + " and " + (items.size() - 10) + " more";
    }
}
