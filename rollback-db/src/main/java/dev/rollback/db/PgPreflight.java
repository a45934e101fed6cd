package dev.rollback.db;

import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Tools;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.spi.Problem;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * The preflight of a {@link PostgresDatabase}: the server answers; for a clone, it is still there;
 * for a dump, the artifact, client tools of the server's version or newer, the tables a partial
 * restore names, and owners the restoring role may become. Changes nothing. Not API; immutable.
 */
final class PgPreflight {

    private final PostgresDatabase db;
    private final PgClient client;

    PgPreflight(PostgresDatabase db) {
        this.db = db;
        this.client = db.client();
    }

    /** Problems that would stop a restore of {@code s}. */
    List<Problem> problems(Snapshot s, RestoreContext ctx) throws Exception {
        List<Problem> problems = new ArrayList<>();
        Host host = ctx.host();
        int server;
        try {
            server = client.withMaintenance(host, h -> h.createQuery("SHOW server_version_num").mapTo(Integer.class).one())
                    / 10000;
        } catch (Exception e) {
            problems.add(Problem.of(db.name(), "a PostgreSQL server answering at " + db.host + ":" + db.port + " for "
                    + db.user, e.getMessage(), "start the server or fix the connection settings"));
            return problems;
        }
        if (PgClone.isInstant(s)) {
            problems.addAll(new PgClone(db).preflight(s, ctx));
            return problems;
        }
        String artifact = PostgresDatabase.ARTIFACT;
        if (s.artifact(artifact).isEmpty()) {
            problems.add(Problem.of(db.name(), "the dump " + artifact + " in the restore point", "no such artifact",
                    "capture a new restore point"));
        }
        for (String t : db.only.isEmpty() ? List.of("pg_restore") : List.of("pg_restore", "psql")) {
            if (!host.hasProgram(client.tool(t))) {
                problems.add(Problem.of(db.name(), "the program " + client.tool(t), "not installed on host " + host.name(),
                        "install the PostgreSQL client tools (postgresql-client-" + server + ") or point tools(...) at them"));
                continue;
            }
            int major = Tools.majorVersion(host, client.tool(t));
            if (major < server) {
                problems.add(Problem.of(db.name(), client.tool(t) + " of version " + server + " or newer (the server's)",
                        "version " + major, "install postgresql-client-" + server + " or point tools(...) at matching tools"));
            }
        }
        Map<String, TableState> recorded = Catalog.read(s);
        for (String t : db.only) {
            if (!recorded.containsKey(t)) {
                problems.add(Problem.of(db.name(), "table '" + t + "' in the restore point", "tables " + recorded.keySet(),
                        "fix onlyTables(...)"));
            }
        }
        if (db.only.isEmpty() && !db.noOwner && problems.isEmpty()) {
            problems.addAll(ownerProblems(s, ctx));
        }
        if (!db.only.isEmpty() && db.liveExists(host)) {
            List<String> foreign = db.withLive(host, this::notOwned);
            if (!foreign.isEmpty()) {
                problems.add(Problem.of(db.name(), "role '" + db.user + "' to own the restored tables and the tables whose "
                        + "foreign keys refer to them (the partial restore alters their triggers and foreign keys)",
                        "tables owned by other roles: " + foreign, "connect as the tables' owner with user(...), or "
                        + "make role '" + db.user + "' a member of the owning role"));
            }
        }
        return problems;
    }

    /**
     * The objects of the dump, and of the live database a restore drops (and its set-aside would
     * load back), whose owner the restoring role cannot become: {@code pg_restore} would stop at the
     * first of them after every schema was dropped.
     */
    private List<Problem> ownerProblems(Snapshot s, RestoreContext ctx) throws Exception {
        Host host = ctx.host();
        CommandResult toc = host.run(client.command(host, List.of(client.tool("pg_restore"), "--schema-only", "-f", "-",
                ctx.artifact(s, PostgresDatabase.ARTIFACT).toString())));
        if (!toc.succeeded()) {
            // verifyBackups() restores the dump next and names what is wrong with it
            return db.verifiesBackups ? List.of() : List.of(Problem.of(db.name(), "pg_restore to read the dump's "
                    + "definitions", toc.describe(), "do not trust this restore point: choose an older one"));
        }
        Map<String, List<String>> byOwner = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^ALTER (.+) OWNER TO (.+);$").matcher(toc.stdout());
        while (m.find()) {
            String owner = m.group(2).startsWith("\"") ? m.group(2).substring(1, m.group(2).length() - 1)
                    .replace("\"\"", "\"") : m.group(2);
            byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).add(m.group(1));
        }
        List<Problem> problems = new ArrayList<>();
        client.withMaintenance(host, h -> {
            List<String> foreign = new ArrayList<>();
            for (Map.Entry<String, List<String>> e : byOwner.entrySet()) {
                boolean exists = h.createQuery("SELECT count(*) FROM pg_roles WHERE rolname = :r").bind("r", e.getKey())
                        .mapTo(Integer.class).one() > 0;
                boolean may = exists && h.createQuery("SELECT pg_has_role(current_user, :r, 'MEMBER')")
                        .bind("r", e.getKey()).mapTo(Boolean.class).one();
                if (!may) {
                    List<String> objects = e.getValue();
                    foreign.add((objects.size() > 5 ? objects.subList(0, 5) + " and " + (objects.size() - 5) + " more"
                            : objects.toString()) + " owned by " + (exists ? "role '" : "the missing role '")
                            + e.getKey() + "'");
                }
            }
            if (!foreign.isEmpty()) {
                problems.add(Problem.of(db.name(), "a dump role '" + db.user + "' can load back: every object owned by a "
                        + "role it may become (SET ROLE)", "objects " + String.join("; ", foreign), "restore them "
                        + "owned by '" + db.user + "' with noOwner(), make '" + db.user + "' a member of those roles, "
                        + "or connect as one that is"));
            }
            return null;
        });
        if (!db.liveExists(host)) {
            return problems;
        }
        db.withLive(host, h -> {
            List<String> live = h.createQuery("SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT LIKE 'pg\\_%' "
                    + "AND n.nspname <> 'information_schema' AND NOT pg_has_role(current_user, c.relowner, 'MEMBER') "
                    + "ORDER BY 1").mapTo(String.class).list();
            if (!live.isEmpty()) {
                problems.add(Problem.of(db.name(), "role '" + db.user + "' to own, or be a member of the owners of, every "
                        + "relation of '" + db.database + "' (the restore drops them, and loads back the state set aside "
                        + "should it fail)", "relations owned by " + live, "restore them owned by '" + db.user
                        + "' with noOwner(), make '" + db.user + "' a member of those roles, or connect as one that is"));
            }
            return null;
        });
        return problems;
    }

    /**
     * The tables a partial restore alters (the restored ones and those on the other side of their
     * foreign keys) that the connected role may not alter, each with its owner.
     */
    private List<String> notOwned(Handle h) {
        Set<String> tables = new TreeSet<>();
        for (String t : db.only) {
            tables.add(db.schema + "." + t);
        }
        for (PgPartialRestore.ForeignKey k : new PgPartialRestore(db).foreignKeys(h)) {
            tables.add(k.schema() + "." + k.table());
        }
        return h.createQuery("SELECT n.nspname || '.' || c.relname || ' (owner ' || pg_get_userbyid(c.relowner) || ')' "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname || '.' || c.relname = ANY(:t) AND c.relkind IN ('r', 'p') "
                + "AND NOT pg_has_role(current_user, c.relowner, 'USAGE') ORDER BY 1")
                .bindArray("t", String.class, List.copyOf(tables)).mapTo(String.class).list();
    }
}
