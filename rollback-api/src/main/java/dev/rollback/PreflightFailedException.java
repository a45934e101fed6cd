package dev.rollback;

import dev.rollback.spi.Problem;

import dev.rollback.error.RollbackException;

import java.util.List;

/**
 * Preflight found problems, so the rollback did not start and nothing changed. The message lists
 * every problem, one per line; {@link #problems()} gives them as values.
 */
public class PreflightFailedException extends RollbackException {

    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    /** An exception for the given plan and problems. */
    public PreflightFailedException(String plan, String pointId, List<Problem> problems) {
        super(message(plan, pointId, problems));
        this.problems = List.copyOf(problems);
    }

    private static String message(String plan, String pointId, List<Problem> problems) {
        StringBuilder text = new StringBuilder("rollback of plan '" + plan + "' to restore point " + pointId
                + " refused before any change: " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s"));
        for (Problem p : problems) {
            text.append(System.lineSeparator()).append("  - ").append(p.message());
        }
        return text.toString();
    }

    /** Every problem found, in plan order. */
    public List<Problem> problems() {
        return problems;
    }
}
