/**
 * Rollback metrics with Micrometer: {@link dev.rollback.micrometer.RollbackMetrics}, a {@link
 * dev.rollback.RollbackListener} that writes a plan's rollbacks, watches and drills to any Micrometer registry.
 *
 * <pre>{@code
 * Rollback.plan("shop")...listener(RollbackMetrics.of(meterRegistry)).build();
 * }</pre>
 *
 * <p>The meters (names as Micrometer writes them; Prometheus shows {@code rollback_phase_seconds_count} and
 * {@code rollback_outcomes_total}), with their tags:
 * <ul>
 *   <li>{@code rollback.phase}: timer; plan, phase, outcome
 *   <li>{@code rollback.step}: timer; plan, phase, target.kind, status
 *   <li>{@code rollback.time.to.recover}: timer with a percentile histogram; plan, outcome
 *   <li>{@code rollback.outcomes}: counter; plan, outcome, successful
 *   <li>{@code rollback.time.to.detect}: timer with a percentile histogram; plan
 *   <li>{@code rollback.time.to.repair}: timer with a percentile histogram; plan
 *   <li>{@code rollback.watches}: counter; plan, outcome
 *   <li>{@code rollback.watch.probe}: timer; plan, check, passed
 *   <li>{@code rollback.watch.probe.failures}: counter; plan
 *   <li>{@code rollback.drills}: counter; plan, outcome, failed.stage
 * </ul>
 * {@link dev.rollback.micrometer.RollbackMetrics} says when each is recorded and which values its tags take: few
 * and fixed, never an id or a message. Micrometer ({@code io.micrometer:micrometer-core}) is this module's only
 * dependency besides rollback-api; add the registry of your monitoring system beside it.
 */
package dev.rollback.micrometer;
