/**
 * Fleet rollback: one plan definition bound to many hosts, captured together and rolled back in waves (a canary,
 * then batches in parallel) under a failure budget, after one preflight over every host.
 *
 * <p>Entry points: {@link dev.rollback.fleet.Fleet}, and {@link dev.rollback.fleet.FleetWatchdog} to watch the
 * fleet after a deploy. This package uses the root package and its hosts; nothing of
 * the library uses it.
 */
package dev.rollback.fleet;
