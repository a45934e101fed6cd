package dev.rollback.db;

import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.db.internal.Catalog;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.Dialect;
import dev.rollback.host.Command;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A SQLite database file (rollback-journal or WAL mode) as a rollback target.
 *
 * <p>Capture copies one consistent state even while the application keeps writing, never a file
 * copy of a database that may change under it: it checkpoints the WAL, opens a read transaction,
 * and when that transaction's state is all in the database file (no WAL frame it needs is left to
 * checkpoint), copies the file in the kernel while the transaction holds it still (a WAL checkpoint
 * never writes past the oldest open read transaction; in rollback-journal mode writers wait for
 * it). Otherwise, when the application's own readers keep part of the WAL from being checkpointed,
 * it uses SQLite's online backup API in one step. The snapshot's {@code copiedBy} says which.
 * Restore copies the backup beside the database, forces it to disk, removes the
 * stale {@code -wal}, {@code -shm} and {@code -journal} files that belong to the replaced database
 * (they would corrupt the restored one), and renames the copy over the database in one atomic step,
 * keeping the file's mode and owner. Verification runs {@code PRAGMA integrity_check} and the checks
 * every {@link DatabaseTarget} runs. The current state is set aside with a backup like a capture.
 * With {@link #consumingRestore()} the restore renames the point's copy into place instead (O(1)),
 * consuming the restore point.
 *
 * <p>The database is opened through the xerial {@code sqlite-jdbc} driver, which the user adds to
 * the class path; the file must be on the machine that runs the plan (a local host): on a remote
 * host, capture and set-aside fail and preflight refuses, naming what to do. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * RollbackPlan plan = Rollback.plan("gestima")
 *     .stop(stopService)
 *     .target(SqliteDatabase.of(Path.of("/srv/gestima/gestima.db")).named("db"))
 *     .start(startService)
 *     .build();
 * }</pre>
 */
public final class SqliteDatabase extends DatabaseTarget {

    /** What to do when a plan runs on a remote host. */
    private static final String RUN_LOCALLY = "SQLite is opened through JDBC by the process running the plan, never "
            + "over SSH: run this plan on the machine that holds the file, with .on(Hosts.local()) (for example a "
            + "JShell script or deploy tool started there over SSH)";

    static final String ARTIFACT = "database.sqlite";

    // Set only by the factory and the option methods, on a fresh copy.
    Path file;
    boolean consuming;
    Runnable duringCopy;

    private SqliteDatabase(Path file) {
        super("database");
        this.file = file;
        this.duringCopy = () -> { };
    }

    /** A copy of {@code from}: every field. */
    private SqliteDatabase(SqliteDatabase from) {
        super(from);
        this.file = from.file;
        this.consuming = from.consuming;
        this.duringCopy = from.duringCopy;
    }

    @Override
    SqliteDatabase copy() {
        return new SqliteDatabase(this);
    }

    /**
     * The SQLite database in {@code file}, as a target named {@code "database"}.
     *
     * @throws IllegalArgumentException if the path is not absolute
     * @throws IllegalStateException if SQLite's JDBC driver ({@code org.xerial:sqlite-jdbc}) is not on the class path
     */
    public static SqliteDatabase of(Path file) {
        Objects.requireNonNull(file, "file");
        Drivers.requireSqlite();
        if (!file.isAbsolute()) {
            throw new IllegalArgumentException("SQLite database: expected an absolute path, found '" + file
                    + "'; give file.toAbsolutePath()");
        }
        return new SqliteDatabase(file.normalize());
    }

    /**
     * The same as {@link #of(Path)}.
     *
     * @deprecated use {@link #of(Path)}; this spelling is removed in the next release
     */
    @Deprecated(forRemoval = true)
    public static SqliteDatabase at(Path file) {
        return of(file);
    }

    /**
     * This target restoring in O(1) by renaming the restore point's copy into place instead of
     * copying it, when the store and the database are on one file system (else it copies, as
     * without this setting). The restore point is consumed: its copy becomes the live database, so
     * a later rollback to the same point is refused in preflight with a message naming the rollback
     * that consumed it (capture a new point, or go back to an older one). The current state is set
     * aside before, as always, so the rollback can be undone. The replaced file is hard-linked
     * into the consumed point first, so the rename frees nothing during the restore (freeing 500 MB
     * costs about 0.1 s on ext4); its blocks are freed when the point is deleted (it is not a usable
     * database: its WAL is removed, and the set-aside point holds that state). A hard link of the
     * point's copy instead of a rename would keep the point, but SQLite writes its file in place: the
     * point would change with the live database.
     *
     * <pre>{@code
     * SqliteDatabase db = SqliteDatabase.of(Path.of("/srv/bot/bot.db")).consumingRestore();
     * }</pre>
     */
    public SqliteDatabase consumingRestore() {
        SqliteDatabase c = copy();
        c.consuming = true;
        return c;
    }

