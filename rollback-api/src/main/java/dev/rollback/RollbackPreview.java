package dev.rollback;

import dev.rollback.spi.DataAtRisk;

import dev.rollback.spi.Problem;

import dev.rollback.spi.Plural;
import java.util.List;

/**
 * Every action a rollback would take, in order, and every problem preflight would raise; made by
 * {@link RollbackPlan#preview(RestorePoint)} without changing anything.
 *
 * <p>Immutable and thread-safe.
 *
 * @param plan the plan's name
 * @param pointId the restore point
 * @param pointLabel its label
 * @param scope the targets in scope, in order
 * @param steps the steps, in the order they would run
 * @param problems what preflight would refuse; empty when the rollback can run
 * @param dataAtRisk what the rollback would destroy that was written after the restore point, for
 *     every target in scope that can tell, in one place
 */
public record RollbackPreview(
        String plan, String pointId, String pointLabel, List<String> scope, List<PlannedStep> steps,
        List<Problem> problems, List<DataAtRisk> dataAtRisk) {

    /** Copies the lists. */
    public RollbackPreview {
        scope = List.copyOf(scope);
        steps = List.copyOf(steps);
        problems = List.copyOf(problems);
        dataAtRisk = List.copyOf(dataAtRisk);
    }

    /** Whether the rollback would destroy data that nothing accepted losing (preflight refuses it then). */
    public boolean losesUnacceptedData() {
        return dataAtRisk.stream().anyMatch(d -> !d.accepted());
    }

    /** Whether preflight would pass. */
    public boolean isReady() {
        return problems.isEmpty();
    }

    /** The steps acting on one target. */
    public List<PlannedStep> stepsOf(String target) {
        return steps.stream().filter(s -> target.equals(s.target())).toList();
    }

    /** The preview as numbered lines a person can read. */
    @Override
    public String toString() {
        String nl = System.lineSeparator();
        StringBuilder text = new StringBuilder((problems.isEmpty() ? "Ready: r" : "Refused (" + Plural.of(problems.size(),
                "problem") + "): r") + "ollback of '" + plan + "' to " + pointLabel + " (" + pointId + "), "
                + (scope.isEmpty() ? "no targets" : "targets " + String.join(", ", scope)) + ":");
        for (PlannedStep s : steps) {
            text.append(nl).append(String.format("%3d. [%s] %s", s.index() + 1, s.phase(), s.name()));
            for (String a : s.actions()) {
                if (!a.equals(s.name())) {
                    text.append(nl).append("       - ").append(a);
                }
            }
        }
        text.append(nl).append(dataAtRisk.isEmpty() ? "Data lost: none found, in any target that can tell"
                : "Data lost, every target:");
        dataAtRisk.forEach(d -> text.append(nl).append("  - ").append(d.target()).append(": ").append(d.what())
                .append(d.accepted() ? " (accepted)" : " (not accepted)"));
        if (!problems.isEmpty()) {
            text.append(nl).append("Preflight would refuse it:");
            problems.forEach(p -> text.append(nl).append("  - ").append(p.message()));
        }
        return text.toString();
    }
}
