package dev.rollback.bench;

import dev.rollback.PhaseTiming;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.host.Hosts;
import dev.rollback.targets.DirectoryBackup;
import dev.rollback.targets.DirectoryReleases;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The directory targets against the commands a person types, measured side by side in one run on
 * a release tree of 20,000 files and 1 GB (generated under {@code /var/tmp}, on the file system of
 * the store, and deleted at the end):
 *
 * <ol>
 *   <li>rollback from a backup copy: {@code rm -rf current && cp -a backup current} against {@code
 *       plan.rollback(point)} with {@code DirectoryBackup} (which also checks the backup's
 *       checksums, keeps the failed tree and verifies the result);
 *   <li>release switch: {@code ln -sfn} + {@code mv -T} against {@code plan.rollback(point)} with
 *       {@code DirectoryReleases};
 *   <li>a repeated capture with 1% of the files changed: {@code cp -a} and {@code rsync -a
 *       --link-dest} against {@code plan.capture(label)}, checking that the capture shares no
 *       inode with the live tree.
 * </ol>
 *
 * <p>Then the scaling table: the release switch and the backup-copy rollback at 1,000, 10,000 and 50,000 files,
 * ours and by hand, and each size's ratio.
 *
 * <pre>rollback-bench/run.sh directory [files] [megabytes] [sizes|none]</pre>
 */
public final class DirectoryBenchmark {

    private static final int SWITCH_ROUNDS = 30;
    private static final int BIG_ROUNDS = 3;

    private DirectoryBenchmark() {}

