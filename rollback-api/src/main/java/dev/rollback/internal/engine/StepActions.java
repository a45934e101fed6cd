package dev.rollback.internal.engine;

import dev.rollback.RestorePoint;
import dev.rollback.error.RollbackException;
import dev.rollback.internal.LocalMachine;
import dev.rollback.internal.engine.Layout.Action;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What each kind of step does (hooks, set-aside, restore, a target's verify, a check), and the commit of the
 * set-aside point before the first restore.
 *
 * <p>Part of one {@link Run}, whose state it reads and changes; not thread-safe.
 */
final class StepActions {

    private final Run run;
    private final PlanSpec spec;

    StepActions(Run run) {
        this.run = run;
        this.spec = run.spec;
    }

    /** Does the work of one action; returns the detail for the report. */
    String perform(Action a) throws Exception {
        switch (a.kind()) {
            case HOOK, STOP, START -> {
                a.step().run(run.stepContext(a));
                return String.join("; ", a.step().describe());
            }
            case SET_ASIDE -> {
                if (run.asidePending == null) {
                    String id = run.journal.asidePointId();
                    if (id == null) {
                        // a journal of an earlier version, which named the point only when the set-aside began
                        id = spec.writer().newId();
                        Journal j = run.journal;
                        run.journal = new Journal(j.rollbackId(), j.plan(), j.pointId(), j.scope(), j.policy(),
                                j.startedAt(), j.status(), j.stepNames(), j.steps(), id, run.asideSnapshots, false,
                                j.errors(), j.resumed());
                        spec.writer().writeJournal(run.journal);
                    }
                    // the journal written at the start names this point: it is in use from the first file written
                    run.asidePending = spec.writer().begin(spec.name(), id);
                }
                Target t = spec.targets().get(a.target());
                Snapshot s = run.engine.captures.captureTarget(t, run.asidePending, run.asideLabel(),
                        Optional.of(run.point), Optional.of(run.rollbackId));
                run.asideSnapshots.removeIf(x -> x.target().equals(t.name()));
                run.asideSnapshots.add(s);
                run.journal = run.journal.withAside(run.asideSnapshots, false);
                return "current state saved in restore point " + run.asidePending.id();
            }
            case RESTORE -> {
                Target t = spec.targets().get(a.target());
                t.restore(run.point.snapshot(t.name()).orElseThrow(),
                        run.restoreContext(run.rollbackId, run.point, a.phase(), a.name()));
                return run.undoing ? "restored everything set aside in " + run.point.id() + " by rollback " + run.point.rollbackId()
                        : "restored to " + run.point.label() + " (" + run.point.id() + ")";
            }
            case VERIFY_TARGET -> {
                Target t = spec.targets().get(a.target());
                Instant start = run.clock.instant();
                CheckResult c = t.verify(run.point.snapshot(t.name()).orElseThrow(),
                        run.restoreContext(run.rollbackId, run.point, a.phase(), a.name()));
                if (c == null) {
                    c = CheckResult.failed(a.name(), "the target returned no result from verify()");
                }
                c = c.named(a.name(), Duration.between(start, run.clock.instant()));
                run.checkResults.add(run.redact(c));
                return c.detail();
            }
            case CHECK -> {
                Instant start = run.clock.instant();
                Exception notBegun = run.beginFailures.get(a.index());
                if (notBegun != null) {
                    throw notBegun;
                }
                CheckResult c = run.begunChecks.getOrDefault(a.index(), a.check()).run(run.stepContext(a));
                if (c == null) {
                    c = CheckResult.failed(a.check().name(), "the check returned no result");
                }
                c = c.named(a.check().name(), Duration.between(start, run.clock.instant()));
                run.checkResults.add(run.redact(c));
                return c.detail();
            }
            default -> throw new IllegalStateException("not a runnable step: " + a);
        }
    }

    /**
     * Stores the set-aside point, once, before the first restore. Returns false, the failure noted,
     * when the store cannot take it (a full disk): then nothing may be overwritten.
     */
    boolean commitAside() {
        if (run.asidePending == null || run.asidePoint != null) {
            return true;
        }
        if (run.asideFailed) {
            return false;
        }
        List<Snapshot> ordered = new ArrayList<>();
        for (String t : run.scope) {
            run.asideSnapshots.stream().filter(s -> s.target().equals(t)).findFirst().ifPresent(ordered::add);
        }
        try {
            run.asidePoint = spec.writer().commit(run.asidePending, new RestorePoint(run.asidePending.id(), spec.name(),
                    run.asideLabel(), run.clock.instant(), LocalMachine.name(), RestorePoint.Origin.SET_ASIDE, run.rollbackId, ordered, null));
        } catch (RollbackException e) {
            run.asideFailed = true;
            run.storeFailed("store the state set aside in restore point " + run.asidePending.id(), e);
            return false;
        }
        // the commit is durable by itself (the sealed manifest, the rename, the folder synced), and a resume looks for
        // the point in the store, not in the journal: the journal says so with the next step's record
        run.journal = run.journal.withAside(ordered, true);
        return true;
    }
}
