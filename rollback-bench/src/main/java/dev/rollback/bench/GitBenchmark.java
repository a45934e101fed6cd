package dev.rollback.bench;

import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.StepRecord;
import dev.rollback.git.GitCode;
import dev.rollback.host.Command;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.Status;

/**
 * A code rollback of a large work tree: 10,000 files, of which a deploy changed 1,000, reset back
 * to the commit before the deploy. Measured in the same run:
 *
 * <ul>
 *   <li>{@code native}: {@code git reset --hard <commit>} run by hand (the by-hand command);
 *   <li>{@code native status+reset}: what a careful person does, {@code git status} then the reset;
 *   <li>{@code JGit reset} and {@code JGit status}: JGit's own commands, called directly, to see
 *       where JGit's time goes;
 *   <li>{@code restore step, jgit|cli}: the RESTORE step of a real rollback with {@link GitCode},
 *       as its report times it, with each driver;
 *   <li>{@code whole rollback, jgit|cli}: the whole {@code plan.rollback(point)}: preflight, the
 *       set-aside (status, a branch at the failed commit, a restore point written durably), the
 *       restore and the verification.
 * </ul>
 *
 * <p>Then the scaling table: the same rollback with the git program at 1,000, 10,000 and 100,000 files, ours and by
 * hand, and each size's ratio.
 *
 * <pre>rollback-bench/run.sh GitBenchmark [rounds] [files] [changed] [sizes|none]</pre>
 */
public final class GitBenchmark {

    private GitBenchmark() {}

