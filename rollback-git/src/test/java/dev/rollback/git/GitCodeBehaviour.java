package dev.rollback.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.CaptureFailedException;
import dev.rollback.spi.CheckResult;
import dev.rollback.Outcome;
import dev.rollback.PlannedStep;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPreview;
import dev.rollback.RollbackReport;
import dev.rollback.spi.Snapshot;
import dev.rollback.host.Hosts;
import dev.rollback.testing.TestClock;
import dev.rollback.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.jgit.lib.RepositoryState;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a git working tree is captured and rolled back, the same whichever implementation of git does
 * it: run once with JGit ({@link JGitCodeTest}) and once with the git program through the local host
 * ({@link CliCodeTest}). Every repository is real, made through JGit in a temporary folder.
 */
abstract class GitCodeBehaviour {

    @TempDir
    Path tmp;

    Path dir;
    Repos repo;
    final TestClock clock = new TestClock();

    /** Which implementation the subclass tests. */
    abstract GitCode.Driver driver();

    @BeforeEach
    void makeRepository() throws Exception {
        dir = tmp.resolve("work tree");
        repo = Repos.released(dir);
    }

    @AfterEach
    void closeRepository() {
        repo.close();
    }

    GitCode code() {
        return GitCode.of(dir).using(driver());
    }

    RollbackPlan plan(GitCode code) {
        return Rollback.plan("app").store(tmp.resolve("store")).clock(clock).sleeper(clock::advance).target(code)
                .build();
    }

    // ---- capture ---------------------------------------------------------------------------------

    @Test
    void shouldCaptureCommitBranchTagsAndDescribeName() {
        RestorePoint point = plan(code()).capture("v2.0.0");

        Snapshot s = point.snapshot("code").orElseThrow();
        assertThat(s.require("commit")).isEqualTo(repo.merge);
        assertThat(s.require("branch")).isEqualTo("main");
        assertThat(s.require("tags")).isEqualTo("v2.0.0");
        assertThat(s.require("describe")).isEqualTo("v2.0.0");
        assertThat(s.require("subject")).isEqualTo("Merge branch 'feature'");
        assertThat(s.require("dirty")).isEqualTo("false");
        assertThat(s.artifacts()).isEmpty();
    }

    @Test
    void shouldRecordTheDescribeNameAndTagsOfACommitAfterATagAtALightweightTagAndWithoutTags() throws Exception {
        repo.deployBadRelease();
        Snapshot after = plan(code()).capture("after").snapshot("code").orElseThrow();
        assertThat(after.require("tags")).isEmpty();
        assertThat(after.require("describe")).matches("v2\\.0\\.0-2-g" + repo.hotfix.substring(0, 7) + "[0-9a-f]*");
        assertThat(after.require("subject")).isEqualTo("hotfix");

        repo.git.tag().setName("hotfix-1").setAnnotated(false).call();
        repo.git.tag().setName("a-hotfix").setAnnotated(false).call();
        Snapshot tagged = plan(code()).capture("tagged").snapshot("code").orElseThrow();
        assertThat(tagged.require("tags")).isEqualTo("a-hotfix hotfix-1");
        assertThat(tagged.require("describe")).isIn("a-hotfix", "hotfix-1");

        Path bare = tmp.resolve("no tags");
        try (Repos untagged = Repos.init(bare)) {
            untagged.write("a.txt", "a\n");
            String only = untagged.commit("only commit");
            Snapshot none = Rollback.plan("bare").store(tmp.resolve("store-bare")).clock(clock).sleeper(clock::advance)
                    .target(GitCode.of(bare).using(driver())).build().capture("none").snapshot("code").orElseThrow();
            assertThat(none.require("tags")).isEmpty();
            assertThat(none.require("describe")).isEqualTo(only.substring(0, 7));
            assertThat(none.require("subject")).isEqualTo("only commit");
        }
    }

