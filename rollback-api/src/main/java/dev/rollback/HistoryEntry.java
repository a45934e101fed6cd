package dev.rollback;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of a plan's history as every operator sees it: a capture, a rollback, an undo, a resume, a point marked
 * bad or deleted, a lock broken; who did it (user@machine) and when. Read with {@link RollbackPlan#activity()}.
 *
 * @param at when it happened
 * @param who {@code user@machine (pid n)}
 * @param what {@code capture}, {@code rollback}, {@code undo}, {@code resume}, {@code mark-bad}, {@code delete} or
 *     {@code break-lock}
 * @param pointId the restore point involved, or null
 * @param rollbackId the rollback involved, or null
 * @param detail one line: the label, the outcome, the reason
 */
public record HistoryEntry(Instant at, String who, String what, String pointId, String rollbackId, String detail) {

    /** Checks the fields that are always there. */
    public HistoryEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(what, "what");
        detail = detail == null ? "" : detail;
    }

    /** {@code 2024-01-15T09:31:00Z ops@bastion-2 (pid 4242) rollback rb-1 to p-7: SUCCEEDED}. */
    public String describe() {
        return at + " " + who + " " + what + (rollbackId == null ? "" : " " + rollbackId)
                + (pointId == null ? "" : (rollbackId == null ? " " : " to ") + pointId)
                + (detail.isEmpty() ? "" : ": " + detail);
    }
}