    /** The database file. */
    public Path file() {
        return file;
    }


    // ---- the options every database target has, returning this type -------------------------------------

    @Override
    public SqliteDatabase named(String name) {
        return (SqliteDatabase) super.named(name);
    }

    @Override
    public SqliteDatabase expectTables(String... tables) {
        return (SqliteDatabase) super.expectTables(tables);
    }

    @Override
    public SqliteDatabase verifiedBy(SqlCheck check) {
        return (SqliteDatabase) super.verifiedBy(check);
    }

    /**
     * The same as {@link #verifiedBy(SqlCheck)}.
     *
     * @deprecated use {@link #verifiedBy(SqlCheck)}; this spelling is removed in the next release
     */
    @Override
    @Deprecated(forRemoval = true)
    public SqliteDatabase check(SqlCheck check) {
        return verifiedBy(check);
    }

    @Override
    public SqliteDatabase writtenAtColumn(String table, String column) {
        return (SqliteDatabase) super.writtenAtColumn(table, column);
    }

    @Override
    public SqliteDatabase acceptDataLoss() {
        return (SqliteDatabase) super.acceptDataLoss();
    }

    @Override
    public SqliteDatabase exportDataLoss(ExportFormat format) {
        return (SqliteDatabase) super.exportDataLoss(format);
    }

    @Override
    public SqliteDatabase verifyBackups() {
        return (SqliteDatabase) super.verifyBackups();
    }

    @Override
    public SqliteDatabase flywayHistory() {
        return (SqliteDatabase) super.flywayHistory();
    }

    @Override
    public SqliteDatabase flywayHistory(String table) {
        return (SqliteDatabase) super.flywayHistory(table);
    }

    // ---- the engine ----------------------------------------------------------------------------------------

    @Override
    Dialect dialect() {
        return Dialect.sqlite();
    }

    static Jdbi open(String url) {
        Properties p = new Properties();
        p.setProperty("busy_timeout", "30000");
        p.setProperty("open_mode", String.valueOf(0x02 | 0x40)); // read-write (never create), URI file names
        return Jdbi.create(url, p);
    }

    /** A read-only connection to a copy that nothing writes: no lock, no -wal or -shm file is made. */
    private static Jdbi openImmutable(Path copy) {
        Properties p = new Properties();
        p.setProperty("open_mode", String.valueOf(0x01 | 0x40)); // read-only, URI file names
        return Jdbi.create("jdbc:sqlite:file:" + copy.toUri().getRawPath() + "?immutable=1", p);
    }

    @Override
    <R> R withLive(Host host, HandleWork<R> work) throws Exception {
        try (Handle h = open("jdbc:sqlite:file:" + file.toUri().getRawPath()).open()) {
            return work.run(h);
        }
    }

    @Override
    boolean liveExists(Host host) {
        requireLocal(host);
        return host.stat(file).map(FileStat::isFile).orElse(false);
    }

    @Override
    List<TableState> backup(CaptureContext ctx, Map<String, String> data) throws Exception {
        Host host = ctx.host();
        requireLocal(host);
        FileStat st = host.stat(file).filter(FileStat::isFile).orElseThrow(() -> new IllegalStateException("target '"
                + name() + "': expected the SQLite database " + file + ", found " + (host.exists(file) ? "something that "
                + "is not a regular file" : "nothing") + "; check the path"));
        Path copy = ctx.artifactDir().resolve(ARTIFACT);
        try (Handle h = open("jdbc:sqlite:file:" + file.toUri().getRawPath()).open()) {
            // read before the copy starts: a row written in between counts as newer, never as older
            data.put("dbTime", h.createQuery(dialect().nowSql()).mapTo(String.class).one());
            data.put("copiedBy", new SqliteCopy(this).copy(h, copy, ctx));
        }
        host.setMode(copy, 0600);
        data.put("engine", "sqlite");
        data.put("file", file.toString());
        data.put("mode", st.octalMode());
        if (st.owner() != null) {
            data.put("owner", st.owner());
        }
        if (st.group() != null) {
            data.put("group", st.group());
        }
        try (Handle h = openImmutable(copy).open()) {
            return Catalog.states(h, dialect());
        }
    }

    /** This target running {@code work} while a capture holds its read transaction, before the file is copied (for tests). */
    SqliteDatabase duringCopy(Runnable work) {
        SqliteDatabase c = copy();
        c.duringCopy = work;
        return c;
    }

