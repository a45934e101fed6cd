package dev.rollback.internal.engine;

import dev.rollback.DrillReport;
import dev.rollback.RollbackEvent;
import dev.rollback.RollbackListener;
import dev.rollback.RollbackReport;
import dev.rollback.Sleeper;
import dev.rollback.internal.Logs;
import dev.rollback.internal.Redactor;
import dev.rollback.notify.Notification;
import dev.rollback.notify.Notification.Kind;
import dev.rollback.notify.Notifier;
import dev.rollback.spi.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * A plan's notifiers, fed as a listener: each event worth telling becomes a {@link Notification} (secrets masked)
 * queued for a thread of its own, which sends it to every notifier with bounded retries and a backoff on the plan's
 * sleeper. The rollback's thread only queues. The thread is started when there is something to send and ends when
 * the queue is empty; it is not a daemon, so a JVM that ends right after a rollback sends what is queued first
 * (within the notifiers' attempts and timeouts). At most {@link #CAPACITY} notifications wait; beyond, the oldest
 * is dropped and logged.
 */
public final class Notifications implements RollbackListener {

    /** The most notifications waiting to be sent. */
    static final int CAPACITY = 1_000;

    /** The wait after the first failed attempt; it doubles after each. */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

    private static final Logger LOG = Logs.named("dev.rollback.notify");

    private final List<Notifier> notifiers;
    private final Redactor redactor;
    private final Sleeper sleeper;
    private final Deque<Notification> queue = new ArrayDeque<>();
    private Thread worker; // guarded by queue

    /** Notifications to {@code notifiers}, masked by {@code redactor}, waiting with {@code sleeper}. */
    public Notifications(List<Notifier> notifiers, Redactor redactor, Sleeper sleeper) {
        this.notifiers = List.copyOf(notifiers);
        this.redactor = redactor;
        this.sleeper = sleeper;
    }

    @Override
    public void onTriggerFired(RollbackEvent e) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("watched", e.duration().toMillis());
        d.put("reason", e.message());
        queue(Kind.TRIGGER_FIRED, e.plan(), e.rollbackId(), e.at(), e.plan() + ": " + e.message(), d);
    }

    @Override
    public void onRollbackStarted(RollbackEvent e) {
        queue(Kind.ROLLBACK_STARTED, e.plan(), e.rollbackId(), e.at(), e.plan() + ": rollback " + e.rollbackId()
                + " started " + e.message(), Map.of("message", e.message()));
    }

    @Override
    public void onRollbackFinished(RollbackReport r) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("outcome", r.outcome().name());
        d.put("point", r.pointLabel());
        d.put("pointId", r.pointId());
        d.put("timeToRecoverMillis", r.timeToRecover() == null ? null : r.timeToRecover().toMillis());
        d.put("setAside", r.setAsidePointId());
        d.put("undo", r.isUndo());
        if (!r.errors().isEmpty()) {
            d.put("errors", String.join("; ", r.errors()));
        }
        String text = r.plan() + ": " + (r.isUndo() ? "undo " : "rollback ") + r.rollbackId() + " to " + r.pointLabel()
                + " " + r.outcome() + (r.timeToRecover() == null ? "" : ", time to recover "
                        + Durations.format(r.timeToRecover())) + (r.isSuccessful() ? "" : " — " + String.join("; ",
                                r.errors()) + "; a person must look");
        queue(r.isSuccessful() ? Kind.ROLLBACK_FINISHED : Kind.ROLLBACK_FAILED, r.plan(), r.rollbackId(),
                r.finishedAt(), text, d);
    }

    @Override
    public void onDrillFinished(DrillReport r) {
        boolean passed = r.outcome() == DrillReport.Outcome.PASSED;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("outcome", r.outcome().name());
        d.put("change", r.change());
        d.put("failedStage", r.failedStage() == null ? null : r.failedStage().name());
        d.put("reason", r.reason());
        d.put("timeToRecoverMillis", r.rollback() == null || r.rollback().timeToRecover() == null ? null
                : r.rollback().timeToRecover().toMillis());
        queue(passed ? Kind.DRILL_PASSED : Kind.DRILL_FAILED, r.plan(), r.drillId(), r.finishedAt(), r.plan()
                + ": drill '" + r.change() + "' " + r.outcome() + (passed ? "" : " at " + r.failedStage() + ": "
                        + r.reason()), d);
    }

    private void queue(Kind kind, String plan, String id, Instant at, String text, Map<String, Object> details) {
        Map<String, Object> masked = new LinkedHashMap<>();
        details.forEach((k, v) -> masked.put(k, v instanceof String s ? redactor.redact(s) : v));
        Notification n = new Notification(kind, plan, id, at, redactor.redact(text), masked);
        synchronized (queue) {
            if (queue.size() >= CAPACITY) {
                Notification dropped = queue.removeFirst();
                LOG.warn("plan '{}': {} notifications waiting, the {} of {} was dropped", plan, CAPACITY,
                        dropped.kind(), dropped.id());
            }
            queue.addLast(n);
            if (worker == null) {
                worker = new Thread(this::drain, "rollback-notify-" + plan);
                worker.start();
            }
        }
    }

    /** Sends until the queue is empty, then ends. */
    private void drain() {
        while (true) {
            Notification n;
            synchronized (queue) {
                n = queue.pollFirst();
                if (n == null) {
                    worker = null;
                    return;
                }
            }
            for (Notifier notifier : notifiers) {
                deliver(notifier, n);
            }
        }
    }

    private void deliver(Notifier notifier, Notification n) {
        int attempts = Math.max(1, notifier.attempts());
        Duration wait = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                notifier.send(n);
                return;
            } catch (Exception e) {
                String why = redactor.describe(e);
                if (attempt >= attempts) {
                    LOG.warn("plan '{}': {} did not take the {} notification of {} after {} attempt(s), given up: {}",
                            n.plan(), notifier.name(), n.kind(), n.id(), attempts, why);
                    return;
                }
                LOG.info("plan '{}': {} failed attempt {} of {} for the {} notification, again in {}: {}", n.plan(),
                        notifier.name(), attempt, attempts, n.kind(), Durations.format(wait), why);
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    return;
                }
                wait = wait.multipliedBy(2);
            } catch (Error e) {
                LOG.error("plan '{}': {} failed on the {} notification: {}", n.plan(), notifier.name(), n.kind(),
                        e.toString());
                return;
            }
        }
    }
}
