package dev.rollback.fault;

import dev.rollback.FailurePolicy;
import dev.rollback.RestorePoint;
import dev.rollback.Retention;
import dev.rollback.Rollback;
import dev.rollback.store.RollbackInProgressException;
import dev.rollback.RollbackPlan;
import dev.rollback.testing.FileTarget;
import dev.rollback.support.GatedTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The two plans of the lock tests, sharing one store, built the same way by the test JVM and the
 * child JVMs. Plan {@code lockme} has one {@link GatedTarget}; while it is held at the gate, the
 * holder also works on plan {@code other} in the same store (a capture and a retention, which look
 * at every lock of the store), as a busy operator's process would.
 */
public final class LockChild {

    private LockChild() {}

    /** The plan whose lock the tests fight over. */
    public static RollbackPlan plan(Path root) {
        GatedTarget a = new GatedTarget("a", root.resolve("app/a.txt"), root, () -> other(root));
        return Rollback.plan("lockme").store(root.resolve("store")).onFailure(FailurePolicy.HALT).target(a).build();
    }

    /** The other plan of the same store. */
    public static RollbackPlan otherPlan(Path root) {
        return Rollback.plan("other").store(root.resolve("store"))
                .target(new FileTarget("o", root.resolve("app/other.txt"))).build();
    }

    /** {@link #other(Path)}, for the retention holder. */
    public static void otherForRetention(Path root) {
        other(root);
    }

    /** What the holder does while it holds the lock: work on another plan of the same store. */
    static void other(Path root) {
        RollbackPlan other = otherPlan(root);
        other.capture("meanwhile");
        other.store().retain("other", 5);
        other.store().list("lockme");
    }

    /** One operation on plan {@code lockme}. */
    static void run(RollbackPlan plan, String op, String pointId) {
        RestorePoint point = plan.store().get(pointId);
        switch (op) {
            case "capture" -> plan.capture("contended");
            case "rollback" -> plan.rollback(point);
            case "delete" -> plan.delete(point);
            case "store-delete" -> plan.store().delete(pointId);
            case "retain" -> plan.store().retain("lockme", 1);
            case "resume" -> plan.resume();
            default -> throw new IllegalArgumentException("unknown operation " + op);
        }
    }

    /**
     * Run in a child JVM. {@code hold OP POINT}: runs OP (it stops at the gate the test closed) and
     * exits 0 when it ends. {@code contend POINT OP...}: tries each OP and prints whether it was
     * refused; exits 0 only if every one was refused as in progress.
     */
    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        RollbackPlan plan = plan(root);
        if (args[1].equals("hold")) {
            if (args[2].equals("retain")) {
                // the retention a capture runs, with the gate in the middle of deleting the oldest point
                Retention.retainThroughGate(plan, root);
            } else {
                run(plan, args[2], args[3]);
            }
            System.exit(0);
        }
        List<String> notRefused = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            try {
                run(plan, args[i], args[2]);
                notRefused.add(args[i] + " ran");
            } catch (RollbackInProgressException e) {
                System.out.println(args[i] + " refused: " + e.getMessage());
            } catch (RuntimeException e) {
                notRefused.add(args[i] + " failed otherwise: " + e);
            }
        }
        System.out.println("not refused: " + notRefused);
        System.exit(notRefused.isEmpty() ? 0 : 1);
    }
}
