package dev.rollback.notify;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Notifier} is asked to send: what happened, to which plan, when, a line for people ({@link #text()})
 * and the structured details (outcome, point, time to recover, …) for machines. The plan's secrets are already
 * masked in the text and the details.
 *
 * @param kind what happened
 * @param plan the plan's name
 * @param id the rollback's, watch's or drill's id
 * @param at when it happened, by the plan's clock
 * @param text one line for people, as a chat message
 * @param details the structured details, in a stable order; values are strings, numbers or booleans
 */
public record Notification(Kind kind, String plan, String id, Instant at, String text, Map<String, Object> details) {

    /** What a notification is about. */
    public enum Kind {
        /** A watchdog's trigger fired; the rollback follows. */
        TRIGGER_FIRED,
        /** A rollback began (or was resumed). */
        ROLLBACK_STARTED,
        /** A rollback ended and the system is back at the restore point. */
        ROLLBACK_FINISHED,
        /** A rollback ended without bringing the system back: a person must look. */
        ROLLBACK_FAILED,
        /** A drill passed. */
        DRILL_PASSED,
        /** A drill failed. */
        DRILL_FAILED
    }

    /** Validates the parts and copies the details, keeping their order. */
    public Notification {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(at, "at");
        text = text == null ? "" : text;
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details == null ? Map.of() : details));
    }
}