    @Test
    void shouldRefuseToCaptureADirtyTreeUnlessAllowed() throws Exception {
        repo.write("app/main.py", "print('edited on the server')\n");
        RollbackPlan plan = plan(code());

        assertThatThrownBy(() -> plan.capture("v2.0.0"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("expected a clean work tree")
                .hasMessageContaining("app/main.py")
                .hasMessageContaining("allowDirty()");
        assertThat(plan.restorePoints()).isEmpty();
    }

    @Test
    void shouldPutBackUncommittedChangesCapturedWithAllowDirty() throws Exception {
        repo.write("app/main.py", "print('edited on the server')\n");
        repo.write("notes/to do later.txt", "untracked\n");
        Files.delete(dir.resolve("docs/read me.txt"));
        Map<String, String> captured = Repos.contents(dir);
        RollbackPlan plan = plan(code().allowDirty());
        RestorePoint point = plan.capture("v2.0.0");
        assertThat(point.snapshot("code").orElseThrow().require("uncommitted")).isEqualTo("3");
        repo.deployBadRelease();

        RollbackReport report = plan.rollback(point);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(repo.head()).isEqualTo(repo.merge);
        assertThat(Repos.contents(dir)).isEqualTo(captured);
    }

    // ---- reset -----------------------------------------------------------------------------------

    @Test
    void shouldResetTheTreeToTheCapturedCommitAndKeepTheFailedCommitOnABranch() throws Exception {
        Map<String, String> release = Repos.contents(dir);
        RollbackPlan plan = plan(code());
        RestorePoint point = plan.capture("v2.0.0");
        repo.deployBadRelease();
        assertThat(Repos.contents(dir)).isNotEqualTo(release);

        RollbackReport report = plan.rollback(point);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(Repos.contents(dir)).isEqualTo(release);
        assertThat(Files.readAllBytes(dir.resolve("logo.png"))).isEqualTo(Repos.LOGO_V1);
        assertThat(dir.resolve("app/util.py")).exists();
        assertThat(dir.resolve("app/helpers.py")).doesNotExist();
        assertThat(dir.resolve("old.txt")).hasContent("old");
        assertThat(dir.resolve("docs/new file.txt")).doesNotExist();
        assertThat(repo.head()).isEqualTo(repo.merge);
        assertThat(repo.branch()).isEqualTo("main");
        assertThat(repo.resolve("refs/heads/rollback/failed-20261121T030000Z")).isEqualTo(repo.hotfix);
        assertThat(repo.repository().getRepositoryState()).isEqualTo(RepositoryState.SAFE);
    }

    @Test
    void shouldResetToARevisionNamedAtCaptureLikeHeadTildeOne() throws Exception {
        repo.deployBadRelease();
        RollbackPlan plan = plan(code().capturing("HEAD~1"));

        RestorePoint point = plan.capture("HEAD~1");
        RollbackReport report = plan.rollback(point);

        assertThat(point.snapshot("code").orElseThrow().require("commit")).isEqualTo(repo.deploy);
        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(repo.head()).isEqualTo(repo.deploy);
        assertThat(dir.resolve("app/main.py")).hasContent("print('v2.1 broken')");
        assertThat(repo.resolve("refs/heads/rollback/failed-20261121T030000Z")).isEqualTo(repo.hotfix);
    }

    @Test
    void shouldResetToATagNamedAtCapture() throws Exception {
        repo.deployBadRelease();
        RollbackPlan plan = plan(code().capturing("v1.0.0"));

        RollbackReport report = plan.rollback(plan.capture("v1.0.0"));

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(repo.head()).isEqualTo(repo.initial);
        assertThat(dir.resolve("app/main.py")).hasContent("print('v1')");
    }

    @Test
    void shouldKeepEverythingReachableThatWasReachableBeforeTheRollback() throws Exception {
        RollbackPlan plan = plan(code());
        RestorePoint point = plan.capture("v2.0.0");
        repo.deployBadRelease();

        plan.rollback(point);

        for (String commit : List.of(repo.initial, repo.backend, repo.feature, repo.merge, repo.deploy, repo.hotfix)) {
            assertThat(reachableFromSomeRef(commit)).as(commit).isTrue();
        }
    }

    @Test
    void shouldNotLoseUncommittedChangesAndPutThemBackOnUndo() throws Exception {
        RollbackPlan plan = plan(code());
        RestorePoint point = plan.capture("v2.0.0");
        Map<String, String> release = Repos.contents(dir);
        repo.deployBadRelease();
        repo.write("app/main.py", "print('hand-made fix on the server')\n");
        repo.write("logs/debug notes.txt", "what I tried\n");
        Files.delete(dir.resolve("docs/read me.txt"));
        Map<String, String> failed = Repos.contents(dir);

        RollbackReport report = plan.rollback(point);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(Repos.contents(dir)).containsAllEntriesOf(release).doesNotContainKey("app/helpers.py");
        RollbackReport undo = plan.undo(report);
        assertThat(undo.isSuccessful()).as(undo.toString()).isTrue();
        assertThat(repo.head()).isEqualTo(repo.hotfix);
        assertThat(Repos.contents(dir)).isEqualTo(failed);
    }

    @Test
    void shouldSetAsideStagedUnstagedAndUntrackedChangesAndPutEachBackByteForByteOnUndo() throws Exception {
        RollbackPlan plan = plan(code());
        RestorePoint point = plan.capture("v2.0.0");
        Map<String, String> release = Repos.contents(dir);
        repo.deployBadRelease();
        // staged only: a changed file and a new file, both added to the index
        repo.write("app/main.py", "print('staged fix')\n");
        repo.write("app/staged new.py", "staged = True\n");
        repo.git.add().addFilepattern("app/main.py").addFilepattern("app/staged new.py").call();
        // staged, then changed again in the work tree: the work tree's bytes are the ones that count
        repo.write("frontend/index.html", "<h1>staged</h1>\n");
        repo.git.add().addFilepattern("frontend/index.html").call();
        repo.write("frontend/index.html", "<h1>staged, then edited</h1>\n");
        // a staged deletion and an unstaged one
        repo.git.rm().addFilepattern("docs/new file.txt").call();
        Files.delete(dir.resolve("app/helpers.py"));
        // unstaged binary change, and untracked files, one binary, one in a new folder
        repo.write("logo.png", new byte[] {0, (byte) 0xff, 13, 10, 0, 26, (byte) 0x80});
        repo.write("notes/untracked.bin", new byte[] {1, 0, (byte) 0xfe, 10, 13});
        repo.write("untracked.txt", "no trailing newline");
        Map<String, String> failed = Repos.contents(dir);

        RollbackReport report = plan.rollback(point);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(repo.head()).isEqualTo(repo.merge);
        assertThat(Repos.contents(dir)).containsAllEntriesOf(release);
        RollbackReport undo = plan.undo(report);
        assertThat(undo.isSuccessful()).as(undo.toString()).isTrue();
        assertThat(repo.head()).isEqualTo(repo.hotfix);
        assertThat(Repos.contents(dir)).isEqualTo(failed);
        assertThat(Files.readAllBytes(dir.resolve("notes/untracked.bin"))).containsExactly(1, 0, 0xfe, 10, 13);
        assertThat(Files.readAllBytes(dir.resolve("logo.png"))).containsExactly(0, 0xff, 13, 10, 0, 26, 0x80);
    }

    // ---- revert ----------------------------------------------------------------------------------

    @Test
    void shouldRevertTheCommitsNewestFirstWithMessagesNamingTheRollback() throws Exception {
        Map<String, String> release = Repos.contents(dir);
        RollbackPlan plan = plan(code().reverting());
        RestorePoint point = plan.capture("v2.0.0");
        repo.deployBadRelease();

        RollbackReport report = plan.rollback(point);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(Repos.contents(dir)).isEqualTo(release);
        try (RevWalk walk = new RevWalk(repo.repository())) {
            RevCommit second = walk.parseCommit(repo.repository().resolve("HEAD"));
            RevCommit first = walk.parseCommit(second.getParent(0));
            assertThat(first.getParent(0).name()).isEqualTo(repo.hotfix);
            assertThat(first.getShortMessage()).isEqualTo("Revert \"hotfix\"");
            assertThat(second.getShortMessage()).isEqualTo("Revert \"deploy v2.1.0\"");
            assertThat(first.getFullMessage()).contains("This reverts commit " + repo.hotfix)
                    .contains("rollback " + report.rollbackId()).contains("plan 'app'").contains("'v2.0.0'");
            assertThat(second.getFullMessage()).contains("This reverts commit " + repo.deploy);
        }
        assertThat(repo.branch()).isEqualTo("main");
    }

    @Test
    void shouldRevertAMergeAgainstItsFirstParent() throws Exception {
        repo.resetHard(repo.backend);
        Map<String, String> beforeMerge = Repos.contents(dir);
        RollbackPlan plan = plan(code().reverting());
        RestorePoint point = plan.capture("v1.5");
        repo.resetHard(repo.merge);
        repo.deployBadRelease();

        RollbackReport report = plan.rollback(point);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(Repos.contents(dir)).isEqualTo(beforeMerge);
        assertThat(dir.resolve("frontend/index.html")).hasContent("<h1>v1</h1>");
    }

    @Test
    void shouldStopARevertOnConflictListingThePathsAndLeaveTheTreeAsItWas() throws Exception {
        repo.deployBadRelease();
        String head = repo.head();
        Map<String, String> before = Repos.contents(dir);
        try (GitRepo git = code().open(Hosts.local())) {
            CommitInfo deploy = git.commit(repo.deploy);

            // reverting the older commit alone conflicts with the hotfix, which changed the same line since
            Optional<RevertConflict> conflict = git.revert(List.of(deploy), List.of("Revert deploy\n"));

            assertThat(conflict).isPresent();
            assertThat(conflict.get().paths()).containsExactly("app/main.py");
            assertThat(conflict.get().commit().id()).isEqualTo(repo.deploy);
            assertThat(git.operationInProgress()).isEmpty();
            assertThat(git.uncommittedPaths()).isEmpty();
        }
        assertThat(repo.head()).isEqualTo(head);
        assertThat(Repos.contents(dir)).isEqualTo(before);
    }

    @Test
    void shouldRefuseToRevertToACommitOffTheFirstParentLine() throws Exception {
        repo.checkout("feature");
        RollbackPlan plan = plan(code().reverting());
        RestorePoint point = plan.capture("feature");
        repo.checkout("main");
        Map<String, String> untouched = Trees.fingerprint(dir);

        assertThatThrownBy(() -> plan.rollback(point))
                .isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("first-parent line")
                .hasMessageContaining("only reachable through a merged branch")
                .hasMessageContaining("reset strategy");
        assertThat(Trees.fingerprint(dir)).isEqualTo(untouched);
    }

    // ---- paths -----------------------------------------------------------------------------------

    @Test
    void shouldRestoreOnlyTheNamedPathsAndLeaveTheRestAsItIs() throws Exception {
        Map<String, String> release = Repos.contents(dir);
        RollbackPlan plan = plan(code().only("app/", "alembic/"));
        RestorePoint point = plan.capture("v2.0.0");
        repo.deployBadRelease();
        Map<String, String> deployed = Repos.contents(dir);

        RollbackReport report = plan.rollback(point);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        Map<String, String> now = Repos.contents(dir);
        assertThat(under(now, "app/", "alembic/")).isEqualTo(under(release, "app/", "alembic/"));
        assertThat(now).doesNotContainKeys("app/helpers.py", "alembic/versions/002_users.py");
        assertThat(without(now, "app/", "alembic/")).isEqualTo(without(deployed, "app/", "alembic/"));
        assertThat(dir.resolve("frontend/index.html")).hasContent("<h1>v3</h1>");
        assertThat(dir.resolve("docs/new file.txt")).exists();
        assertThat(repo.head()).isEqualTo(repo.hotfix);
    }

    @Test
    void shouldPutEveryFileOfTheTreeBackWhenUndoingARollbackOfSomePaths() throws Exception {
        RollbackPlan plan = plan(code().only("app/", "alembic/"));
        RestorePoint point = plan.capture("v2.0.0");
        repo.deployBadRelease();
        repo.write("app/main.py", "print('edited on the server')\n");       // uncommitted, in the paths
        repo.write("frontend/index.html", "<h1>v3 edited</h1>\n");           // uncommitted, outside them
        repo.write("scratch.txt", "an untracked note\n");
        Map<String, String> bad = Repos.contents(dir);
        RollbackReport rollback = plan.rollback(point);
        assertThat(rollback.isSuccessful()).as(rollback.toString()).isTrue();
        assertThat(Repos.contents(dir)).isNotEqualTo(bad);
        repo.write("docs/new file.txt", "changed after the rollback, outside its paths\n");

        RollbackReport undo = plan.undo(rollback);

        assertThat(undo.outcome()).as(undo.toString()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(Repos.contents(dir)).isEqualTo(bad);
        assertThat(repo.head()).isEqualTo(repo.hotfix);
        assertThat(undo.checks()).singleElement().satisfies(c -> assertThat(c.passed()).isTrue());
    }

    @Test
    void shouldRefuseAPathTheRevisionDoesNotHave() throws Exception {
        RollbackPlan plan = plan(code().only("app", "migrations"));
        RestorePoint point = plan.capture("v2.0.0");
        repo.deployBadRelease();
        Map<String, String> untouched = Trees.fingerprint(dir);

        assertThatThrownBy(() -> plan.rollback(point))
                .isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("'migrations'");
        assertThat(Trees.fingerprint(dir)).isEqualTo(untouched);
    }

    // ---- preview ---------------------------------------------------------------------------------

    @Test
    void shouldPreviewTheDroppedCommitsAndTheChangedFilesWithoutChangingAnything() throws Exception {
        RollbackPlan plan = plan(code());
        RestorePoint point = plan.capture("v2.0.0");
        repo.deployBadRelease();
        repo.write("scratch.txt", "uncommitted\n");
        Map<String, String> untouched = Trees.fingerprint(dir);

        RollbackPreview preview = plan.preview(point);

        assertThat(preview.isReady()).as(preview.toString()).isTrue();
        List<String> actions = preview.stepsOf("code").stream().filter(s -> s.name().equals("restore code"))
                .findFirst().map(PlannedStep::actions).orElseThrow();
        String text = String.join("\n", actions);
        assertThat(text)
                .contains("git reset --hard " + repo.merge.substring(0, 10) + " (v2.0.0)")
                .contains("drops 2 commits")
                .contains("drop " + repo.hotfix.substring(0, 10) + " 'hotfix' by Ann Author <ann@example.com>")
                .contains("drop " + repo.deploy.substring(0, 10) + " 'deploy v2.1.0' by Ann Author <ann@example.com>")
                .contains("1 uncommitted change(s) saved in the store")
                .contains("R app/helpers.py -> app/util.py")
                .contains("D docs/new file.txt (+0 -1)")
                .contains("A old.txt (+1 -0)")
                .contains("M logo.png (binary)")
                .contains("M app/main.py (+1 -1)")
                .contains("changes 7 files");
        assertThat(Trees.fingerprint(dir)).isEqualTo(untouched);
    }

    @Test
    void shouldPreviewTheCommitsARevertWouldUndo() throws Exception {
        RollbackPlan plan = plan(code().reverting());
        RestorePoint point = plan.capture("v2.0.0");
        repo.deployBadRelease();

        String text = String.join("\n", plan.preview(point).stepsOf("code").stream()
                .filter(s -> s.name().equals("restore code")).findFirst().orElseThrow().actions());

        assertThat(text).contains("create 2 revert commits on branch main, newest first")
                .containsSubsequence("revert " + repo.hotfix.substring(0, 10), "revert " + repo.deploy.substring(0, 10));
    }

    // ---- preflight -------------------------------------------------------------------------------

    @Test
    void shouldRefuseAMissingCommitInPreflightAndChangeNothing() throws Exception {
        RollbackPlan plan = plan(code());
        RestorePoint point = plan.capture("v2.0.0");
        // the repository is cloned again from a remote that never had the captured commit
        repo.close();
        deleteTree(dir.resolve(".git"));
        repo = Repos.init(dir);
        repo.commit("re-imported");
        Map<String, String> untouched = Trees.fingerprint(dir);

        assertThatThrownBy(() -> plan.rollback(point))
                .isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining(point.snapshot("code").orElseThrow().require("commit"))
                .hasMessageContaining("no such commit");
        assertThat(Trees.fingerprint(dir)).isEqualTo(untouched);
    }

    @Test
    void shouldRefuseARepositoryInTheMiddleOfAMergeAndChangeNothing() throws Exception {
        RollbackPlan plan = plan(code());
        RestorePoint point = plan.capture("v2.0.0");
        repo.startConflictingMerge();
        Map<String, String> untouched = Trees.fingerprint(dir);

        assertThatThrownBy(() -> plan.rollback(point))
                .isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("a merge in progress")
                .hasMessageContaining("--abort");
        assertThat(Trees.fingerprint(dir)).isEqualTo(untouched);
        assertThat(repo.repository().getRepositoryState()).isEqualTo(RepositoryState.MERGING);
    }

    @Test
    void shouldRefuseAFolderThatIsNotAWorkTree() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("not a repo"));
        RollbackPlan plan = plan(GitCode.of(empty).using(driver()));

        assertThatThrownBy(() -> plan.capture("v1"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("expected a git work tree at " + empty);
    }

    // ---- deploy tags -----------------------------------------------------------------------------

    @Test
    void shouldTagEachDeployAndRollBackToTheLastGoodOneInOneCall() throws Exception {
        GitCode code = code().tagDeploys();
        RollbackPlan plan = plan(code);
        RestorePoint good = plan.capture("v2.0.0");
        repo.deployBadRelease();
        clock.advance(java.time.Duration.ofMinutes(5));
        RestorePoint bad = plan.capture("v2.1.0");
        assertThat(repo.resolve("refs/tags/deploy/v2.0.0^{commit}")).isEqualTo(repo.merge);
        assertThat(repo.resolve("refs/tags/deploy/v2.1.0^{commit}")).isEqualTo(repo.hotfix);
        plan.store().markBad(bad.id(), "ops", "v2.1.0 breaks the login page");

        RestorePoint last = code.lastGoodDeploy(plan);
        RollbackReport report = plan.rollback(last);

        assertThat(last.id()).isEqualTo(good.id());
        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(repo.head()).isEqualTo(repo.merge);
    }

    @Test
    void shouldRefuseACaptureWhoseDeployTagNamesAnotherCommit() throws Exception {
        RollbackPlan plan = plan(code().tagDeploys());
        plan.capture("v2.0.0");
        repo.deployBadRelease();

        assertThatThrownBy(() -> plan.capture("v2.0.0"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("expected the tag deploy/v2.0.0 to be free");
        assertThat(repo.resolve("refs/tags/deploy/v2.0.0^{commit}")).isEqualTo(repo.merge);
    }

    // ---- verify ----------------------------------------------------------------------------------

    @Test
    void shouldRunTheVerifyCommandsInTheTreeAndRecordEachInTheReport() throws Exception {
        RollbackPlan plan = plan(code().verifiedBy("test", "-f", "docs/read me.txt").verifiedBy("grep", "-q", "v2",
                "app/main.py"));
        RestorePoint point = plan.capture("v2.0.0");
        repo.deployBadRelease();

        RollbackReport report = plan.rollback(point);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        CheckResult verify = report.checks().stream().filter(c -> c.name().equals("verify code")).findFirst()
                .orElseThrow();
        assertThat(verify.attempts()).isEqualTo(3);
        assertThat(verify.history().get(0).observed()).contains("work tree at " + repo.merge.substring(0, 10));
        assertThat(verify.history().get(1).observed()).contains("'test -f 'docs/read me.txt'' exited 0");
        assertThat(verify.history().get(2).observed()).contains("grep -q v2 app/main.py");
    }

    @Test
    void shouldFailVerificationWhenAVerifyCommandFails() throws Exception {
        RollbackPlan plan = plan(code().verifiedBy("grep", "-q", "v2.1", "app/main.py"));
        RestorePoint point = plan.capture("v2.0.0");
        repo.deployBadRelease();

        RollbackReport report = plan.rollback(point);

        assertThat(report.outcome()).isNotEqualTo(Outcome.SUCCEEDED);
        CheckResult verify = report.checks().stream().filter(c -> c.name().equals("verify code")).findFirst()
                .orElseThrow();
        assertThat(verify.passed()).isFalse();
        assertThat(verify.detail()).contains("grep -q v2.1 app/main.py").contains("exited 1");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private boolean reachableFromSomeRef(String commit) throws Exception {
        try (RevWalk walk = new RevWalk(repo.repository())) {
            RevCommit target = walk.parseCommit(repo.repository().resolve(commit));
            for (var ref : repo.repository().getRefDatabase().getRefs()) {
                RevCommit tip = walk.parseCommit(walk.peel(walk.parseAny(ref.getObjectId())));
                if (walk.isMergedInto(target, tip)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Map<String, String> under(Map<String, String> files, String... roots) {
        Map<String, String> out = new TreeMap<>();
        files.forEach((k, v) -> {
            for (String r : roots) {
                if (k.startsWith(r)) {
                    out.put(k, v);
                }
            }
        });
        return out;
    }

    private static Map<String, String> without(Map<String, String> files, String... roots) {
        Map<String, String> out = new TreeMap<>(files);
        out.keySet().removeAll(under(files, roots).keySet());
        return out;
    }

    private static void deleteTree(Path root) throws Exception {
        try (var all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
