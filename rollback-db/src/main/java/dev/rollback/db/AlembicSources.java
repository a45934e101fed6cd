package dev.rollback.db;

import dev.rollback.db.internal.AlembicScripts;
import dev.rollback.db.internal.AlembicScripts.Script;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.internal.HostTrees;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The migration scripts of an {@link AlembicMigrations} and the commands run with them: the live
 * folder or a copy kept in a restore point, the current revision, the way from one revision to
 * another, and the copy kept with each capture and set-aside. Not API; immutable.
 */
final class AlembicSources {

    private static final Pattern REVISION_LINE = Pattern.compile("^([0-9A-Za-z_]+)(\\s+\\(.*\\))*\\s*$");
    private static final Pattern SCRIPT_LOCATION = Pattern.compile("(?m)^script_location\\s*=\\s*(.+?)\\s*$");
    private static final Pattern VERSION_LOCATIONS = Pattern.compile("(?m)^version_locations\\s*=.*$");

    /** The scripts a command runs with: the live folder, or a copy kept in a restore point. */
    record Scripts(String where, Path versions, List<String> before, List<String> after, boolean kept) {}

    private final AlembicMigrations t;

    AlembicSources(AlembicMigrations target) {
        this.t = target;
    }

    CommandResult run(Host host, Scripts scripts, String sub, String... args) {
        List<String> argv = new ArrayList<>(t.command);
        argv.addAll(scripts.before());
        argv.add(sub);
        argv.addAll(scripts.after());
        argv.addAll(List.of(args));
        Command c = MigrationCommands.command(argv, t.projectDir, t.env);
        if (scripts.kept()) {
            // the kept copy is an artifact of a restore point: Python must not write its caches there
            c = c.env("PYTHONDONTWRITEBYTECODE", "1");
        }
        return host.run(c);
    }

    String tool() {
        return String.join(" ", t.command);
    }

    /** The current revision, {@code base} when none is applied. */
    String current(Host host, Scripts scripts) {
        CommandResult r = run(host, scripts, "current");
        if (!r.succeeded()) {
            throw new IllegalStateException("migrations '" + t.name + "': expected '" + tool() + " current' with the scripts "
                    + scripts.where() + " to print the revision, found " + r.describe() + "; check the project folder "
                    + "and the database connection");
        }
        for (String line : r.stdout().split("\n")) {
            Matcher m = REVISION_LINE.matcher(line.strip());
            if (m.matches()) {
                return m.group(1);
            }
        }
        return "base";
    }

    /** The current revision, read with the first of {@code sources} whose scripts know it. */
    String current(Host host, List<Scripts> sources) {
        IllegalStateException first = null;
        for (Scripts s : sources) {
            try {
                return current(host, s);
            } catch (IllegalStateException e) {
                first = first == null ? e : first;
            }
        }
        throw first;
    }

    Path scriptLocation(Host host) {
        if (t.flask) {
            return (t.versionsDir != null ? t.versionsDir : t.projectDir.resolve("migrations").resolve("versions")).getParent();
        }
        Path ini = t.projectDir.resolve("alembic.ini");
        String location = "alembic";
        if (host.exists(ini)) {
            Matcher m = SCRIPT_LOCATION.matcher(new String(host.read(ini), StandardCharsets.UTF_8));
            if (m.find()) {
                location = m.group(1).replace("%(here)s", t.projectDir.toString());
            }
        }
        return t.projectDir.resolve(location);
    }

    Path liveVersions(Host host) {
        return t.versionsDir != null ? t.versionsDir : scriptLocation(host).resolve("versions");
    }

    Scripts live(Host host) {
        return new Scripts("of the live folder " + liveVersions(host), liveVersions(host), List.of(), List.of(), false);
    }

    /** The scripts kept in {@code s}, if it holds a copy. */
    Optional<Scripts> kept(Snapshot s, RestoreContext ctx, String where) {
        if (s == null || !"kept".equals(s.data().get("scripts"))) {
            return Optional.empty();
        }
        Path dir = ctx.artifactDir(s);
        Path versions = dir.resolve(s.data().getOrDefault("scripts.versions", "scripts/versions"));
        if (t.flask) {
            return Optional.of(new Scripts(where + " (" + dir.resolve("scripts") + ")", versions, List.of(),
                    List.of("-d", dir.resolve("scripts").toString()), true));
        }
        return Optional.of(new Scripts(where + " (" + dir.resolve("alembic.ini") + ")", versions,
                List.of("-c", dir.resolve("alembic.ini").toString()), List.of(), true));
    }

