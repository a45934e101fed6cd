package dev.rollback.examples;

import dev.rollback.HistoryEntry;
import dev.rollback.RestorePointStore;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.host.Host;
import dev.rollback.store.StoreBackend;
import dev.rollback.targets.ConfigFiles;
import java.nio.file.Path;
import java.util.List;

/**
 * A plan whose store the team shares: its records in a folder on the server every operator reaches (the README's
 * "One store for the whole team"); the team-store tests of {@code rollback-ssh} run the same shape on a real server.
 */
public final class TeamStore {

    private TeamStore() {}

    /** Builds the plan on {@code server}, lists its history and breaks its lock, as an operator would. */
    public static List<HistoryEntry> takeOver(Host server) {
        RestorePointStore store = RestorePointStore.at(Path.of("/var/lib/rollback"))
                .sharedWith(StoreBackend.onHost(server, Path.of("/var/lib/rollback/records")));   // or PostgresStore.of(..)
        RollbackPlan plan = Rollback.plan("gestima").on(server).store(store)
                .target(ConfigFiles.of(Path.of("/etc/gestima/.env")))
                .build();
        List<HistoryEntry> history = plan.activity();   // every capture, rollback, undo, resume, mark-bad, lock break
        plan.breakLock("the CI runner died holding it");
        return history;
    }
}
