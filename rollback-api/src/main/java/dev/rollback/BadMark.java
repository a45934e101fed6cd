package dev.rollback;

import java.time.Instant;
import java.util.Objects;

/**
 * Records that a restore point must not be rolled back to: who said so, when, and why (the
 * {@code BAD_RELEASE} marker of a runbook).
 *
 * <p>Immutable and thread-safe.
 *
 * @param by who marked the point
 * @param at when
 * @param reason why
 */
public record BadMark(String by, Instant at, String reason) {

    /** Validates the parts. */
    public BadMark {
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(reason, "reason");
    }
}
