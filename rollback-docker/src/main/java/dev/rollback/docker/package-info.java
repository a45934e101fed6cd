/**
 * Container targets: a single container ({@link dev.rollback.docker.DockerContainer}) and a compose
 * stack ({@link dev.rollback.docker.ComposeStack}), driven through the {@code docker} CLI (and
 * {@code docker compose} or {@code docker-compose}, whichever the host has) on the plan's {@link
 * dev.rollback.host.Host}, so one plan works on the local engine and on a server reached over SSH.
 *
 * <p>A capture records each container's image by id (never only by its mutable tag) and pins it
 * with a tag of its own, {@code <repo>:rollback-<point>-<image>}, so that no prune or re-tag takes it
 * away; a rollback first tags the running (bad) image {@code <repo>:failed-<point>-<image>}, so the
 * rollback can be undone. A point's pins go with the point: when the plan deletes it (retention,
 * {@code plan.delete}), the targets remove them. {@link dev.rollback.docker.ImagePins#prune} sweeps
 * pins left by points deleted some other way.
 */
package dev.rollback.docker;
