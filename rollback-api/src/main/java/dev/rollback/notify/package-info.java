/**
 * Notifications around a rollback: who is told when a watchdog's trigger fires, a rollback starts, finishes or
 * fails, and a drill ends. A {@link dev.rollback.notify.Notifier} is given to a plan with {@code
 * Rollback.plan(..).notify(notifier)}; {@link dev.rollback.notify.Webhook} posts JSON to an incoming webhook (Slack,
 * Mattermost, Teams and anything that reads a {@code text} field).
 *
 * <p>Delivery never changes a rollback: notifications are sent by a thread of their own, after the event, with
 * bounded retries and backoff on the plan's sleeper, the plan's secrets masked; a notifier that keeps failing is
 * logged and given up.
 *
 * <p>This package uses nothing of the library: its types are plain values.
 */
package dev.rollback.notify;
