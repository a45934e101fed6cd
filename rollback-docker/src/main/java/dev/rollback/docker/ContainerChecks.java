package dev.rollback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollback.spi.RestoreContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/** Waits for a restored container to run the captured image and, when it has a health check, to be healthy. */
final class ContainerChecks {

    private static final Duration EVERY = Duration.ofMillis(500);

    private ContainerChecks() {}

    /**
     * Empty when the container (found anew on each attempt) runs {@code imageId} and is healthy or
     * has no health check; else what was found, after waiting up to {@code timeout}.
     */
    static Optional<String> problem(String what, Supplier<Optional<JsonNode>> find, String imageId,
            RestoreContext ctx, Duration timeout) throws InterruptedException {
        Instant deadline = ctx.clock().instant().plus(timeout);
        while (true) {
            Optional<String> problem = once(what, find.get(), imageId);
            if (problem.isEmpty() || problem.get().startsWith("!")) {
                return problem.map(p -> p.substring(1));
            }
            if (!ctx.clock().instant().isBefore(deadline)) {
                return Optional.of(problem.get() + " after waiting " + timeout.toSeconds() + " s");
            }
            ctx.sleep(EVERY);
        }
    }

    /** One look: empty if fine, a problem worth waiting for, or one starting with {@code !} (final). */
    private static Optional<String> once(String what, Optional<JsonNode> found, String imageId) {
        if (found.isEmpty()) {
            return Optional.of("!" + what + ": expected a container, found none");
        }
        JsonNode c = found.get();
        String image = c.path("Image").asText();
        if (!image.equals(imageId)) {
            return Optional.of("!" + what + ": expected image " + Docker.shortId(imageId) + ", found "
                    + Docker.shortId(image));
        }
        JsonNode state = c.path("State");
        if (!state.path("Running").asBoolean(false)) {
            String status = state.path("Status").asText("?");
            String why = status + (state.has("ExitCode") ? " (exit " + state.path("ExitCode").asInt() + ")" : "");
            return Optional.of((status.equals("created") || status.equals("restarting") ? "" : "!") + what
                    + ": expected running, found " + why);
        }
        if (Images.definesHealthCheck(c)) {
            String health = Images.health(c);
            if (health.equals("unhealthy")) {
                return Optional.of("!" + what + ": expected health 'healthy', found 'unhealthy'");
            }
            if (!health.equals("healthy")) {
                return Optional.of(what + ": expected health 'healthy', found '" + health + "'");
            }
        }
        return Optional.empty();
    }
}
