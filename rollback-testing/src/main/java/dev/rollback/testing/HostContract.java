package dev.rollback.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.host.Command;
import dev.rollback.host.CommandFailedException;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileDigest;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import dev.rollback.host.TreeCopy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Host} must do, as tests: run argv commands verbatim with exit codes, output,
 * environment, stdin and a timeout that kills the process tree; and every file operation, atomic
 * where promised, never following links, with files streamed to and from this machine byte for byte;
 * and {@link Host#hold commands held} until their holder lets go, a {@code flock} held by one host
 * refused to another, and freed when its handle or its host is closed. Subclass it with a host and a
 * folder on that host; the folder must also be reachable from the test JVM's file system (a local
 * folder, or one the server shares with the test), so results can be checked directly; the
 * processes of the host must be this machine's (their pids are looked up). Override {@link
 * #openHost()} for the tests that need a second host.
 */
public abstract class HostContract extends HeldCommandContract {

    private byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPassEveryArgumentVerbatimWithoutAShell() {
        List<String> tricky = List.of("two words", "it's \"quoted\"", "; rm -rf /", "$(touch pwned)", "`id`", "a\nb",
                "*", "$HOME", "");
        Command cmd = Command.of("printf", "[%s]").in(dir());
        for (String t : tricky) {
            cmd = new Command(concat(cmd.argv(), t), cmd.workDir(), cmd.env(), cmd.timeout(), null);
        }

        CommandResult r = host().run(cmd).requireSuccess();

        assertThat(r.stdout()).isEqualTo("[two words][it's \"quoted\"][; rm -rf /][$(touch pwned)][`id`][a\nb][*][$HOME][]");
        assertThat(dir().resolve("pwned")).doesNotExist();
    }

    @Test
    void shouldPassLeadingAndTrailingSpacesNewlinesAndEmptyArgumentsByteForByte() {
        CommandResult r = host().run(Command.of("printf", "[%s]", " leading", "trailing ", "x\n", "", "  ", "\ttab\t",
                "\nnl", "${HOME}", " \u00e9t\u00e9 ").in(dir())).requireSuccess();

        assertThat(r.stdout()).isEqualTo("[ leading][trailing ][x\n][][  ][\ttab\t][\nnl][${HOME}][ \u00e9t\u00e9 ]");
    }

    private static List<String> concat(List<String> argv, String more) {
        List<String> out = new java.util.ArrayList<>(argv);
        out.add(more);
        return out;
    }

