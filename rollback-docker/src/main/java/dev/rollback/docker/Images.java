package dev.rollback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a capture records of one container's image, and the tags of our own that pin it: {@code
 * <repo>:rollback-<point>-<image>} at capture, {@code <repo>:failed-<point>-<image>} when a rollback sets
 * the running (bad) image aside.
 *
 * @param id the image id, {@code sha256:…}
 * @param tag the reference the container was created from, such as {@code app:latest}; may be an id
 * @param repo the repository the pin is made in
 * @param pin our own tag on the image
 */
record Images(String id, String tag, String repo, String pin) {

    /** Prefix of the tags made at capture. */
    public static final String CAPTURE_PREFIX = "rollback-";
    /** Prefix of the tags made when the bad image is set aside. */
    public static final String FAILED_PREFIX = "failed-";

    /**
     * The image of an inspected container, with the name of the pin to make (not made yet): {@code
     * <repo>:rollback-<point>-<image>} at capture, {@code <repo>:failed-<point>-<image>} when set
     * aside (a point id starts with its time). The image's short id keeps two images of one
     * repository, captured into the same point, from sharing a pin.
     */
    public static Images of(JsonNode container, String fallbackRepo, String pointId, boolean failed) {
        String id = container.path("Image").asText();
        String tag = container.path("Config").path("Image").asText(id);
        String repo = Docker.repository(tag).orElse(fallbackRepo);
        String pin = repo + ":" + (failed ? FAILED_PREFIX : CAPTURE_PREFIX) + pointId + "-" + Docker.shortId(id);
        return new Images(id, tag, repo, pin);
    }

    /** Whether {@code reference} is a tag of our own ({@code <repo>:rollback-…} or {@code <repo>:failed-…}). */
    public static boolean isPin(String reference) {
        int colon = reference.lastIndexOf(':');
        if (colon < 0 || reference.indexOf('/', colon) >= 0) {
            return false;
        }
        String name = reference.substring(colon + 1);
        return name.startsWith(CAPTURE_PREFIX) || name.startsWith(FAILED_PREFIX);
    }

    /** Makes the pin tag on the host. */
    public Images pinWith(Docker docker) {
        docker.tag(id, pin);
        return this;
    }

    /** Whether the container was created from a name (which a restore re-tags), not from an id. */
    public boolean hasName() {
        return Docker.repository(tag).isPresent();
    }

    /** The snapshot data, keys prefixed with {@code prefix}. */
    public Map<String, String> data(String prefix) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(prefix + "image.id", id);
        data.put(prefix + "image.tag", tag);
        data.put(prefix + "image.repo", repo);
        data.put(prefix + "image.pin", pin);
        return data;
    }

    /** Reads what {@link #data} wrote. */
    public static Images from(Map<String, String> data, String prefix) {
        return new Images(data.get(prefix + "image.id"), data.get(prefix + "image.tag"), data.get(prefix + "image.repo"),
                data.get(prefix + "image.pin"));
    }

    /** The health status of an inspected container: {@code healthy}, {@code starting}…; empty text if none. */
    public static String health(JsonNode container) {
        JsonNode h = container.path("State").path("Health");
        return h.isMissingNode() || h.isNull() ? "" : h.path("Status").asText("");
    }

    /** Whether the image or container defines a health check. */
    public static boolean definesHealthCheck(JsonNode container) {
        JsonNode test = container.path("Config").path("Healthcheck").path("Test");
        return test.isArray() && test.size() > 0 && !"NONE".equals(test.get(0).asText());
    }
}
