package dev.rollback.examples.systems;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.testing.Requirements;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlogExampleTest {

    @TempDir
    Path work;

    @Test
    void shouldRestoreThePostsTableAndBothProjectsInDependencyOrder() throws Exception {
        Requirements.require(Requirements.onPath("pg_dump") && Requirements.onPath("pg_restore"),
                "PostgreSQL 15 client tools (.ci/setup-db.sh)");

        RollbackReport report = BlogExample.run(work);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.steps()).extracting(StepRecord::name).containsSubsequence("stop blog", "stop auth",
                "restore posts", "restore auth-env", "restore blog-deps", "start auth", "start blog");
        assertThat(work.resolve("projects/blog/.env")).content().startsWith("MODE=production");
        assertThat(work.resolve("projects/auth/requirements.lock")).content().contains("flask==2.2.2");
        assertThat(report.checks()).allSatisfy(c -> assertThat(c.passed()).as(c.name()).isTrue());
        assertThat(report.toJson()).doesNotContain("k3y-0f-the-day");
    }
}
