package dev.rollback;

import dev.rollback.spi.Phase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RollbackEventTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void shouldCarryTheStepOfAStepEvent() {
        RollbackEvent started = RollbackEvent.stepStarted("shop", "r1", AT, Phase.RESTORE, "restore db", "db");
        assertThat(started).isEqualTo(new RollbackEvent(RollbackEvent.Type.STEP_STARTED, "shop", "r1", AT,
                Phase.RESTORE, "restore db", "db", Duration.ZERO, ""));

        RollbackEvent finished = RollbackEvent.stepFinished("shop", "r1", AT, Phase.RESTORE, "restore db", "db",
                Duration.ofSeconds(3), "restored 12 tables");
        assertThat(finished.type()).isEqualTo(RollbackEvent.Type.STEP_FINISHED);
        assertThat(finished.duration()).isEqualTo(Duration.ofSeconds(3));
        assertThat(finished.message()).isEqualTo("restored 12 tables");

        RollbackEvent failed = RollbackEvent.stepFailed("shop", "r1", AT, Phase.VERIFY, "verify page", null,
                Duration.ofMillis(40), "status 503");
        assertThat(failed.type()).isEqualTo(RollbackEvent.Type.STEP_FAILED);
        assertThat(failed.target()).isNull();
        assertThat(failed.message()).isEqualTo("status 503");
    }

    @Test
    void shouldLeaveOutWhatAnEventOfTheWholeRunDoesNotCarry() {
        for (RollbackEvent e : new RollbackEvent[] {
                RollbackEvent.rollbackStarted("shop", "r1", AT, "to v1"),
                RollbackEvent.captured("shop", "p1", AT, "captured p1"),
                RollbackEvent.budgetExceeded("shop", "r1", AT, Duration.ofMinutes(2), "phase RESTORE has taken"),
                RollbackEvent.progress("shop", "r1", AT, null, null, null, "the store failed")}) {
            assertThat(e.phase()).as(e.type().name()).isNull();
            assertThat(e.step()).as(e.type().name()).isNull();
            assertThat(e.target()).as(e.type().name()).isNull();
        }
        assertThat(RollbackEvent.budgetExceeded("shop", "r1", AT, Duration.ofMinutes(2), "m").duration())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(RollbackEvent.rollbackStarted("shop", "r1", AT, "m").duration()).isZero();
    }

    @Test
    void shouldNameTheReleaseStepAfterItsTarget() {
        RollbackEvent e = RollbackEvent.releaseFailed("shop", "p1", AT, "db", "target 'db': expected ...");
        assertThat(e.type()).isEqualTo(RollbackEvent.Type.RELEASE_FAILED);
        assertThat(e.step()).isEqualTo("release db");
        assertThat(e.target()).isEqualTo("db");
        assertThat(e.phase()).isNull();
        assertThatThrownBy(() -> RollbackEvent.releaseFailed("shop", "p1", AT, null, "m"))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("target");
    }

    @Test
    void shouldPutTheWatchdogsEventsInTheVerifyPhase() {
        RollbackEvent probe = RollbackEvent.probeFailed("shop", "w1", AT, Duration.ofMillis(120), "status 503");
        RollbackEvent fired = RollbackEvent.triggerFired("shop", "w1", AT, Duration.ofMinutes(1), "3 failures");
        assertThat(probe.type()).isEqualTo(RollbackEvent.Type.PROBE_FAILED);
        assertThat(fired.type()).isEqualTo(RollbackEvent.Type.TRIGGER_FIRED);
        for (RollbackEvent e : new RollbackEvent[] {probe, fired}) {
            assertThat(e.phase()).isEqualTo(Phase.VERIFY);
            assertThat(e.step()).isEqualTo("watch");
            assertThat(e.target()).isNull();
        }
        assertThat(probe.duration()).isEqualTo(Duration.ofMillis(120));
        assertThat(fired.duration()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void shouldRefuseAnEventWithoutItsPlan() {
        assertThatThrownBy(() -> RollbackEvent.captured(null, "p1", AT, "m")).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("plan");
    }
}
