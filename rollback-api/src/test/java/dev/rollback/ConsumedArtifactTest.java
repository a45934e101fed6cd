package dev.rollback;

import dev.rollback.spi.TargetKind;

import dev.rollback.spi.Problem;

import dev.rollback.spi.Snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import dev.rollback.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsumedArtifactTest {

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();

    /** A target that restores its file by moving the restore point's copy into place. */
    static final class MovingTarget implements Target {
        final Path live;
        boolean consumeInPreflight;

        MovingTarget(Path live) {
            this.live = live;
        }

        @Override
        public String name() {
            return "file";
        }

        @Override
        public TargetKind kind() {
            return TargetKind.FILES;
        }

        @Override
        public Snapshot capture(CaptureContext ctx) {
            ctx.host().copy(live, ctx.artifactDir().resolve("copy"));
            return Snapshot.of(Map.of());
        }

        @Override
        public List<Problem> preflight(Snapshot s, RestoreContext ctx) {
            if (consumeInPreflight) {
                ctx.consume(s, "copy");
            }
            return List.of();
        }

        @Override
        public List<String> plan(Snapshot s, RestoreContext ctx) {
            return List.of("move the copy over " + live);
        }

        @Override
        public void restore(Snapshot s, RestoreContext ctx) {
            ctx.host().move(ctx.consume(s, "copy"), live);
        }
    }

    @Test
    void shouldRefuseAConsumedPointNamingTheRollbackThatConsumedItAndChangeNothing() throws Exception {
        Path live = Files.writeString(dir.resolve("app.conf"), "v1");
        RollbackPlan plan = Rollback.plan("app").store(dir.resolve("store")).clock(clock)
                .target(new MovingTarget(live)).build();
        RestorePoint v1 = plan.capture("v1");
        Files.writeString(live, "v2");

        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(live)).isEqualTo("v1");
        Files.writeString(live, "v3");
        assertThatThrownBy(() -> plan.rollback(v1)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("no such file: consumed: rollback " + report.rollbackId() + " of plan 'app'")
                .hasMessageContaining("another restore point");
        assertThat(Files.readString(live)).isEqualTo("v3");
        assertThat(plan.store().verify(v1)).singleElement()
                .satisfies(p -> assertThat(p.found()).contains("consumed: rollback " + report.rollbackId()));
    }

    @Test
    void shouldRefuseToConsumeAnArtifactOutsideTheRestore() throws Exception {
        Path live = Files.writeString(dir.resolve("app.conf"), "v1");
        MovingTarget target = new MovingTarget(live);
        RollbackPlan plan = Rollback.plan("app").store(dir.resolve("store")).clock(clock).target(target).build();
        RestorePoint v1 = plan.capture("v1");
        Files.writeString(live, "v2");
        target.consumeInPreflight = true;

        assertThatThrownBy(() -> plan.rollback(v1)).isInstanceOf(PreflightFailedException.class)
                .hasMessageContaining("consume it in restore() only");

        assertThat(Files.readString(live)).isEqualTo("v2");
        assertThat(plan.store().verify(v1)).isEmpty();
    }
}
