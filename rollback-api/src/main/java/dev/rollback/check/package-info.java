/**
 * Health checks that prove a rollback recovered the system: an HTTP endpoint, a TCP port, a
 * command's exit status, and a log free of error lines since the rollback began; and a probe of the
 * application's Prometheus metrics, its error rate or a latency quantile between two scrapes ({@link
 * dev.rollback.check.MetricsCheck}), for a {@link dev.rollback.Watchdog}.
 *
 * <p>Start at {@link dev.rollback.check.HealthCheck}. Every check is an immutable value that retries
 * on the plan's clock and sleeper, and records each attempt in its {@link dev.rollback.spi.CheckResult}.
 */
package dev.rollback.check;
