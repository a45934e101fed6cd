package dev.rollback.junit;

import dev.rollback.RestorePoint;
import dev.rollback.RestorePointStore;
import dev.rollback.Resume;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.Sleeper;
import dev.rollback.error.RollbackException;
import dev.rollback.spi.Problem;
import dev.rollback.store.RollbackInProgressException;
import dev.rollback.testing.TestClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * One store in a temp folder, its clock and sleeper, and the plans built against it: what lives for a test
 * method or a test class. Thread-safe: the tests of a class that shares it may run in parallel.
 */
final class StoreScope {

    private final Path dir;
    private final RestorePointStore store;
    private final TestClock clock;
    private final Sleeper sleeper;
    /** The plans built against the store, the newest build of each name: what deletes their points. */
    private final Map<String, RollbackPlan> plans = new ConcurrentHashMap<>();

    private StoreScope(Path dir, TestClock clock) {
        this.dir = dir;
        this.clock = clock;
        this.sleeper = clock == null ? Sleeper.system() : clock::advance;
        this.store = clock == null ? RestorePointStore.at(dir.resolve("store"))
                : RestorePointStore.at(dir.resolve("store"), clock);
    }

    /** A store in a new temp folder, on a test clock of its own when asked. */
    static StoreScope open(boolean testClock) {
        try {
            return new StoreScope(Files.createTempDirectory("rollback-test-"), testClock ? new TestClock() : null);
        } catch (IOException e) {
            throw new UncheckedIOException("rollback test: expected to create a temp folder for the test's store, "
                    + "found " + e + "; check that java.io.tmpdir (" + System.getProperty("java.io.tmpdir")
                    + ") is writable", e);
        }
    }

    RestorePointStore store() {
        return store;
    }

    /** The test clock, or null when the plans run on the system clock. */
    TestClock clock() {
        return clock;
    }

    Sleeper sleeper() {
        return sleeper;
    }

    /** Remembers a plan built against the store, so that its points are deleted through it. */
    void register(RollbackPlan plan) {
        plans.put(plan.name(), plan);
    }

    /** The ids of every rollback report in the store now, of any plan. */
    Set<String> rollbackIds() {
        Set<String> ids = new LinkedHashSet<>();
        rollbacks().forEach(r -> ids.add(r.rollbackId()));
        return ids;
    }

    /** Every rollback report in the store, oldest first per plan. */
    List<RollbackReport> rollbacks() {
        Path reports = store.root().resolve("reports");
        List<RollbackReport> out = new ArrayList<>();
        for (Path planDir : children(reports)) {
            List<RollbackReport> newestFirst = store.rollbacks(planDir.getFileName().toString());
            for (int i = newestFirst.size() - 1; i >= 0; i--) {
                out.add(newestFirst.get(i));
            }
        }
        return out;
    }

    /**
     * Deletes every restore point of the store through the plan that made it ({@link RollbackPlan#delete}, which
     * releases what its targets keep outside the store), then the temp folder.
     */
    Cleanup cleanUp() {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Path pointDir : children(store.root().resolve("points"))) {
            String id = pointDir.getFileName().toString();
            RestorePoint point;
            try {
                point = store.find(id).orElse(null);
            } catch (RollbackException e) {
                problems.add("restore point " + id + " is damaged (" + e.getMessage() + "); what its targets keep "
                        + "outside the store was not released");
                continue;
            }
            if (point == null) {
                continue; // deleted meanwhile with its set-aside partner
            }
            RollbackPlan plan = plans.get(point.plan());
            if (plan == null) {
                try {
                    store.delete(id);
                } catch (RuntimeException e) {
                    problems.add("restore point " + id + " of plan '" + point.plan() + "' could not be deleted: "
                            + e.getMessage());
                    continue;
                }
                warnings.add("restore point " + id + " of plan '" + point.plan() + "' was made by a plan the test "
                        + "built itself: its files in the store are deleted, but what its targets keep outside the "
                        + "store (clone databases, image pins) is not released; declare the plan with @Plan");
                continue;
            }
            delete(plan, point, problems);
        }
        try {
            removeTree(dir);
        } catch (IOException | UncheckedIOException e) {
            problems.add("could not remove the test's temp folder " + dir + ": " + e + "; remove it by hand");
        }
        return new Cleanup(problems, warnings);
    }

    private static void delete(RollbackPlan plan, RestorePoint point, List<String> problems) {
        try {
            release(plan.delete(point), point, problems);
        } catch (RollbackInProgressException e) {
            // a rollback the test left unfinished (halted, say) holds the point: close it, changing nothing more
            try {
                plan.resume(Resume.abandoning());
                release(plan.delete(point), point, problems);
            } catch (RuntimeException again) {
                problems.add("restore point " + point.id() + " of plan '" + plan.name() + "' could not be deleted: "
                        + again.getMessage());
            }
        } catch (RuntimeException e) {
            problems.add("restore point " + point.id() + " of plan '" + plan.name() + "' could not be deleted: "
                    + e.getMessage());
        }
    }

    private static void release(List<Problem> released, RestorePoint point, List<String> problems) {
        released.forEach(p -> problems.add("restore point " + point.id() + " of plan '" + point.plan()
                + "' deleted, but " + p));
    }

    private static List<Path> children(Path folder) {
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    private static void removeTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The folder the store and its temp files live in. */
    Path dir() {
        return dir;
    }

    @Override
    public String toString() {
        return "StoreScope[" + store.root() + ", plans " + plans.keySet() + "]";
    }

    /** What a clean-up could not do (the test fails), and what it did only in part (the test is told). */
    record Cleanup(List<String> problems, List<String> warnings) {}
}
