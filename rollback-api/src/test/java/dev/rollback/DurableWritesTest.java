package dev.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.internal.IoCount;
import dev.rollback.support.CrashPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the engine forces to disk, counted where the library forces files and folders ({@code IoCount}): nothing
 * for a preview or the verify phase, which change no state; one record per step that changes state, and the
 * set-aside point committed once (its manifest and its folder), with no journal record of its own for the last
 * set-aside step, whose record the commit is.
 */
class DurableWritesTest {

    @TempDir
    Path root;

    @Test
    void shouldWriteNothingDurableForAPreviewAndAtMostOneRecordPerStep() throws Exception {
        Files.createDirectories(root.resolve("app"));
        for (String t : List.of("a", "b", "c")) {
            Files.writeString(root.resolve("app/" + t + ".txt"), t + " v1\n");
        }
        RollbackPlan plan = CrashPlan.build(root, FailurePolicy.HALT);
        RestorePoint v1 = plan.capture("v1");
        for (String t : List.of("a", "b", "c")) {
            Files.writeString(root.resolve("app/" + t + ".txt"), t + " v2\n");
        }

        List<IoCount.Counts> preview = counted(() -> plan.preview(v1));
        assertThat(IoCount.total("preview", preview).durableWrites()).as(preview.toString()).isZero();

        List<IoCount.Counts> rollback = counted(() -> {
            RollbackReport r = plan.rollback(v1);
            assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
            return r;
        });
        // preflight, stop, 3 set-asides, 3 restores, start, 3 verifies
        assertThat(phase(rollback, "verify").durableWrites()).as(rollback.toString()).isZero();
        // the journal's start (the history entry's content as well)
        assertThat(phase(rollback, "preflight").fileSyncs()).as(rollback.toString()).isEqualTo(2);
        assertThat(phase(rollback, "preflight").folderSyncs()).as(rollback.toString()).isZero();
        // the records of a and b; the manifest of the point, its folder and the folder of points
        assertThat(phase(rollback, "set_aside").fileSyncs()).as(rollback.toString()).isEqualTo(3);
        assertThat(phase(rollback, "set_aside").folderSyncs()).as(rollback.toString()).isEqualTo(2);
        assertThat(phase(rollback, "stop").durableWrites()).as(rollback.toString()).isEqualTo(1);
        assertThat(phase(rollback, "start").durableWrites()).as(rollback.toString()).isEqualTo(1);
        assertThat(IoCount.total("all", rollback).processes()).isZero();
        for (String t : List.of("a", "b", "c")) {
            assertThat(Files.readString(root.resolve("app/" + t + ".txt"))).isEqualTo(t + " v1\n");
        }
    }

    private static List<IoCount.Counts> counted(Supplier<?> call) {
        IoCount.reset();
        try {
            call.get();
            return IoCount.snapshot();
        } finally {
            IoCount.reset();
        }
    }

    private static IoCount.Counts phase(List<IoCount.Counts> counts, String label) {
        return counts.stream().filter(c -> c.label().equals(label)).findFirst()
                .orElse(new IoCount.Counts(label, 0, 0, 0));
    }
}