    /** A state set aside when there was no database file: putting it back removes the file. */
    @Override
    Snapshot engineSetAside(CaptureContext ctx) throws Exception {
        if (liveExists(ctx.host())) {
            return capture(ctx);
        }
        return Snapshot.of(Map.of("engine", "sqlite", "file", file.toString(), "absent", "true"));
    }

    private static boolean absent(Snapshot s) {
        return "true".equals(s.get("absent").orElse("false"));
    }

    @Override
    List<Problem> enginePreflight(Snapshot s, RestoreContext ctx) {
        List<Problem> problems = new ArrayList<>();
        if (!ctx.host().sharesLocalFiles()) {
            problems.add(Problem.of(name(), "the SQLite file " + file + " on the machine running the plan, which opens it "
                    + "through JDBC", "a plan on host " + ctx.host().name(), RUN_LOCALLY));
            return problems;
        }
        if (s.artifact(ARTIFACT).isEmpty() && !absent(s)) {
            problems.add(Problem.of(name(), "the backup " + ARTIFACT + " in the restore point", "no such artifact",
                    "capture a new restore point"));
        }
        Path dir = file.getParent();
        if (!ctx.host().stat(dir).map(FileStat::isDirectory).orElse(false)) {
            problems.add(Problem.of(name(), "the folder " + dir + " of the database", "nothing there",
                    "create the folder or fix the path"));
        }
        if (!s.get("file").map(f -> f.equals(file.toString())).orElse(true)) {
            problems.add(Problem.of(name(), "a backup of " + file, "a backup of " + s.require("file"),
                    "roll back with the target that captured it"));
        }
        return problems;
    }

    @Override
    List<String> enginePlan(Snapshot s, RestoreContext ctx) {
        if (absent(s)) {
            return List.of("remove " + file + " and " + sidecars() + ": there was no database when this state was saved");
        }
        long size = s.artifact(ARTIFACT).map(dev.rollback.spi.Artifact::size).orElse(0L);
        List<String> lines = new ArrayList<>();
        if (consuming && sameFileSystem(ctx.host(), ctx.artifactDir(s), file.getParent())) {
            lines.add("link " + file + " into the restore point, which keeps the replaced file until it is deleted");
            lines.add("remove " + sidecars() + " of the replaced database");
            lines.add("rename the backup (" + size + " bytes) out of the restore point over " + file + " (a rename, "
                    + "O(1), atomic; the restore point is consumed and cannot be used again), mode "
                    + s.get("mode").orElse("kept"));
            return lines;
        }
        if (consuming) {
            lines.add("copy instead of consuming the restore point: the store and " + file.getParent()
                    + " are on different file systems");
        }
        lines.add("copy the backup (" + size + " bytes) to " + tmp() + " and force it to disk");
        lines.add("remove " + sidecars() + " of the replaced database");
        lines.add("rename " + tmp() + " over " + file + " (atomic), mode " + s.get("mode").orElse("kept"));
        return lines;
    }

    @Override
    void engineRestore(Snapshot s, RestoreContext ctx) {
        Host host = ctx.host();
        requireLocal(host);
        if (absent(s)) {
            for (Path side : sidecars()) {
                host.delete(side);
            }
            host.delete(file);
            return;
        }
        Path backup = ctx.artifact(s, ARTIFACT);
        Path tmp = tmp();
        if (consuming && host.exists(backup) && keepReplaced(host, backup)) {
            try {
                // recorded as consumed first; then it is ours to change and rename in, with no copy in between
                finish(s, host, ctx.consume(s, ARTIFACT));
            } catch (RuntimeException e) {
                host.delete(replacedIn(backup));
                throw e;
            }
            ctx.progress("renamed the restore point's copy over " + file + " (the point is consumed)");
            return;
        }
        if (consuming && !host.exists(backup)) {
            ctx.consume(s, ARTIFACT); // refuses unless this rollback moved it in before it was interrupted
            String want = s.artifact(ARTIFACT).orElseThrow().sha256();
            dev.rollback.host.CommandResult sum = host.run(Command.of("sha256sum", "--", file.toString()));
            String found = sum.succeeded() ? sum.stdout().strip().split("\\s+")[0] : sum.describe();
            if (!found.equals(want)) {
                throw new IllegalStateException("target '" + name() + "': expected " + file + " to be the backup this "
                        + "rollback renamed in before it was interrupted (sha256 " + want + "), found sha256 " + found
                        + ": the database changed since; check it with PRAGMA integrity_check, or undo the rollback");
            }
            ctx.progress("the backup was renamed over " + file + " before the rollback was interrupted; nothing to do");
            return;
        }
        host.delete(tmp);
        // cp copies in the kernel (copy_file_range), faster than a copy through user space
        host.run(Command.of("cp", "--", backup.toString(), tmp.toString())).requireSuccess();
        host.run(Command.of("sync", tmp.toString())).requireSuccess();
        finish(s, host, tmp);
    }

