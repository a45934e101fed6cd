package dev.rollback.db;

import dev.rollback.host.Host;
import dev.rollback.spi.Phase;
import dev.rollback.spi.PointInfo;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The context in which a database target restores and verifies the backup a migration target kept
 * ({@link MigrationBackup}): the migration target's own context, except that every artifact is
 * read from the backup's folder {@code backup/} of the migration snapshot, and nothing is consumed.
 * Every other method forwards to that context, apart from {@link #setAside}: this restore is
 * itself the put-back of the state set aside, so there is no set-aside state to fall back on (the
 * database target's own set-aside, had it one in the plan, holds other artifacts than those this
 * context reads). Not API; used by one thread at a time, as the context it wraps.
 */
final class BackupRestoreContext implements RestoreContext {

    private final RestoreContext ctx;
    private final Snapshot migration;

    /** The context {@code ctx} reading the backup kept in {@code migration}, a migration target's snapshot. */
    BackupRestoreContext(RestoreContext ctx, Snapshot migration) {
        this.ctx = ctx;
        this.migration = migration;
    }

    @Override
    public Path artifact(Snapshot snapshot, String path) {
        return ctx.artifact(migration, MigrationBackup.DIR + "/" + path);
    }

    @Override
    public Path artifactDir(Snapshot snapshot) {
        return ctx.artifactDir(migration).resolve(MigrationBackup.DIR);
    }

    @Override
    public Path consume(Snapshot snapshot, String path) {
        throw new IllegalStateException("the backup kept by a migration target is never consumed");
    }

    @Override
    public boolean restoresSetAside() {
        return ctx.restoresSetAside();
    }

    /** Nothing: the restore of a kept backup has no state set aside for it to fall back on. */
    @Override
    public Optional<Snapshot> setAside(String target) {
        return Optional.empty();
    }

    @Override
    public boolean dataLossAccepted() {
        return ctx.dataLossAccepted();
    }

    @Override
    public String plan() {
        return ctx.plan();
    }

    @Override
    public String rollbackId() {
        return ctx.rollbackId();
    }

    @Override
    public PointInfo point() {
        return ctx.point();
    }

    @Override
    public Phase phase() {
        return ctx.phase();
    }

    @Override
    public Host host() {
        return ctx.host();
    }

    @Override
    public Clock clock() {
        return ctx.clock();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        ctx.sleep(duration);
    }

    @Override
    public void progress(String message) {
        ctx.progress(message);
    }
}
