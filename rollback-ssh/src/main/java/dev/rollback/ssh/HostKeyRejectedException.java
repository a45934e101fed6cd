package dev.rollback.ssh;

import dev.rollback.host.HostException;

/**
 * The server's host key was not trusted: unknown (not in the known_hosts file and not pinned) or
 * different from the key recorded for that server. The message shows the key's SHA-256 fingerprint
 * and how to trust it; {@link #fingerprint()} gives it to code.
 *
 * <p>Immutable.
 */
public class HostKeyRejectedException extends HostException {

    private static final long serialVersionUID = 1L;

    private final String fingerprint;
    private final boolean changed;

    HostKeyRejectedException(String message, String fingerprint, boolean changed) {
        super(message);
        this.fingerprint = fingerprint;
        this.changed = changed;
    }

    /** The fingerprint of the key the server offered, as OpenSSH prints it: {@code SHA256:...}. */
    public String fingerprint() {
        return fingerprint;
    }

    /** Whether a different key was recorded for this server (a changed key) rather than none (an unknown key). */
    public boolean changed() {
        return changed;
    }
}
