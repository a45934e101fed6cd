package dev.rollback.db;

import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Dialect;
import dev.rollback.db.internal.Tools;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.ReleaseContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Snapshot;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * The instant strategy of a {@link PostgresDatabase} ({@link PostgresDatabase#instant()}): a
 * clone made with {@code CREATE DATABASE … TEMPLATE} at capture, renamed in at restore while the
 * live database is renamed to the name its set-aside point keeps, put back by renaming both again,
 * and dropped with its restore point. Not API; immutable.
 */
final class PgClone {

    private final PostgresDatabase db;
    private final PgClient client;

    PgClone(PostgresDatabase db) {
        this.db = db;
        this.client = db.client();
    }

    /** Whether {@code s} was taken by the instant strategy. */
    static boolean isInstant(Snapshot s) {
        return "instant".equals(s.get("strategy").orElse("backup"));
    }

    // ---- capture and set-aside --------------------------------------------------------------------------

    /** Clones the live database; returns its tables as the clone holds them. */
    List<TableState> capture(CaptureContext ctx, Map<String, String> data) throws Exception {
        data.put("engine", "postgresql");
        data.put("database", db.database);
        String clone = cloneName(db, "rp");
        createClone(ctx.host(), clone, db.database);
        data.put("strategy", "instant");
        data.put("clone", clone);
        return client.with(ctx.host(), clone, h -> {
            List<TableState> states = Catalog.states(h, db.dialect());
            data.putAll(PgDump.sequences(db, h, states));
            return states;
        });
    }

    /** A new name for a database this target makes of its own: {@code <database>_<kind>_<hex>}. */
    static String cloneName(PostgresDatabase db, String kind) {
        String base = db.database.length() > 40 ? db.database.substring(0, 40) : db.database;
        return base + "_" + kind + "_" + Tools.randomHex(6);
    }

    private void createClone(Host host, String clone, String template) throws Exception {
        Dialect d = db.dialect();
        client.withMaintenance(host, h -> {
            int others = h.createQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()")
                    .bind("d", template).mapTo(Integer.class).one();
            if (others > 0) {
                throw new IllegalStateException("target '" + db.name() + "': expected no other connection to database '"
                        + template + "' while it is cloned, found " + others + "; let the application release it "
                        + "(stop it or pause its pool) and capture again");
            }
            h.execute("CREATE DATABASE " + d.quote(clone) + " TEMPLATE " + d.quote(template) + " STRATEGY FILE_COPY");
            return null;
        });
    }

    /**
     * The current state, set aside before a restore that renames a clone in: nothing is copied or
     * changed; the snapshot names the database the restore will rename the live one to ({@link
     * #asideName}), so the replaced database becomes the set-aside state, and records its tables as
     * they are now. It also records the clone that restore consumes, so that undoing the restore
     * gives the clone back to its point.
     */
    Snapshot setAside(CaptureContext ctx) throws Exception {
        String rollback = ctx.rollbackId().orElseThrow(() -> new IllegalStateException("target '" + db.name()
                + "': expected the set-aside of a rollback, found a capture without a rollback id"));
        Host host = ctx.host();
        Map<String, String> data = new TreeMap<>();
        data.put("engine", "postgresql");
        data.put("database", db.database);
        data.put("strategy", "instant");
        String aside = asideName(rollback);
        data.put("clone", aside);
        data.put("setAsideBy", rollback);
        data.put("replaces", ctx.previousSnapshot().map(PgClone::consumes).orElse(""));
        if (!db.liveExists(host)) {
            data.put("absent", "true");
            data.put("tables", "");
            ctx.progress("database " + db.database + " does not exist: set aside as absent");
            return Snapshot.of(data);
        }
        data.put("absent", "false");
        db.withLive(host, h -> {
            data.put("dbTime", h.createQuery(db.dialect().nowSql()).mapTo(String.class).one());
            List<TableState> states = Catalog.states(h, db.dialect());
            Catalog.write(states, data);
            data.putAll(PgDump.sequences(db, h, states));
            return null;
        });
        ctx.progress("database " + db.database + " will be kept as '" + aside + "' when the restore replaces it");
        return Snapshot.of(data);
    }


    // ---- preflight, plan and restore ----------------------------------------------------------------------

    /** Problems that would stop renaming the clone of {@code s} in: it must still be there. */
    List<Problem> preflight(Snapshot s, RestoreContext ctx) throws Exception {
        if (absent(s)) {
            return List.of();
        }
        String clone = s.require("clone");
        if (!client.exists(ctx.host(), clone)) {
            return List.of(Problem.of(db.name(), "the clone database '" + clone + "' that restore point "
                    + ctx.point().id() + " keeps", "no such database", "a restore consumes the clone (and the "
                    + "state set aside is kept only once the restore replaced the database); choose another "
                    + "restore point, or capture a new one"));
        }
        return List.of();
    }

    List<String> plan(Snapshot s, RestoreContext ctx) {
        String keep = "rename database '" + db.database + "' to the name the set-aside restore point keeps (O(1))";
        if (absent(s)) {
            return List.of("end the remaining connections to database '" + db.database + "'", keep
                    + ", leaving no database '" + db.database + "', as at " + ctx.point().label());
        }
        return List.of("end the remaining connections to database '" + db.database + "'", keep,
                "rename the clone '" + s.require("clone") + "' to '" + db.database + "' (O(1); the clone is consumed)");
    }

    /** Renames the clone of {@code s} in; for the undo of this rollback's own restore, renames both back. */
    void restore(Snapshot s, RestoreContext ctx) throws Exception {
        boolean undo = s.get("setAsideBy").filter(ctx.rollbackId()::equals).isPresent();
        client.withMaintenance(ctx.host(), h -> {
            if (undo) {
                putBack(h, s, ctx);
            } else {
                renameIn(h, s, ctx);
            }
            return null;
        });
    }

    /**
     * The restore of a rollback: renames the live database to the name the rollback's set-aside
     * point keeps, then the clone of {@code s} to the live name (or leaves no live database when
     * {@code s} records none). Run again after a crash, it finishes what is left: each rename that
     * already happened is seen in the catalog and not repeated.
     */
    private void renameIn(Handle h, Snapshot s, RestoreContext ctx) {
        String aside = asideName(ctx.rollbackId());
        String clone = consumes(s);
        Set<String> there = databases(h, db.database, aside, clone);
        boolean live = there.contains(db.database);
        if (!clone.isEmpty() && !there.contains(clone)) {
            if (live) {
                ctx.progress("the clone '" + clone + "' is already renamed to '" + db.database + "'");
                return;
            }
            throw new IllegalStateException("target '" + db.name() + "': expected the clone database '" + clone + "' of "
                    + "restore point " + ctx.point().id() + ", found none" + (live ? "" : " and no database '"
                    + db.database + "'") + "; nothing was renamed; restore from another restore point");
        }
        if (live) {
            if (there.contains(aside)) {
                throw new IllegalStateException("target '" + db.name() + "': expected no database '" + aside + "' before "
                        + "renaming '" + db.database + "' to it, found one; nothing was renamed; check which of the two "
                        + "holds the state to keep, and rename or drop the other by hand");
            }
            rename(h, db.database, aside);
            ctx.progress("renamed database '" + db.database + "' to '" + aside + "', kept by the set-aside restore point");
        }
        if (!clone.isEmpty()) {
            rename(h, clone, db.database);
            ctx.progress("renamed the clone '" + clone + "' to '" + db.database + "'");
        }
    }

    /**
     * The undo of this rollback's own restore, from the snapshot its set-aside made: the restored
     * database goes back to the clone name it came from (its restore point keeps it again), and the
     * database set aside is renamed in. Each case a crash or a failure can leave is handled: when the
     * restore never renamed the live database away, it is still the state set aside and nothing is
     * done.
     */
    private void putBack(Handle h, Snapshot s, RestoreContext ctx) {
        String aside = s.require("clone");
        String consumed = s.get("replaces").orElse("");
        Set<String> there = databases(h, db.database, aside, consumed);
        boolean live = there.contains(db.database);
        boolean wasAbsent = absent(s);
        boolean canGiveBack = !consumed.isEmpty() && !there.contains(consumed);
        if (there.contains(aside) || (wasAbsent && live)) {
            if (live) {
                if (!canGiveBack) {
                    throw new IllegalStateException("target '" + db.name() + "': expected database '" + db.database
                            + "' to be the one this rollback renamed in" + (consumed.isEmpty() ? "" : " from '" + consumed
                            + "'") + ", found " + (consumed.isEmpty() ? "a database this rollback did not create"
                            : "that the clone '" + consumed + "' is still there") + "; nothing was renamed; check which "
                            + "database holds the state to keep, and rename or drop the other by hand");
                }
                rename(h, db.database, consumed);
                ctx.progress("renamed database '" + db.database + "' back to '" + consumed + "', the clone it came from");
            }
            if (there.contains(aside)) {
                rename(h, aside, db.database);
                ctx.progress("renamed the database set aside, '" + aside + "', back to '" + db.database + "'");
            }
            return;
        }
        if (wasAbsent) {
            ctx.progress("no database '" + db.database + "', as when it was set aside: nothing to put back");
            return;
        }
        if (live) {
            ctx.progress("the restore had not renamed database '" + db.database + "' away: it still holds the state set "
                    + "aside, nothing to put back");
            return;
        }
        throw new IllegalStateException("target '" + db.name() + "': expected database '" + db.database + "' or the "
                + "database set aside, '" + aside + "', found neither; nothing was renamed; look for the database among "
                + "those named " + db.database + "_… and rename it by hand");
    }


    /** The check after restoring a set-aside that found no database: there must still be none. */
    CheckResult verifyAbsent(RestoreContext ctx) throws Exception {
        String check = "integrity of " + db.name();
        return db.liveExists(ctx.host()) ? CheckResult.failed(check, "database '" + db.database
                + "' exists, expected none (there was none when the state was set aside)")
                : CheckResult.passed(check, "no database '" + db.database + "', as when the state was set aside");
    }

    // ---- release -----------------------------------------------------------------------------------------

    /** Drops the database an instant-strategy snapshot keeps (see {@link PostgresDatabase#release}). */
    void release(Snapshot s, ReleaseContext ctx) throws Exception {
        if (!isInstant(s) || !"postgresql".equals(s.get("engine").orElse("")) || s.require("clone").isEmpty()) {
            return;
        }
        String clone = s.require("clone");
        if (!s.get("database").orElse("").equals(db.database) || !isCloneName(clone)) {
            throw new IllegalStateException("target '" + db.name() + "': expected a clone of database '" + db.database
                    + "' named " + db.database + "_rp_… or _aside_…, found '" + clone + "' of database '"
                    + s.get("database").orElse("?") + "'; nothing was dropped: check that database by hand");
        }
        Dialect d = db.dialect();
        try {
            boolean dropped = client.withMaintenance(ctx.host(), h -> {
                boolean there = h.createQuery("SELECT count(*) FROM pg_database WHERE datname = :d").bind("d", clone)
                        .mapTo(Integer.class).one() > 0;
                h.execute("DROP DATABASE IF EXISTS " + d.quote(clone));
                return there;
            });
            ctx.progress(dropped ? "dropped the database '" + clone + "' of restore point " + ctx.point().id()
                    : "the database '" + clone + "' of restore point " + ctx.point().id() + " was not there (renamed in "
                    + "by a restore, or never made)");
        } catch (Exception e) {
            throw new IllegalStateException("target '" + db.name() + "': expected to drop the clone database '" + clone
                    + "' of the deleted restore point, found: " + e.getMessage() + "; drop it by hand: DROP DATABASE "
                    + d.quote(clone), e);
        }
    }

    /** Whether {@code name} is a name {@link #cloneName} or {@link #asideName} makes for this database. */
    private boolean isCloneName(String name) {
        String base = db.database.length() > 40 ? db.database.substring(0, 40) : db.database;
        return !name.equals(db.database) && name.startsWith(base + "_")
                && name.substring(base.length()).matches("_(rp|aside)_[0-9a-f]{12}");
    }

    // ---- names and renames --------------------------------------------------------------------------------

    /**
     * The name the restore of rollback {@code rollbackId} renames the live database to, and its
     * set-aside snapshot keeps: the same in the set-aside, the restore and after a resume.
     */
    private String asideName(String rollbackId) {
        String base = db.database.length() > 40 ? db.database.substring(0, 40) : db.database;
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((db.database + "\0" + rollbackId).getBytes(StandardCharsets.UTF_8));
            return base + "_aside_" + java.util.HexFormat.of().formatHex(hash, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Whether an instant snapshot records a database that did not exist (a set-aside of nothing). */
    static boolean absent(Snapshot s) {
        return "true".equals(s.get("absent").orElse("false")) || s.require("clone").isEmpty();
    }

    /** The clone a restore of {@code s} renames in, or "" when it consumes none. */
    private static String consumes(Snapshot s) {
        return isInstant(s) && !absent(s) ? s.require("clone") : "";
    }

    /** Ends the other connections to {@code database} and renames it to {@code to}: O(1). */
    private void rename(Handle h, String database, String to) {
        Dialect d = db.dialect();
        try {
            h.createQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :d "
                    + "AND pid <> pg_backend_pid()").bind("d", database).mapTo(Long.class).one();
            h.execute("ALTER DATABASE " + d.quote(database) + " RENAME TO " + d.quote(to));
        } catch (RuntimeException e) {
            throw new IllegalStateException("target '" + db.name() + "': expected to rename database '" + database
                    + "' to '" + to + "', found: " + e.getMessage() + "; the database was not renamed; end the sessions "
                    + "on it that role '" + db.user + "' may not end (a superuser's), check that the role owns it and "
                    + "has CREATEDB, then try again", e);
        }
    }

    /** Which of {@code names} are databases now (empty names are left out). */
    private static Set<String> databases(Handle h, String... names) {
        List<String> wanted = java.util.Arrays.stream(names).filter(n -> !n.isEmpty()).toList();
        return new java.util.HashSet<>(h.createQuery("SELECT datname FROM pg_database WHERE datname = ANY(:n)")
                .bindArray("n", String.class, wanted).mapTo(String.class).list());
    }
}