    /**
     * Where the scripts may come from, in order: the copy this rollback set aside (the release being
     * rolled back), the copy kept with {@code s}, the live folder.
     */
    List<Scripts> sources(Snapshot s, RestoreContext ctx) {
        List<Scripts> out = new ArrayList<>();
        ctx.setAside(t.name).filter(a -> a != s).flatMap(a -> kept(a, ctx, "kept in the set-aside point"))
                .ifPresent(out::add);
        kept(s, ctx, "kept in restore point " + ctx.point().id()).ifPresent(out::add);
        out.add(live(ctx.host()));
        return out;
    }

    // ---- keeping the scripts -----------------------------------------------------------------------------

    void keepScripts(CaptureContext ctx, Map<String, String> data) {
        Host host = ctx.host();
        Path location = scriptLocation(host);
        Path dir = ctx.artifactDir();
        HostTrees.copy(host, location, dir.resolve("scripts"));
        String versions = "scripts/versions";
        Path liveVersions = liveVersions(host);
        if (!liveVersions.startsWith(location)) {
            HostTrees.copy(host, liveVersions, dir.resolve("versions"));
            versions = "versions";
        } else {
            versions = "scripts/" + location.relativize(liveVersions).toString().replace('\\', '/');
        }
        if (!t.flask) {
            Path ini = t.projectDir.resolve("alembic.ini");
            if (!host.exists(ini)) {
                throw new IllegalStateException("migrations '" + t.name + "': expected the Alembic configuration " + ini
                        + ", found nothing; give the folder that holds alembic.ini");
            }
            String text = new String(host.read(ini), StandardCharsets.UTF_8).replace("%(here)s", t.projectDir.toString());
            text = SCRIPT_LOCATION.matcher(text).replaceFirst("script_location = %(here)s/scripts");
            text = VERSION_LOCATIONS.matcher(text).replaceAll("");
            if (!versions.equals("scripts/versions")) {
                text = text.replaceFirst("(?m)^script_location = %\\(here\\)s/scripts$",
                        "script_location = %(here)s/scripts\nversion_locations = %(here)s/" + versions);
            }
            host.write(dir.resolve("alembic.ini"), text.getBytes(StandardCharsets.UTF_8), 0600);
        }
        data.put("scripts", "kept");
        data.put("scripts.from", location.toString());
        data.put("scripts.versions", versions);
    }

    /**
     * The current revision: with {@link #t.database}, as its {@code alembic_version} table holds it
     * (what {@code alembic current} reads, without starting Python; it also answers when no scripts
     * know the revision, such as after a code rollback removed the newer ones); otherwise as {@code
     * current} prints it with the first of {@code sources} that knows it.
     */
    String revisionNow(Host host, List<Scripts> sources) throws Exception {
        if (t.database == null) {
            return current(host, sources);
        }
        Dialect d = t.database.dialect();
        return t.database.withLive(host, h -> {
            if (!Catalog.tables(h, d).contains("alembic_version")) {
                return "base";
            }
            List<String> heads = h.createQuery("SELECT version_num FROM " + d.table("alembic_version") + " ORDER BY 1")
                    .mapTo(String.class).list();
            if (heads.size() > 1) {
                throw new IllegalStateException("migrations '" + t.name + "': expected one revision in alembic_version, "
                        + "found " + heads + "; merge the heads first");
            }
            return heads.isEmpty() ? "base" : heads.get(0);
        });
    }

    String recorded(Host host) throws Exception {
        return revisionNow(host, List.of(live(host)));
    }

    /** The way from the current revision to {@code target}: which scripts, which direction, which revisions. */
    record Way(Scripts scripts, boolean down, List<Script> path) {}

    Optional<Way> way(Host host, List<Scripts> sources, String current, String target) {
        for (Scripts s : sources) {
            if (!host.exists(s.versions())) {
                continue;
            }
            Map<String, Script> all = AlembicScripts.read(host, s.versions());
            List<Script> down = AlembicScripts.path(all, current, target);
            if (down != null) {
                return Optional.of(new Way(s, true, down));
            }
            List<Script> up = AlembicScripts.path(all, target, current);
            if (up != null) {
                return Optional.of(new Way(s, false, up));
            }
        }
        return Optional.empty();
    }

    /** Sources as a preflight sees them: the live folder first (it becomes the set-aside copy), then the point's. */
    List<Scripts> plannedSources(Snapshot s, RestoreContext ctx) {
        List<Scripts> out = new ArrayList<>();
        out.add(live(ctx.host()));
        kept(s, ctx, "kept in restore point " + ctx.point().id()).ifPresent(out::add);
        return out;
    }
}
