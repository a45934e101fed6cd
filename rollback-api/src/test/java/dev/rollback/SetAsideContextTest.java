package dev.rollback;

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
}