    /**
     * Runs the benchmark: rounds (default 10), files (default 10,000), changed files (default 1,000), and the sizes
     * of the scaling table (default {@code 1000,10000,100000} files, a tenth of them changed; {@code none} for
     * no table).
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int files = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int changed = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        List<Integer> sizes = args.length > 3 ? sizes(args[3]) : List.of(1_000, 10_000, 100_000);
        int warmup = 3;
        Host host = Hosts.local();
        Path work = Files.createTempDirectory("rollback-git-bench-");
        Path dir = work.resolve("tree");
        System.out.printf("work tree of %,d files, a deploy that changes %,d of them; %d rounds after %d warm-up%n",
                files, changed, rounds, warmup);

        long t0 = System.nanoTime();
        String[] goodBad = makeRepository(host, dir, files, changed);
        String good = goodBad[0];
        String bad = goodBad[1];
        System.out.printf("repository made in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        Map<String, double[]> ms = new LinkedHashMap<>();
        for (String k : List.of("native reset --hard", "native status+reset", "JGit reset (API)", "JGit status (API)",
                "restore step, cli", "restore step, jgit", "whole rollback, cli", "whole rollback, jgit")) {
            ms.put(k, new double[rounds]);
        }
        // the plans capture at the good commit once; each round goes to the bad commit and back
        git(host, dir, "reset", "--hard", "--quiet", good);
        RollbackPlan cliPlan = Rollback.plan("bench-cli").store(work.resolve("store-cli"))
                .target(GitCode.of(dir).using(GitCode.Driver.CLI)).build();
        RollbackPlan jgitPlan = Rollback.plan("bench-jgit").store(work.resolve("store-jgit"))
                .target(GitCode.of(dir).using(GitCode.Driver.JGIT)).build();
        RestorePoint cliPoint = cliPlan.capture("release");
        RestorePoint jgitPoint = jgitPlan.capture("release");

        for (int r = -warmup; r < rounds; r++) {
            double[] round = new double[ms.size()];
            int k = 0;

            git(host, dir, "reset", "--hard", "--quiet", bad);
            long a = System.nanoTime();
            git(host, dir, "reset", "--hard", "--quiet", good);
            round[k++] = (System.nanoTime() - a) / 1e6;

            git(host, dir, "reset", "--hard", "--quiet", bad);
            a = System.nanoTime();
            git(host, dir, "status", "--porcelain");
            git(host, dir, "reset", "--hard", "--quiet", good);
            round[k++] = (System.nanoTime() - a) / 1e6;

            git(host, dir, "reset", "--hard", "--quiet", bad);
            try (Git jgit = Git.open(dir.toFile())) {
                a = System.nanoTime();
                jgit.reset().setMode(ResetCommand.ResetType.HARD).setRef(good).call();
                round[k++] = (System.nanoTime() - a) / 1e6;
                a = System.nanoTime();
                Status s = jgit.status().call();
                round[k++] = (System.nanoTime() - a) / 1e6;
                if (!s.isClean()) {
                    throw new IllegalStateException("JGit sees a dirty tree after its reset: " + s.getUncommittedChanges());
                }
            }

            RollbackReport cli = rollback(host, dir, bad, cliPlan, cliPoint);
            RollbackReport jgit = rollback(host, dir, bad, jgitPlan, jgitPoint);
            round[k++] = step(cli, "restore code");
            round[k++] = step(jgit, "restore code");
            round[k++] = cli.timeToRecover().toNanos() / 1e6;
            round[k++] = jgit.timeToRecover().toNanos() / 1e6;

            if (r >= 0) {
                int i = 0;
                for (double[] v : ms.values()) {
                    v[r] = round[i++];
                }
            }
        }

        for (RollbackPlan plan : List.of(cliPlan, jgitPlan)) {
            RestorePoint point = plan == cliPlan ? cliPoint : jgitPoint;
            git(host, dir, "reset", "--hard", "--quiet", bad);
            Durables.Counted<RollbackReport> counted = Durables.count(() -> plan.rollback(point));
            if (!counted.result().isSuccessful()) {
                throw new IllegalStateException("benchmark rollback failed: " + counted.result());
            }
            plan.store().delete(counted.result().setAsidePointId());
            System.out.printf("%s whole rollback: %s%n", plan == cliPlan ? "cli " : "jgit", counted.describe());
        }
        System.out.println("by hand: git status + git reset --hard: 0+0/2 (no sync of its own, 2 processes)");

        double nativeMedian = median(ms.get("native reset --hard"));
        System.out.printf("%-26s %10s %10s %10s %18s%n", "", "median ms", "min ms", "max ms", "vs native reset");
        for (Map.Entry<String, double[]> e : ms.entrySet()) {
            double[] v = e.getValue();
            System.out.printf("%-26s %10.1f %10.1f %10.1f %17.2fx%n", e.getKey(), median(v),
                    Arrays.stream(v).min().orElse(0), Arrays.stream(v).max().orElse(0), median(v) / nativeMedian);
        }
        Goals.ratio("GitBenchmark", "git whole rollback, jgit", median(ms.get("whole rollback, jgit")),
                "git reset --hard", nativeMedian, 1.3);
        Goals.ratio("GitBenchmark", "git restore step, jgit", median(ms.get("restore step, jgit")),
                "git reset --hard", nativeMedian, 1.0);
        Goals.ratio("GitBenchmark", "git whole rollback, cli", median(ms.get("whole rollback, cli")),
                "git status + git reset --hard", median(ms.get("native status+reset")), 1.3);
        Goals.ratio("GitBenchmark", "git restore step, cli", median(ms.get("restore step, cli")),
                "git reset --hard", nativeMedian, 1.0);
        host.delete(work);
        if (!sizes.isEmpty()) {
            scaling(host, sizes, Math.max(3, rounds / 3));
        }
    }

    private static List<Integer> sizes(String arg) {
        return arg.equals("none") ? List.of() : Arrays.stream(arg.split(",")).map(String::strip).map(Integer::parseInt)
                .toList();
    }

    /**
     * The scaling table: the same rollback (a tenth of the files changed by the deploy, the tree reset to the
     * commit before it) at each size, with the git program (the driver this machine uses): by hand {@code git
     * reset --hard} and {@code git status} + the reset, ours the RESTORE step and the whole {@code plan.rollback}.
     */
    private static void scaling(Host host, List<Integer> sizes, int rounds) throws Exception {
        System.out.printf("%nscaling, git program (medians of %d rounds after 1 warm-up; a tenth of the files changed; "
                + "load %s)%n", rounds, load());
        System.out.printf("%9s %12s %14s %12s %12s %10s %12s %10s%n", "files", "reset ms", "status+reset", "restore ms",
                "whole ms", "restore/", "whole/", "processes");
        System.out.printf("%9s %12s %14s %12s %12s %10s %12s %10s%n", "", "by hand", "by hand", "ours", "ours",
                "reset", "status+reset", "whole");
        for (int files : sizes) {
            Path work = Files.createTempDirectory("rollback-git-scale-");
            try {
                Path dir = work.resolve("tree");
                String[] goodBad = makeRepository(host, dir, files, Math.max(1, files / 10));
                String good = goodBad[0];
                String bad = goodBad[1];
                git(host, dir, "reset", "--hard", "--quiet", good);
                RollbackPlan plan = Rollback.plan("scale-" + files).store(work.resolve("store"))
                        .target(GitCode.of(dir).using(GitCode.Driver.CLI)).build();
                RestorePoint point = plan.capture("release");
                double[] reset = new double[rounds];
                double[] statusReset = new double[rounds];
                double[] restore = new double[rounds];
                double[] whole = new double[rounds];
                for (int r = -1; r < rounds; r++) {
                    git(host, dir, "reset", "--hard", "--quiet", bad);
                    long a = System.nanoTime();
                    git(host, dir, "reset", "--hard", "--quiet", good);
                    double t1 = (System.nanoTime() - a) / 1e6;
                    git(host, dir, "reset", "--hard", "--quiet", bad);
                    a = System.nanoTime();
                    git(host, dir, "status", "--porcelain");
                    git(host, dir, "reset", "--hard", "--quiet", good);
                    double t2 = (System.nanoTime() - a) / 1e6;
                    RollbackReport report = rollback(host, dir, bad, plan, point);
                    if (r >= 0) {
                        reset[r] = t1;
                        statusReset[r] = t2;
                        restore[r] = step(report, "restore code");
                        whole[r] = report.timeToRecover().toNanos() / 1e6;
                    }
                }
                git(host, dir, "reset", "--hard", "--quiet", bad);
                Durables.Counted<RollbackReport> counted = Durables.count(() -> plan.rollback(point));
                plan.store().delete(counted.result().setAsidePointId());
                System.out.printf("%,9d %12.1f %14.1f %12.1f %12.1f %9.2fx %11.2fx %10d%n", files, median(reset),
                        median(statusReset), median(restore), median(whole), median(restore) / median(reset),
                        median(whole) / median(statusReset), counted.total().processes());
            } finally {
                host.delete(work);
            }
        }
        System.out.printf("(load at the end %s)%n", load());
    }

