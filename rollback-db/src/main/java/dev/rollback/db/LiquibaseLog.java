package dev.rollback.db;

import dev.rollback.spi.Snapshot;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link LiquibaseMigrations} reads of Liquibase's change log: the rows of {@code
 * DATABASECHANGELOG}, the position a snapshot recorded among them, the change sets to roll back and
 * whether Liquibase can, and the renames among them. Not API; stateless.
 */
final class LiquibaseLog {

    private LiquibaseLog() {}

    /** One row of DATABASECHANGELOG. */
    record Ran(String id, String author, String file, int order, String tag) {

        String describe() {
            return id + " (" + author + ", " + file + ")";
        }
    }

    /** A change set to roll back, and why Liquibase cannot, if it cannot. */
    record Step(Ran ran, String impossible) {}

    /** The change sets applied, in the order Liquibase applied them. */
    static List<Ran> ran(Connection c) throws Exception {
        List<Ran> out = new ArrayList<>();
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT id, author, filename, orderexecuted, tag "
                + "FROM databasechangelog ORDER BY dateexecuted, orderexecuted")) {
            while (rs.next()) {
                out.add(new Ran(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5)));
            }
        } catch (java.sql.SQLException e) {
            return List.of();
        }
        return out;
    }

    /** The recorded position in {@code ran}: its index, -1 for "none applied", null when it is not there. */
    static Integer indexOf(List<Ran> ran, Snapshot s) {
        if (!s.data().containsKey("position.id")) {
            // a point captured by an earlier version, which tagged the last row: its tag is the position
            String tag = s.data().getOrDefault("tag", "");
            if (tag.isEmpty()) {
                return "0".equals(s.data().get("applied")) ? -1 : null;
            }
            for (int i = ran.size() - 1; i >= 0; i--) {
                if (tag.equals(ran.get(i).tag())) {
                    return i;
                }
            }
            return null;
        }
        String id = s.data().getOrDefault("position.id", "");
        if (id.isEmpty()) {
            return -1;
        }
        for (int i = 0; i < ran.size(); i++) {
            Ran r = ran.get(i);
            if (r.id().equals(id) && r.author().equals(s.require("position.author")) && r.file().equals(
                    s.require("position.file"))) {
                return i;
            }
        }
        return null;
    }

    static String position(Snapshot s) {
        if (!s.data().containsKey("position.id") && !s.data().getOrDefault("tag", "").isEmpty()) {
            return "the change set tagged " + s.require("tag");
        }
        String id = s.data().getOrDefault("position.id", "");
        return id.isEmpty() ? "no change set applied" : "change set " + id + " (" + s.require("position.author") + ", "
                + s.require("position.file") + ", order " + s.require("position.order") + ")";
    }

    /** The change sets after the position in {@code s}, newest first, each with why Liquibase cannot reverse it. */
    static List<Step> steps(liquibase.Liquibase lb, List<Ran> ran, int from) throws Exception {
        liquibase.changelog.DatabaseChangeLog log = lb.getDatabaseChangeLog();
        List<Step> out = new ArrayList<>();
        for (int i = ran.size() - 1; i > from; i--) {
            Ran r = ran.get(i);
            liquibase.changelog.ChangeSet cs = log.getChangeSets().stream().filter(x -> x.getId().equals(r.id())
                    && x.getAuthor().equals(r.author()) && x.getFilePath().equals(r.file())).findFirst().orElse(null);
            String why = null;
            if (cs == null) {
                why = "it is not in the change log";
            } else if (!cs.supportsRollback(lb.getDatabase())) {
                List<String> kinds = new ArrayList<>();
                for (liquibase.change.Change change : cs.getChanges()) {
                    if (!change.supportsRollback(lb.getDatabase())) {
                        kinds.add(change.getSerializedObjectName());
                    }
                }
                why = "no <rollback> and no automatic inverse of " + kinds;
            }
            out.add(new Step(r, why));
        }
        return out;
    }

    /** Renames the change sets reverse: the name now to the name then ({@code table} or {@code table.column}). */
    static Map<String, String> renames(liquibase.Liquibase lb, List<Step> steps) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        liquibase.changelog.DatabaseChangeLog log = lb.getDatabaseChangeLog();
        // oldest first, so that a chain of renames maps the newest name to the oldest
        for (int i = steps.size() - 1; i >= 0; i--) {
            Ran r = steps.get(i).ran();
            for (liquibase.changelog.ChangeSet cs : log.getChangeSets()) {
                if (!(cs.getId().equals(r.id()) && cs.getAuthor().equals(r.author()) && cs.getFilePath().equals(r.file()))) {
                    continue;
                }
                for (liquibase.change.Change change : cs.getChanges()) {
                    if (change instanceof liquibase.change.core.RenameColumnChange rc) {
                        String then = out.getOrDefault(rc.getTableName() + "." + rc.getOldColumnName(), rc.getOldColumnName());
                        out.remove(rc.getTableName() + "." + rc.getOldColumnName());
                        out.put(rc.getTableName() + "." + rc.getNewColumnName(), then);
                    } else if (change instanceof liquibase.change.core.RenameTableChange rt) {
                        String then = out.getOrDefault(rt.getOldTableName(), rt.getOldTableName());
                        out.remove(rt.getOldTableName());
                        out.put(rt.getNewTableName(), then);
                    }
                }
            }
        }
        return out;
    }
}
