package dev.rollback;

import dev.rollback.spi.TargetKind;

import dev.rollback.spi.CheckResult;

import dev.rollback.spi.Problem;

import dev.rollback.spi.Snapshot;

import dev.rollback.spi.Step;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SetAsideContextTest {

    @TempDir
    Path dir;

    /** Records the rollback id each call is given, as "call:id". */
    static final class IdTarget implements Target {
        final List<String> seen = new ArrayList<>();

        @Override
        public String name() {
            return "ids";
        }

        @Override
        public TargetKind kind() {
            return TargetKind.SERVICE;
        }

        @Override
        public Snapshot capture(CaptureContext ctx) {
            seen.add("capture:" + ctx.rollbackId().orElse("none"));
            return Snapshot.of(Map.of("made", "capture"));
        }

        @Override
        public Snapshot setAside(CaptureContext ctx) {
            String id = ctx.rollbackId().orElse("none");
            seen.add("setAside:" + id);
            return Snapshot.of(Map.of("made", "set-aside", "by", id));
        }

        @Override
        public List<String> plan(Snapshot s, RestoreContext ctx) {
            return List.of("nothing");
        }

        @Override
        public void restore(Snapshot s, RestoreContext ctx) {
            seen.add("restore " + s.require("made") + ":" + ctx.rollbackId());
        }
    }

    @Test
    void shouldGiveTheSetAsideTheRollbackIdThatItsRestoreAndUndoSee() {
        IdTarget target = new IdTarget();
        RollbackPlan plan = Rollback.plan("ids").store(dir.resolve("store")).onFailure(FailurePolicy.RESTORE_FAILED_STATE)
                .target(target).start(Step.of("start", ctx -> {
                    throw new IllegalStateException("does not start");
                })).build();
        RestorePoint point = plan.capture("v1");

        RollbackReport report = plan.rollback(point);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.PUT_BACK);
        String id = report.rollbackId();
        assertThat(target.seen).containsExactly("capture:none", "setAside:" + id, "restore capture:" + id,
                "restore set-aside:" + id);
        assertThat(plan.store().get(report.setAsidePointId()).snapshot("ids").orElseThrow().require("by")).isEqualTo(id);
    }

    /** Records what {@code RestoreContext.setAside} gives each call, and reads the set-aside's artifact. */
    static final class KeepingTarget implements Target {
        final List<String> seen = new ArrayList<>();

        @Override
        public String name() {
            return "keeper";
        }

        @Override
        public TargetKind kind() {
            return TargetKind.FILES;
        }

        @Override
        public Snapshot capture(CaptureContext ctx) {
            ctx.host().write(ctx.artifactDir().resolve("kept.txt"), (ctx.rollbackId().isPresent() ? "aside" : "point")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return Snapshot.of(Map.of("made", ctx.rollbackId().isPresent() ? "set-aside" : "capture"));
        }

        private String aside(String call, RestoreContext ctx) {
            String what = ctx.setAside(name()).map(a -> a.require("made") + "/" + new String(ctx.host().read(
                    ctx.artifact(a, "kept.txt")), java.nio.charset.StandardCharsets.UTF_8)).orElse("none");
            seen.add(call + ":" + what);
            return what;
        }

        @Override
        public List<Problem> preflight(Snapshot s, RestoreContext ctx) {
            aside("preflight", ctx);
            return List.of();
        }

        @Override
        public List<String> plan(Snapshot s, RestoreContext ctx) {
            return List.of(aside("plan", ctx));
        }

        @Override
        public void restore(Snapshot s, RestoreContext ctx) {
            aside("restore " + s.require("made"), ctx);
        }

        @Override
        public CheckResult verify(Snapshot s, RestoreContext ctx) {
            aside("verify", ctx);
            return CheckResult.failed("verify", "fails so that the rollback is put back");
        }
    }

    @Test
    void shouldGiveARestoreTheSnapshotItsRollbackSetAsideWithItsArtifacts() {
        KeepingTarget target = new KeepingTarget();
        RollbackPlan plan = Rollback.plan("keep").store(dir.resolve("store")).onFailure(FailurePolicy.RESTORE_FAILED_STATE)
                .target(target).start(Step.of("start", ctx -> {
                    throw new IllegalStateException("does not start");
                })).build();
        RestorePoint point = plan.capture("v1");

        plan.preview(point);
        RollbackReport report = plan.rollback(point);

        assertThat(report.outcome()).as(report.toString()).isEqualTo(Outcome.PUT_BACK);
        // nothing was set aside yet in preview and preflight; the restore reads the set-aside's own artifact, and the
        // put-back, whose snapshot is the set-aside itself, is given none beside it
        assertThat(target.seen).containsExactly("preflight:none", "plan:none", "preflight:none",
                "restore capture:set-aside/aside", "restore set-aside:none");
    }
}
