package dev.rollback.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.host.WorkMeter;
import dev.rollback.internal.Files2;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Long steps say how far they are, at every interval, and short ones say nothing. */
class HeartbeatTest {

    @Test
    void shouldSayFilesAndBytesDoneOfTheTotalAndTheRate() {
        WorkMeter m = new WorkMeter();
        m.expect(3000, 1_200_000_000L);
        m.add(1204, 512_000_000L);

        assertThat(Heartbeat.line(m, Duration.ofSeconds(6).toNanos()))
                .isEqualTo("still running after 6 s: 1,204 of 3,000 files, 512.0 MB of 1.2 GB done (85.3 MB/s)");
    }

    @Test
    void shouldSayOnlyTheTimeWhenNothingIsMetered() {
        assertThat(Heartbeat.line(new WorkMeter(), Duration.ofSeconds(4).toNanos())).isEqualTo("still running after 4 s");
    }

    @Test
    void shouldBeatEveryIntervalWhileTheStepRunsAndStopWhenItEnds() throws Exception {
        Heartbeat beats = new Heartbeat(Duration.ofMillis(50));
        List<String> said = new CopyOnWriteArrayList<>();
        CountDownLatch three = new CountDownLatch(3);

        try (Heartbeat.Watch w = beats.watch(line -> {
            said.add(line);
            three.countDown();
        })) {
            WorkMeter.current().add(2, 2048);
            assertThat(three.await(10, TimeUnit.SECONDS)).as("three beats while the step runs").isTrue();
        }
        int atEnd = said.size();
        Thread.sleep(200); // four intervals: none may come after the step ended

        assertThat(said).hasSize(atEnd).allSatisfy(l -> assertThat(l).contains("2 files, 2.0 kB done"));
        assertThat(WorkMeter.current().files()).as("the step's meter is unbound at the end").isZero();
    }

    @Test
    void shouldSayNothingForAStepShorterThanTheInterval() throws Exception {
        Heartbeat beats = new Heartbeat(Duration.ofMillis(300));
        List<String> said = new CopyOnWriteArrayList<>();

        try (Heartbeat.Watch w = beats.watch(said::add)) {
            WorkMeter.current().add(1, 1);
        }
        Thread.sleep(400);

        assertThat(said).isEmpty();
    }

    @Test
    void shouldMeterTheBytesAFileHashReads(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = java.nio.file.Files.write(dir.resolve("big"), new byte[300_000]);
        WorkMeter m = new WorkMeter();

        try (WorkMeter.Binding b = WorkMeter.bind(m)) {
            Files2.sha256(f);
        }

        assertThat(m.files()).isEqualTo(1);
        assertThat(m.bytes()).isEqualTo(300_000);
    }
}
