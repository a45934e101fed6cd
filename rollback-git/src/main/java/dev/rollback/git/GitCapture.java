package dev.rollback.git;

import static dev.rollback.git.GitKeys.ASIDE_BRANCH;
import static dev.rollback.git.GitKeys.BRANCH;
import static dev.rollback.git.GitKeys.COMMIT;
import static dev.rollback.git.GitKeys.DEPLOY_TAG;
import static dev.rollback.git.GitKeys.DESCRIBE;
import static dev.rollback.git.GitKeys.DIRTY;
import static dev.rollback.git.GitKeys.SUBJECT;
import static dev.rollback.git.GitKeys.TAGS;
import static dev.rollback.git.GitKeys.UNCOMMITTED;
import static dev.rollback.git.GitKeys.WORK_TREE;
import static dev.rollback.git.GitKeys.refPart;
import static dev.rollback.git.GitKeys.sample;
import static dev.rollback.git.GitKeys.shortId;

import dev.rollback.spi.Snapshot;
import dev.rollback.spi.CaptureContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link GitCode} records of its tree: a capture (with its deploy tag) and the set-aside of the
 * failed state before a rollback (a branch at HEAD and every uncommitted change in the store).
 *
 * <p>Immutable and thread-safe.
 */
final class GitCapture {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final GitCode code;

    GitCapture(GitCode code) {
        this.code = code;
    }

    /** Records HEAD (or the revision to capture), refusing a dirty tree unless allowed; tags the deploy. */
    Snapshot capture(CaptureContext ctx) {
        try (GitRepo repo = code.repos.open(ctx.host())) {
            Head head = code.repos.requireHead(repo);
            if (code.revision != null) {
                String commit = repo.resolve(code.revision).orElseThrow(() -> new GitException(code.name, "git target '" + code.name
                        + "': expected the revision " + code.revision + " to name a commit in " + code.dir + ", found none; "
                        + "check it with git log"));
                head = new Head(commit, null);
            }
            Map<String, String> data = describe(repo, head);
            List<String> dirty = code.revision == null ? repo.uncommittedPaths() : List.of();
            if (!dirty.isEmpty() && !code.allowDirty) {
                throw new GitException(code.name, "git target '" + code.name + "': expected a clean work tree at " + code.dir
                        + " to capture, found " + dirty.size() + " uncommitted change(s): " + sample(dirty)
                        + "; commit or stash them, or capture them too with GitCode...allowDirty()");
            }
            saveUncommitted(ctx, repo, dirty, data);
            if (code.tagDeploys) {
                String tag = "deploy/" + refPart(ctx.label());
                Optional<String> existing = repo.refExists("refs/tags/" + tag) ? repo.resolve("refs/tags/" + tag)
                        : Optional.empty();
                if (existing.isPresent() && !existing.get().equals(head.commit())) {
                    throw new GitException(code.name, "git target '" + code.name + "': expected the tag " + tag + " to be free "
                            + "or at " + shortId(head.commit()) + ", found it at " + shortId(existing.get())
                            + "; capture with another label, or delete the tag if it is wrong");
                }
                if (existing.isEmpty()) {
                    repo.createTag(tag, head.commit());
                }
                data.put(DEPLOY_TAG, tag);
            }
            return Snapshot.of(data);
        }
    }

    /** Keeps the failed state: a branch at HEAD and every uncommitted change in the store. */
    Snapshot setAside(CaptureContext ctx) {
        try (GitRepo repo = code.repos.open(ctx.host())) {
            Head head = code.repos.requireHead(repo);
            Map<String, String> data = describe(repo, head);
            saveUncommitted(ctx, repo, repo.uncommittedPaths(), data);
            data.put(ASIDE_BRANCH, asideBranch(repo, head.commit(), ctx.clock().instant()));
            ctx.progress("failed state of " + code.dir + " kept on branch " + data.get(ASIDE_BRANCH)
                    + (data.get(UNCOMMITTED).equals("0") ? "" : " with " + data.get(UNCOMMITTED)
                    + " uncommitted change(s) saved in the store"));
            return Snapshot.of(data);
        }
    }

    private Map<String, String> describe(GitRepo repo, Head head) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(WORK_TREE, code.dir.toString());
        data.put(COMMIT, head.commit());
        data.put(BRANCH, head.branch() == null ? "" : head.branch());
        CommitLabels labels = repo.labels(head.commit());
        data.put(TAGS, String.join(" ", labels.tags()));
        data.put(DESCRIBE, labels.describe());
        data.put(SUBJECT, labels.subject());
        return data;
    }

    private void saveUncommitted(CaptureContext ctx, GitRepo repo, List<String> dirty, Map<String, String> data) {
        data.put(DIRTY, String.valueOf(!dirty.isEmpty()));
        Uncommitted saved = Uncommitted.read(ctx.host(), code.dir, dirty);
        if (!saved.isEmpty()) {
            saved.writeTo(ctx.host(), ctx.artifactDir().resolve(Uncommitted.FOLDER));
        }
        data.put(UNCOMMITTED, String.valueOf(saved.size()));
    }

    /**
     * Makes (or reuses, if already at the commit) the branch that keeps the failed commit reachable: one ref
     * update that git refuses if the name is taken, then the next name, so the usual case costs one git call.
     */
    private String asideBranch(GitRepo repo, String commit, Instant now) {
        String base = "rollback/failed-" + STAMP.format(now);
        for (int n = 1; ; n++) {
            String branch = n == 1 ? base : base + "-" + n;
            if (repo.createBranchIfAbsent(branch, commit)) {
                return branch;
            }
            if (repo.resolve("refs/heads/" + branch).orElse("").equals(commit)) {
                return branch;
            }
        }
    }
}
