package dev.rollback.db;

import dev.rollback.CheckResult;
import dev.rollback.Problem;
import dev.rollback.Snapshot;
import dev.rollback.TargetKind;
import dev.rollback.db.internal.Tools;
import dev.rollback.spi.CaptureContext;
import dev.rollback.spi.RestoreContext;
import dev.rollback.spi.Target;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Liquibase change log as a rollback target, through Liquibase's Java API: capture tags the
 * database ({@code tag}) with a new tag and records how many change sets are applied; the rollback
 * rolls back to that tag; putting back a state set aside applies the change sets again.
 *
 * <p>Preview and preflight ask Liquibase for the rollback SQL without running it: a change set with
 * neither an automatic inverse nor a {@code <rollback>} block is reported, and preflight refuses it
 * unless {@link #acceptDataLoss()} is set. The change log is read from a folder on the machine
 * running the plan, and the database is reached through its JDBC URL (the user brings Liquibase,
 * {@code org.liquibase:liquibase-core}, and the driver). Immutable and thread-safe.
 *
 * <pre>{@code
 * Target schema = LiquibaseMigrations.of(Path.of("db"), "changelog.xml", "jdbc:postgresql://127.0.0.1/blog")
 *     .user("blog").password(secret);
 * }</pre>
 */
public final class LiquibaseMigrations implements Target {

    private final String name;
    private final Path changelogDir;
    private final String changelogFile;
    private final String url;
    private final String user;
    private final String password;
    private final String contexts;
    private final boolean acceptDataLoss;

    private LiquibaseMigrations(String name, Path changelogDir, String changelogFile, String url, String user,
            String password, String contexts, boolean acceptDataLoss) {
        this.name = name;
        this.changelogDir = changelogDir;
        this.changelogFile = changelogFile;
        this.url = url;
        this.user = user;
        this.password = password;
        this.contexts = contexts;
        this.acceptDataLoss = acceptDataLoss;
    }

    /**
     * The change log {@code changelogFile} (relative to {@code changelogDir}) applied to the database
     * at {@code jdbcUrl}, as a target named {@code "schema"}.
     */
    public static LiquibaseMigrations of(Path changelogDir, String changelogFile, String jdbcUrl) {
        Objects.requireNonNull(changelogDir, "changelogDir");
        Objects.requireNonNull(changelogFile, "changelogFile");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("Liquibase: expected a JDBC URL such as jdbc:postgresql://host/db, found '"
                    + jdbcUrl + "'");
        }
        return new LiquibaseMigrations("schema", changelogDir.toAbsolutePath().normalize(), changelogFile, jdbcUrl, null,
                null, "", false);
    }

    /** This target under another name. */
    public LiquibaseMigrations named(String newName) {
        return new LiquibaseMigrations(DatabaseTarget.requireName(newName), changelogDir, changelogFile, url, user,
                password, contexts, acceptDataLoss);
    }

    /** This target connecting as {@code user}. */
    public LiquibaseMigrations user(String newUser) {
        return new LiquibaseMigrations(name, changelogDir, changelogFile, url, Objects.requireNonNull(newUser, "user"),
                password, contexts, acceptDataLoss);
    }

    /** This target connecting with {@code password}; it is masked in every message of the plan. */
    public LiquibaseMigrations password(String newPassword) {
        return new LiquibaseMigrations(name, changelogDir, changelogFile, url, user,
                Objects.requireNonNull(newPassword, "password"), contexts, acceptDataLoss);
    }

    /** This target running the change sets of these Liquibase contexts only (comma-separated, as Liquibase writes them). */
    public LiquibaseMigrations contexts(String newContexts) {
        return new LiquibaseMigrations(name, changelogDir, changelogFile, url, user, password,
                Objects.requireNonNull(newContexts, "contexts"), acceptDataLoss);
    }

    /** This target rolling back even through change sets that have no rollback. */
    public LiquibaseMigrations acceptDataLoss() {
        return new LiquibaseMigrations(name, changelogDir, changelogFile, url, user, password, contexts, true);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.DATABASE;
    }

    @Override
    public Set<String> secrets() {
        return password == null ? Set.of() : Set.of(password);
    }

    /** Work done with an open Liquibase. */
    @FunctionalInterface
    private interface Work<R> {
        R run(liquibase.Liquibase lb, Connection c) throws Exception;
    }

    private <R> R withLiquibase(Work<R> work) throws Exception {
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
                new liquibase.resource.DirectoryResourceAccessor(changelogDir), db)) {
            return work.run(lb, c);
        }
    }

    private static int applied(Connection c) throws Exception {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM databasechangelog")) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }

    @Override
    public Snapshot capture(CaptureContext ctx) throws Exception {
        String tag = "rollback-" + ctx.label().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + Tools.randomHex(4);
        return withLiquibase((lb, c) -> {
            int n = applied(c);
            Map<String, String> data = new TreeMap<>();
            data.put("applied", Integer.toString(n));
            if (n > 0) {
                lb.tag(tag);
                data.put("tag", tag);
            } else {
                data.put("tag", "");
            }
            return Snapshot.of(data);
        });
    }

    /** The rollback SQL Liquibase would run, or the reason it cannot roll back. */
    private String rollbackSql(liquibase.Liquibase lb, String tag) throws Exception {
        StringWriter out = new StringWriter();
        lb.rollback(tag, new liquibase.Contexts(contexts), new liquibase.LabelExpression(), out);
        return out.toString();
    }

    private String impossible(liquibase.Liquibase lb, Snapshot s, Connection c) throws Exception {
        String tag = s.require("tag");
        if (tag.isEmpty() || !lb.tagExists(tag)) {
            return null;
        }
        try {
            rollbackSql(lb, tag);
            return null;
        } catch (liquibase.exception.LiquibaseException e) {
            Throwable t = e;
            while (t.getCause() != null && !(t instanceof liquibase.exception.RollbackImpossibleException)) {
                t = t.getCause();
            }
            return t.getMessage() == null ? e.getMessage() : t.getMessage();
        }
    }

    @Override
    public List<Problem> preflight(Snapshot s, RestoreContext ctx) throws Exception {
        List<Problem> problems = new ArrayList<>();
        if (!Files.isRegularFile(changelogDir.resolve(changelogFile))) {
            problems.add(Problem.of(name, "the change log " + changelogDir.resolve(changelogFile), "no such file",
                    "restore the code with the change log first, or fix the path"));
            return problems;
        }
        String why = withLiquibase((lb, c) -> impossible(lb, s, c));
        if (why != null && !acceptDataLoss) {
            problems.add(Problem.of(name, "change sets that Liquibase can roll back to tag " + s.require("tag"), why,
                    "add a <rollback> to the change set, or accept it with acceptDataLoss() and reverse it by hand"));
        }
        return problems;
    }

    @Override
    public List<String> plan(Snapshot s, RestoreContext ctx) throws Exception {
        String tag = s.require("tag");
        int want = Integer.parseInt(s.require("applied"));
        return withLiquibase((lb, c) -> {
            int now = applied(c);
            List<String> lines = new ArrayList<>();
            if (now == want && (tag.isEmpty() || lb.tagExists(tag))) {
                lines.add("already at " + (tag.isEmpty() ? "no change set" : "tag " + tag) + "; nothing to do");
            } else if (now < want) {
                lines.add("apply " + (want - now) + " change set(s) of " + changelogFile + " again");
            } else {
                lines.add("roll back " + (now - want) + " change set(s) to " + (tag.isEmpty() ? "an empty schema" : "tag " + tag));
                String why = impossible(lb, s, c);
                if (why != null) {
                    lines.add("point of no return: " + why + (acceptDataLoss ? " (accepted)"
                            : "; refused without acceptDataLoss()"));
                }
            }
            return lines;
        });
    }

    @Override
    public void restore(Snapshot s, RestoreContext ctx) throws Exception {
        String tag = s.require("tag");
        int want = Integer.parseInt(s.require("applied"));
        withLiquibase((lb, c) -> {
            int now = applied(c);
            if (now < want) {
                lb.update(want - now, contexts);
            } else if (now > want) {
                if (tag.isEmpty()) {
                    lb.rollback(now, contexts);
                } else {
                    lb.rollback(tag, contexts);
                }
            }
            return null;
        });
    }

    @Override
    public CheckResult verify(Snapshot s, RestoreContext ctx) throws Exception {
        int want = Integer.parseInt(s.require("applied"));
        int now = withLiquibase((lb, c) -> applied(c));
        return now == want ? CheckResult.passed("change sets of " + name, want + " change set(s) applied, as at capture")
                : CheckResult.failed("change sets of " + name, now + " change set(s) applied, expected " + want);
    }

    @Override
    public String toString() {
        return "LiquibaseMigrations[" + name + ": " + changelogFile + "]";
    }
}
