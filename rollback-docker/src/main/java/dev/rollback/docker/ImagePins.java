package dev.rollback.docker;

import dev.rollback.RestorePoint;
import dev.rollback.RollbackPlan;
import dev.rollback.Snapshot;
import dev.rollback.docker.internal.Docker;
import dev.rollback.docker.internal.Images;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Removes the image tags of our own ({@code <repo>:rollback-…} and {@code <repo>:failed-…}) that no
 * restore point of a plan needs any more: call it after a capture, so an image is kept exactly as
 * long as a point that can restore it. The images themselves stay while another tag or a container
 * holds them; an image left with no tag is then the engine's to prune.
 *
 * <p>Only the repositories of the plan's remaining points are looked at, and in them only our own
 * tags, so the user's tags are never touched; two plans sharing one repository should share one
 * call with the union of their points, which this class does not know of.
 *
 * <pre>{@code
 * RestorePoint before = plan.capture("v2.0.0");   // with .keepLast(10)
 * ImagePins.prune(plan);                            // pins of points retention deleted go too
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class ImagePins {

    private ImagePins() {}

    /**
     * Removes every pin tag in the repositories of {@code plan}'s restore points that none of those
     * points records, on the plan's host.
     *
     * @return the tags removed, sorted
     * @throws DockerException if the engine does not answer
     */
    public static List<String> prune(RollbackPlan plan) {
        Objects.requireNonNull(plan, "plan");
        Set<String> keep = new TreeSet<>();
        Set<String> repos = new TreeSet<>();
        for (RestorePoint point : plan.restorePoints()) {
            for (Snapshot s : point.snapshots()) {
                s.data().forEach((k, v) -> {
                    if (k.endsWith("image.pin")) {
                        keep.add(v);
                    } else if (k.endsWith("image.repo")) {
                        repos.add(v);
                    }
                });
            }
        }
        if (repos.isEmpty()) {
            return List.of();
        }
        Docker docker = new Docker(plan.host(), "image pins of plan '" + plan.name() + "'");
        List<String> removed = new ArrayList<>();
        for (String tag : docker.tags()) {
            int colon = tag.lastIndexOf(':');
            String repo = tag.substring(0, colon);
            String name = tag.substring(colon + 1);
            boolean ours = name.startsWith(Images.CAPTURE_PREFIX) || name.startsWith(Images.FAILED_PREFIX);
            if (ours && repos.contains(repo) && !keep.contains(tag)) {
                docker.untag(tag);
                removed.add(tag);
            }
        }
        removed.sort(null);
        return removed;
    }
}
