package dev.rollback.db;

import dev.rollback.db.internal.Dialect;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.spi.Snapshot;
import java.nio.file.Path;
import java.util.List;

/**
 * The backup verification of a {@link PostgresDatabase} ({@link DatabaseTarget#verifyBackups()}):
 * a clone is compared as it stands; a dump is restored into a scratch database, compared, and the
 * scratch database dropped. Not API; immutable.
 */
final class PgBackupCheck {

    private final PostgresDatabase db;
    private final PgClient client;

    PgBackupCheck(PostgresDatabase db) {
        this.db = db;
        this.client = db.client();
    }

    /** The differences between the backup of {@code s} and what {@code s} recorded; empty when it is good. */
    List<String> differences(Snapshot s, Path artifactDir, Host host) throws Exception {
        if (PgClone.isInstant(s)) {
            if (PgClone.absent(s)) {
                return List.of();
            }
            String clone = s.require("clone");
            if (!client.exists(host, clone)) {
                return List.of("the clone database '" + clone + "' does not exist");
            }
            return client.with(host, clone, h -> DatabaseIntegrity.compareBackup(db, h, s));
        }
        String scratch = PgClone.cloneName(db, "verify");
        Dialect d = db.dialect();
        try {
            client.withMaintenance(host, h -> h.execute("CREATE DATABASE " + d.quote(scratch) + " TEMPLATE template0"));
        } catch (Exception e) {
            throw new IllegalStateException("target '" + db.name() + "': expected to create the scratch database '" + scratch
                    + "' to verify the backup in, found: " + e.getMessage() + "; give role '" + db.user
                    + "' the CREATEDB privilege, or do not use verifyBackups()", e);
        }
        try {
            CommandResult r = host.run(client.command(host, List.of(client.tool("pg_restore"), "--exit-on-error",
                    "--no-owner", "-j", Integer.toString(db.jobs), "-d", PgClient.conninfo(scratch),
                    artifactDir.resolve(PostgresDatabase.ARTIFACT).toString())));
            if (!r.succeeded()) {
                return List.of("pg_restore of the dump into a scratch database failed: " + r.describe());
            }
            return client.with(host, scratch, h -> DatabaseIntegrity.compareBackup(db, h, s));
        } finally {
            client.withMaintenance(host, h -> h.execute("DROP DATABASE IF EXISTS " + d.quote(scratch) + " WITH (FORCE)"));
        }
    }
}
