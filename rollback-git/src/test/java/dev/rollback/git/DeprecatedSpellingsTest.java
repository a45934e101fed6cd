package dev.rollback.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.testing.TestClock;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spellings a configuration rule replaced make the same git targets as the new ones, until they go. */
@SuppressWarnings("removal")
class DeprecatedSpellingsTest {

    @TempDir
    Path tmp;

    Repos repo;
    Path dir;
    final TestClock clock = new TestClock();

    @BeforeEach
    void makeRepository() throws Exception {
        dir = tmp.resolve("work tree");
        repo = Repos.released(dir);
    }

    @AfterEach
    void closeRepository() {
        repo.close();
    }

    RollbackPlan plan(GitCode code) {
        return Rollback.plan("app").store(tmp.resolve("store")).clock(clock).target(code).build();
    }

    @Test
    void shouldMakeTheSameTargetWithTheSamePlan() throws Exception {
        GitCode now = GitCode.of(dir).only("app/", "alembic/").verifiedBy("true").named("backend")
                .using(GitCode.Driver.JGIT);
        GitCode before = GitCode.workTree(dir).onlyPaths("app/", "alembic/").verifyWith("true").named("backend")
                .using(GitCode.Driver.JGIT);

        assertThat(before.name()).isEqualTo(now.name());
        assertThat(before).hasToString(now.toString());
        plan(now).capture("v2.0.0");
        repo.deployBadRelease();
        RollbackPlan withNew = plan(now);
        RollbackPlan withOld = plan(before);
        assertThat(withOld.preview(withOld.restorePoints().get(0)).toString())
                .isEqualTo(withNew.preview(withNew.restorePoints().get(0)).toString());
    }
}
