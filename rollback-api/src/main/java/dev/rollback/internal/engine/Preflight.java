package dev.rollback.internal.engine;

import dev.rollback.RestorePoint;
import dev.rollback.error.RollbackException;
import dev.rollback.spi.Check;
import dev.rollback.spi.InvalidSnapshotException;
import dev.rollback.spi.Phase;
import dev.rollback.spi.Problem;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.Target;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checks that refuse a rollback before anything changes: the point is the plan's, not marked bad, its
 * manifest intact, every artifact where it should be, every target's own preflight; and the push of intact local
 * copies back to a host whose artifacts are missing or damaged.
 *
 * <p>Part of one {@link Run}, whose state it reads and changes; not thread-safe.
 */
final class Preflight {

    private final Run run;
    private final PlanSpec spec;

    Preflight(Run run) {
        this.run = run;
        this.spec = run.spec;
    }

    /**
     * Every problem that refuses a rollback. Changes nothing, except that with {@code repair} the
     * local copies of host artifacts found missing or damaged are pushed back to the host (into the
     * plan's host store, never the live system) once nothing else refuses the rollback, so that the
     * targets' own preflight reads them there; without it, those targets are not asked.
     */
    List<Problem> problems(String id, boolean repair) {
        List<Problem> problems = new ArrayList<>();
        String pointName = "restore point " + run.point.id();
        if (!run.point.plan().equals(spec.name())) {
            problems.add(Problem.of(pointName, "a point of plan '" + spec.name() + "'", "a point of plan '" + run.point.plan() + "'",
                    "roll back with plan '" + run.point.plan() + "', or choose a point from plan.restorePoints()"));
        }
        if (run.point.isBad()) {
            problems.add(Problem.of(pointName, "a point not marked bad", "marked bad by " + run.point.bad().by() + " at "
                    + run.point.bad().at() + ": " + run.point.bad().reason(), "choose another point, such as store.latestGood(plan)"));
        }
        if (!Files.isDirectory(spec.store().pointDir(run.point.id()))) {
            problems.add(Problem.of(pointName, "its folder in store " + spec.store().root(), "none",
                    "use a point read from this plan's store"));
        } else {
            // the point in hand must be the one its sealed manifest records now
            try {
                RestorePoint stored = spec.store().get(run.point.id());
                if (!stored.snapshots().equals(run.point.snapshots()) || !stored.plan().equals(run.point.plan())) {
                    problems.add(Problem.of(pointName, "the snapshots its manifest "
                            + spec.store().pointDir(run.point.id()).resolve("manifest.json") + " records",
                            "a point in hand whose snapshots differ from them", "read the point again with "
                                    + "store.get(\"" + run.point.id() + "\") and check it before rolling back"));
                }
            } catch (RollbackException e) {
                problems.add(Problem.of(pointName, "an intact manifest", e.getMessage(),
                        "roll back to another restore point"));
            }
        }
        for (String t : run.scope) {
            Target target = spec.targets().get(t);
            Optional<Snapshot> s = run.point.snapshot(t);
            if (s.isEmpty()) {
                problems.add(Problem.of(t, "a snapshot of it in " + pointName, "snapshots of "
                        + run.point.snapshots().stream().map(Snapshot::target).toList() + " only",
                        "roll back only the targets the point holds with only(...), or capture a new point"));
                continue;
            }
            if (s.get().kind() != target.kind()) {
                problems.add(Problem.of(t, "a snapshot of kind " + target.kind(), "kind " + s.get().kind(),
                        "the plan's target changed since the capture; capture a new point"));
            }
        }
        ArtifactChecks.Check artifacts = run.engine.checks.verify(run.pointInScope());
        problems.addAll(artifacts.problems());
        run.pushBack = artifacts.pushBack();
        if (repair && problems.isEmpty()) {
            run.pushedNote = pushBack(run.pushBack);
        }
        if (problems.stream().noneMatch(p -> p.action().contains("corrupted") || p.found().startsWith("no such file"))) {
            RestoreContext ctx = run.restoreContext(id, run.point, Phase.PREFLIGHT, "preflight");
            for (String t : run.scope) {
                Optional<Snapshot> s = run.point.snapshot(t);
                if (s.isEmpty() || (!repair && run.pushBack.stream().anyMatch(x -> x.target().equals(t)))) {
                    continue;
                }
                try {
                    List<Problem> own = spec.targets().get(t).preflight(s.get(), ctx);
                    if (own != null) {
                        problems.addAll(own);
                    }
                } catch (InvalidSnapshotException e) {
                    problems.add(Problem.of(t, "field '" + e.field() + "' of its snapshot in "
                            + spec.store().pointDir(run.point.id()).resolve("manifest.json") + " to be usable",
                            e.getMessage(), "roll back to another restore point, or capture a new one"));
                } catch (Exception e) {
                    problems.add(Problem.of(t, "its preflight to pass", spec.redactor().describe(e),
                            "fix the cause, then try again"));
                }
            }
        }
        return problems.stream().map(p -> Problem.of(p.target(), spec.redactor().redact(p.expected()),
                spec.redactor().redact(p.found()), spec.redactor().redact(p.action()))).toList();
    }

    /**
     * Puts the local copies of damaged or missing host artifacts back on the host, before anything
     * else changes; returns a note for the preflight record.
     */
    String pushBack(List<Snapshot> snapshots) {
        for (Snapshot s : snapshots) {
            run.engine.checks.pushBack(run.point, s, run.rollbackId);
            run.reportProgress(run.actions.get(0), "the artifacts of '"
                    + s.target() + "' on host " + spec.host().name() + " were missing or damaged: pushed back the copy "
                    + "kept in the local store");
        }
        return snapshots.isEmpty() ? "" : "; pushed the local copy of the artifacts of "
                + snapshots.stream().map(Snapshot::target).toList() + " back to host " + spec.host().name();
    }
}
