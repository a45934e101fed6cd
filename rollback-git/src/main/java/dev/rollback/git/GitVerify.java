package dev.rollback.git;

import static dev.rollback.git.GitKeys.COMMIT;
import static dev.rollback.git.GitKeys.DESCRIBE;
import static dev.rollback.git.GitKeys.sample;
import static dev.rollback.git.GitKeys.shortId;

import dev.rollback.spi.CheckAttempt;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Snapshot;
import dev.rollback.git.GitCode.Strategy;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.spi.RestoreContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a restored {@link GitCode} tree: that it is at the captured commit (or has its tree, or its
 * paths), that the uncommitted changes are back, then runs the verify commands in it, one attempt each.
 *
 * <p>Immutable and thread-safe.
 */
final class GitVerify {

    private final GitCode code;

    GitVerify(GitCode code) {
        this.code = code;
    }

    /** Checks the tree against the snapshot for the strategy, then runs the verify commands in it. */
    CheckResult verify(Snapshot snapshot, RestoreContext ctx) {
        Instant started = ctx.clock().instant();
        List<CheckAttempt> attempts = new ArrayList<>();
        String commit = snapshot.require(COMMIT);
        try (GitRepo repo = code.repos.open(ctx.host())) {
            code.repos.requireUsable(repo);
            String at = repo.head().commit();
            String state = switch (code.strategy) {
                case RESET -> commit.equals(at) ? null : "HEAD is at " + shortId(at) + ", not " + shortId(commit);
                case REVERT -> repo.treeOf(at).equals(repo.treeOf(commit)) ? null
                        : "the tree of HEAD " + shortId(at) + " differs from that of " + shortId(commit) + ": "
                        + sample(repo.diff(commit, at, List.of()).stream().map(FileChange::path).toList());
                case PATHS -> {
                    List<String> differ = repo.indexDiffersFrom(commit, code.paths);
                    yield differ.isEmpty() ? null : "paths differ from " + shortId(commit) + ": " + sample(differ);
                }
            };
            if (state == null) {
                List<String> lost = Uncommitted.readFrom(ctx.host(), ctx.artifactDir(snapshot).resolve(Uncommitted.FOLDER))
                        .differences(ctx.host(), code.dir, code.inScope());
                state = lost.isEmpty() ? null : "uncommitted changes not put back: " + sample(lost);
            }
            Instant now = ctx.clock().instant();
            attempts.add(new CheckAttempt(1, started, state == null, state == null ? (code.strategy == Strategy.PATHS
                    ? String.join(", ", code.paths) + " as in " : "work tree at ") + shortId(commit) + " ("
                    + snapshot.get(DESCRIBE).orElse("") + ")" : state, Duration.between(started, now)));
        }
        boolean passed = attempts.get(0).passed();
        for (List<String> argv : code.verifyCommands) {
            if (!passed) {
                break;
            }
            Instant t0 = ctx.clock().instant();
            CommandResult r = ctx.host().run(Command.of(argv).in(code.dir));
            passed = r.succeeded();
            String out = (r.stdout() + r.stderr()).strip();
            attempts.add(new CheckAttempt(attempts.size() + 1, t0, passed, passed ? "'" + r.command() + "' exited 0"
                    + (out.isEmpty() ? "" : ": " + tail(out)) : r.describe(), r.duration()));
        }
        Duration took = Duration.between(started, ctx.clock().instant());
        CheckAttempt last = attempts.get(attempts.size() - 1);
        String detail = passed ? attempts.stream().map(CheckAttempt::observed).reduce((a, b) -> a + "; " + b)
                .orElse("") : last.observed();
        return new CheckResult("verify " + code.name, passed, detail, attempts.size(), took, attempts);
    }

    private static String tail(String text) {
        return text.length() <= 200 ? text : "..." + text.substring(text.length() - 200);
    }
}
