package dev.rollback.docker;

import dev.rollback.error.RollbackException;
import java.util.Objects;

/**
 * The Docker engine or compose refused or failed what a container target asked: the engine does not
 * answer, an image or container is missing, a name is taken, compose is not installed, or a command
 * failed for another reason. The message names the target, the command, what was expected, what
 * was found (the end of the engine's own message) and what to do; {@link #reason()} says which case
 * it is.
 */
public class DockerException extends RollbackException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, as a value a program can act on. */
    public enum Reason {
        /** The engine does not answer: dockerd is stopped, or the socket is not reachable. */
        ENGINE_NOT_RUNNING,
        /** An image the target needs is not on the host. */
        IMAGE_MISSING,
        /** A container the target needs is not on the host. */
        CONTAINER_MISSING,
        /** A container name is already taken by another container. */
        NAME_CONFLICT,
        /** Neither {@code docker compose} nor {@code docker-compose} is installed on the host. */
        COMPOSE_MISSING,
        /** The {@code docker} program is not installed on the host. */
        DOCKER_MISSING,
        /** Any other failure of a docker or compose command. */
        COMMAND_FAILED
    }

    private final Reason reason;

    /**
     * An exception with its reason and context.
     *
     * @param reason what went wrong
     * @param message what was expected, what was found, what to do
     * @param cause the cause, or null
     * @param target the target's name
     */
    public DockerException(Reason reason, String message, Throwable cause, String target) {
        super(message, cause, target, null);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }
}
