package dev.rollback;

import dev.rollback.spi.TargetKind;

import dev.rollback.spi.Problem;

import dev.rollback.spi.Snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.ReleaseContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import dev.rollback.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetReleaseTest {

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    final List<RollbackEvent> failures = new ArrayList<>();

    /**
     * A target that keeps each capture as a file outside the store, named in its snapshot, as a clone
     * database would be kept on a server; its release deletes that file, or fails when told to.
     */
    final class OutsideTarget implements Target {
        final String name;
        final Path outside;
        boolean failRelease;

        OutsideTarget(String name, Path outside) {
            this.name = name;
            this.outside = outside;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public TargetKind kind() {
            return TargetKind.SERVICE;
        }

        @Override
        public Snapshot capture(CaptureContext ctx) throws Exception {
            Files.createDirectories(outside);
            Path copy = outside.resolve(ctx.label());
            Files.writeString(copy, ctx.label());
            return Snapshot.of(Map.of("copy", copy.toString()));
        }

        @Override
        public List<String> plan(Snapshot s, RestoreContext ctx) {
            return List.of("copy back " + s.require("copy"));
        }

        @Override
        public void restore(Snapshot s, RestoreContext ctx) {
            // not used here
        }

        @Override
        public void release(Snapshot s, ReleaseContext ctx) throws Exception {
            if (failRelease) {
                throw new IllegalStateException("server unreachable; drop " + s.require("copy") + " by hand");
            }
            ctx.progress("deleting " + s.require("copy") + " of point " + ctx.point().id());
            Files.deleteIfExists(Path.of(s.require("copy")));
        }
    }

    RollbackPlan plan(int keepLast, Target... targets) {
        RollbackPlanBuilder b = Rollback.plan("app").store(dir.resolve("store")).clock(clock)
                .listener(new RollbackListener() {
                    @Override
                    public void onReleaseFailed(RollbackEvent event) {
                        failures.add(event);
                    }
                });
        if (keepLast > 0) {
            b.keepLast(keepLast);
        }
        for (Target t : targets) {
            b.target(t);
        }
        return b.build();
    }

    RestorePoint capture(RollbackPlan plan, String label) {
        clock.advance(Duration.ofMinutes(1));
        return plan.capture(label);
    }

    @Test
    void shouldReleaseWhatATargetKeepsOutsideTheStoreWhenRetentionDeletesAPoint() {
        OutsideTarget clones = new OutsideTarget("clones", dir.resolve("outside"));
        RollbackPlan plan = plan(2, clones);

        capture(plan, "v1");
        capture(plan, "v2");
        capture(plan, "v3");

        assertThat(plan.restorePoints()).extracting(RestorePoint::label).containsExactly("v2", "v3");
        assertThat(dir.resolve("outside").toFile().list()).containsExactlyInAnyOrder("v2", "v3");
        assertThat(failures).isEmpty();
    }

    @Test
    void shouldStillCaptureAndReportWhenRetentionCannotRelease() {
        OutsideTarget clones = new OutsideTarget("clones", dir.resolve("outside"));
        RollbackPlan plan = plan(1, clones);
        RestorePoint v1 = capture(plan, "v1");
        clones.failRelease = true;

        RestorePoint v2 = capture(plan, "v2");

        assertThat(plan.restorePoints()).containsExactly(v2);
        assertThat(failures).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(RollbackEvent.Type.RELEASE_FAILED);
            assertThat(e.rollbackId()).isEqualTo(v1.id());
            assertThat(e.message()).contains("target 'clones'", "drop " + dir.resolve("outside/v1") + " by hand");
        });
        assertThat(dir.resolve("outside").toFile().list()).containsExactlyInAnyOrder("v1", "v2");
    }

    @Test
    void shouldReleaseOnDeleteAndReportAFailedReleaseWithoutKeepingThePointOrSkippingOtherTargets() throws Exception {
        OutsideTarget failing = new OutsideTarget("failing", dir.resolve("a"));
        OutsideTarget working = new OutsideTarget("working", dir.resolve("b"));
        RollbackPlan plan = plan(0, failing, working);
        RestorePoint v1 = capture(plan, "v1");
        RestorePoint v2 = capture(plan, "v2");
        failing.failRelease = true;

        List<Problem> problems = plan.delete(v1);

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.target()).isEqualTo("failing");
            assertThat(p.expected()).contains("restore point " + v1.id());
            assertThat(p.found()).contains("drop " + dir.resolve("a/v1") + " by hand");
        });
        assertThat(failures).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(RollbackEvent.Type.RELEASE_FAILED);
            assertThat(e.target()).isEqualTo("failing");
            assertThat(e.message()).contains("server unreachable");
        });
        assertThat(plan.restorePoints()).containsExactly(v2);
        assertThat(plan.store().pointDir(v1.id())).doesNotExist();
        assertThat(dir.resolve("a/v1")).exists(); // what the failing target keeps is left, as reported
        assertThat(dir.resolve("b").toFile().list()).containsExactly("v2");
        assertThat(Files.readString(dir.resolve("a/v2"), StandardCharsets.UTF_8)).isEqualTo("v2");
    }

    @Test
    void shouldNotReleaseAnythingWhenTheDeleteIsRefused() {
        OutsideTarget clones = new OutsideTarget("clones", dir.resolve("outside"));
        RollbackPlan plan = plan(0, clones);
        RestorePoint v1 = capture(plan, "v1");
        RollbackPlan other = Rollback.plan("other").store(dir.resolve("store")).clock(clock).target(clones).build();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> other.delete(v1)).isInstanceOf(InvalidPlanException.class);

        assertThat(dir.resolve("outside/v1")).exists();
        assertThat(plan.restorePoints()).containsExactly(v1);
    }
}
