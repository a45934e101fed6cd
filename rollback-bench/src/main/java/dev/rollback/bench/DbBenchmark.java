package dev.rollback.bench;

import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.db.PostgresDatabase;
import dev.rollback.db.SqliteDatabase;
import dev.rollback.host.Command;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The database targets against the commands a person would type, measured side by side in the same
 * run on the same data:
 *
 * <ul>
 *   <li>PostgreSQL (a real 15.x server started here): capture (compression level 1, the
 *       target's default) vs {@code pg_dump -Fc} (level 6) and vs {@code pg_dump -Fc -Z1}; the restore
 *       step vs dropping the schema and {@code pg_restore -j2}; the instant strategy's capture vs
 *       {@code CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY} and its restore step vs two
 *       {@code ALTER DATABASE … RENAME}.
 *   <li>SQLite in WAL mode: capture vs {@code sqlite3 db .backup}; the restore step vs {@code cp}
 *       + {@code sync} + {@code mv} into a new file after a backup of the current state, as a runbook
 *       does (by hand and ours alternate round by round); the consuming restore step
 *       ({@code consumingRestore()}) vs {@code mv}.
 * </ul>
 *
 * <p>Then the scaling tables, ours and by hand at three sizes with each size's ratio: PostgreSQL at 10,000, 100,000
 * and 1,000,000 rows (the restore step against pg_restore, the instant restore against the renames), SQLite at 50,
 * 250 and 1,000 MB (the consuming restore against {@code mv}, the copying restore against {@code cp} + {@code sync}
 * + {@code mv}); 5,000 MB of SQLite does not fit in the 10 minutes of a run on 2 cores, so the top size is 1,000 MB.
 *
 * <pre>rollback-bench/run.sh DbBenchmark [rounds=3] [postgres rows=1000000] [sqlite MB=500] [all|postgres|sqlite]
 *     [postgres scaling rows=10000,100000,1000000|none] [sqlite scaling MB=50,250,1000|none]</pre>
 */
public final class DbBenchmark {

    private static final Host HOST = Hosts.local();

    private DbBenchmark() {}

    /** Runs the benchmark: rounds, PostgreSQL rows, SQLite size in MB. */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int megabytes = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        String only = args.length > 3 ? args[3] : "all";
        List<Integer> pgSizes = sizes(args, 4, List.of(10_000, 100_000, 1_000_000));
        List<Integer> sqliteSizes = sizes(args, 5, List.of(50, 250, 1_000));
        Path work = Files.createTempDirectory("rollback-db-bench-");
        try {
            if (!only.equals("sqlite")) {
                postgres(work, rounds, rows);
                if (!pgSizes.isEmpty()) {
                    postgresScaling(work, pgSizes);
                }
            }
            if (!only.equals("postgres")) {
                sqlite(work, rounds, megabytes);
                if (!sqliteSizes.isEmpty()) {
                    sqliteScaling(work, sqliteSizes);
                }
            }
        } finally {
            HOST.delete(work);
        }
    }

    private static List<Integer> sizes(String[] args, int i, List<Integer> defaults) {
        if (args.length <= i) {
            return defaults;
        }
        return args[i].equals("none") ? List.of() : Arrays.stream(args[i].split(",")).map(String::strip)
                .map(Integer::parseInt).toList();
    }

    private static String load() throws java.io.IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    /**
     * The PostgreSQL scaling table: at each size, one database of that many rows; by hand drop schema + {@code
     * pg_restore -j2} of a {@code pg_dump -Fc} and three renames, ours the restore step of a rollback and of an
     * instant rollback. Two rounds below a million rows, one at a million.
     */
    private static void postgresScaling(Path work, List<Integer> sizes) throws Exception {
        System.out.printf("%nPostgreSQL scaling (medians; load %s)%n", load());
        System.out.printf("%10s %8s | %14s %12s %7s | %14s %14s %7s%n", "rows", "MB", "pg_restore ms", "restore ms",
                "ratio", "3 renames ms", "instant ms", "ratio");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1").start()) {
            int port = pg.getPort();
            String url = "jdbc:postgresql://127.0.0.1:" + port + "/";
            List<String> env = List.of("PGHOST", "127.0.0.1", "PGPORT", Integer.toString(port), "PGUSER", "postgres");
            for (int rows : sizes) {
                int rounds = rows >= 1_000_000 ? 1 : 2;
                String name = "scale" + rows;
                sql(url + "postgres", "CREATE DATABASE " + name);
                sql(url + name, "CREATE TABLE item (id bigserial PRIMARY KEY, name text NOT NULL, price numeric(10,2), "
                        + "note text, created timestamptz DEFAULT now())",
                        "INSERT INTO item (name, price, note) SELECT 'item ' || g, g % 1000, repeat(md5(g::text), 3) "
                                + "FROM generate_series(1, " + rows + ") g",
                        "CREATE INDEX item_name ON item (name)", "VACUUM ANALYZE item");
                long size = scalar(url + name, "SELECT pg_database_size('" + name + "')");
                Path dump = work.resolve(name + ".dump");
                run(env, "pg_dump", "-Fc", "-f", dump.toString(), "-d", name);
                double[] byHandRestore = measure(rounds, () -> {
                    sqlUnchecked(url + name, "DROP SCHEMA public CASCADE",
                            "CREATE SCHEMA public AUTHORIZATION pg_database_owner", "GRANT USAGE ON SCHEMA public TO PUBLIC");
                    return run(env, "pg_restore", "--exit-on-error", "-j", "2", "-d", name, dump.toString());
                });
                Files.delete(dump);
                sql(url + "postgres", "CREATE DATABASE " + name + "_copy TEMPLATE " + name + " STRATEGY FILE_COPY");
                double[] byHandSwap = measure(Math.max(3, rounds), () -> {
                    sqlUnchecked(url + "postgres", "ALTER DATABASE " + name + " RENAME TO " + name + "_swap",
                            "ALTER DATABASE " + name + "_copy RENAME TO " + name,
                            "ALTER DATABASE " + name + "_swap RENAME TO " + name + "_copy");
                    return 0;
                });
                sql(url + "postgres", "DROP DATABASE " + name + "_copy");
                PostgresDatabase target = PostgresDatabase.of("127.0.0.1", port, name).user("postgres").named("db")
                        .acceptDataLoss();
                RollbackPlan plan = Rollback.plan("scale-pg-" + rows).store(work.resolve("store-scale-pg-" + rows))
                        .target(target).build();
                double[] restore = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    RestorePoint point = plan.capture("round " + r);
                    RollbackReport report = requireSuccess(plan.rollback(point));
                    restore[r] = step(report, "restore db");
                    plan.store().delete(point.id());
                    plan.store().delete(report.setAsidePointId());
                }
                RollbackPlan instant = Rollback.plan("scale-instant-" + rows)
                        .store(work.resolve("store-scale-instant-" + rows)).target(target.instant()).build();
                double[] iRestore = new double[Math.max(3, rounds)];
                for (int r = 0; r < iRestore.length; r++) {
                    RestorePoint point = instant.capture("round " + r);
                    RollbackReport report = requireSuccess(instant.rollback(point));
                    iRestore[r] = step(report, "restore db");
                    List<dev.rollback.spi.Problem> left = new java.util.ArrayList<>(instant.delete(point));
                    left.addAll(instant.delete(instant.store().get(report.setAsidePointId())));
                    if (!left.isEmpty()) {
                        throw new IllegalStateException("benchmark: clones left behind: " + left);
                    }
                }
                System.out.printf("%,10d %8d | %14.0f %12.0f %6.2fx | %14.1f %14.1f %6.2fx%n", rows, size >> 20,
                        median(byHandRestore), median(restore), median(restore) / median(byHandRestore),
                        median(byHandSwap), median(iRestore), median(iRestore) / median(byHandSwap));
                Goals.time("DbBenchmark", String.format(java.util.Locale.ROOT, "pg instant restore step, %,d rows", rows),
                        median(iRestore), "3 x ALTER DATABASE RENAME", median(byHandSwap), 100);
                sql(url + "postgres", "DROP DATABASE " + name);
            }
        }
        System.out.printf("(load at the end %s)%n", load());
    }

    /**
     * The SQLite scaling table: at each size, a WAL database of that many MB; by hand {@code mv} and {@code cp} +
     * {@code sync} + {@code mv}, ours the consuming restore step and the copying restore step. Three rounds of the
     * consuming restore, one of the copying restore above 500 MB, two below.
     */
    private static void sqliteScaling(Path work, List<Integer> sizes) throws Exception {
        System.out.printf("%nSQLite scaling (medians; load %s)%n", load());
        System.out.printf("%8s | %10s %14s %7s | %16s %12s %7s%n", "MB", "mv ms", "consuming ms", "ratio",
                "cp+sync+mv ms", "restore ms", "ratio");
        for (int megabytes : sizes) {
            Path folder = Files.createDirectories(work.resolve("sqlite-scale-" + megabytes));
            try {
                Path db = folder.resolve("app.db");
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
                    st.execute("PRAGMA journal_mode=WAL");
                    st.execute("CREATE TABLE blob (id INTEGER PRIMARY KEY, data BLOB)");
                    c.setAutoCommit(false);
                    for (int i = 0; i < megabytes * 16; i++) {
                        st.execute("INSERT INTO blob (data) VALUES (randomblob(65536))");
                    }
                    c.commit();
                }
                int copyRounds = megabytes > 500 ? 1 : 2;
                Path copy = folder.resolve("by-hand.db");
                run(List.of(), "sqlite3", db.toString(), ".backup '" + copy + "'");
                Path moved = folder.resolve("moved.db");
                Path target = folder.resolve("restored.db");
                double[] byHandMove = new double[3];
                for (int r = 0; r < byHandMove.length; r++) {
                    run(List.of(), "cp", copy.toString(), moved.toString());
                    run(List.of(), "sync", moved.toString());
                    long t0 = System.nanoTime();
                    run(List.of(), "mv", moved.toString(), target.toString());
                    byHandMove[r] = ms(System.nanoTime() - t0);
                }
                Path tmp = folder.resolve("restored.db.tmp");
                double[] byHandCopy = measure(copyRounds, () -> {
                    run(List.of(), "cp", copy.toString(), tmp.toString());
                    run(List.of(), "sync", tmp.toString());
                    return run(List.of(), "mv", tmp.toString(), target.toString());
                });
                Files.delete(copy);
                Files.delete(target);
                RollbackPlan consuming = Rollback.plan("scale-sqlite-consuming").store(folder.resolve("store"))
                        .target(SqliteDatabase.of(db).named("db").acceptDataLoss().consumingRestore()).build();
                double[] consume = new double[3];
                for (int r = 0; r < consume.length; r++) {
                    RestorePoint point = consuming.capture("round " + r);
                    RollbackReport report = requireSuccess(consuming.rollback(point));
                    consume[r] = step(report, "restore db");
                    consuming.store().delete(point.id());
                    consuming.store().delete(report.setAsidePointId());
                }
                RollbackPlan copying = Rollback.plan("scale-sqlite").store(folder.resolve("store"))
                        .target(SqliteDatabase.of(db).named("db").acceptDataLoss()).build();
                double[] restore = new double[copyRounds];
                for (int r = 0; r < copyRounds; r++) {
                    RestorePoint point = copying.capture("round " + r);
                    RollbackReport report = requireSuccess(copying.rollback(point));
                    restore[r] = step(report, "restore db");
                    copying.delete(point);
                    copying.delete(copying.store().get(report.setAsidePointId()));
                }
                System.out.printf("%8d | %10.1f %14.1f %6.2fx | %16.0f %12.0f %6.2fx%n", megabytes, median(byHandMove),
                        median(consume), median(consume) / median(byHandMove), median(byHandCopy), median(restore),
                        median(restore) / median(byHandCopy));
                Goals.time("DbBenchmark", "sqlite consuming restore step, " + megabytes + " MB", median(consume), "mv",
                        median(byHandMove), 10);
            } finally {
                HOST.delete(folder);
            }
        }
        System.out.printf("(load at the end %s)%n", load());
    }

    // ---- PostgreSQL -----------------------------------------------------------------------------------

    private static void postgres(Path work, int rounds, int rows) throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1").start()) {
            int port = pg.getPort();
            String url = "jdbc:postgresql://127.0.0.1:" + port + "/";
            sql(url + "postgres", "CREATE DATABASE bench");
            sql(url + "bench", "CREATE TABLE item (id bigserial PRIMARY KEY, name text NOT NULL, price numeric(10,2), "
                    + "note text, created timestamptz DEFAULT now())",
                    "INSERT INTO item (name, price, note) SELECT 'item ' || g, g % 1000, repeat(md5(g::text), 3) "
                            + "FROM generate_series(1, " + rows + ") g",
                    "CREATE INDEX item_name ON item (name)", "VACUUM ANALYZE item");
            long size = scalar(url + "bench", "SELECT pg_database_size('bench')");
            System.out.printf("PostgreSQL 15, %d rows, %d MB, %d rounds (medians)%n", rows, size >> 20, rounds);
            Path dump = work.resolve("by-hand.dump");
            List<String> env = List.of("PGHOST", "127.0.0.1", "PGPORT", Integer.toString(port), "PGUSER", "postgres");

            double[] byHandDump = measure(rounds, () -> run(env, "pg_dump", "-Fc", "-f", dump.toString(), "-d", "bench"));
            double[] byHandDumpZ1 = measure(rounds, () -> run(env, "pg_dump", "-Fc", "-Z1", "-f", dump.toString(), "-d",
                    "bench"));
            double[] byHandDumpSum = measure(rounds, () -> {
                run(env, "pg_dump", "-Fc", "-f", dump.toString(), "-d", "bench");
                return run(List.of(), "sha256sum", dump.toString());
            });
            double[] byHandRestore = measure(rounds, () -> {
                sqlUnchecked(url + "bench", "DROP SCHEMA public CASCADE", "CREATE SCHEMA public AUTHORIZATION pg_database_owner",
                        "GRANT USAGE ON SCHEMA public TO PUBLIC");
                return run(env, "pg_restore", "--exit-on-error", "-j", "2", "-d", "bench", dump.toString());
            });
            PostgresDatabase target = PostgresDatabase.of("127.0.0.1", port, "bench").user("postgres").named("db")
                    .acceptDataLoss();
            RollbackPlan plan = Rollback.plan("bench-pg").store(work.resolve("store-pg")).target(target).build();
            double[] capture = new double[rounds];
            double[] restore = new double[rounds];
            double[] rollback = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                RestorePoint point = plan.capture("round " + r);
                capture[r] = ms(System.nanoTime() - t0);
                RollbackReport report = requireSuccess(plan.rollback(point));
                restore[r] = step(report, "restore db");
                rollback[r] = ms(report.timeToRecover().toNanos());
                plan.store().delete(point.id());
                plan.store().delete(report.setAsidePointId());
            }
            line("pg capture (pg_dump -Fc -Z1 in one snapshot + counts)", capture, "pg_dump -Fc", byHandDump, 1.05);
            line("  the same (the store checksums every artifact)", capture, "pg_dump -Fc + sha256sum", byHandDumpSum, 1.05);
            line("  the same against the same compression", capture, "pg_dump -Fc -Z1", byHandDumpZ1, Double.NaN);
            line("pg restore step (drop schemas + pg_restore -j2)", restore, "drop schema + pg_restore -j2", byHandRestore, 1.05);
            System.out.printf("  whole rollback (preflight, dump aside, restore, verify): median %.0f ms%n", median(rollback));

            double[] byHandClone = measure(rounds, () -> {
                sqlUnchecked(url + "postgres", "DROP DATABASE IF EXISTS bench_copy",
                        "CREATE DATABASE bench_copy TEMPLATE bench STRATEGY FILE_COPY");
                return 0;
            });
            double[] byHandSwap = measure(rounds, () -> {
                sqlUnchecked(url + "postgres", "ALTER DATABASE bench RENAME TO bench_swap",
                        "ALTER DATABASE bench_copy RENAME TO bench", "ALTER DATABASE bench_swap RENAME TO bench_copy");
                return 0;
            });
            sql(url + "postgres", "DROP DATABASE bench_copy");
            RollbackPlan instant = Rollback.plan("bench-instant").store(work.resolve("store-instant"))
                    .target(target.instant()).build();
            double[] iCapture = new double[rounds];
            double[] iRestore = new double[rounds];
            double[] iAside = new double[rounds];
            double[] iRollback = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                RestorePoint point = instant.capture("round " + r);
                iCapture[r] = ms(System.nanoTime() - t0);
                RollbackReport report = requireSuccess(instant.rollback(point));
                iRestore[r] = step(report, "restore db");
                iAside[r] = step(report, "set aside db");
                iRollback[r] = ms(report.timeToRecover().toNanos());
                // deleting the points drops their clones (the consumed one is already gone)
                List<dev.rollback.spi.Problem> left = new java.util.ArrayList<>(instant.delete(point));
                left.addAll(instant.delete(instant.store().get(report.setAsidePointId())));
                if (!left.isEmpty()) {
                    throw new IllegalStateException("benchmark: clones left behind: " + left);
                }
            }
            line("instant capture (clone with TEMPLATE + counts)", iCapture, "CREATE DATABASE TEMPLATE FILE_COPY", byHandClone,
                    Double.NaN);
            line("instant restore step (rename the clone in)", iRestore, "3 x ALTER DATABASE RENAME", byHandSwap, Double.NaN);
            System.out.printf("  instant set-aside step: median %.0f ms; whole instant rollback: median %.0f ms%n",
                    median(iAside), median(iRollback));
            System.out.printf("  goal: instant restore <= 100 ms whatever the size: %s%n", median(iRestore) <= 100 ? "met" : "NOT met");
            Goals.ratio("DbBenchmark", "pg capture", median(capture), "pg_dump -Fc", median(byHandDump), 1.05);
            Goals.ratio("DbBenchmark", "pg restore step", median(restore), "drop schema + pg_restore -j2",
                    median(byHandRestore), 1.05);
            Goals.time("DbBenchmark", String.format(java.util.Locale.ROOT, "pg instant restore step, %,d rows", rows),
                    median(iRestore), "3 x ALTER DATABASE RENAME", median(byHandSwap), 100);
        }
    }

    // ---- SQLite ---------------------------------------------------------------------------------------

    private static void sqlite(Path work, int rounds, int megabytes) throws Exception {
        Path db = work.resolve("app.db");
        String url = "jdbc:sqlite:" + db;
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("CREATE TABLE blob (id INTEGER PRIMARY KEY, data BLOB)");
            c.setAutoCommit(false);
            for (int i = 0; i < megabytes * 16; i++) {
                st.execute("INSERT INTO blob (data) VALUES (randomblob(65536))");
            }
            c.commit();
        }
        System.out.printf("SQLite WAL, %d MB, %d rounds (medians; by hand and ours alternate in each round)%n",
                Files.size(db) >> 20, rounds);
        // Each round does a rollback by hand and one with the library, in alternating order, each into new
        // files, so both meet the same page cache and the same blocks freed just before. By hand, as a
        // runbook does it: back the database up; later set the current state aside with another backup,
        // copy the backup beside the database, force it to disk and rename it over the database.
        Path byHand = work.resolve("by-hand");
        Files.createDirectories(byHand);
        Path liveByHand = byHand.resolve("app.db");
        RollbackPlan plan = Rollback.plan("bench-sqlite").store(work.resolve("store-sqlite"))
                .target(SqliteDatabase.of(db).named("db").acceptDataLoss()).build();
        double[] byHandBackup = new double[rounds];
        double[] byHandSum = new double[rounds];
        double[] byHandCopy = new double[rounds];
        double[] capture = new double[rounds];
        double[] restore = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            for (int turn = 0; turn < 2; turn++) {
                if ((turn + r) % 2 == 0) {
                    Path backup = byHand.resolve("backup.db");
                    Path aside = byHand.resolve("aside.db");
                    Path tmp = byHand.resolve("app.db.tmp");
                    long t0 = System.nanoTime();
                    run(List.of(), "sqlite3", db.toString(), ".backup '" + backup + "'");
                    byHandBackup[r] = ms(System.nanoTime() - t0);
                    run(List.of(), "sha256sum", backup.toString());
                    byHandSum[r] = ms(System.nanoTime() - t0);
                    run(List.of(), "cp", db.toString(), liveByHand.toString()); // the by-hand system's live database
                    run(List.of(), "sync", liveByHand.toString());
                    run(List.of(), "sqlite3", liveByHand.toString(), ".backup '" + aside + "'");
                    long t1 = System.nanoTime();
                    run(List.of(), "cp", backup.toString(), tmp.toString());
                    run(List.of(), "sync", tmp.toString());
                    run(List.of(), "mv", tmp.toString(), liveByHand.toString());
                    byHandCopy[r] = ms(System.nanoTime() - t1);
                    Files.delete(backup);
                    Files.delete(aside);
                    Files.delete(liveByHand);
                } else {
                    long t0 = System.nanoTime();
                    RestorePoint point = plan.capture("round " + r);
                    capture[r] = ms(System.nanoTime() - t0);
                    RollbackReport report = requireSuccess(plan.rollback(point));
                    restore[r] = step(report, "restore db");
                    plan.delete(point);
                    plan.delete(plan.store().get(report.setAsidePointId()));
                }
            }
        }
        line("sqlite capture (consistent copy + checksum)", capture, "sqlite3 .backup", byHandBackup, 1.1);
        line("  the same", capture, "sqlite3 .backup + sha256sum", byHandSum, Double.NaN);
        line("sqlite restore step (copy, sync, rename)", restore, "cp + sync + mv (after a backup)", byHandCopy, 1.1);

        Path copy = work.resolve("by-hand.db");
        run(List.of(), "sqlite3", db.toString(), ".backup '" + copy + "'");
        Path target = work.resolve("restored.db");
        double[] byHandCopyAlone = measure(rounds, () -> {
            run(List.of(), "cp", copy.toString(), target.toString());
            return run(List.of(), "sync", target.toString());
        });
        Path moved = work.resolve("moved.db");
        double[] byHandMove = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            run(List.of(), "cp", copy.toString(), moved.toString());
            run(List.of(), "sync", moved.toString());
            long t0 = System.nanoTime();
            run(List.of(), "mv", moved.toString(), target.toString());
            byHandMove[r] = ms(System.nanoTime() - t0);
        }
        RollbackPlan consuming = Rollback.plan("bench-sqlite-consuming").store(work.resolve("store-sqlite"))
                .target(SqliteDatabase.of(db).named("db").acceptDataLoss().consumingRestore()).build();
        double[] consume = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            RestorePoint point = consuming.capture("round " + r);
            RollbackReport report = requireSuccess(consuming.rollback(point));
            consume[r] = step(report, "restore db");
            consuming.store().delete(point.id());
            consuming.store().delete(report.setAsidePointId());
        }
        line("sqlite consuming restore step (rename the copy in)", consume, "mv", byHandMove, Double.NaN);
        line("  the same against copying", consume, "cp + sync", byHandCopyAlone, Double.NaN);
        System.out.printf("  goal: consuming restore <= 10 ms whatever the size: %s%n", median(consume) <= 10 ? "met" : "NOT met");
        Goals.ratio("DbBenchmark", "sqlite capture", median(capture), "sqlite3 .backup", median(byHandBackup), 1.1);
        Goals.ratio("DbBenchmark", "sqlite restore step", median(restore), "cp + sync + mv", median(byHandCopy), 1.1);
        Goals.time("DbBenchmark", "sqlite consuming restore step, " + megabytes + " MB", median(consume), "mv",
                median(byHandMove), 10);
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static RollbackReport requireSuccess(RollbackReport r) {
        if (!r.isSuccessful()) {
            throw new IllegalStateException("benchmark rollback failed: " + r);
        }
        return r;
    }

    private static double step(RollbackReport report, String name) {
        return report.steps().stream().filter(s -> s.name().equals(name)).map(StepRecord::duration)
                .mapToDouble(d -> ms(d.toNanos())).findFirst().orElseThrow();
    }

    private static void line(String ours, double[] a, String byHand, double[] b, double goal) {
        double ratio = median(a) / median(b);
        System.out.printf("  %-52s %8.0f ms | %-36s %8.0f ms | ratio %.2f%s%n", ours, median(a), byHand, median(b), ratio,
                Double.isNaN(goal) ? "" : String.format(" (goal <= %.2f: %s)", goal, ratio <= goal ? "met" : "NOT met"));
    }

    private static double[] measure(int rounds, Supplier<Integer> body) {
        double[] out = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            body.get();
            out[r] = ms(System.nanoTime() - t0);
        }
        return out;
    }

    private static int run(List<String> env, String... argv) {
        Command c = Command.of(argv).timeout(Duration.ofHours(1));
        for (int i = 0; i < env.size(); i += 2) {
            c = c.env(env.get(i), env.get(i + 1));
        }
        HOST.run(c).requireSuccess();
        return 0;
    }

    private static void sql(String url, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static void sqlUnchecked(String url, String... statements) {
        try {
            sql(url, statements);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long scalar(String url, String query) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement();
                var rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
