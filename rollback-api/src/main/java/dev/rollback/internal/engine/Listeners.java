package dev.rollback.internal.engine;

import dev.rollback.RollbackEvent;
import dev.rollback.RollbackListener;
import dev.rollback.RollbackReport;
import dev.rollback.internal.Logs;
import dev.rollback.spi.Durations;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;

/**
 * Sends events to a plan's listeners and to the log. A listener that throws is logged and
 * skipped; the rollback goes on.
 *
 * <p>Immutable and thread-safe if the listeners are.
 */
public final class Listeners {

    private static final Logger LOG = Logs.named("dev.rollback");

    private final List<RollbackListener> listeners;

    /** Dispatch to the given listeners, after the log. */
    public Listeners(List<RollbackListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Logs the event and hands it to every listener. */
    public void emit(RollbackEvent e) {
        log(e);
        BiConsumer<RollbackListener, RollbackEvent> call = switch (e.type()) {
            case ROLLBACK_STARTED -> RollbackListener::onRollbackStarted;
            case STEP_STARTED -> RollbackListener::onStepStarted;
            case STEP_FINISHED -> RollbackListener::onStepFinished;
            case STEP_FAILED -> RollbackListener::onStepFailed;
            case PROGRESS -> RollbackListener::onProgress;
            case BUDGET_EXCEEDED -> RollbackListener::onBudgetExceeded;
            case CAPTURED -> RollbackListener::onCaptured;
            case RELEASE_FAILED -> RollbackListener::onReleaseFailed;
            case PROBE_FAILED -> RollbackListener::onProbeFailed;
            case TRIGGER_FIRED -> RollbackListener::onTriggerFired;
        };
        for (RollbackListener l : listeners) {
            try {
                call.accept(l, e);
            } catch (RuntimeException failure) {
                LOG.warn("plan '{}': listener {} failed on {} and was skipped: {}", e.plan(),
                        l.getClass().getName(), e.type(), failure.toString());
            }
        }
    }

    /** Hands the final report to every listener. */
    public void finished(RollbackReport report) {
        LOG.info("plan '{}': rollback {} to {} ended {} in {}", report.plan(), report.rollbackId(),
                report.pointLabel(), report.outcome(), Durations.format(report.timeToRecover()));
        for (RollbackListener l : listeners) {
            try {
                l.onRollbackFinished(report);
            } catch (RuntimeException failure) {
                LOG.warn("plan '{}': listener {} failed on the final report and was skipped: {}", report.plan(),
                        l.getClass().getName(), failure.toString());
            }
        }
    }

    /** Hands a drill's report to every listener. */
    public void drillFinished(dev.rollback.DrillReport report) {
        for (RollbackListener l : listeners) {
            try {
                l.onDrillFinished(report);
            } catch (RuntimeException failure) {
                LOG.warn("plan '{}': listener {} failed on the drill report and was skipped: {}", report.plan(),
                        l.getClass().getName(), failure.toString());
            }
        }
    }

    /** Hands a watch's report to every listener. */
    public void watchFinished(dev.rollback.WatchReport report) {
        for (RollbackListener l : listeners) {
            try {
                l.onWatchFinished(report);
            } catch (RuntimeException failure) {
                LOG.warn("plan '{}': listener {} failed on the watch report and was skipped: {}", report.plan(),
                        l.getClass().getName(), failure.toString());
            }
        }
    }

    private static void log(RollbackEvent e) {
        switch (e.type()) {
            case ROLLBACK_STARTED -> LOG.info("plan '{}': rollback {} {}", e.plan(), e.rollbackId(), e.message());
            case STEP_STARTED -> LOG.debug("plan '{}': [{}] {} ...", e.plan(), e.phase(), e.step());
            case STEP_FINISHED -> LOG.info("plan '{}': [{}] {} done in {}", e.plan(), e.phase(), e.step(),
                    Durations.format(e.duration()));
            case STEP_FAILED -> LOG.warn("plan '{}': [{}] {} FAILED after {}: {}", e.plan(), e.phase(), e.step(),
                    Durations.format(e.duration()), e.message());
            case PROGRESS -> LOG.info("plan '{}': {}{}: {}", e.plan(), e.phase() == null ? "" : "[" + e.phase() + "] ",
                    e.step(), e.message());
            case BUDGET_EXCEEDED -> LOG.warn("plan '{}': {}", e.plan(), e.message());
            case CAPTURED -> LOG.info("plan '{}': {}", e.plan(), e.message());
            case RELEASE_FAILED -> LOG.warn("plan '{}': {}", e.plan(), e.message());
            case PROBE_FAILED -> LOG.warn("plan '{}': {} {}", e.plan(), e.rollbackId(), e.message());
            case TRIGGER_FIRED -> LOG.error("plan '{}': {} {}", e.plan(), e.rollbackId(), e.message());
        }
    }
}