    @Test
    void shouldReportExitCodeStdoutAndStderr() {
        CommandResult r = host().run(Command.of("sh", "-c", "echo out; echo err >&2; exit 3"));

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.succeeded()).isFalse();
        assertThat(r.timedOut()).isFalse();
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThatThrownBy(r::requireSuccess).isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("exited 3").hasMessageContaining("err").hasMessageContaining("expected exit 0");
    }

    @Test
    void shouldRunInTheWorkingFolderWithTheEnvironmentAndStdin() {
        CommandResult r = host().run(Command.of("sh", "-c", "pwd; echo \"$GREETING\"; cat")
                .in(dir()).env("GREETING", "hello there").input(utf8("from stdin\n"))).requireSuccess();

        assertThat(r.stdout().lines().toList()).containsExactly(dir().toString(), "hello there", "from stdin");
        assertThat(Command.of("x").env("PGPASSWORD", "hunter2").toString()).doesNotContain("hunter2");
    }

    @Test
    void shouldKillTheWholeProcessTreeAtTheTimeout() throws Exception {
        Path pid = dir().resolve("child.pid");
        CommandResult r = host().run(Command.of("sh", "-c", "sleep 300 & echo $! > \"$0\"; wait", pid.toString())
                .timeout(Duration.ofMillis(700)));

        assertThat(r.timedOut()).isTrue();
        assertThat(r.succeeded()).isFalse();
        assertThat(r.describe()).contains("killed after its timeout");
        long child = Long.parseLong(Files.readString(pid).trim());
        // the killed child may linger a moment as a zombie until it is reaped; it must be gone soon after
        ProcessHandle.of(child).ifPresent(h -> h.onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join());
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).as("child sleep").isFalse();
    }

    @Test
    void shouldRefuseAProgramThatIsNotInstalled() {
        assertThatThrownBy(() -> host().run(Command.of("no-such-program-xyz", "--help")))
                .isInstanceOf(HostException.class).hasMessageContaining("no-such-program-xyz")
                .hasMessageContaining("install it");
        assertThat(host().hasProgram("sh")).isTrue();
        assertThat(host().hasProgram("no-such-program-xyz")).isFalse();
    }

    @Test
    void shouldWriteAtomicallyAndKeepTheModeOfTheFileItReplaces() throws Exception {
        Path f = dir().resolve("app.env");
        host().write(f, utf8("A=1\n"), 0600);
        assertThat(host().stat(f).orElseThrow().mode()).isEqualTo(0600);

        host().write(f, utf8("A=2\n"));

        assertThat(host().read(f)).isEqualTo(utf8("A=2\n"));
        FileStat s = host().stat(f).orElseThrow();
        assertThat(s.mode()).isEqualTo(0600);
        assertThat(s.isFile()).isTrue();
        assertThat(s.size()).isEqualTo(4);
        try (var left = Files.list(dir())) {
            assertThat(left).extracting(p -> p.getFileName().toString()).containsExactly("app.env");
        }
        assertThatThrownBy(() -> host().write(dir().resolve("missing/x"), utf8("x")))
                .isInstanceOf(HostException.class).hasMessageContaining("create it first");
    }

    /** Random bytes, seeded: the same for every run. */
    private static byte[] random(int size) {
        byte[] out = new byte[size];
        new java.util.Random(size).nextBytes(out);
        return out;
    }

    private List<String> namesIn(Path folder) throws Exception {
        try (var all = Files.list(folder)) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shouldStreamAFileOfManyChunksDownAndUpByteForByte() throws Exception {
        // 5 MiB and a bit: many SFTP packets, the last one short
        byte[] content = random(5 * 1024 * 1024 + 1234);
        Path remote = dir().resolve("dump.bin");
        Files.write(remote, content);
        Path here = Files.createDirectories(dir().resolve("here"));

        host().download(remote, here.resolve("dump.bin"));

        assertThat(here.resolve("dump.bin")).hasSameBinaryContentAs(remote);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(here.resolve("dump.bin"))))
                .as("a downloaded file is the owner's only").isEqualTo("rw-------");

        host().upload(here.resolve("dump.bin"), dir().resolve("uploaded.bin"), 0640);

        assertThat(dir().resolve("uploaded.bin")).hasSameBinaryContentAs(remote);
        assertThat(host().stat(dir().resolve("uploaded.bin")).orElseThrow().mode()).isEqualTo(0640);
        assertThat(namesIn(dir())).as("no temp file left").containsExactly("dump.bin", "here", "uploaded.bin");
    }

    @Test
    void shouldUploadAtomicallyAndKeepTheModeOfTheFileItReplaces() throws Exception {
        Path f = dir().resolve("app.env");
        host().write(f, utf8("A=1\n"), 0600);
        // a reader that opened the old file: a replacement by rename leaves it the old content
        Path reader = Files.createDirectories(dir().resolve("reader")).resolve("app.env");
        Files.createLink(reader, f);
        Path here = Files.createDirectories(dir().resolve("here"));
        Files.write(here.resolve("app.env"), utf8("A=2\n"));

        host().upload(here.resolve("app.env"), f, 0644);

        assertThat(f).hasContent("A=2\n");
        assertThat(host().stat(f).orElseThrow().mode()).isEqualTo(0600);
        assertThat(reader).as("the old file was replaced whole, not written over").hasContent("A=1\n");
        assertThat(namesIn(dir())).containsExactly("app.env", "here", "reader");
    }

    @Test
    void shouldRefuseToDownloadAnythingButARegularFileAndLeaveNoLocalFile() throws Exception {
        Files.createDirectories(dir().resolve("folder"));
        Files.write(dir().resolve("file"), utf8("x"));
        Files.createSymbolicLink(dir().resolve("link"), Path.of("file"));
        Path here = Files.createDirectories(dir().resolve("here"));
        java.util.Map<String, String> found = java.util.Map.of("folder", "found a folder", "link",
                "found a symbolic link", "missing", "found nothing");

        found.forEach((name, what) -> {
            assertThatThrownBy(() -> host().download(dir().resolve(name), here.resolve("copy")))
                    .isInstanceOf(HostException.class).hasMessageContaining(dir().resolve(name).toString())
                    .hasMessageContaining("expected a regular file").hasMessageContaining(what);
            assertThat(here.resolve("copy")).doesNotExist();
        });
        Files.write(here.resolve("taken"), utf8("mine"));
        assertThatThrownBy(() -> host().download(dir().resolve("file"), here.resolve("taken")))
                .isInstanceOf(HostException.class).hasMessageContaining("expected nothing at " + here.resolve("taken"))
                .hasMessageContaining("move it away");
        assertThat(here.resolve("taken")).hasContent("mine");
        assertThatThrownBy(() -> host().download(dir().resolve("file"), here.resolve("missing/copy")))
                .isInstanceOf(HostException.class).hasMessageContaining("create it first");
        assertThat(namesIn(here)).containsExactly("taken");
    }

    @Test
    void shouldRefuseAnUploadItCannotMakeAndChangeNothing() throws Exception {
        Path target = dir().resolve("target.txt");
        host().write(target, utf8("old"), 0640);
        Files.createDirectories(dir().resolve("folder"));
        Path here = Files.createDirectories(dir().resolve("here"));
        Files.write(here.resolve("new.txt"), utf8("new"));
        Files.createDirectories(here.resolve("sub"));
        Files.createSymbolicLink(here.resolve("link"), Path.of("new.txt"));
        java.util.Map<String, String> found = java.util.Map.of("sub", "found a folder", "link",
                "found a symbolic link", "missing", "found nothing");

        found.forEach((name, what) -> assertThatThrownBy(() -> host().upload(here.resolve(name), target, 0644))
                .isInstanceOf(HostException.class).hasMessageContaining(here.resolve(name).toString())
                .hasMessageContaining("expected a regular file").hasMessageContaining(what));
        assertThatThrownBy(() -> host().upload(here.resolve("new.txt"), dir().resolve("folder"), 0644))
                .isInstanceOf(HostException.class).hasMessageContaining("expected a regular file or nothing there");
        assertThatThrownBy(() -> host().upload(here.resolve("new.txt"), dir().resolve("missing/x"), 0644))
                .isInstanceOf(HostException.class).hasMessageContaining("create it first");

        assertThat(target).hasContent("old");
        assertThat(host().stat(target).orElseThrow().mode()).isEqualTo(0640);
        assertThat(namesIn(dir().resolve("folder"))).isEmpty();
        assertThat(namesIn(dir())).containsExactly("folder", "here", "target.txt");
    }

    @Test
    void shouldStatWithoutFollowingLinks() throws Exception {
        Files.createDirectories(dir().resolve("releases/a"));
        host().symlink(dir().resolve("current"), Path.of("releases/a"));

        FileStat link = host().stat(dir().resolve("current")).orElseThrow();

        assertThat(link.isSymlink()).isTrue();
        assertThat(link.linkTarget()).isEqualTo(Path.of("releases/a"));
        assertThat(host().stat(dir().resolve("releases/a")).orElseThrow().isDirectory()).isTrue();
        assertThat(host().stat(dir().resolve("nothing"))).isEmpty();
        assertThat(link.owner()).isNotBlank();
    }

    @Test
    void shouldSwitchASymlinkAtomicallyAndRefuseToReplaceAFolder() throws Exception {
        Files.createDirectories(dir().resolve("releases/a"));
        Files.createDirectories(dir().resolve("releases/b"));
        Path current = dir().resolve("current");
        host().symlink(current, Path.of("releases/a"));

        host().replaceSymlink(current, Path.of("releases/b"));

        assertThat(Files.readSymbolicLink(current)).isEqualTo(Path.of("releases/b"));
        assertThatThrownBy(() -> host().replaceSymlink(dir().resolve("releases/a"), Path.of("b")))
                .isInstanceOf(HostException.class).hasMessageContaining("expected a symbolic link");
        assertThat(dir().resolve("releases/a")).isDirectory();
    }

    @Test
    void shouldMoveAtomicallyButNeverOntoAFolder() throws Exception {
        Files.write(dir().resolve("a"), utf8("a"));
        Files.write(dir().resolve("b"), utf8("b"));
        Files.createDirectories(dir().resolve("folder"));

        host().move(dir().resolve("a"), dir().resolve("b"));

        assertThat(dir().resolve("a")).doesNotExist();
        assertThat(Files.readString(dir().resolve("b"))).isEqualTo("a");
        assertThatThrownBy(() -> host().move(dir().resolve("b"), dir().resolve("folder")))
                .isInstanceOf(HostException.class).hasMessageContaining("found a folder");
        assertThat(dir().resolve("b")).exists();
    }

    @Test
    void shouldCopyATreeWithModesLinksAndExcludes() throws Exception {
        Path src = Files.createDirectories(dir().resolve("app"));
        Files.createDirectories(src.resolve("bin"));
        Files.createDirectories(src.resolve("logs"));
        Files.write(src.resolve("bin/run it.sh"), utf8("#!/bin/sh\n"));
        host().setMode(src.resolve("bin/run it.sh"), 0750);
        Files.write(src.resolve("logs/app.log"), utf8("log"));
        Files.createSymbolicLink(src.resolve("shared"), Path.of("/etc"));
        Path copy = dir().resolve("copy");

        host().copyTree(src, copy, TreeCopy.all().excluding("logs"));

        assertThat(Files.readString(copy.resolve("bin/run it.sh"))).isEqualTo("#!/bin/sh\n");
        assertThat(host().stat(copy.resolve("bin/run it.sh")).orElseThrow().mode()).isEqualTo(0750);
        assertThat(Files.readSymbolicLink(copy.resolve("shared"))).isEqualTo(Path.of("/etc"));
        assertThat(copy.resolve("logs")).doesNotExist();
        assertThatThrownBy(() -> host().copyTree(src, copy, TreeCopy.all()))
                .isInstanceOf(HostException.class).hasMessageContaining("expected nothing at");
    }

    @Test
    void shouldHardLinkUnchangedFilesFromAnEarlierCopyOnly() throws Exception {
        Path src = Files.createDirectories(dir().resolve("app"));
        Files.write(src.resolve("same.txt"), utf8("same"));
        Files.write(src.resolve("changed.txt"), utf8("v1"));
        host().copyTree(src, dir().resolve("c1"), TreeCopy.all());
        Files.write(src.resolve("changed.txt"), utf8("v2, longer"));

        host().copyTree(src, dir().resolve("c2"), TreeCopy.all().linkingTo(dir().resolve("c1")));

        Object c1Same = Files.getAttribute(dir().resolve("c1/same.txt"), "unix:ino");
        assertThat(Files.getAttribute(dir().resolve("c2/same.txt"), "unix:ino")).isEqualTo(c1Same);
        assertThat(Files.getAttribute(dir().resolve("c2/same.txt"), "unix:ino"))
                .isNotEqualTo(Files.getAttribute(src.resolve("same.txt"), "unix:ino"));
        assertThat(Files.getAttribute(dir().resolve("c2/changed.txt"), "unix:ino"))
                .isNotEqualTo(Files.getAttribute(dir().resolve("c1/changed.txt"), "unix:ino"));
        assertThat(Files.readString(dir().resolve("c2/changed.txt"))).isEqualTo("v2, longer");
    }

    @Test
    void shouldDeleteATreeWithoutFollowingLinksOutOfIt() throws Exception {
        Path outside = Files.createDirectories(dir().resolve("outside"));
        Files.write(outside.resolve("keep.txt"), utf8("keep"));
        Path tree = Files.createDirectories(dir().resolve("tree/sub"));
        Files.createSymbolicLink(tree.resolve("link"), outside);

        host().delete(dir().resolve("tree"));
        host().delete(dir().resolve("never-existed"));

        assertThat(dir().resolve("tree")).doesNotExist();
        assertThat(outside.resolve("keep.txt")).hasContent("keep");
    }

    @Test
    void shouldListCopyAndCreateFolders() throws Exception {
        host().createDirectories(dir().resolve("a/b"));
        Files.write(dir().resolve("a/z.txt"), utf8("z"));
        Files.write(dir().resolve("a/m.txt"), utf8("m"));

        assertThat(host().list(dir().resolve("a"))).extracting(p -> p.getFileName().toString())
                .containsExactly("b", "m.txt", "z.txt");
        host().copy(dir().resolve("a/m.txt"), dir().resolve("a/b/m.txt"));
        assertThat(dir().resolve("a/b/m.txt")).hasContent("m");
        assertThat(Files.isSymbolicLink(dir().resolve("a/b/m.txt"))).isFalse();
        assertThatThrownBy(() -> host().list(dir().resolve("a/z.txt"))).isInstanceOf(HostException.class)
                .hasMessageContaining("expected a folder");
        assertThatThrownBy(() -> host().read(dir().resolve("nope"))).isInstanceOf(HostException.class)
                .hasMessageContaining("nothing at");
        assertThat(Files.exists(dir().resolve("a"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    @Test
    void shouldDigestEveryRegularFileOfATreeWhereItLives() throws Exception {
        Path tree = dir().resolve("tree");
        Files.createDirectories(tree.resolve("sub dir"));
        Files.write(tree.resolve("a.txt"), utf8("alpha\n"));
        Files.write(tree.resolve("sub dir/it's; $(x)\nb"), utf8(""));
        Files.createSymbolicLink(tree.resolve("link"), Path.of("a.txt"));

        assertThat(host().digestTree(tree)).containsExactly(
                new FileDigest("a.txt", 6, sha256("alpha\n")),
                new FileDigest("sub dir/it's; $(x)\nb", 0, sha256("")));
        assertThatThrownBy(() -> host().digestTree(tree.resolve("a.txt"))).isInstanceOf(HostException.class)
                .hasMessageContaining("expected a folder");
    }

    @Test
    void shouldReuseTheKnownDigestOfAFileHardLinkedToTheEarlierTreeOnly() throws Exception {
        Path earlier = Files.createDirectories(dir().resolve("earlier"));
        Path tree = Files.createDirectories(dir().resolve("tree"));
        Files.write(earlier.resolve("linked"), utf8("same"));
        Files.write(earlier.resolve("copied"), utf8("same"));
        Files.createLink(tree.resolve("linked"), earlier.resolve("linked"));
        Files.write(tree.resolve("copied"), utf8("same"));
        // a digest the host would never compute: it is only in the result if the file was not read
        String recorded = "0".repeat(64);
        List<FileDigest> known = List.of(new FileDigest("linked", 4, recorded), new FileDigest("copied", 4, recorded));

        assertThat(host().digestTree(tree, earlier, known)).containsExactly(
                new FileDigest("copied", 4, sha256("same")),
                new FileDigest("linked", 4, recorded));
        assertThat(host().digestTree(tree)).extracting(FileDigest::sha256).containsOnly(sha256("same"));
    }

    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
