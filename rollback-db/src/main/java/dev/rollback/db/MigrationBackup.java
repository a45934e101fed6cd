package dev.rollback.db;

import dev.rollback.spi.Artifact;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Snapshot;
import dev.rollback.spi.TargetKind;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The backup a migration target keeps of the database it migrates, inside its own snapshot: taken
 * and restored through the database target's own code (its data under {@code backup.}, its files
 * under the artifact folder {@code backup/}), so that a downgrade that fails half way is put back
 * row for row instead of by running the tool's upgrade. Not API; stateless.
 */
final class MigrationBackup {

    static final String PREFIX = "backup.";
    static final String DIR = "backup";

    private MigrationBackup() {}

    /** Takes a backup of {@code db} into {@code ctx}'s artifact folder; returns its data, prefixed. */
    static Map<String, String> take(DatabaseTarget db, CaptureContext ctx) throws Exception {
        Path dir = ctx.artifactDir().resolve(DIR);
        ctx.host().createDirectories(dir);
        ctx.host().setMode(dir, 0700);
        Snapshot s = db.capture(new CaptureContext() {
            @Override
            public String plan() {
                return ctx.plan();
            }

            @Override
            public String pointId() {
                return ctx.pointId();
            }

            @Override
            public Optional<String> rollbackId() {
                return ctx.rollbackId();
            }

            @Override
            public String label() {
                return ctx.label();
            }

            @Override
            public Path artifactDir() {
                return dir;
            }

            @Override
            public Optional<Snapshot> previousSnapshot() {
                return Optional.empty();
            }

            @Override
            public Optional<Path> previousArtifactDir() {
                return Optional.empty();
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
            public void progress(String message) {
                ctx.progress("backup of " + db.name() + ": " + message);
            }
        });
        Map<String, String> out = new TreeMap<>();
        s.data().forEach((k, v) -> out.put(PREFIX + k, v));
        out.put(PREFIX + "target", db.name());
        return out;
    }

    /** Whether {@code s} holds a backup. */
    static boolean present(Snapshot s) {
        return s.data().containsKey(PREFIX + "target");
    }

    /** The database target's own snapshot, as it was taken, with the artifacts under {@code backup/}. */
    static Snapshot of(Snapshot s) {
        Map<String, String> data = new TreeMap<>();
        s.data().forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                data.put(k.substring(PREFIX.length()), v);
            }
        });
        List<Artifact> files = new ArrayList<>();
        for (Artifact a : s.artifacts()) {
            if (a.path().startsWith(DIR + "/")) {
                files.add(new Artifact(a.path().substring(DIR.length() + 1), a.size(), a.sha256()));
            }
        }
        return new Snapshot(data.get("target"), TargetKind.DATABASE, data, files, s.location());
    }

    /** The tables, row counts and columns the backup holds, by name. */
    static Map<String, TableState> tables(Snapshot s) {
        return Catalog.read(of(s));
    }

    /** A context in which the database target reads the backup's artifacts from {@code s}'s folder. */
    static RestoreContext contextOf(RestoreContext ctx, Snapshot s) {
        return new BackupRestoreContext(ctx, s);
    }

    /**
     * Restores the backup kept in {@code s} through {@code db}'s own restore, then checks it with
     * {@code db}'s own verify (tables, row counts, foreign keys, the engine's check).
     *
     * @return the differences found after the restore; empty when the database equals the backup
     */
    static List<String> restore(DatabaseTarget db, Snapshot s, RestoreContext ctx) throws Exception {
        Snapshot b = of(s);
        RestoreContext bctx = contextOf(ctx, s);
        db.restore(b, bctx);
        CheckResult c = db.verify(b, bctx);
        return c.passed() ? List.of() : List.of(c.detail());
    }

    /**
     * What the live database lacks of the backup kept in {@code s}: tables gone, rows missing,
     * columns gone, and half-built tables left (such as Alembic's {@code _alembic_tmp_*}).
     */
    static List<String> lacking(DatabaseTarget db, Snapshot s, Host host) throws Exception {
        Map<String, TableState> before = tables(s);
        return db.withLive(host, h -> {
            List<String> out = new ArrayList<>();
            Map<String, TableState> now = new TreeMap<>();
            for (TableState t : Catalog.states(h, db.dialect())) {
                now.put(t.name(), t);
            }
            for (TableState b : before.values()) {
                TableState n = now.get(b.name());
                if (n == null) {
                    out.add("table '" + b.name() + "' (" + Plural.of(b.rows(), "row") + ") is gone");
                    continue;
                }
                if (n.rows() < b.rows()) {
                    out.add("table '" + b.name() + "' has " + n.rows() + " of its " + Plural.of(b.rows(), "row"));
                }
                List<String> gone = b.columns().stream().filter(c -> !n.columns().contains(c)).toList();
                if (!gone.isEmpty() && b.rows() > 0) {
                    out.add("table '" + b.name() + "' lacks " + (gone.size() == 1 ? "column " : "columns ") + gone + " and their values in "
                            + Plural.of(b.rows(), "row"));
                }
            }
            for (String t : now.keySet()) {
                if (!before.containsKey(t)) {
                    out.add("table '" + t + "' was not in the database before the rollback (made by the downgrade, or left half built)");
                }
            }
            return out;
        });
    }
}
