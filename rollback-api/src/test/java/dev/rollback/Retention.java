package dev.rollback;

import dev.rollback.support.GatedTarget;
import java.nio.file.Path;

/** Test access to the store's retention with a callback before each deletion. */
public final class Retention {

    private Retention() {}

    /** Keeps the newest point of {@code plan}, stopping at the gate of {@code root} before each deletion. */
    public static void retainThroughGate(RollbackPlan plan, Path root) {
        GatedTarget gate = new GatedTarget("gate", root.resolve("app/a.txt"), root, () -> dev.rollback.fault.LockChild
                .otherForRetention(root));
        plan.store().retain(plan.name(), 1, p -> gate.gate());
    }
}
