package dev.rollback.internal.engine;

import dev.rollback.spi.Check;
import dev.rollback.spi.Phase;
import dev.rollback.spi.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The steps of a rollback or an undo, in the order they run: preflight, stop, set aside, restore (each target with
 * its hooks), start, verify, each phase between its before and after hooks. Stateless.
 */
final class Layout {

    /** What a step does. */
    enum Kind { PREFLIGHT, HOOK, STOP, SET_ASIDE, RESTORE, START, VERIFY_TARGET, CHECK, PUT_BACK, VERIFY_PUT_BACK }

    /** One step of the run, with what it acts on. */
    record Action(int index, Phase phase, Kind kind, String name, String target, Step step, Check check) {}

    private Layout() {}

    static List<Action> layOut(PlanSpec plan, List<String> scope, boolean undoing, boolean planChecks) {
        List<Action> out = new ArrayList<>();
        add(out, Phase.PREFLIGHT, Kind.PREFLIGHT, "preflight", null, null, null);
        hooks(out, plan, Phase.STOP, plan.before());
        plan.stops().forEach(s -> add(out, Phase.STOP, Kind.STOP, s.name(), null, s, null));
        hooks(out, plan, Phase.STOP, plan.after());
        hooks(out, plan, Phase.SET_ASIDE, plan.before());
        scope.forEach(t -> add(out, Phase.SET_ASIDE, Kind.SET_ASIDE, "set aside " + t, t, null, null));
        hooks(out, plan, Phase.SET_ASIDE, plan.after());
        hooks(out, plan, Phase.RESTORE, plan.before());
        for (String t : scope) {
            plan.beforeTarget().getOrDefault(t, List.of()).forEach(s -> add(out, Phase.RESTORE, Kind.HOOK, s.name(), t, s, null));
            add(out, Phase.RESTORE, Kind.RESTORE, (undoing ? "restore the failed state of " : "restore ") + t, t, null, null);
            plan.afterTarget().getOrDefault(t, List.of()).forEach(s -> add(out, Phase.RESTORE, Kind.HOOK, s.name(), t, s, null));
        }
        hooks(out, plan, Phase.RESTORE, plan.after());
        hooks(out, plan, Phase.START, plan.before());
        plan.starts().forEach(s -> add(out, Phase.START, Kind.START, s.name(), null, s, null));
        hooks(out, plan, Phase.START, plan.after());
        hooks(out, plan, Phase.VERIFY, plan.before());
        scope.forEach(t -> add(out, Phase.VERIFY, Kind.VERIFY_TARGET, (undoing ? "compare " + t + " with the state set aside"
                : "verify " + t), t, null, null));
        if (planChecks) {
            plan.checks().forEach(c -> add(out, Phase.VERIFY, Kind.CHECK, (undoing ? "check (information) " : "check ")
                    + c.name(), null, null, c));
        }
        hooks(out, plan, Phase.VERIFY, plan.after());
        return List.copyOf(out);
    }

    private static void hooks(List<Action> out, PlanSpec plan, Phase phase, Map<Phase, List<Step>> hooks) {
        hooks.getOrDefault(phase, List.of()).forEach(s -> add(out, phase, Kind.HOOK, s.name(), null, s, null));
    }

    private static void add(List<Action> out, Phase phase, Kind kind, String name, String target, Step step, Check check) {
        out.add(new Action(out.size(), phase, kind, name, target, step, check));
    }
}
