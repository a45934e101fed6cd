package dev.rollback.docker;

import dev.rollback.RestorePoint;
import dev.rollback.RollbackPlan;
import dev.rollback.spi.Snapshot;
import dev.rollback.host.CommandResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Removes the image tags of our own ({@code <repo>:rollback-…} and {@code <repo>:failed-…}) that no
 * restore point of a plan needs any more. The plan already removes a point's pins when it deletes
 * the point (retention, {@code plan.delete}); this sweeps pins left behind by points deleted another
 * way (the store's own {@code delete}, a folder removed by hand). The images themselves stay while
 * another tag or a container holds them; an image left with no tag is then the engine's to prune.
 *
 * <p>Only the repositories of the plan's remaining points are looked at, and in them only our own
 * tags, so the user's tags are never touched; two plans sharing one repository should share one
 * call with the union of their points, which this class does not know of.
 *
 * <pre>{@code
 * plan.store().delete(old.id());                   // the store alone knows no targets
 * ImagePins.prune(plan);                            // so sweep the pins it left
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class ImagePins {

    private ImagePins() {}

    /**
     * Removes the pins {@code snapshot} records, on {@code host}: what {@link DockerContainer} and
     * {@link ComposeStack} do when the plan deletes the snapshot's restore point (retention or {@code
     * plan.delete}). A pin still holding the image of a container is left, and said so. Only tags of
     * our own are touched.
     */
    static void release(Snapshot snapshot, dev.rollback.spi.ReleaseContext ctx, String target) {
        Docker docker = new Docker(ctx.host(), target);
        for (Map.Entry<String, String> e : snapshot.data().entrySet()) {
            if (!e.getKey().endsWith("image.pin") || !Images.isPin(e.getValue())) {
                continue;
            }
            CommandResult r = docker.tryRun(List.of("image", "rm", e.getValue()), Map.of());
            if (r.succeeded()) {
                ctx.progress("removed the pin " + e.getValue() + " of restore point " + ctx.point().id());
            } else {
                DockerException failure = docker.failure("remove the pin " + e.getValue(), r);
                if (failure.reason() == DockerException.Reason.IMAGE_MISSING) {
                    continue;
                }
                if (r.stderr().contains("conflict")) {
                    ctx.progress("kept the pin " + e.getValue() + ": a container still runs its image");
                    continue;
                }
                throw failure;
            }
        }
    }

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
