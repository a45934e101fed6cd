package dev.rollback.examples;

import static dev.rollback.junit.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Drill;
import dev.rollback.DrillReport;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPlanBuilder;
import dev.rollback.TargetState;
import dev.rollback.junit.DrillTest;
import dev.rollback.junit.Plan;
import dev.rollback.junit.RollbackTest;
import dev.rollback.spi.Check;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user-written target of the README works as a first-class target of a plan, in a rollback and a drill. */
@RollbackTest
class ReleaseFilesTest {

    @TempDir
    Path dir;

    @BeforeEach
    void release() throws IOException {
        Files.writeString(dir.resolve("app.env"), "MODE=production\n");
        Files.writeString(dir.resolve("VERSION"), "1.0.0\n");
    }

    @Plan
    RollbackPlanBuilder files() {                     // the extension gives it the test's store
        return Rollback.plan("files").target(new ReleaseFiles("config", dir, "app.env", "VERSION"));
    }

    @Test
    void shouldPutTheReleaseFilesBackAndVerifyThem(RollbackPlan plan) throws IOException {
        RestorePoint before = plan.capture("v1");
        Files.writeString(dir.resolve("app.env"), "MODE=broken\n");

        assertThat(plan.preview(before).toString()).contains("put back app.env as captured");
        assertThat(plan.rollback(before)).succeeded().targetState("config", TargetState.VERIFIED).setAside("config");
        assertThat(dir.resolve("app.env")).hasContent("MODE=production");
    }

    Drill brokenMode(RollbackPlan plan) {
        Path env = dir.resolve("app.env");
        return Drill.of(plan)
                .change("deploy a broken mode", ctx -> Files.writeString(env, "MODE=broken\n"))
                .shows(Check.of("the mode is broken", () -> Files.readString(env).contains("broken")))
                .thenGone(Check.of("the mode is production", () -> Files.readString(env).equals("MODE=production\n")))
                .keeps(Check.of("the version stays", () -> Files.readString(dir.resolve("VERSION")).equals("1.0.0\n")));
    }

    @DrillTest(value = "brokenMode", recoversWithin = "PT10S")
    void shouldTakeTheBrokenModeAwayAndKeepTheVersion(DrillReport drill) {
        assertThat(drill).lostNoData();
        assertThat(drill.rollback()).targetState("config", TargetState.VERIFIED);
    }
}