    private static String load() throws java.io.IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    /**
     * A repository of {@code files} files in {@code dir}: the release commit, then a deploy commit changing
     * {@code changed} of them; returns the two commits' ids.
     */
    private static String[] makeRepository(Host host, Path dir, int files, int changed) throws Exception {
        Files.createDirectories(dir);
        git(host, dir, "init", "--quiet", "--initial-branch=main");
        for (int i = 0; i < files; i++) {
            Path f = dir.resolve(String.format("src/d%04d/file %06d.txt", i / 100, i));
            Files.createDirectories(f.getParent());
            Files.writeString(f, ("line of file " + i + "\n").repeat(8));
        }
        git(host, dir, "add", "-A");
        commit(host, dir, "release");
        String good = git(host, dir, "rev-parse", "HEAD").strip();
        for (int i = 0; i < changed; i++) {
            int n = i * (files / changed);
            Path f = dir.resolve(String.format("src/d%04d/file %06d.txt", n / 100, n));
            Files.writeString(f, "changed by the deploy\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        }
        git(host, dir, "add", "-A");
        commit(host, dir, "deploy");
        String bad = git(host, dir, "rev-parse", "HEAD").strip();
        return new String[] {good, bad};
    }

    /** Moves the tree to the bad commit (not measured), then rolls back with the plan. */
    private static RollbackReport rollback(Host host, Path dir, String bad, RollbackPlan plan, RestorePoint point) {
        git(host, dir, "reset", "--hard", "--quiet", bad);
        RollbackReport report = plan.rollback(point);
        if (!report.isSuccessful()) {
            throw new IllegalStateException("benchmark rollback failed: " + report);
        }
        plan.store().delete(report.setAsidePointId());
        return report;
    }

    private static double step(RollbackReport report, String name) {
        return report.steps().stream().filter(s -> s.name().equals(name)).findFirst().map(StepRecord::duration)
                .orElseThrow().toNanos() / 1e6;
    }

    private static String git(Host host, Path dir, String... args) {
        List<String> argv = new ArrayList<>(List.of("git"));
        argv.addAll(Arrays.asList(args));
        return host.run(Command.of(argv).in(dir)).requireSuccess().stdout();
    }

    private static void commit(Host host, Path dir, String message) {
        git(host, dir, "-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "commit.gpgSign=false",
                "commit", "--quiet", "--no-verify", "-m", message);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
