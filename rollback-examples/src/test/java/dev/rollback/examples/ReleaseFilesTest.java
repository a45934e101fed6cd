package dev.rollback.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user-written target of the README works as a first-class target of a plan. */
class ReleaseFilesTest {

    @TempDir
    Path dir;

    @Test
    void shouldPutTheReleaseFilesBackAndVerifyThem() throws Exception {
        Files.writeString(dir.resolve("app.env"), "MODE=production\n");
        RollbackPlan plan = Rollback.plan("files").store(dir.resolve("store"))
                .target(new ReleaseFiles("config", dir, "app.env")).build();
        RestorePoint before = plan.capture("v1");
        Files.writeString(dir.resolve("app.env"), "MODE=broken\n");

        assertThat(plan.preview(before).toString()).contains("put back app.env as captured");
        assertThat(plan.rollback(before).isSuccessful()).isTrue();
        assertThat(dir.resolve("app.env")).hasContent("MODE=production");
    }
}