    /**
     * Runs the benchmark; optional arguments: number of files (20000), total megabytes (1024), and the sizes of the
     * scaling table in files ({@code 1000,10000,50000}, 4 KB each: at 100,000 files the backup copy alone takes
     * the run past 10 minutes on a loaded machine; {@code none} for no table).
     */
    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        long megabytes = args.length > 1 ? Long.parseLong(args[1]) : 1024;
        List<Integer> sizes = args.length < 3 ? List.of(1_000, 10_000, 50_000) : args[2].equals("none") ? List.of()
                : Arrays.stream(args[2].split(",")).map(String::strip).map(Integer::parseInt).toList();
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "rollback-bench-dir-");
        try {
            run(work, files, megabytes << 20);
        } finally {
            exec("rm", "-rf", work.toString());
        }
        if (!sizes.isEmpty()) {
            scaling(sizes);
        }
    }

    /**
     * The scaling table: at each size (files of 4 KB on average), the release switch ({@code ln -sfn} + {@code mv -T}
     * against {@code plan.rollback} with {@code DirectoryReleases}: O(1), it must stay flat) and the rollback from a
     * backup copy ({@code rm -rf} + {@code cp -a} against {@code plan.rollback} with {@code DirectoryBackup}: O(n)),
     * with each size's ratio.
     */
    private static void scaling(List<Integer> sizes) throws Exception {
        int switchRounds = 10;
        int copyRounds = 2;
        System.out.printf(Locale.ROOT, "%nscaling (medians: %d rounds of the switch, %d of the backup copy; 4 KB files; "
                + "load %s)%n", switchRounds, copyRounds, load());
        System.out.printf(Locale.ROOT, "%9s | %10s %10s %7s | %12s %12s %7s%n", "files", "switch ms", "switch ms",
                "ratio", "backup ms", "backup ms", "ratio");
        System.out.printf(Locale.ROOT, "%9s | %10s %10s %7s | %12s %12s %7s%n", "", "ln+mv", "ours", "", "rm+cp -a",
                "ours", "");
        SplittableRandom random = new SplittableRandom(11);
        for (int files : sizes) {
            Path work = Files.createTempDirectory(Path.of("/var/tmp"), "rollback-bench-dir-scale-");
            try {
                Path live = work.resolve("srv/app");
                generate(live, files, files * 4096L);
                Path releases = Files.createDirectories(work.resolve("shop/releases"));
                exec("cp", "-al", live.toString(), releases.resolve("A").toString());
                exec("cp", "-al", live.toString(), releases.resolve("B").toString());
                Path current = Files.createSymbolicLink(work.resolve("shop/current"), Path.of("releases/A"));
                RollbackPlan switcher = Rollback.plan("switch").store(work.resolve("store-switch")).on(Hosts.local())
                        .target(DirectoryReleases.of(current)).build();
                RestorePoint onA = switcher.capture("A");
                double[] hand = new double[switchRounds];
                double[] ours = new double[switchRounds];
                for (int r = -3; r < switchRounds; r++) {
                    pointAt(current, "releases/B");
                    long a = System.nanoTime();
                    exec("ln", "-sfn", "releases/A", work.resolve("shop/current.tmp").toString());
                    exec("mv", "-T", work.resolve("shop/current.tmp").toString(), current.toString());
                    long b = System.nanoTime();
                    pointAt(current, "releases/B");
                    long c = System.nanoTime();
                    RollbackReport report = switcher.rollback(onA);
                    long d = System.nanoTime();
                    require(report.isSuccessful(), report);
                    switcher.store().delete(report.setAsidePointId());
                    if (r >= 0) {
                        hand[r] = (b - a) / 1e6;
                        ours[r] = (d - c) / 1e6;
                    }
                }
                exec("rm", "-rf", work.resolve("shop").toString());

                RollbackPlan capturer = Rollback.plan("app").store(work.resolve("store")).on(Hosts.local())
                        .target(DirectoryBackup.of(live).named("app")).build();
                RestorePoint good = capturer.capture("good");
                Path backup = work.resolve("srv/app-backup");
                exec("cp", "-a", live.toString(), backup.toString());
                double[] copyHand = new double[copyRounds];
                double[] copyOurs = new double[copyRounds];
                for (int r = 0; r < copyRounds; r++) {
                    change(live, Math.max(1, files / 100), random);
                    flush();
                    long a = System.nanoTime();
                    exec("rm", "-rf", live.toString());
                    exec("cp", "-a", backup.toString(), live.toString());
                    long b = System.nanoTime();
                    change(live, Math.max(1, files / 100), random);
                    flush();
                    long c = System.nanoTime();
                    RollbackReport report = capturer.rollback(good);
                    long d = System.nanoTime();
                    require(report.isSuccessful(), report);
                    capturer.store().delete(report.setAsidePointId());
                    try (Stream<Path> aside = Files.list(live.getParent())) {
                        for (Path p : (Iterable<Path>) aside.filter(p -> p.getFileName().toString()
                                .startsWith("app-failed-"))::iterator) {
                            exec("rm", "-rf", p.toString());
                        }
                    }
                    copyHand[r] = (b - a) / 1e6;
                    copyOurs[r] = (d - c) / 1e6;
                }
                System.out.printf(Locale.ROOT, "%,9d | %10.1f %10.1f %6.2fx | %12.1f %12.1f %6.2fx%n", files,
                        median(hand), median(ours), median(ours) / median(hand), median(copyHand), median(copyOurs),
                        median(copyOurs) / median(copyHand));
            } finally {
                exec("rm", "-rf", work.toString());
            }
        }
        System.out.printf(Locale.ROOT, "(load at the end %s)%n", load());
    }

    private static String load() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static void run(Path work, int files, long bytes) throws Exception {
        Path live = work.resolve("srv/app");
        long t0 = System.nanoTime();
        generate(live, files, bytes);
        System.out.printf(Locale.ROOT, "DirectoryBenchmark: %d files, %d MB in %s (generated in %.1f s)%n", files,
                bytes >> 20, live, (System.nanoTime() - t0) / 1e9);
        List<String[]> rows = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(42);

        // ---- 2. release switch (first: it needs no big copies) --------------------------------------
        Path releases = Files.createDirectories(work.resolve("shop/releases"));
        exec("cp", "-al", live.toString(), releases.resolve("A").toString());
        Files.createDirectories(releases.resolve("B"));
        Path current = Files.createSymbolicLink(work.resolve("shop/current"), Path.of("releases/A"));
        RollbackPlan switcher = Rollback.plan("switch").store(work.resolve("store")).on(Hosts.local())
                .target(DirectoryReleases.of(current)).build();
        RestorePoint onA = switcher.capture("A");
        double[] switchHand = new double[SWITCH_ROUNDS];
        double[] switchOurs = new double[SWITCH_ROUNDS];
        double[] switchStep = new double[SWITCH_ROUNDS];
        List<String> switchPhases = new ArrayList<>();
        for (int r = -5; r < SWITCH_ROUNDS; r++) {
            pointAt(current, "releases/B");
            long a = System.nanoTime();
            exec("ln", "-sfn", "releases/A", work.resolve("shop/current.tmp").toString());
            exec("mv", "-T", work.resolve("shop/current.tmp").toString(), current.toString());
            long b = System.nanoTime();
            pointAt(current, "releases/B");
            long c = System.nanoTime();
            RollbackReport report = switcher.rollback(onA);
            long d = System.nanoTime();
            require(report.isSuccessful() && Files.readSymbolicLink(current).equals(Path.of("releases/A")), report);
            switcher.store().delete(report.setAsidePointId());
            pointAt(current, "releases/B");
            long e = System.nanoTime();
            Hosts.local().replaceSymlink(current, Path.of("releases/A")); // the restore step alone
            long f = System.nanoTime();
            if (r >= 0) {
                switchHand[r] = (b - a) / 1e6;
                switchOurs[r] = (d - c) / 1e6;
                switchStep[r] = (f - e) / 1e6;
                if (r < 3) {
                    switchPhases.add(phases(report));
                }
            }
        }
        rows.add(row("release switch", "ln -sfn + mv -T", median(switchHand), "plan.rollback (releases)",
                median(switchOurs), "<= 10 ms"));
        rows.add(row("release switch", "ln -sfn + mv -T", median(switchHand), "its restore step alone",
                median(switchStep), "(Host.replaceSymlink, with dir fsync)"));
        System.out.println("  release-switch rollback phases (first rounds): " + switchPhases);
        pointAt(current, "releases/B");
        Durables.Counted<RollbackReport> switchCounts = Durables.count(() -> switcher.rollback(onA));
        require(switchCounts.result().isSuccessful(), switchCounts.result());
        switcher.store().delete(switchCounts.result().setAsidePointId());
        System.out.println("  release-switch rollback durable writes: " + switchCounts.describe());
        System.out.println("  release-switch rollback phases of that run: " + phases(switchCounts.result()));
        System.out.println("  of them forced to disk: " + switchCounts.syncTimes());
        profileSwitch(switcher, onA, current);
        double[] switchWarm = warmSwitch(switcher, onA, current);
        rows.add(row("release switch", "ln -sfn + mv -T", median(switchHand), "plan.rollback, warm JVM",
                median(switchWarm), "<= 10 ms"));
        exec("rm", "-rf", work.resolve("shop").toString());

        // ---- 3. repeated capture with 1% changed -----------------------------------------------------
        boolean rsync = Hosts.local().hasProgram("rsync");
        RollbackPlan capturer = Rollback.plan("app").store(work.resolve("store")).on(Hosts.local())
                .target(DirectoryBackup.of(live).named("app")).build();
        t0 = System.nanoTime();
        RestorePoint good = capturer.capture("good");
        double firstCapture = (System.nanoTime() - t0) / 1e6;
        Path previousCopy = work.resolve("copies/prev");
        Files.createDirectories(previousCopy.getParent());
        exec("cp", "-a", live.toString(), previousCopy.toString());
        double[] cp = new double[BIG_ROUNDS];
        double[] rs = new double[BIG_ROUNDS];
        double[] ours = new double[BIG_ROUNDS];
        RestorePoint last = good;
        for (int r = 0; r < BIG_ROUNDS; r++) {
            int changed = change(live, files / 100, random);
            Path cpCopy = work.resolve("copies/cp-" + r);
            Path rsCopy = work.resolve("copies/rs-" + r);
            flush();
            long a = System.nanoTime();
            exec("cp", "-a", live.toString(), cpCopy.toString());
            long b = System.nanoTime();
            if (rsync) {
                exec("rsync", "-a", "--link-dest=" + previousCopy, live + "/", rsCopy + "/");
            }
            long c = System.nanoTime();
            RestorePoint point = capturer.capture("round-" + r);
            long d = System.nanoTime();
            cp[r] = (b - a) / 1e6;
            rs[r] = (c - b) / 1e6;
            ours[r] = (d - c) / 1e6;
            Path tree = capturer.store().artifactDir(point, "app").resolve("tree");
            long shared = sharedInodes(live, tree);
            long linked = sharedInodes(capturer.store().artifactDir(last, "app").resolve("tree"), tree);
            System.out.printf(Locale.ROOT, "  capture round %d: %d files changed; capture shares %d inodes with the live "
                    + "tree (must be 0) and %d with the previous capture%n", r, changed, shared, linked);
            require(shared == 0, "capture shares inodes with the live tree");
            exec("rm", "-rf", cpCopy.toString(), rsCopy.toString());
            if (last != good) {
                capturer.store().delete(last.id());
            }
            last = point;
        }
        rows.add(row("capture, 1% changed", "cp -a", median(cp), "plan.capture (backup)", median(ours), "<= 0.4x cp -a"));
        if (rsync) {
            rows.add(row("capture, 1% changed", "rsync -a --link-dest", median(rs), "plan.capture (backup)",
                    median(ours), ""));
        }
        System.out.printf(Locale.ROOT, "  first capture (everything copied and hashed): %.0f ms%n", firstCapture);
        exec("rm", "-rf", work.resolve("copies").toString());

        // ---- 1. rollback from a backup copy ----------------------------------------------------------
        Path backup = work.resolve("srv/app-backup");
        exec("cp", "-a", live.toString(), backup.toString());
        RestorePoint target = capturer.store().get(last.id());
        double[] hand = new double[BIG_ROUNDS];
        double[] ourRollback = new double[BIG_ROUNDS];
        List<String> phases = new ArrayList<>();
        for (int r = 0; r < BIG_ROUNDS; r++) {
            change(live, files / 100, random);
            flush();
            long a = System.nanoTime();
            exec("rm", "-rf", live.toString());
            exec("cp", "-a", backup.toString(), live.toString());
            long b = System.nanoTime();
            hand[r] = (b - a) / 1e6;
            change(live, files / 100, random);
            flush();
            long c = System.nanoTime();
            RollbackReport report = capturer.rollback(target);
            long d = System.nanoTime();
            require(report.isSuccessful(), report);
            ourRollback[r] = (d - c) / 1e6;
            phases.add(phases(report));
            capturer.store().delete(report.setAsidePointId());
            try (Stream<Path> aside = Files.list(live.getParent())) {
                for (Path p : (Iterable<Path>) aside.filter(p -> p.getFileName().toString().startsWith("app-failed-"))::iterator) {
                    exec("rm", "-rf", p.toString());
                }
            }
        }
        rows.add(0, row("backup-copy rollback", "rm -rf + cp -a", median(hand), "plan.rollback (backup)",
                median(ourRollback), "(keeps failed tree, checks, verifies)"));
        System.out.println("  backup-copy rollback phases per round: " + phases);

        System.out.println();
        System.out.printf(Locale.ROOT, "| %-22s | %-22s | %10s | %-26s | %10s | %7s | %-38s |%n", "case", "by hand",
                "median ms", "ours", "median ms", "ratio", "goal");
        System.out.println("|" + "-".repeat(24) + "|" + "-".repeat(24) + "|" + "-".repeat(12) + "|" + "-".repeat(28)
                + "|" + "-".repeat(12) + "|" + "-".repeat(9) + "|" + "-".repeat(40) + "|");
        for (String[] row : rows) {
            System.out.printf(Locale.ROOT, "| %-22s | %-22s | %10s | %-26s | %10s | %7s | %-38s |%n", (Object[]) row);
        }
        System.out.printf(Locale.ROOT, "(medians of %d rounds for the switch, %d for the 1 GB cases; ratio = ours / by hand)%n",
                SWITCH_ROUNDS, BIG_ROUNDS);
        Goals.time("DirectoryBenchmark", "release-switch whole rollback", median(switchOurs), "ln -sfn + mv -T",
                median(switchHand), 10);
        Goals.time("DirectoryBenchmark", "release-switch whole rollback, warm JVM (after " + WARM_ROUNDS
                + " rollbacks)", median(switchWarm), "ln -sfn + mv -T", median(switchHand), 10);
        Goals.ratio("DirectoryBenchmark", "capture, 1% changed", median(ours), "cp -a", median(cp), 0.4);
    }

    /**
     * Where the release switch's whole rollback spends its time, over 10 rounds: each phase's median, and the
     * median time of its durable writes, beside the whole.
     */
    private static final int WARM_ROUNDS = 300;

    /**
     * The release switch's whole rollback once the JVM has compiled the engine's code: {@value #WARM_ROUNDS}
     * rollbacks unmeasured, then {@link #SWITCH_ROUNDS} measured back to back. The main figure above is of the
     * first rounds of a JVM, interleaved with the by-hand commands; a deploy tool that lives long sees this one.
     */
    private static double[] warmSwitch(RollbackPlan switcher, RestorePoint onA, Path current) throws IOException {
        double[] ms = new double[SWITCH_ROUNDS];
        for (int r = -WARM_ROUNDS; r < SWITCH_ROUNDS; r++) {
            pointAt(current, "releases/B");
            long a = System.nanoTime();
            RollbackReport report = switcher.rollback(onA);
            long b = System.nanoTime();
            require(report.isSuccessful(), report);
            switcher.store().delete(report.setAsidePointId());
            if (r >= 0) {
                ms[r] = (b - a) / 1e6;
            }
        }
        return ms;
    }

    private static void profileSwitch(RollbackPlan switcher, RestorePoint onA, Path current) throws IOException {
        int rounds = 10;
        java.util.Map<String, double[]> phaseMs = new java.util.LinkedHashMap<>();
        java.util.Map<String, double[]> syncMs = new java.util.LinkedHashMap<>();
        java.util.Map<String, double[]> wallMs = new java.util.LinkedHashMap<>();
        double[] whole = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            pointAt(current, "releases/B");
            long a = System.nanoTime();
            Durables.Counted<RollbackReport> c = Durables.count(() -> switcher.rollback(onA));
            whole[r] = (System.nanoTime() - a) / 1e6;
            require(c.result().isSuccessful(), c.result());
            switcher.store().delete(c.result().setAsidePointId());
            for (PhaseTiming p : c.result().phases()) {
                phaseMs.computeIfAbsent(p.phase().name().toLowerCase(Locale.ROOT), k -> new double[rounds])[r] =
                        p.took().toNanos() / 1e6;
            }
            for (var e : c.wallNanos().entrySet()) {
                wallMs.computeIfAbsent(e.getKey(), k -> new double[rounds])[r] = e.getValue() / 1e6;
            }
            for (var e : c.syncNanos().entrySet()) {
                syncMs.computeIfAbsent(e.getKey(), k -> new double[rounds])[r] = e.getValue() / 1e6;
            }
        }
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "  release-switch profile (medians of %d; load "
                + "%s): whole %.1f ms;", rounds, load(), median(whole)));
        double inPhases = 0;
        for (var e : phaseMs.entrySet()) {
            double[] sync = syncMs.get(e.getKey());
            inPhases += median(e.getValue());
            s.append(String.format(Locale.ROOT, " %s %.1f ms (syncs %.1f ms),", e.getKey(), median(e.getValue()),
                    sync == null ? 0 : median(sync)));
        }
        for (var e : syncMs.entrySet()) {
            if (!phaseMs.containsKey(e.getKey())) {
                s.append(String.format(Locale.ROOT, " syncs under %s %.1f ms,", e.getKey(), median(e.getValue())));
            }
        }
        s.append(String.format(Locale.ROOT, " outside the phases %.1f ms", median(whole) - inPhases));
        System.out.println(s);
        StringBuilder w = new StringBuilder("  by label (time under each label without the labels inside it; the "
                + "preflight label holds the lock, the journal's start and the run's bookkeeping):");
        for (var e : wallMs.entrySet()) {
            double[] sync = syncMs.get(e.getKey());
            w.append(String.format(Locale.ROOT, " %s %.1f ms (syncs %.1f ms),", e.getKey(), median(e.getValue()),
                    sync == null ? 0 : median(sync)));
        }
        System.out.println(w);
    }

    private static String phases(RollbackReport report) {
        StringBuilder s = new StringBuilder();
        for (PhaseTiming p : report.phases()) {
            s.append(String.format(Locale.ROOT, " %s %.1f ms", p.phase().name().toLowerCase(Locale.ROOT),
                    p.took().toNanos() / 1e6));
        }
        return s.toString().trim();
    }

    private static String[] row(String what, String hand, double handMs, String ours, double oursMs, String goal) {
        return new String[] {what, hand, String.format(Locale.ROOT, "%.1f", handMs), ours,
            String.format(Locale.ROOT, "%.1f", oursMs), String.format(Locale.ROOT, "%.2fx", oursMs / handMs), goal};
    }

    /** A tree of {@code files} files in folders of 100, of {@code bytes} bytes in all, sizes varying. */
    private static void generate(Path root, int files, long bytes) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        long mean = bytes / files;
        byte[] buffer = new byte[(int) (mean * 2 + 1)];
        random.nextBytes(buffer);
        for (int i = 0; i < files; i++) {
            Path dir = Files.createDirectories(root.resolve(String.format("module-%03d", i / 100)));
            int size = (int) (mean / 2 + random.nextLong(mean + 1));
            int offset = random.nextInt(buffer.length - size);
            try (FileChannel ch = FileChannel.open(dir.resolve("file-" + i + ".dat"), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(buffer, offset, size));
            }
        }
        Files.createSymbolicLink(root.resolve("static"), Path.of("module-000"));
    }

    /** Rewrites {@code count} random files with new content of the same size, as a deploy would. */
    private static int change(Path root, int count, SplittableRandom random) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        Set<Path> picked = new HashSet<>();
        while (picked.size() < Math.min(count, all.size())) {
            picked.add(all.get(random.nextInt(all.size())));
        }
        for (Path p : picked) {
            byte[] content = new byte[(int) Files.size(p)];
            random.nextBytes(content);
            Path temp = p.resolveSibling(p.getFileName() + ".new");
            Files.write(temp, content);
            Files.move(temp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return picked.size();
    }

    private static void pointAt(Path link, String target) throws IOException {
        Path temp = link.resolveSibling(link.getFileName() + ".bench");
        Files.deleteIfExists(temp);
        Files.createSymbolicLink(temp, Path.of(target));
        Files.move(temp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** How many regular files of {@code copy} share an inode with a file of {@code other}. */
    private static long sharedInodes(Path other, Path copy) throws IOException {
        Set<Object> inodes = new HashSet<>();
        try (Stream<Path> s = Files.walk(other)) {
            for (Path p : (Iterable<Path>) s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))::iterator) {
                inodes.add(Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS));
            }
        }
        try (Stream<Path> s = Files.walk(copy)) {
            long n = 0;
            for (Path p : (Iterable<Path>) s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))::iterator) {
                if (inodes.contains(Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS))) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Writes dirty pages out so that one measurement does not pay for the last one's writes. */
    private static void flush() throws IOException, InterruptedException {
        exec("sync");
    }

    private static int exec(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).inheritIO().redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int code = p.waitFor();
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " exited with " + code);
        }
        return code;
    }

    private static void require(boolean ok, Object detail) {
        if (!ok) {
            throw new IllegalStateException("benchmark check failed: " + detail);
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