    /** Gives the restored copy its mode and owner, removes the stale sidecars and renames it over the database. */
    private void finish(Snapshot s, Host host, Path copy) {
        Optional<String> mode = s.get("mode");
        host.setMode(copy, mode.map(m -> Integer.parseInt(m, 8)).orElse(0644));
        if (host.canChangeOwners() && s.get("owner").isPresent() && s.get("group").isPresent()) {
            host.setOwner(copy, s.require("owner"), s.require("group"));
        }
        // a WAL or journal left by the replaced database would be applied to the restored one: remove them first
        for (Path side : sidecars()) {
            host.delete(side);
        }
        host.move(copy, file); // syncs the folder
    }

    /** Where a consuming restore keeps the file it replaces: in the consumed point's folder, freed with the point. */
    private static Path replacedIn(Path backup) {
        return backup.resolveSibling(ARTIFACT + ".replaced");
    }

    /**
     * Hard-links the live database into the restore point's folder before a consuming restore
     * renames the backup over it, so that the rename frees nothing: freeing the replaced file's
     * blocks would cost time in proportion to its size (about 0.1 s for 500 MB on ext4). The link
     * is left in the consumed point and freed when the point is deleted. Returns whether the store
     * and the database are on one file system (a hard link, like the rename, needs that).
     */
    private boolean keepReplaced(Host host, Path backup) {
        if (!host.exists(file)) {
            return sameFileSystem(host, backup.getParent(), file.getParent());
        }
        Path replaced = replacedIn(backup);
        dev.rollback.host.CommandResult r = host.run(Command.of("ln", "-f", "--", file.toString(), replaced.toString()));
        if (r.succeeded()) {
            return true;
        }
        if (r.stderr().contains("cross-device")) {
            return false;
        }
        throw new IllegalStateException("target '" + name() + "': expected to link " + file + " into the restore point "
                + "before renaming the backup over it, found " + r.describe() + "; nothing was changed; check the "
                + "permissions of both folders");
    }

    /** Whether two folders are on one file system, so that a rename between them is possible. */
    private static boolean sameFileSystem(Host host, Path a, Path b) {
        dev.rollback.host.CommandResult r = host.run(Command.of("stat", "-c", "%d", "--", a.toString(), b.toString()));
        if (!r.succeeded()) {
            return false;
        }
        List<String> devices = r.stdout().lines().map(String::strip).toList();
        return devices.size() == 2 && devices.get(0).equals(devices.get(1));
    }

    @Override
    public dev.rollback.spi.CheckResult verify(Snapshot s, RestoreContext ctx) throws Exception {
        if (absent(s)) {
            boolean gone = !ctx.host().exists(file);
            String check = "integrity of " + name();
            return gone ? dev.rollback.spi.CheckResult.passed(check, "no database file, as when the state was saved")
                    : dev.rollback.spi.CheckResult.failed(check, file + " exists, expected none");
        }
        return super.verify(s, ctx);
    }

    @Override
    List<String> engineCheck(Handle h) {
        List<String> rows = h.createQuery("PRAGMA integrity_check").mapTo(String.class).list();
        return rows.equals(List.of("ok")) ? List.of() : List.of("PRAGMA integrity_check says " + rows);
    }

    @Override
    List<String> verifyBackup(Snapshot s, Path artifactDir, Host host) {
        Path copy = artifactDir.resolve(ARTIFACT);
        try (Handle h = openImmutable(copy).open()) {
            List<String> wrong = new ArrayList<>(engineCheck(h));
            wrong.addAll(DatabaseIntegrity.compareBackup(this, h, s));
            return wrong;
        } catch (RuntimeException e) {
            return List.of("the backup " + copy.getFileName() + " cannot be read: " + e.getMessage());
        }
    }


    private Path tmp() {
        return file.resolveSibling(file.getFileName() + ".rollback-tmp");
    }

    private List<Path> sidecars() {
        return List.of(file.resolveSibling(file.getFileName() + "-wal"), file.resolveSibling(file.getFileName() + "-shm"),
                file.resolveSibling(file.getFileName() + "-journal"));
    }

    @Override
    public String toString() {
        return "SqliteDatabase[" + name() + ": " + file + "]";
    }

    private void requireLocal(Host host) {
        if (!host.sharesLocalFiles()) {
            throw new IllegalStateException("target '" + name() + "': expected the SQLite file " + file + " on the "
                    + "machine running the plan, found a plan on host " + host.name() + "; " + RUN_LOCALLY);
        }
    }
}
