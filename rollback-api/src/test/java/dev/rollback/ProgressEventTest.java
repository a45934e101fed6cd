package dev.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.testing.MemoryTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A step that runs longer than two seconds reports its progress as events while it runs. */
class ProgressEventTest {

    @TempDir
    Path dir;

    @Test
    void shouldReportProgressOfARestoreThatRunsLongerThanTwoSeconds() throws Exception {
        List<RollbackEvent> progress = new CopyOnWriteArrayList<>();
        CountDownLatch heard = new CountDownLatch(1);
        MemoryTarget config = new MemoryTarget("config", "v1", new ArrayList<>());
        RollbackPlan plan = Rollback.plan("slow").store(dir.resolve("store")).target(config)
                .listener(new RollbackListener() {
                    @Override
                    public void onProgress(RollbackEvent e) {
                        if (e.message().startsWith("still running")) {
                            progress.add(e);
                            heard.countDown();
                        }
                    }
                }).build();
        RestorePoint v1 = plan.capture("v1");
        config.value = "v2";
        config.duringRestore = () -> {
            try {
                heard.await(20, TimeUnit.SECONDS); // the restore lasts until the engine has said it still runs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };

        RollbackReport report = plan.rollback(v1);

        assertThat(report.isSuccessful()).as(report.toString()).isTrue();
        assertThat(progress).isNotEmpty().first().satisfies(e -> {
            assertThat(e.type()).isEqualTo(RollbackEvent.Type.PROGRESS);
            assertThat(e.step()).isEqualTo("restore config");
            assertThat(e.target()).isEqualTo("config");
            assertThat(e.message()).isEqualTo("still running after 2 s");
        });
    }
}
