package dev.rollback.internal.engine;

import dev.rollback.RestorePoint;
import dev.rollback.Resume;
import dev.rollback.RollbackPreview;
import dev.rollback.RollbackReport;
import dev.rollback.internal.IoCount;
import dev.rollback.spi.Phase;
import dev.rollback.spi.Problem;
import dev.rollback.spi.StepContext;
import java.util.List;

/**
 * The engine of one plan: what {@code RollbackPlan} delegates to. It reads the plan's {@link PlanSpec} only, and
 * keeps what a plan's runs share: where artifacts live ({@link ArtifactPlace}, checked by {@link ArtifactChecks}),
 * the progress {@link Heartbeat} of long steps, and captures and deletions ({@link Captures}). Each rollback is a
 * {@link Run} of its own.
 *
 * <p>Thread-safe: runs of one plan share nothing mutable, and the plan lock in the store refuses a second capture,
 * rollback or deletion of the plan while one runs.
 */
public final class Engine {

    final PlanSpec spec;
    final ArtifactPlace artifacts;
    final ArtifactChecks checks;
    /** Progress of long steps, every two seconds. */
    final Heartbeat heartbeat = new Heartbeat();
    final Captures captures;

    /** The engine of the plan {@code spec} describes. */
    public Engine(PlanSpec spec) {
        this.spec = spec;
        this.artifacts = new ArtifactPlace(spec);
        this.checks = new ArtifactChecks(spec, artifacts);
        this.captures = new Captures(this);
    }

    /** The plan the engine runs. */
    public PlanSpec spec() {
        return spec;
    }

    /** Captures every target into a new restore point labelled {@code label}; see {@code RollbackPlan.capture}. */
    public RestorePoint capture(String label) {
        try (IoCount.Scope counted = IoCount.during("capture")) {
            return captures.capture(label);
        }
    }

    /** Deletes a point of the plan and what its targets keep for it; returns the targets' release problems. */
    public List<Problem> delete(RestorePoint point) {
        try (IoCount.Scope counted = IoCount.during("delete")) {
            return captures.delete(point);
        }
    }

    /** What a rollback of {@code scope} (target names in plan order) to {@code point} would do; changes nothing. */
    public RollbackPreview preview(RestorePoint point, List<String> scope) {
        try (IoCount.Scope counted = IoCount.during("preview")) {
            return new Run(this, point, scope, false, true).preview();
        }
    }

    /** Rolls the targets of {@code scope} back to {@code point}. */
    public RollbackReport rollback(RestorePoint point, List<String> scope) {
        // the lock, the journal's start and the preflight count as preflight; each step counts under its phase
        try (IoCount.Scope counted = IoCount.during(Executor.label(Phase.PREFLIGHT))) {
            return new Run(this, point, scope, false, true).run();
        }
    }

    /** Undoes a rollback: restores the state it set aside in {@code aside}, with the plan's checks if asked. */
    public RollbackReport undo(RestorePoint aside, List<String> scope, boolean planChecks) {
        try (IoCount.Scope counted = IoCount.during(Executor.label(Phase.PREFLIGHT))) {
            return new Run(this, aside, scope, true, planChecks).run();
        }
    }

    /** Resumes the plan's unfinished rollback as {@code how} says. */
    public RollbackReport resume(Resume how) {
        try (IoCount.Scope counted = IoCount.during(Executor.label(Phase.PREFLIGHT))) {
            return Resumption.resume(this, how);
        }
    }

    /**
     * The context of a check run outside a rollback, by a watch or a drill ({@code source}): the
     * plan's host, clock and sleeper, phase VERIFY, its progress sent to the plan's listeners under
     * {@code runId}.
     */
    public StepContext checkContext(String runId, String source, RestorePoint point) {
        return EngineContext.of(spec, runId, point, Phase.VERIFY, source, null);
    }
}
