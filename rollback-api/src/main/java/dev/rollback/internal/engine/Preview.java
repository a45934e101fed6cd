package dev.rollback.internal.engine;

import dev.rollback.PlannedStep;
import dev.rollback.RollbackPreview;
import dev.rollback.internal.engine.Layout.Action;
import dev.rollback.spi.DataAtRisk;
import dev.rollback.spi.Phase;
import dev.rollback.spi.Problem;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a rollback would do, step by step, with every problem preflight would raise and the data each target
 * would destroy ({@code plan.preview(..)}). Changes nothing.
 *
 * <p>Part of one {@link Run}, whose state it reads and changes; not thread-safe.
 */
final class Preview {

    private final Run run;
    private final PlanSpec spec;

    Preview(Run run) {
        this.run = run;
        this.spec = run.spec;
    }

    /** The preview: every step with what it would do, the problems, the data at risk. */
    RollbackPreview build() {
        List<Problem> problems = new ArrayList<>(run.preflight.problems("preview", false));
        RestoreContext ctx = run.restoreContext("preview", run.point, Phase.PREFLIGHT, "preview");
        List<PlannedStep> steps = new ArrayList<>();
        for (Action a : run.actions) {
            steps.add(new PlannedStep(a.index(), a.phase(), a.name(), a.target(), describe(a, ctx, problems)));
        }
        List<DataAtRisk> risk = new ArrayList<>();
        for (String t : run.scope) {
            Optional<Snapshot> s = run.point.snapshot(t);
            if (s.isEmpty() || run.pushBack.stream().anyMatch(x -> x.target().equals(t))) {
                continue;
            }
            try {
                List<DataAtRisk> own = spec.targets().get(t).dataAtRisk(s.get(), ctx);
                if (own != null) {
                    own.forEach(d -> risk.add(new DataAtRisk(d.target(), spec.redactor().redact(d.what()), d.accepted())));
                }
            } catch (Exception e) {
                problems.add(Problem.of(t, "to tell what data a restore would destroy", spec.redactor().describe(e),
                        "fix the target's state, then preview again"));
            }
        }
        return new RollbackPreview(spec.name(), run.point.id(), run.point.label(), run.scope, steps, problems, risk);
    }

    /** What one step would do; a restore the target cannot plan adds a problem. */
    List<String> describe(Action a, RestoreContext ctx, List<Problem> problems) {
        return switch (a.kind()) {
            case PREFLIGHT -> run.pushBack.isEmpty()
                    ? List.of("check the restore point, its artifacts' checksums and every target")
                    : List.of("check the restore point, its artifacts' checksums and every target",
                            "push the local copy of the artifacts of " + run.pushBack.stream().map(Snapshot::target).toList()
                                    + " back to host " + spec.host().name() + ", where they are missing or damaged");
            case HOOK, STOP, START -> a.step().describe();
            case SET_ASIDE -> List.of("save the current state of '" + a.target() + "' into a new restore point");
            case RESTORE -> {
                Optional<Snapshot> s = run.point.snapshot(a.target());
                if (s.isEmpty()) {
                    yield List.of("(no snapshot of '" + a.target() + "' in this restore point)");
                }
                if (run.pushBack.stream().anyMatch(x -> x.target().equals(a.target()))) {
                    yield List.of("restore '" + a.target() + "' from its artifacts, once the local copy is pushed back "
                            + "to host " + spec.host().name());
                }
                try {
                    yield spec.targets().get(a.target()).plan(s.get(), ctx).stream().map(spec.redactor()::redact).toList();
                } catch (Exception e) {
                    problems.add(Problem.of(a.target(), "a readable restore plan", spec.redactor().describe(e),
                            "fix the target's state, then preview again"));
                    yield List.of("(cannot plan: " + spec.redactor().describe(e) + ")");
                }
            }
            case VERIFY_TARGET -> run.undoing
                    ? List.of("compare '" + a.target() + "' with the state set aside in " + run.point.id() + " (its own "
                            + "comparison: checksums, row counts, revisions), all of it whatever part the undone "
                            + "rollback restored")
                    : List.of("verify that '" + a.target() + "' is back at " + run.point.label());
            case CHECK -> run.undoing
                    ? List.of("check: " + a.check().name() + " (information only: the plan's checks describe the good "
                            + "state, the outcome does not depend on them)")
                    : List.of("check: " + a.check().name());
            case PUT_BACK, VERIFY_PUT_BACK -> List.of();
        };
    }
}
