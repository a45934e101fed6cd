package dev.rollback.internal.engine;

import dev.rollback.FailurePolicy;
import dev.rollback.StepRecord;
import dev.rollback.store.StoreException;
import dev.rollback.internal.Files2;
import dev.rollback.spi.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The journal of a running rollback: enough to finish or undo it after the process dies. It is
 * rewritten atomically (temp file, fsync, rename) when the rollback starts (naming the point its set-aside will
 * write) and after every step, one write per step: not for a verify step (a resume runs the checks again) nor
 * for the last set-aside step, whose durable record is the commit of the set-aside point that follows it. It is
 * deleted when the rollback ends; a rollback halted by its failure policy keeps it, so that it can be resumed.
 *
 * @param rollbackId the rollback's id
 * @param plan the plan's name
 * @param pointId the point rolled back to
 * @param scope the targets in scope
 * @param policy the failure policy
 * @param startedAt when the first run started
 * @param status whether it is running or halted
 * @param stepNames the names of all planned steps, to detect a changed plan on resume
 * @param steps the steps that ended (succeeded, failed or skipped), in order
 * @param asidePointId the id of the set-aside point being written or written
 * @param asideSnapshots the snapshots set aside so far
 * @param asideCommitted whether the set-aside point is complete in the store
 * @param errors errors so far
 * @param resumed how many times it was resumed
 */
public record Journal(
        String rollbackId,
        String plan,
        String pointId,
        List<String> scope,
        FailurePolicy policy,
        Instant startedAt,
        Status status,
        List<String> stepNames,
        List<StepRecord> steps,
        String asidePointId,
        List<Snapshot> asideSnapshots,
        boolean asideCommitted,
        List<String> errors,
        int resumed) {

    /** Whether the rollback is running or was halted by its policy. */
    public enum Status {
        /** Running, or interrupted by a crash. */
        RUNNING,
        /** Stopped by {@link FailurePolicy#HALT}; waits for resume. */
        HALTED,
        /** Putting back what the rollback changed. */
        UNDOING
    }

    /** Copies the lists. */
    public Journal {
        scope = List.copyOf(scope);
        stepNames = List.copyOf(stepNames);
        steps = List.copyOf(steps);
        asideSnapshots = List.copyOf(asideSnapshots == null ? List.of() : asideSnapshots);
        errors = List.copyOf(errors == null ? List.of() : errors);
    }

    /** This journal with one more ended step. */
    public Journal withStep(StepRecord step) {
        List<StepRecord> more = new ArrayList<>(steps);
        more.removeIf(s -> s.index() == step.index());
        more.add(step);
        return new Journal(rollbackId, plan, pointId, scope, policy, startedAt, status, stepNames, more,
                asidePointId, asideSnapshots, asideCommitted, errors, resumed);
    }

    /** This journal with the set-aside snapshots and whether the point is committed. */
    public Journal withAside(List<Snapshot> snapshots, boolean committed) {
        return new Journal(rollbackId, plan, pointId, scope, policy, startedAt, status, stepNames, steps,
                asidePointId, snapshots, committed, errors, resumed);
    }

    /** This journal with another status, errors and resume count. */
    public Journal with(Status newStatus, List<String> newErrors, int newResumed) {
        return new Journal(rollbackId, plan, pointId, scope, policy, startedAt, newStatus, stepNames, steps,
                asidePointId, asideSnapshots, asideCommitted, newErrors, newResumed);
    }

    /** The record of the step at {@code index}, if it ended. */
    public Optional<StepRecord> step(int index) {
        return steps.stream().filter(s -> s.index() == index).findFirst();
    }

    /** The journal file of a plan in the store's journal folder. */
    public static Path file(Path journalDir, String plan) {
        return journalDir.resolve(plan + ".json");
    }

    /** Writes the journal atomically and durably. */
    public void write(Path journalDir) {
        try {
            Files2.createPrivateDirectories(journalDir);
            // the content is forced, the folder entry is not: a process that dies leaves the new version (the
            // kernel holds it), a power loss at worst the previous one, and resuming from that repeats one
            // step, which targets must allow anyway. This saves a folder sync on every step.
            Files2.writeAtomically(file(journalDir, plan), Json.bytes(this), Files2.Sync.FILE);
        } catch (IOException e) {
            throw new StoreException("cannot write the journal of rollback " + rollbackId + " in " + journalDir + ": "
                    + e + "; free space or fix the permissions of the store", e);
        }
    }

    /** Reads the journal of a plan, if one exists. */
    public static Optional<Journal> read(Path journalDir, String plan) {
        try {
            return Optional.of(Json.read(file(journalDir, plan), Files.readAllBytes(file(journalDir, plan)), Journal.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("cannot read the journal of plan '" + plan + "' in " + journalDir + ": " + e, e);
        }
    }

    /** Every journal in the folder: the unfinished rollbacks of all plans. */
    public static List<Journal> all(Path journalDir) {
        if (!Files.isDirectory(journalDir)) {
            return List.of();
        }
        List<Journal> out = new ArrayList<>();
        try (var files = Files.list(journalDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".json") && !name.startsWith(".")) {
                    // journals are replaced by rename, so a reader never sees half of one
                    out.add(Json.read(f, Files.readAllBytes(f), Journal.class));
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list journals in " + journalDir + ": " + e, e);
        }
        return out;
    }

    /** Deletes the journal of a plan. */
    public static void delete(Path journalDir, String plan) {
        try {
            // not synced: a journal that reappears after a power loss is resumed, which repeats steps that are
            // repeatable, or abandoned by the operator
            Files.deleteIfExists(file(journalDir, plan));
        } catch (IOException e) {
            throw new StoreException("cannot delete the journal of plan '" + plan + "' in " + journalDir + ": " + e, e);
        }
    }
}
