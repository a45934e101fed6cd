package dev.rollback.db;

import dev.rollback.db.AlembicSources.Way;
import dev.rollback.db.DroppedData.Drop;
import dev.rollback.db.internal.AlembicScripts.Script;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Dialect;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a downgrade of an {@link AlembicMigrations} would do to the data, and what a failed one did:
 * the values its scripts (and the catalog recorded at capture) say it drops, its stub downgrades,
 * and the message of a failure. Not API; immutable.
 */
final class AlembicDowngrades {

    private final AlembicMigrations t;
    private final AlembicSources src;

    AlembicDowngrades(AlembicMigrations target) {
        this.t = target;
        this.src = new AlembicSources(target);
    }

    /**
     * The values the downgrade through {@code path} drops, as the live t.database holds them now: a
     * dropped table's rows, a dropped column's values other than NULL and other than the column's
     * literal default (a default fills rows no one wrote). One query counts and exports each.
     */
    List<Drop> drops(Host host, List<Script> path, Snapshot target) throws Exception {
        if (t.database == null) {
            return List.of();
        }
        Dialect d = t.database.dialect();
        Map<String, TableState> before = DroppedData.catalogOf(target);
        Map<String, String> renamed = new LinkedHashMap<>();
        for (Script s : path) {
            s.renames().forEach((from, to) -> {
                String key = renamed.entrySet().stream().filter(e -> (e.getKey().contains(".") == from.contains("."))
                        && (from.contains(".") ? e.getKey().substring(0, e.getKey().indexOf('.') + 1) + e.getValue()
                        : e.getValue()).equals(from)).map(Map.Entry::getKey).findFirst().orElse(from);
                renamed.put(key, to.contains(".") ? to.substring(to.indexOf('.') + 1) : to);
            });
        }
        String target0 = target == null ? "" : target.data().getOrDefault("revision", "");
        List<Drop> scripted = t.database.withLive(host, h -> {
            List<Drop> out = new ArrayList<>();
            for (Script s : path) {
                String cause = "migration " + s.revision();
                for (String t : s.dropsTables()) {
                    Drop x = DroppedData.table(h, d, cause, t);
                    if (x != null) {
                        out.add(x);
                    }
                }
                for (String[] c : s.dropsColumns()) {
                    Drop x = DroppedData.column(h, d, cause, c[0], c[1]);
                    if (x != null) {
                        out.add(x);
                    }
                }
            }
            return out;
        });
        if (before == null) {
            return scripted;
        }
        // what the scripts drop in ways they do not spell out (op.execute, a rebuilt table), from the catalog
        List<Drop> cataloged = t.database.withLive(host, h -> DroppedData.fromCatalog(h, d, "rolling back to revision "
                + target0, before, renamed));
        cataloged.removeIf(x -> x.table().equals("alembic_version") || x.table().startsWith("_alembic_tmp_"));
        return DroppedData.merge(scripted, cataloged);
    }

    /** The stub downgrades on {@code path}, as sentences. */
    static List<String> stubs(List<Script> path) {
        List<String> out = new ArrayList<>();
        for (Script s : path) {
            if (s.stubDowngrade()) {
                out.add("migration " + s.revision() + " (" + s.file() + ") has a stub downgrade(): the revision goes "
                        + "back but its schema changes stay");
            }
        }
        return out;
    }

    /** What a failed downgrade or upgrade did, what the t.database lacks now, and how to put it back. */
    String failure(Host host, RestoreContext ctx, Way w, String current, String target, CommandResult r) {
        StringBuilder m = new StringBuilder("migrations '" + t.name + "': expected " + (w.down() ? "a downgrade" : "an upgrade")
                + " from " + current + " to " + target + " through " + w.path().stream().map(Script::revision).toList()
                + ", found " + r.describe());
        String now;
        try {
            now = src.revisionNow(host, List.of(w.scripts()));
        } catch (Exception e) {
            now = "unknown (" + e.getMessage() + ")";
        }
        List<String> ran = new ArrayList<>();
        for (Script s : w.path()) {
            if (s.revision().equals(now)) {
                break;
            }
            ran.add(s.revision());
        }
        m.append("; the database is at revision ").append(now);
        if (ran.size() < w.path().size()) {
            m.append(ran.isEmpty() ? "; no revision finished" : "; revisions " + (w.down() ? "downgraded" : "upgraded")
                    + " before the failure: " + ran);
        }
        if (!t.describeBackup(m, ctx)) {
            m.append("; no backup of the database was kept (name it with database(...)); fix the migration and run '")
                    .append(src.tool()).append(" ").append(w.down() ? "downgrade " : "upgrade ").append(target).append("' by hand");
        }
        return m.toString();
    }
}
