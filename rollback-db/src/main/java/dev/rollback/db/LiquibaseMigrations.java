package dev.rollback.db;

import static dev.rollback.db.LiquibaseLog.indexOf;
import static dev.rollback.db.LiquibaseLog.position;
import static dev.rollback.db.LiquibaseLog.ran;
import static dev.rollback.db.LiquibaseLog.renames;
import static dev.rollback.db.LiquibaseLog.steps;

import dev.rollback.spi.CheckResult;
import dev.rollback.spi.Problem;
import dev.rollback.spi.Snapshot;
import dev.rollback.db.DroppedData.Drop;
import dev.rollback.db.LiquibaseLog.Ran;
import dev.rollback.db.LiquibaseLog.Step;
import dev.rollback.db.internal.Catalog.TableState;
import dev.rollback.db.internal.HostTrees;
import dev.rollback.host.Host;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.Plural;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Liquibase change log as a rollback target, through Liquibase's Java API. Capture records the
 * position: the last change set applied (its id, author, file and order in {@code
 * DATABASECHANGELOG}) and how many are applied; it writes nothing into the database, so the
 * operator's own tags stay and any number of restore points at one head stay valid. The rollback
 * rolls back the change sets applied after that position; putting back a state set aside applies
 * them again.
 *
 * <p><b>The target owns its change log.</b> Capture and set-aside keep a copy of the change log's
 * folder in the restore point; a rollback reads the change sets from the copy set aside (the
 * release being rolled back), an upgrade from the copy kept with its point. So a code target
 * restored first cannot take the newer change sets away.
 *
 * <p>Preview lists, by id, author and file, every change set between here and the restore point
 * and whether Liquibase can reverse it; preflight refuses a change set it cannot reverse (no
 * automatic inverse and no {@code <rollback>}: roll the database back from a backup instead). With
 * {@link #database} named, the check for dropped data compares the tables and columns recorded at
 * capture with the live ones (renames by {@code renameTable}/{@code renameColumn} are renames, not
 * losses; values equal to a column's default are not counted); preflight refuses such a loss
 * unless {@link #acceptDataLoss()}, and {@link #exportDataLoss} exports it first. With {@link
 * #database} the set-aside also keeps a backup of the database, which putting back restores and
 * checks (tables, row counts and the position) when the rollback fails part way.
 *
 * <p>The change log is read from a folder on the machine running the plan, and the database is
 * reached through its JDBC URL (the user brings Liquibase, {@code org.liquibase:liquibase-core},
 * and the driver). Immutable and thread-safe.
 *
 * <pre>{@code
 * Target schema = LiquibaseMigrations.of(Path.of("db"), "changelog.xml", "jdbc:postgresql://127.0.0.1/blog")
 *     .user("blog").password(secret)
 *     .database(PostgresDatabase.of("127.0.0.1", 5432, "blog").user("blog").password(secret));
 * }</pre>
 */
public final class LiquibaseMigrations extends MigrationTarget {

    private static final String CHANGELOG = "changelog";

    // Set only by the factory and the option methods, on a fresh copy.
    private Path changelogDir;
    private String changelogFile;
    private String url;
    private String user;
    private String password;
    private String contexts;

    private LiquibaseMigrations(Path changelogDir, String changelogFile, String url) {
        super("schema");
        this.changelogDir = changelogDir;
        this.changelogFile = changelogFile;
        this.url = url;
        this.contexts = "";
    }

    /** A copy of {@code from}: every field. */
    private LiquibaseMigrations(LiquibaseMigrations from) {
        super(from);
        this.changelogDir = from.changelogDir;
        this.changelogFile = from.changelogFile;
        this.url = from.url;
        this.user = from.user;
        this.password = from.password;
        this.contexts = from.contexts;
    }

    @Override
    LiquibaseMigrations copy() {
        return new LiquibaseMigrations(this);
    }

    @Override
    String subject() {
        return "Liquibase '" + name + "'";
    }

    /**
     * The change log {@code changelogFile} (relative to {@code changelogDir}) applied to the database
     * at {@code jdbcUrl}, as a target named {@code "schema"}.
     *
     * @throws IllegalArgumentException if the URL is not a JDBC URL
     */
    public static LiquibaseMigrations of(Path changelogDir, String changelogFile, String jdbcUrl) {
        Objects.requireNonNull(changelogDir, "changelogDir");
        Objects.requireNonNull(changelogFile, "changelogFile");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("Liquibase: expected a JDBC URL such as jdbc:postgresql://host/db, found '"
                    + jdbcUrl + "'");
        }
        return new LiquibaseMigrations(changelogDir.toAbsolutePath().normalize(), changelogFile, jdbcUrl);
    }

    /**
     * This target under another name (letters, digits, {@code . _ -}, at most 64 characters).
     *
     * @throws IllegalArgumentException for a name that breaks these rules
     */
    public LiquibaseMigrations named(String newName) {
        return (LiquibaseMigrations) renamed(newName);
    }

    /** This target connecting as {@code user}. */
    public LiquibaseMigrations user(String newUser) {
        Objects.requireNonNull(newUser, "user");
        LiquibaseMigrations c = copy();
        c.user = newUser;
        return c;
    }

    /** This target connecting with {@code password}; it is masked in every message of the plan. */
    public LiquibaseMigrations password(String newPassword) {
        Objects.requireNonNull(newPassword, "password");
        LiquibaseMigrations c = copy();
        c.password = newPassword;
        return c;
    }

    /** This target running the change sets of these Liquibase contexts only (comma-separated, as Liquibase writes them). */
    public LiquibaseMigrations contexts(String newContexts) {
        Objects.requireNonNull(newContexts, "contexts");
        LiquibaseMigrations c = copy();
        c.contexts = newContexts;
        return c;
    }

    /**
     * This target rolling back even when the change sets rolled back drop tables or columns that
     * hold data (found with {@link #database}): the values are gone from the live database (export
     * them first with {@link #exportDataLoss}; the set-aside backup keeps them too). It does not let
     * a change set through that Liquibase cannot reverse: that one is refused whatever the options.
     */
    public LiquibaseMigrations acceptDataLoss() {
        return (LiquibaseMigrations) acceptingDataLoss();
    }

    /**
     * This target reading in {@code db} which tables and columns hold data (recorded at capture,
     * compared before a rollback) and keeping a backup of {@code db} with its set-aside state, so
     * that a rollback that fails part way is put back without losing a row.
     */
    public LiquibaseMigrations database(DatabaseTarget db) {
        return (LiquibaseMigrations) withDatabase(db);
    }

    /**
     * This target exporting, before a rollback, the rows whose values it drops into the set-aside
     * restore point, one file per table or column ({@code lost.files} of the set-aside snapshot).
     * Needs {@link #database}.
     */
    public LiquibaseMigrations exportDataLoss(ExportFormat format) {
        return (LiquibaseMigrations) exporting(format);
    }

    @Override
    public Set<String> secrets() {
        return password == null ? Set.of() : Set.of(password);
    }

    // ---- Liquibase ---------------------------------------------------------------------------------------

    /** Work done with an open Liquibase. */
    @FunctionalInterface
    private interface Work<R> {
        R run(liquibase.Liquibase lb, Connection c) throws Exception;
    }

    private <R> R withLiquibase(Path dir, Work<R> work) throws Exception {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        Connection c = DriverManager.getConnection(url, p);
        liquibase.database.Database db = liquibase.database.DatabaseFactory.getInstance()
                .findCorrectDatabaseImplementation(new liquibase.database.jvm.JdbcConnection(c));
        try (liquibase.Liquibase lb = new liquibase.Liquibase(changelogFile,
                new liquibase.resource.DirectoryResourceAccessor(dir), db)) {
            return work.run(lb, c);
        }
    }

    /** The change log folder to read: the copy kept with {@code s} if there is one, else the live folder. */
    private Path changelogOf(Snapshot s, RestoreContext ctx) {
        return s != null && "kept".equals(s.data().get("changelog")) ? ctx.artifactDir(s).resolve(CHANGELOG) : changelogDir;
    }

    /** What the rollback to {@code s} drops, from the catalog recorded at capture and the live one. */
    private List<Drop> drops(liquibase.Liquibase lb, Snapshot s, List<Step> steps, Host host) throws Exception {
        Map<String, TableState> before = DroppedData.catalogOf(s);
        if (database == null || before == null) {
            return List.of();
        }
        Map<String, String> renamed = renames(lb, steps);
        String cause = "rolling back " + Plural.of(steps.size(), "change set");
        return database.withLive(host, h -> {
            List<Drop> all = DroppedData.fromCatalog(h, database.dialect(), cause, before, renamed);
            all.removeIf(x -> x.table().equalsIgnoreCase("databasechangelog") || x.table().equalsIgnoreCase(
                    "databasechangeloglock"));
            return all;
        });
    }

    // ---- the Target --------------------------------------------------------------------------------------

    @Override
    public Snapshot capture(CaptureContext ctx) throws Exception {
        Map<String, String> data = new TreeMap<>();
        withLiquibase(changelogDir, (lb, c) -> {
            List<Ran> ran = ran(c);
            data.put("applied", Integer.toString(ran.size()));
            if (ran.isEmpty()) {
                data.put("position.id", "");
            } else {
                Ran last = ran.get(ran.size() - 1);
                data.put("position.id", last.id());
                data.put("position.author", last.author());
                data.put("position.file", last.file());
                data.put("position.order", Integer.toString(last.order()));
            }
            return null;
        });
        HostTrees.copy(ctx.host(), changelogDir, ctx.artifactDir().resolve(CHANGELOG));
        data.put("changelog", "kept");
        if (database != null) {
            DroppedData.recordCatalog(database, ctx.host(), data);
        }
        return Snapshot.of(data);
    }

    /**
     * Records the position and keeps the change log like a capture; with {@link #database} also a
     * backup of the database and, with {@link #exportDataLoss}, the rows the rollback to the point
     * being rolled back to would drop.
     */
    @Override
    public Snapshot setAside(CaptureContext ctx) throws Exception {
        Map<String, String> data = setAsideData(ctx);
        Optional<Snapshot> to = ctx.previousSnapshot();
        to.ifPresent(p -> data.put("rollingBackTo", p.data().getOrDefault("position.id", "") + "|"
                + p.data().getOrDefault("applied", "0")));
        boolean recorded = to.isPresent() && to.get().data().containsKey("catalog.tables");
        keepDatabase(ctx, data, !recorded ? null : () -> withLiquibase(changelogDir, (lb, c) -> {
            List<Ran> ran = ran(c);
            Integer from = indexOf(ran, to.get());
            if (from == null) {
                return List.<Drop>of();
            }
            return drops(lb, to.get(), steps(lb, ran, from), ctx.host());
        }));
        return Snapshot.of(data);
    }

    /** The change log folder for a rollback to {@code s}: the copy this rollback set aside, else the live one. */
    private Path rollbackChangelog(Snapshot s, RestoreContext ctx) {
        Optional<Snapshot> aside = ctx.setAside(name).filter(a -> a != s && "kept".equals(a.data().get("changelog")));
        return aside.isPresent() ? changelogOf(aside.get(), ctx) : changelogDir;
    }

    @Override
    public List<Problem> preflight(Snapshot s, RestoreContext ctx) throws Exception {
        List<Problem> problems = new ArrayList<>();
        Path dir = changelogDir;
        if (!Files.isRegularFile(dir.resolve(changelogFile))) {
            problems.add(Problem.of(name, "the change log " + dir.resolve(changelogFile), "no such file",
                    "fix the path, or put the release's change log back"));
            return problems;
        }
        problems.addAll(exportProblems("PostgresDatabase.of(...)"));
        withLiquibase(dir, (lb, c) -> {
            List<Ran> ran = ran(c);
            Integer from = indexOf(ran, s);
            if (from == null && ran.size() < Integer.parseInt(s.require("applied"))
                    && "kept".equals(s.data().get("changelog"))) {
                return null; // applied again from the change log kept with the point
            }
            if (from == null) {
                problems.add(Problem.of(name, "the position recorded at capture, " + position(s) + ", in DATABASECHANGELOG",
                        "no such row among the " + ran.size() + " applied", "the change log table was changed by hand or "
                                + "rebuilt; choose another restore point, or roll the database back from a backup"));
                return null;
            }
            if (from < ran.size() - 1) {
                List<Step> steps = steps(lb, ran, from);
                List<String> impossible = steps.stream().filter(x -> x.impossible() != null)
                        .map(x -> x.ran().describe() + ": " + x.impossible()).toList();
                if (!impossible.isEmpty()) {
                    problems.add(Problem.of(name, "change sets that Liquibase can roll back to " + position(s),
                            impossible.toString(), "add a <rollback> block to those change sets, or roll the database back "
                                    + "from a backup instead (a database target before this one in the plan)"));
                }
                problems.addAll(dropProblems("a rollback to " + position(s), drops(lb, s, steps, ctx.host()), ctx));
            } else if (ran.size() - 1 == from && Integer.parseInt(s.require("applied")) != ran.size()) {
                problems.add(Problem.of(name, Plural.of(Long.parseLong(s.require("applied")), "change set") + " applied up to " + position(s),
                        ran.size() + " applied", "choose another restore point"));
            }
            return null;
        });
        return problems;
    }

    @Override
    public List<String> plan(Snapshot s, RestoreContext ctx) throws Exception {
        if (isPutBack(s, ctx)) {
            return List.of("restore the backup of '" + database.name() + "' kept in restore point " + ctx.point().id()
                    + " (the rollback " + s.data().get("asideOf") + " did not finish)",
                    "check that the tables, their row counts and the change log position equal the state set aside");
        }
        int want = Integer.parseInt(s.require("applied"));
        return withLiquibase(changelogDir, (lb, c) -> {
            List<Ran> ran = ran(c);
            Integer from = indexOf(ran, s);
            List<String> lines = new ArrayList<>();
            if (from == null) {
                if (ran.size() < want && "kept".equals(s.data().get("changelog"))) {
                    lines.add("apply " + Plural.of(want - ran.size(), "change set") + " of " + changelogFile + " again, from the "
                            + "copy kept in restore point " + ctx.point().id() + ", up to " + position(s));
                } else {
                    lines.add("(the position " + position(s) + " is not in DATABASECHANGELOG)");
                }
                return lines;
            }
            if (from == ran.size() - 1) {
                lines.add("already at " + position(s) + "; nothing to do");
                return lines;
            }
            List<Step> steps = steps(lb, ran, from);
            lines.add("roll back " + Plural.of(steps.size(), "change set") + " to " + position(s) + ", reading them from a copy of "
                    + changelogDir + " kept in the set-aside point before anything changes:");
            for (Step x : steps) {
                lines.add("roll back " + x.ran().describe() + (x.impossible() == null ? ": reversible"
                        : ": NOT reversible, " + x.impossible()));
            }
            lines.addAll(dropLines(drops(lb, s, steps, ctx.host()), ctx));
            lines.add(backupLine("rollback", "applies the change sets again, which recreates dropped tables and columns "
                    + "empty"));
            return lines;
        });
    }

    /**
     * Whether restoring {@code s} puts back a rollback that did not finish, from the backup kept in
     * {@code s}: this same rollback is being put back, or the change sets applied now are a prefix of
     * those set aside, longer than the one that rollback was going to (it stopped part way). A
     * database anywhere else gets the change sets applied again, so that no row written since is lost.
     */
    private boolean isPutBack(Snapshot s, RestoreContext ctx) throws Exception {
        if (!keepsBackup(s)) {
            return false;
        }
        if (setAsideByThisRun(s, ctx)) {
            return true;
        }
        String to = s.data().getOrDefault("rollingBackTo", "");
        int toApplied = to.contains("|") ? Integer.parseInt(to.substring(to.lastIndexOf('|') + 1)) : -1;
        int asideApplied = Integer.parseInt(s.require("applied"));
        int now = withLiquibase(changelogDir, (lb, c) -> ran(c).size());
        return toApplied >= 0 && now > toApplied && now < asideApplied;
    }

    @Override
    public void restore(Snapshot s, RestoreContext ctx) throws Exception {
        if (isPutBack(s, ctx)) {
            putBack(s, ctx);
            return;
        }
        int want = Integer.parseInt(s.require("applied"));
        List<Ran> before = withLiquibase(changelogDir, (lb, c) -> ran(c));
        Integer from = indexOf(before, s);
        if (from != null && from == before.size() - 1) {
            return;
        }
        if (from == null) {
            if (before.size() >= want) {
                throw new IllegalStateException("Liquibase '" + name + "': expected " + position(s)
                        + " in DATABASECHANGELOG, found it missing among " + before.size() + " applied change sets; choose "
                        + "another restore point");
            }
            Path dir = changelogOf(s, ctx);
            ctx.progress("apply " + Plural.of(want - before.size(), "change set") + " from " + dir);
            withLiquibase(dir, (lb, c) -> {
                lb.update(want - before.size(), contexts);
                return null;
            });
            return;
        }
        Path dir = rollbackChangelog(s, ctx);
        int count = before.size() - 1 - from;
        ctx.progress("roll back " + Plural.of(count, "change set") + " to " + position(s) + " with the change log " + dir);
        try {
            withLiquibase(dir, (lb, c) -> {
                lb.rollback(count, contexts);
                return null;
            });
        } catch (Exception e) {
            throw new IllegalStateException(failure(ctx, s, before, from, e), e);
        }
    }

    /** What a failed rollback did, what the database lacks now, and how to put it back. */
    private String failure(RestoreContext ctx, Snapshot s, List<Ran> before, int from, Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        StringBuilder m = new StringBuilder("Liquibase '" + name + "': expected a rollback of "
                + Plural.of(before.size() - 1 - from, "change set") + " to " + position(s) + ", found " + root.getClass().getSimpleName() + ": " + root.getMessage());
        try {
            List<Ran> now = withLiquibase(changelogDir, (lb, c) -> ran(c));
            List<String> done = new ArrayList<>();
            for (int i = before.size() - 1; i > from; i--) {
                if (!now.contains(before.get(i))) {
                    done.add(before.get(i).describe());
                }
            }
            m.append(done.isEmpty() ? "; no change set was rolled back" : "; change sets rolled back before the failure: "
                    + done);
        } catch (Exception again) {
            m.append("; DATABASECHANGELOG could not be read: ").append(again.getMessage());
        }
        if (!describeBackup(m, ctx)) {
            m.append("; no backup of the database was kept (name it with database(...)); fix the change set and roll back "
                    + "again");
        }
        return m.toString();
    }

    private void putBack(Snapshot s, RestoreContext ctx) throws Exception {
        putBack(s, ctx, position(s), () -> {
            List<Ran> now = withLiquibase(changelogDir, (lb, c) -> ran(c));
            Integer at = indexOf(now, s);
            if (at == null || at != now.size() - 1 || now.size() != Integer.parseInt(s.require("applied"))) {
                return List.of("DATABASECHANGELOG holds " + Plural.of(now.size(), "change set") + ", the last "
                        + (now.isEmpty() ? "none" : now.get(now.size() - 1).describe()) + ", expected "
                        + s.require("applied") + " up to " + position(s));
            }
            return List.of();
        });
    }

    @Override
    public CheckResult verify(Snapshot s, RestoreContext ctx) throws Exception {
        int want = Integer.parseInt(s.require("applied"));
        List<Ran> now = withLiquibase(changelogDir, (lb, c) -> ran(c));
        Integer at = indexOf(now, s);
        boolean ok = now.size() == want && at != null && at == now.size() - 1;
        return ok ? CheckResult.passed("change sets of " + name, Plural.of(want, "change set") + " applied, up to " + position(s))
                : CheckResult.failed("change sets of " + name, Plural.of(now.size(), "change set") + " applied, the last "
                        + (now.isEmpty() ? "none" : now.get(now.size() - 1).describe()) + "; expected " + want + " up to "
                        + position(s));
    }

    @Override
    public String toString() {
        return "LiquibaseMigrations[" + name + ": " + changelogFile + "]";
    }
}
