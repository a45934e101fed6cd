package dev.rollback.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.rollback.CaptureFailedException;
import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.spi.Phase;
import dev.rollback.PlannedStep;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackPreview;
import dev.rollback.RollbackReport;
import dev.rollback.spi.Snapshot;
import dev.rollback.StepStatus;
import dev.rollback.spi.TargetKind;
import dev.rollback.TargetState;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileDigest;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import dev.rollback.host.Hosts;
import dev.rollback.host.TreeCopy;
import dev.rollback.spi.RestoreContext;
import dev.rollback.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryBackupTest {

    @TempDir
    Path tmp;

    final TestClock clock = new TestClock();
    final Host host = Hosts.local();

    Path srv() throws IOException {
        return Files.createDirectories(tmp.resolve("srv"));
    }

    Path app() {
        return tmp.resolve("srv/app");
    }

    RollbackPlan plan(DirectoryBackup target) {
        return Rollback.plan("app").store(tmp.resolve("store")).clock(clock).target(target).build();
    }

    /** A small release: an executable, a private config, a link, data folders, awkward names. */
    Path release(String version) throws IOException {
        Path app = Files.createDirectories(app());
        write(app.resolve("bin/run.sh"), "#!/bin/sh\necho " + version + "\n", "rwxr-xr-x");
        write(app.resolve("lib/bot.py"), "print('" + version + "')\n", "rw-r--r--");
        write(app.resolve("config/secret.env"), "TOKEN=" + version + "\n", "rw-------");
        write(app.resolve("lib/unchanged.txt"), "the same in every release\n", "rw-r--r--");
        Files.createSymbolicLink(app.resolve("static"), Path.of("lib"));
        write(app.resolve("logs/app.log"), "started " + version + "\n", "rw-r-----");
        write(app.resolve("uploads/photo.jpg"), "jpeg of " + version, "rw-r--r--");
        return app;
    }

    static void write(Path file, String content, String mode) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    /** A bad deploy: code changed, a file added, one removed, a mode and a link changed. */
    void badDeploy(Path app) throws IOException {
        Files.writeString(app.resolve("lib/bot.py"), "this will cause error\n");
        Files.writeString(app.resolve("lib/new_module.py"), "import broken\n");
        Files.delete(app.resolve("config/secret.env"));
        Files.setPosixFilePermissions(app.resolve("bin/run.sh"), PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.delete(app.resolve("static"));
        Files.createSymbolicLink(app.resolve("static"), Path.of("bin"));
    }

    /** Every path under root with its type, mode, owner, content hash, time (files) and link target. */
    static Map<String, String> tree(Path root, String... leaveOut) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String rel = root.relativize(p).toString();
                if (Stream.of(leaveOut).anyMatch(x -> rel.equals(x) || rel.startsWith(x + "/"))) {
                    continue;
                }
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                String owner = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link -> " + Files.readSymbolicLink(p) + " " + owner);
                } else if (Files.isDirectory(p)) {
                    out.put(rel, "dir " + mode + " " + owner);
                } else {
                    out.put(rel, "file " + mode + " " + owner + " " + sha(Files.readAllBytes(p)) + " @"
                            + Files.getLastModifiedTime(p));
                }
            }
        }
        return out;
    }

    static String sha(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Object inode(Path p) throws IOException {
        return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    Path capturedTree(RollbackPlan plan, RestorePoint point) {
        return plan.store().artifactDir(point, "app").resolve("tree");
    }

    // ---- restore ----------------------------------------------------------------------------------

    @Test
    void shouldRestoreTheCapturedTreeByteForByteWithModesAndLinks() throws Exception {
        srv();
        Path app = release("v1");
        Files.setPosixFilePermissions(app.resolve("config"), PosixFilePermissions.fromString("rwx------"));
        Map<String, String> good = tree(app);
        RollbackPlan plan = plan(DirectoryBackup.of(app).kind(TargetKind.CODE));
        RestorePoint v1 = plan.capture("v1");
        badDeploy(app);

        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.target("app").orElseThrow().state()).isEqualTo(TargetState.VERIFIED);
        assertThat(tree(app)).isEqualTo(good);
        assertThat(Files.readSymbolicLink(app.resolve("static"))).isEqualTo(Path.of("lib"));
        assertThat(report.checks().get(0).detail()).contains("matches the capture");
    }

    @Test
    void shouldKeepExcludedLogsAndUploadsWrittenAfterTheCapture() throws Exception {
        srv();
        Path app = release("v1");
        RollbackPlan plan = plan(DirectoryBackup.of(app).excluding("logs", "uploads/"));
        RestorePoint v1 = plan.capture("v1");
        assertThat(capturedTree(plan, v1).resolve("logs")).doesNotExist();
        assertThat(capturedTree(plan, v1).resolve("uploads")).doesNotExist();
        badDeploy(app);
        Files.writeString(app.resolve("logs/app.log"), "Traceback: error after deploy\n",
                java.nio.file.StandardOpenOption.APPEND);
        write(app.resolve("uploads/invoice 42.pdf"), "a customer's upload", "rw-r--r--");
        Map<String, String> data = tree(app.resolve("uploads"));
        Map<String, String> logs = tree(app.resolve("logs"));

        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readString(app.resolve("lib/bot.py"))).isEqualTo("print('v1')\n");
        assertThat(tree(app.resolve("uploads"))).isEqualTo(data);
        assertThat(tree(app.resolve("logs"))).isEqualTo(logs);
        assertThat(Files.readString(app.resolve("logs/app.log"))).endsWith("Traceback: error after deploy\n");
    }

    @Test
    void shouldKeepTheFailedTreeAsideNamedWithTimeAndLabel() throws Exception {
        Path srv = srv();
        Path app = release("v1");
        RollbackPlan plan = plan(DirectoryBackup.of(app).excluding("logs", "uploads"));
        RestorePoint v1 = plan.capture("v1.0 (good)");
        badDeploy(app);
        Map<String, String> bad = tree(app, "logs", "uploads");

        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        Path failed = srv.resolve("app-failed-20261121-030000-v1.0-good");
        assertThat(failed).isDirectory();
        assertThat(tree(failed)).isEqualTo(bad);
        try (Stream<Path> left = Files.list(srv)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("app",
                    "app-failed-20261121-030000-v1.0-good");
        }
    }

    @Test
    void shouldUndoARollbackFromTheStateSetAside() throws Exception {
        srv();
        Path app = release("v1");
        RollbackPlan plan = plan(DirectoryBackup.of(app).excluding("logs"));
        RestorePoint v1 = plan.capture("v1");
        badDeploy(app);
        Map<String, String> bad = tree(app);

        RollbackReport rollback = plan.rollback(v1);
        clock.advance(Duration.ofMinutes(5));
        RollbackReport undo = plan.undo(rollback);

        assertThat(undo.outcome()).isEqualTo(Outcome.FAILED_STATE_RESTORED);
        assertThat(tree(app)).isEqualTo(bad);
    }

    @Test
    void shouldRestoreNamesWithSpacesQuotesAndCommandSubstitution() throws Exception {
        Path srv = srv();
        Path app = Files.createDirectories(srv.resolve("my app's \"release\" $(touch pwned)"));
        write(app.resolve("it's a \"file\" $(touch pwned).txt"), "v1", "rw-r--r--");
        write(app.resolve("sub dir/`id` ; rm -rf x.txt"), "v1 too", "rw-r--r--");
        write(app.resolve("logs $(x)/a.log"), "log", "rw-r--r--");
        Map<String, String> good = tree(app);
        RollbackPlan plan = plan(DirectoryBackup.of(app).excluding("logs $(x)").named("app"));
        RestorePoint v1 = plan.capture("v1 \"quoted\" $(touch pwned)");
        Files.writeString(app.resolve("it's a \"file\" $(touch pwned).txt"), "broken");
        Files.writeString(app.resolve("logs $(x)/a.log"), "log after deploy");

        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(tree(app, "logs $(x)")).isEqualTo(without(good, "logs $(x)"));
        assertThat(Files.readString(app.resolve("logs $(x)/a.log"))).isEqualTo("log after deploy");
        try (Stream<Path> all = Files.walk(tmp)) {
            assertThat(all.map(p -> p.getFileName().toString())).doesNotContain("pwned");
        }
        try (Stream<Path> left = Files.list(srv)) {
            assertThat(left.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith(
                    "my app's \"release\" $(touch pwned)-failed-20261121-030000-v1-quoted-touch-pwned"));
        }
    }

    @Test
    void shouldCopyLinksAsLinksNeverFollowingOnesThatPointOutside() throws Exception {
        srv();
        Path app = release("v1");
        Path outside = Files.writeString(tmp.resolve("outside-secret.txt"), "not part of the release");
        Files.createSymbolicLink(app.resolve("escape"), outside);
        RollbackPlan plan = plan(DirectoryBackup.of(app));

        RestorePoint v1 = plan.capture("v1");

        Path copied = capturedTree(plan, v1).resolve("escape");
        assertThat(Files.isSymbolicLink(copied)).isTrue();
        assertThat(Files.readSymbolicLink(copied)).isEqualTo(outside);
        assertThat(v1.snapshot("app").orElseThrow().artifacts()).noneMatch(a -> a.path().contains("escape"));
        Files.delete(app.resolve("escape"));
        assertThat(plan.rollback(v1).outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(Files.readSymbolicLink(app.resolve("escape"))).isEqualTo(outside);
        assertThat(Files.readString(outside)).isEqualTo("not part of the release");
    }

    // ---- capture ----------------------------------------------------------------------------------

    @Test
    void shouldHardLinkUnchangedFilesToThePreviousCaptureNeverToLiveFiles() throws Exception {
        srv();
        Path app = release("v1");
        RollbackPlan plan = plan(DirectoryBackup.of(app).excluding("logs"));
        RestorePoint first = plan.capture("v1");
        Files.writeString(app.resolve("lib/bot.py"), "print('v1.1')\n");

        RestorePoint second = plan.capture("v1.1");

        Path one = capturedTree(plan, first);
        Path two = capturedTree(plan, second);
        for (String same : List.of("lib/unchanged.txt", "bin/run.sh", "config/secret.env", "uploads/photo.jpg")) {
            assertThat(inode(two.resolve(same))).as(same).isEqualTo(inode(one.resolve(same)))
                    .isNotEqualTo(inode(app.resolve(same)));
        }
        assertThat(inode(two.resolve("lib/bot.py"))).isNotEqualTo(inode(one.resolve("lib/bot.py")))
                .isNotEqualTo(inode(app.resolve("lib/bot.py")));
        assertThat(Files.readString(two.resolve("lib/bot.py"))).isEqualTo("print('v1.1')\n");
        assertThat(Files.readString(one.resolve("lib/bot.py"))).isEqualTo("print('v1')\n");
        try (Stream<Path> all = Files.walk(two)) {
            for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                assertThat(inode(p)).as(p.toString()).isNotEqualTo(inode(app.resolve(two.relativize(p))));
            }
        }
        assertThat(second.snapshot("app").orElseThrow().artifact("tree/lib/unchanged.txt"))
                .isEqualTo(first.snapshot("app").orElseThrow().artifact("tree/lib/unchanged.txt"));
    }

    @Test
    void shouldRefuseAMissingFolderAtCaptureAndStoreNothing() throws Exception {
        srv();
        RollbackPlan plan = plan(DirectoryBackup.of(app()));

        assertThatThrownBy(() -> plan.capture("v1"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("target 'app': expected the folder " + app())
                .hasMessageContaining("found nothing there")
                .hasMessageContaining("nothing was stored");

        assertThat(plan.restorePoints()).isEmpty();
        assertThat(pointFolders()).isEmpty();
    }

    @Test
    void shouldRefuseALinkInPlaceOfTheFolderAtCapture() throws Exception {
        Path srv = srv();
        Files.createDirectories(srv.resolve("releases/1"));
        Files.createSymbolicLink(app(), Path.of("releases/1"));
        RollbackPlan plan = plan(DirectoryBackup.of(app()));

        assertThatThrownBy(() -> plan.capture("v1"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("found a symbolic link to releases/1")
                .hasMessageContaining("Directory.releases(link)");
        assertThat(pointFolders()).isEmpty();
    }

    @Test
    void shouldStoreNothingWhenAFileCannotBeRead() throws Exception {
        srv();
        Path app = release("v1");
        Path secret = app.resolve("config/secret.env");
        Map<String, String> before = tree(app);
        Host reading = host;
        if (host.canChangeOwners()) {
            // as root every file can be read: refuse this one the way the file system refuses others
            reading = new RefusingHost(host, secret);
        } else {
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
            before = null;
        }
        RollbackPlan plan = Rollback.plan("app").store(tmp.resolve("store")).clock(clock).on(reading)
                .target(DirectoryBackup.of(app)).build();

        assertThatThrownBy(() -> plan.capture("v1"))
                .isInstanceOf(CaptureFailedException.class)
                .hasMessageContaining("permission denied")
                .hasMessageContaining("secret.env")
                .hasMessageContaining("no restore point was stored");

        assertThat(pointFolders()).isEmpty();
        if (before != null) {
            assertThat(tree(app)).isEqualTo(before);
        } else {
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        }
    }

    List<Path> pointFolders() throws IOException {
        Path points = tmp.resolve("store/points");
        if (!Files.isDirectory(points)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(points)) {
            return s.toList();
        }
    }

    // ---- preview, preflight and failures ---------------------------------------------------------

    @Test
    void shouldPreviewCountsKeptPathsAndTheFailedTreeWithoutChangingAnything() throws Exception {
        srv();
        Path app = release("v1");
        RollbackPlan plan = plan(DirectoryBackup.of(app).excluding("logs", "uploads", "cache"));
        RestorePoint v1 = plan.capture("v1");
        badDeploy(app);
        Map<String, String> everything = tree(tmp);

        RollbackPreview preview = plan.preview(v1);

        assertThat(preview.isReady()).isTrue();
        List<String> actions = preview.stepsOf("app").stream().filter(s -> s.phase() == Phase.RESTORE)
                .map(PlannedStep::actions).findFirst().orElseThrow();
        assertThat(actions).anySatisfy(a -> assertThat(a).contains("1 file added, 1 removed, 3 changed, 1 unchanged"));
        assertThat(actions).anySatisfy(a -> assertThat(a).contains("keep from the live tree").contains("logs, uploads")
                .contains("(not there: cache)"));
        assertThat(actions).anySatisfy(a -> assertThat(a).contains("aside to " + app + "-failed-20261121-030000-v1"));
        assertThat(tree(tmp)).isEqualTo(everything);
    }

    @Test
    void shouldRefuseARestoreWhenTheExcludesNoLongerKeepWhatTheCaptureLeftOut() throws Exception {
        srv();
        Path app = release("v1");
        RestorePoint v1 = plan(DirectoryBackup.of(app).excluding("uploads")).capture("v1");
        RollbackPlan changed = plan(DirectoryBackup.of(app));
        Map<String, String> everything = tree(tmp);

        assertThatThrownBy(() -> changed.rollback(v1))
                .isInstanceOf(dev.rollback.PreflightFailedException.class)
                .hasMessageContaining("[uploads]").hasMessageContaining("only in the failed tree");

        assertThat(tree(tmp, "store/journals", "store/locks", "store/reports")).isEqualTo(
                without(everything, "store/journals", "store/locks", "store/reports"));
    }

    static Map<String, String> without(Map<String, String> tree, String... prefixes) {
        Map<String, String> out = new TreeMap<>(tree);
        out.keySet().removeIf(k -> Stream.of(prefixes).anyMatch(p -> k.equals(p) || k.startsWith(p + "/")));
        return out;
    }

    @Test
    void shouldLeaveEveryFileAsItWasWhenTheRestoreFailsHalfWay() throws Exception {
        assumeThat(host.canChangeOwners()).as("chattr needs root").isTrue();
        Path srv = srv();
        Path app = release("v1");
        write(app.resolve("var/log/app.log"), "kept", "rw-r--r--");
        RollbackPlan plan = plan(DirectoryBackup.of(app).excluding("var/log"));
        RestorePoint v1 = plan.capture("v1");
        badDeploy(app);
        Map<String, String> bad = tree(srv);
        // an immutable folder cannot be renamed, even by root: the restore fails after it has moved var/log
        assumeThat(chattr("+i", app).exitCode()).as("chattr works on this file system").isZero();
        RollbackReport report;
        try {
            report = plan.rollback(v1);
        } finally {
            chattr("-i", app);
        }

        assertThat(report.outcome()).isEqualTo(Outcome.HALTED);
        assertThat(report.steps()).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("restore app");
            assertThat(s.status()).isEqualTo(StepStatus.FAILED);
            assertThat(s.detail()).contains(app.toString()).contains("Operation not permitted");
        });
        assertThat(tree(srv)).isEqualTo(bad);
    }

    @Test
    void shouldRefuseToCarryKeptDataThroughALinkInTheCapturedTree() throws Exception {
        Path srv = srv();
        Path app = release("v1");
        Path shared = Files.createDirectories(srv.resolve("shared/public"));
        Files.createSymbolicLink(app.resolve("public"), shared);
        RollbackPlan plan = plan(DirectoryBackup.of(app).excluding("public/uploads"));
        RestorePoint v1 = plan.capture("v1");
        Files.delete(app.resolve("public"));
        write(app.resolve("public/uploads/new.png"), "uploaded after the deploy", "rw-r--r--");
        Map<String, String> before = tree(srv);

        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).isEqualTo(Outcome.HALTED);
        assertThat(report.failedSteps()).singleElement().satisfies(s -> assertThat(s.detail())
                .contains("expected a folder at public in the captured tree to keep public/uploads in")
                .contains("found a symbolic link to " + shared));
        assertThat(tree(srv)).isEqualTo(before);
    }

    CommandResult chattr(String flag, Path path) {
        return host.run(Command.of("chattr", flag, path.toString()));
    }

    // ---- crash recovery ---------------------------------------------------------------------------

    @Test
    void shouldFinishARestoreInterruptedBetweenItsTwoRenames() throws Exception {
        Path srv = srv();
        Path app = release("v1");
        DirectoryBackup target = DirectoryBackup.of(app).excluding("logs");
        RollbackPlan plan = plan(target);
        RestorePoint v1 = plan.capture("v1");
        Map<String, String> good = tree(app, "logs");
        badDeploy(app);
        Map<String, String> bad = tree(app, "logs");
        Map<String, String> logs = tree(app.resolve("logs"));
        // the state a crash leaves after "move the failed tree aside": the new tree holds the logs
        Path work = Files.createDirectories(srv.resolve("app.rollback-rb-crashed"));
        host.copyTree(capturedTree(plan, v1), work.resolve("tree"), TreeCopy.all());
        Files.writeString(work.resolve("failed-name"), "app-failed-earlier-v1");
        Files.move(app.resolve("logs"), work.resolve("tree/logs"));
        Files.move(app, srv.resolve("app-failed-earlier-v1"));

        target.restore(v1.snapshot("app").orElseThrow(), new Context(plan, v1, "rb-crashed"));

        assertThat(tree(app, "logs")).isEqualTo(good);
        assertThat(tree(app.resolve("logs"))).isEqualTo(logs);
        assertThat(tree(srv.resolve("app-failed-earlier-v1"))).isEqualTo(bad);
        assertThat(work).doesNotExist();
    }

    @Test
    void shouldRedoARestoreInterruptedWhileBuildingTheNewTreeKeepingTheMovedData() throws Exception {
        Path srv = srv();
        Path app = release("v1");
        DirectoryBackup target = DirectoryBackup.of(app).excluding("logs", "uploads");
        RollbackPlan plan = plan(target);
        RestorePoint v1 = plan.capture("v1");
        Map<String, String> good = tree(app, "logs", "uploads");
        badDeploy(app);
        Map<String, String> bad = tree(app, "logs", "uploads");
        Map<String, String> uploads = tree(app.resolve("uploads"));
        // a crash after moving uploads into a half-built new tree
        Path work = srv.resolve("app.rollback-rb-crashed");
        write(work.resolve("tree/lib/bot.py"), "half a cop", "rw-r--r--");
        Files.writeString(work.resolve("failed-name"), "app-failed-earlier-v1");
        Files.move(app.resolve("uploads"), work.resolve("tree/uploads"));

        target.restore(v1.snapshot("app").orElseThrow(), new Context(plan, v1, "rb-crashed"));

        assertThat(tree(app, "logs", "uploads")).isEqualTo(good);
        assertThat(tree(app.resolve("uploads"))).isEqualTo(uploads);
        assertThat(tree(srv.resolve("app-failed-earlier-v1"), "logs", "uploads")).isEqualTo(bad);
        assertThat(work).doesNotExist();
    }

    /** The context the engine would give a restore, for running one restore as a rerun after a crash. */
    final class Context implements RestoreContext {
        private final RollbackPlan plan;
        private final RestorePoint point;
        private final String id;

        Context(RollbackPlan plan, RestorePoint point, String id) {
            this.plan = plan;
            this.point = point;
            this.id = id;
        }

        @Override
        public Path consume(dev.rollback.spi.Snapshot snapshot, String path) {
            throw new UnsupportedOperationException("a directory backup never consumes its restore point");
        }

        @Override
        public String plan() {
            return plan.name();
        }

        @Override
        public String rollbackId() {
            return id;
        }

        @Override
        public RestorePoint point() {
            return point;
        }

        @Override
        public Phase phase() {
            return Phase.RESTORE;
        }

        @Override
        public Host host() {
            return host;
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public void sleep(Duration duration) {
            clock.advance(duration);
        }

        @Override
        public void progress(String message) {
            // not reported
        }

        @Override
        public Path artifact(Snapshot snapshot, String path) {
            return artifactDir(snapshot).resolve(path);
        }

        @Override
        public Path artifactDir(Snapshot snapshot) {
            return plan.store().artifactDir(point, snapshot.target());
        }
    }

    /**
     * The local host, except that one file cannot be read: as root every file can, so this is the
     * one fault the real file system does not produce on demand here.
     */
    static final class RefusingHost extends dev.rollback.testing.ForwardingHost {
        private final Path refused;

        RefusingHost(Host local, Path refused) {
            super(local);
            this.refused = refused;
        }

        @Override
        public void copyTree(Path from, Path to, TreeCopy how) {
            if (refused.startsWith(from)) {
                delegate().copyTree(from, to, how.excluding(from.relativize(refused).toString()));
                throw new HostException("copy the tree " + from + " to " + to + " on host local: expected to succeed, "
                        + "found permission denied on " + refused + "; run as a user allowed to, or fix the permissions");
            }
            delegate().copyTree(from, to, how);
        }
    }

}
