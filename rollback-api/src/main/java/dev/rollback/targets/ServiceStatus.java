package dev.rollback.targets;

import java.util.Objects;

/**
 * Whether a {@link Service} is running, as its status command or pid file says, and what was seen.
 *
 * <p>Immutable and thread-safe.
 *
 * @param service the service's name
 * @param running whether it is running
 * @param detail what the status command printed and how it exited, or what the pid file holds
 */
public record ServiceStatus(String service, boolean running, String detail) {

    /** Validates the parts. */
    public ServiceStatus {
        Objects.requireNonNull(service, "service");
        detail = detail == null ? "" : detail;
    }
}
