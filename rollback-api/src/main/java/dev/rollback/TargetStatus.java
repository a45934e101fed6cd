package dev.rollback;

import dev.rollback.spi.TargetKind;

import java.util.Objects;

/**
 * The state of one target at the end of a rollback.
 *
 * @param name the target's name
 * @param kind its kind
 * @param state where it stands
 * @param detail a readable note, such as where its failed state was set aside
 */
public record TargetStatus(String name, TargetKind kind, TargetState state, String detail) {

    /** Validates the parts. */
    public TargetStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        detail = detail == null ? "" : detail;
    }
}
