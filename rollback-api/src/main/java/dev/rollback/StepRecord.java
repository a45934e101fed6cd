package dev.rollback;

import dev.rollback.spi.Phase;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One step of a rollback as it ran: when it started, how long it took, how it ended.
 *
 * <p>Immutable and thread-safe.
 *
 * @param index the step's position in the rollback, from 0
 * @param phase the phase it belongs to
 * @param name the step's name, such as {@code restore db}
 * @param target the target it acted on, or null for a service step, a hook or a check
 * @param startedAt when it started (null if it never ran)
 * @param duration how long it took
 * @param status how it ended
 * @param detail what happened: the error, the check's observation, or the actions taken
 */
public record StepRecord(
        int index,
        Phase phase,
        String name,
        String target,
        Instant startedAt,
        Duration duration,
        StepStatus status,
        String detail) {

    /** Validates the parts. */
    public StepRecord {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(status, "status");
        detail = detail == null ? "" : detail;
    }
}
