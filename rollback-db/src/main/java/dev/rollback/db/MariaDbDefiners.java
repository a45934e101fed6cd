package dev.rollback.db;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * The objects of a {@link MariaDbDatabase} (in a dump, or live) whose {@code DEFINER} is an account
 * other than the connecting one, which cannot create them without the {@code SET USER} privilege
 * ({@link MariaDbDatabase#rewriteDefiners()}). Reads only. Not API; immutable.
 */
final class MariaDbDefiners {

    /** A {@code DEFINER=`user`@`host`} clause as mysqldump writes it. */
    private static final Pattern DEFINER = Pattern.compile("DEFINER=`((?:[^`]|``)*)`@`((?:[^`]|``)*)`");

    /** The object a definer clause belongs to, on its line or the next (a view's). */
    private static final Pattern OBJECT = Pattern.compile(
            "\\b(TRIGGER|VIEW|PROCEDURE|FUNCTION|EVENT|PACKAGE BODY|PACKAGE)\\s+(?:IF NOT EXISTS\\s+)?"
                    + "(?:(?:`(?:[^`]|``)*`|\\w+)\\.)?(?:`((?:[^`]|``)*)`|(\\w+))");

    private final MariaDbDatabase db;

    MariaDbDefiners(MariaDbDatabase db) {
        this.db = db;
    }

    /**
     * The objects of the dump defined by an account other than the connecting one, each with its
     * definer; empty when the connecting account may create objects for any definer. Reads the
     * dump on the plan's host with {@code grep}, so the dump stays there.
     */
    List<String> inDump(Host host, Path dump) throws Exception {
        CommandResult r = host.run(Command.of(List.of("grep", "-a", "-A1", "DEFINER=`", dump.toString()))
                .env("LC_ALL", "C").timeout(Duration.ofHours(1)));
        if (r.exitCode() == 1) {
            return List.of();
        }
        if (!r.succeeded()) {
            throw new IllegalStateException("target '" + db.name() + "': expected grep to read the dump " + dump
                    + ", found " + r.describe() + "; check the dump and that grep is installed on host " + host.name());
        }
        Account me = db.withLive(host, this::account);
        if (me.anyDefiner()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        List<String> lines = r.stdout().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("INSERT ")) {
                continue;
            }
            Matcher d = DEFINER.matcher(line);
            while (d.find()) {
                String user = d.group(1).replace("``", "`");
                String from = d.group(2).replace("``", "`");
                if (me.is(user, from)) {
                    continue;
                }
                Matcher o = OBJECT.matcher(line.substring(d.end()));
                boolean named = o.find();
                if (!named && i + 1 < lines.size()) {
                    o = OBJECT.matcher(lines.get(i + 1));
                    named = o.find();
                }
                String tail = line.substring(d.end());
                String what = named ? o.group(1).toLowerCase(Locale.ROOT) + " `" + (o.group(2) != null
                        ? o.group(2).replace("``", "`") : o.group(3)) + "`"
                        : "the object defined by \"" + tail.substring(0, Math.min(80, tail.length())) + "\"";
                out.add(what + " (DEFINER `" + user + "`@`" + from + "`)");
            }
        }
        return out;
    }

    /** The objects of the live database defined by another account, unless the account may use any definer. */
    List<String> live(Handle h) {
        Account me = account(h);
        if (me.anyDefiner()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        String sql = "SELECT 'trigger' AS k, trigger_name AS n, definer AS d FROM information_schema.triggers WHERE trigger_schema = :s "
                + "UNION ALL SELECT 'view', table_name, definer FROM information_schema.views WHERE table_schema = :s "
                + "UNION ALL SELECT lower(routine_type), routine_name, definer FROM information_schema.routines WHERE routine_schema = :s "
                + "UNION ALL SELECT 'event', event_name, definer FROM information_schema.events WHERE event_schema = :s ORDER BY 1, 2";
        for (Map<String, Object> row : h.createQuery(sql).bind("s", db.database).mapToMap().list()) {
            String definer = String.valueOf(row.get("d"));
            int at = definer.lastIndexOf('@');
            if (at < 0 || !me.is(definer.substring(0, at), definer.substring(at + 1))) {
                out.add(row.get("k") + " `" + row.get("n") + "` (DEFINER " + definer + ")");
            }
        }
        return out;
    }

    /** The connecting account as the server knows it, and whether it may create objects for any definer. */
    private record Account(String user, String host, boolean anyDefiner) {
        boolean is(String u, String h) {
            return user.equals(u) && host.equals(h);
        }
    }

    private Account account(Handle h) {
        String current = h.createQuery("SELECT CURRENT_USER()").mapTo(String.class).one();
        int at = current.lastIndexOf('@');
        String user = current.substring(0, at);
        String from = current.substring(at + 1);
        String grantee = "'" + user.replace("'", "''") + "'@'" + from.replace("'", "''") + "'";
        boolean any = h.createQuery("SELECT count(*) FROM information_schema.user_privileges WHERE grantee = :g "
                + "AND privilege_type IN ('SUPER', 'SET USER', 'SET_USER_ID')").bind("g", grantee).mapTo(Integer.class)
                .one() > 0;
        return new Account(user, from, any);
    }
}
