package dev.rollback.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.CaptureFailedException;
import dev.rollback.Outcome;
import dev.rollback.spi.Phase;
import dev.rollback.PlannedStep;
import dev.rollback.PreflightFailedException;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPreview;
import dev.rollback.RollbackReport;
import dev.rollback.spi.TargetKind;
import dev.rollback.TargetState;
import dev.rollback.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryReleasesTest {

    @TempDir
    Path tmp;

    final TestClock clock = new TestClock();
    Path app;
    Path releases;
    Path current;

    @BeforeEach
    void releasesSideBySide() throws IOException {
        app = Files.createDirectories(tmp.resolve("srv/shop"));
        releases = Files.createDirectories(app.resolve("releases"));
        for (String r : List.of("20240115", "20240116")) {
            Files.writeString(Files.createDirectories(releases.resolve(r)).resolve("VERSION"), r);
        }
        current = Files.createSymbolicLink(app.resolve("current"), Path.of("releases/20240115"));
    }

    RollbackPlan plan(DirectoryReleases target) {
        return Rollback.plan("shop").store(tmp.resolve("store")).clock(clock).target(target).build();
    }

    void deploy(String release) throws IOException {
        Path temp = app.resolve("current.new");
        Files.createSymbolicLink(temp, Path.of(release));
        Files.move(temp, current, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    Map<String, String> everything() throws IOException {
        return DirectoryBackupTest.tree(tmp);
    }

    @Test
    void shouldSwitchTheLinkBackWithoutTouchingAnyRelease() throws Exception {
        RollbackPlan plan = plan(DirectoryReleases.of(current));
        RestorePoint good = plan.capture("20240115");
        deploy("releases/20240116");
        Map<String, String> releasesBefore = DirectoryBackupTest.tree(releases);

        RollbackReport report = plan.rollback(good);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.target("current").orElseThrow().state()).isEqualTo(TargetState.VERIFIED);
        assertThat(Files.readSymbolicLink(current)).isEqualTo(Path.of("releases/20240115"));
        assertThat(Files.readString(current.resolve("VERSION"))).isEqualTo("20240115");
        assertThat(DirectoryBackupTest.tree(releases)).isEqualTo(releasesBefore);
        try (Stream<Path> left = Files.list(app)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("current", "releases");
        }
        assertThat(good.snapshot("current").orElseThrow().kind()).isEqualTo(TargetKind.CODE);
        assertThat(good.snapshot("current").orElseThrow().artifacts()).isEmpty();
    }

    @Test
    void shouldUndoTheSwitchFromTheTargetRecordedAside() throws Exception {
        RollbackPlan plan = plan(DirectoryReleases.of(current));
        RestorePoint good = plan.capture("20240115");
        deploy("releases/20240116");

        RollbackReport rollback = plan.rollback(good);
        RollbackReport undo = plan.undo(rollback);

        assertThat(undo.outcome()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(Files.readSymbolicLink(current)).isEqualTo(Path.of("releases/20240116"));
    }

    @Test
    void shouldPreviewTheSwitchWithoutChangingAnything() throws Exception {
        RollbackPlan plan = plan(DirectoryReleases.of(current));
        RestorePoint good = plan.capture("20240115");
        deploy("releases/20240116");
        Map<String, String> before = everything();

        RollbackPreview preview = plan.preview(good);

        assertThat(preview.isReady()).isTrue();
        List<String> actions = preview.stepsOf("current").stream().filter(s -> s.phase() == Phase.RESTORE)
                .map(PlannedStep::actions).findFirst().orElseThrow();
        assertThat(actions).singleElement().asString()
                .startsWith("switch current: releases/20240116 -> releases/20240115").contains("atomic");
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void shouldRefuseToCaptureACurrentThatResolvesOutsideTheReleasesFolder() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("elsewhere/evil"));
        deploy(outside.toString());
        RollbackPlan plan = plan(DirectoryReleases.of(current).releasesIn(releases));

        assertThatThrownBy(() -> plan.capture("evil"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("resolves to " + outside + ", outside the releases folder")
                .hasMessageContaining("nothing was stored");

        assertThat(plan.restorePoints()).isEmpty();
        assertThat(Files.readSymbolicLink(current)).isEqualTo(outside);
    }

    @Test
    void shouldRefuseARollbackToAReleaseThatNowResolvesOutsideTheReleasesFolderChangingNothing() throws Exception {
        RollbackPlan plan = plan(DirectoryReleases.of(current));
        RestorePoint good = plan.capture("20240115");
        deploy("releases/20240116");
        // the captured release is replaced by a link that leaves the releases folder
        Path outside = Files.createDirectories(tmp.resolve("elsewhere/20240115"));
        Files.move(releases.resolve("20240115"), tmp.resolve("elsewhere/old"));
        Files.createSymbolicLink(releases.resolve("20240115"), outside);
        Map<String, String> before = everything();

        assertThatThrownBy(() -> plan.rollback(good))
                .isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("resolves to " + outside + ", outside the releases folder")
                .hasMessageContaining("the link was not changed");

        assertThat(Files.readSymbolicLink(current)).isEqualTo(Path.of("releases/20240116"));
        assertThat(DirectoryBackupTest.without(everything(), "store")).isEqualTo(
                DirectoryBackupTest.without(before, "store"));
    }

    @Test
    void shouldRefuseARollbackToAReleaseThatIsGone() throws Exception {
        RollbackPlan plan = plan(DirectoryReleases.of(current));
        RestorePoint good = plan.capture("20240115");
        deploy("releases/20240116");
        Files.move(releases.resolve("20240115"), tmp.resolve("pruned"));

        assertThatThrownBy(() -> plan.rollback(good))
                .isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("nothing at " + releases.resolve("20240115"));

        assertThat(Files.readSymbolicLink(current)).isEqualTo(Path.of("releases/20240116"));
    }

    @Test
    void shouldRefuseAFolderInPlaceOfTheLink() throws Exception {
        Files.delete(current);
        Files.createDirectories(current);
        RollbackPlan plan = plan(DirectoryReleases.of(current));

        assertThatThrownBy(() -> plan.capture("v1"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("expected a symbolic link at " + current + ", found a folder")
                .hasMessageContaining("Directory.backup(dir)");
    }

    @Test
    void shouldSwitchReleasesWhoseNamesHoldSpacesQuotesAndCommandSubstitution() throws Exception {
        String odd = "rel 'A' \"B\" $(touch pwned)";
        Files.writeString(Files.createDirectories(releases.resolve(odd)).resolve("VERSION"), "odd");
        deploy("releases/" + odd);
        RollbackPlan plan = plan(DirectoryReleases.of(current).releasesIn(releases));
        RestorePoint good = plan.capture("odd");
        deploy("releases/20240116");

        RollbackReport report = plan.rollback(good);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(current.resolve("VERSION"))).isEqualTo("odd");
        try (Stream<Path> all = Files.walk(tmp)) {
            assertThat(all.map(p -> p.getFileName().toString())).doesNotContain("pwned");
        }
    }

    @Test
    void shouldResolveLinksInsideTheTargetBeforeJudgingWhereItLeads() throws Exception {
        // releases/latest -> 20240116 stays inside; releases/sneaky/.. leaves through a link
        Files.createSymbolicLink(releases.resolve("latest"), Path.of("20240116"));
        Files.createDirectories(tmp.resolve("elsewhere/deep"));
        Files.createSymbolicLink(releases.resolve("sneaky"), tmp.resolve("elsewhere/deep"));
        DirectoryReleases target = DirectoryReleases.of(current).releasesIn(releases);

        deploy("releases/latest");
        RestorePoint latest = plan(target).capture("latest");
        assertThat(latest.snapshot("current").orElseThrow().require("release"))
                .isEqualTo(releases.toRealPath().resolve("20240116").toString());

        deploy("releases/sneaky/../deep");
        assertThatThrownBy(() -> plan(target).capture("sneaky"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("outside the releases folder");
    }
}
