package dev.rollback.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.MergeResult;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Real repositories for the tests, made through JGit: a history with tags, a merge, a binary file,
 * a rename, a deletion and paths with spaces. Commits and tags are never signed.
 */
final class Repos implements AutoCloseable {

    static final byte[] LOGO_V1 = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, 3, 0, (byte) 0xff, 10, 0};
    static final byte[] LOGO_V2 = {(byte) 0x89, 'P', 'N', 'G', 0, 9, 8, 7, 0, (byte) 0xfe, 10, 0, 42};

    final Path dir;
    final Git git;
    private long time = Instant.parse("2026-11-01T10:00:00Z").getEpochSecond();

    /** Commits of the standard history, by role. */
    String initial;
    String feature;
    String backend;
    String merge;
    String deploy;
    String hotfix;

    private Repos(Path dir, Git git) {
        this.dir = dir;
        this.git = git;
    }

    /** An empty repository on branch main. */
    static Repos init(Path dir) throws Exception {
        Files.createDirectories(dir);
        Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
        return new Repos(dir, git);
    }

    /**
     * The history up to the release: initial (tag v1.0.0) → backend change on main, frontend change on
     * a branch, merged (tag v2.0.0). HEAD is the merge.
     */
    static Repos released(Path dir) throws Exception {
        Repos r = init(dir);
        r.write("app/main.py", "print('v1')\n");
        r.write("app/util.py", "def helper():\n    return 1\n\n\ndef other():\n    return 2\n\n\ndef third():\n    return 3\n");
        r.write("alembic/versions/001_init.py", "revision = '001'\n");
        r.write("frontend/index.html", "<h1>v1</h1>\n");
        r.write("docs/read me.txt", "read me\n");
        r.write("old.txt", "old\n");
        r.write("logo.png", LOGO_V1);
        r.initial = r.commit("initial");
        r.git.tag().setName("v1.0.0").setMessage("release 1").setAnnotated(true).setSigned(false)
                .setTagger(r.ident()).call();
        r.git.branchCreate().setName("feature").call();
        r.write("app/main.py", "print('v2')\n");
        r.backend = r.commit("backend: v2");
        r.git.checkout().setName("feature").call();
        r.write("frontend/index.html", "<h1>v2</h1>\n");
        r.feature = r.commit("frontend: v2 header");
        r.git.checkout().setName("main").call();
        MergeResult m = r.git.merge().include(r.git.getRepository().resolve("feature")).setCommit(true)
                .setMessage("Merge branch 'feature'").call();
        if (!m.getMergeStatus().isSuccessful()) {
            throw new IllegalStateException("fixture merge failed: " + m);
        }
        r.merge = m.getNewHead().name();
        r.git.tag().setName("v2.0.0").setMessage("release 2").setAnnotated(true).setSigned(false)
                .setTagger(r.ident()).call();
        return r;
    }

    /** The bad deploy: a change, a rename, a deletion, a binary change, a new file with a space, then a hotfix. */
    void deployBadRelease() throws Exception {
        write("app/main.py", "print('v2.1 broken')\n");
        String util = Files.readString(dir.resolve("app/util.py"));
        Files.delete(dir.resolve("app/util.py"));
        write("app/helpers.py", util + "\n\ndef fourth():\n    return 4\n");
        Files.delete(dir.resolve("old.txt"));
        write("logo.png", LOGO_V2);
        write("docs/new file.txt", "new\n");
        write("frontend/index.html", "<h1>v3</h1>\n");
        write("alembic/versions/002_users.py", "revision = '002'\n");
        deploy = commit("deploy v2.1.0");
        write("app/main.py", "print('v2.1 still broken')\n");
        hotfix = commit("hotfix");
    }

    void write(String path, String text) throws IOException {
        write(path, text.getBytes(StandardCharsets.UTF_8));
    }

    void write(String path, byte[] content) throws IOException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    /** Stages everything (new, changed, deleted) and commits as Ann Author. */
    String commit(String message) throws Exception {
        git.add().addFilepattern(".").call();
        git.add().setUpdate(true).addFilepattern(".").call();
        PersonIdent who = ident();
        RevCommit c = git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
        return c.name();
    }

    PersonIdent ident() {
        time += 60;
        return new PersonIdent("Ann Author", "ann@example.com", Instant.ofEpochSecond(time), ZoneOffset.UTC);
    }

    /** Leaves the repository in the middle of a merge with a conflict in frontend/index.html. */
    void startConflictingMerge() throws Exception {
        git.branchCreate().setName("other").call();
        write("frontend/index.html", "<h1>main side</h1>\n");
        commit("main side");
        git.checkout().setName("other").call();
        write("frontend/index.html", "<h1>other side</h1>\n");
        commit("other side");
        git.checkout().setName("main").call();
        MergeResult m = git.merge().include(git.getRepository().resolve("other")).call();
        if (m.getMergeStatus() != MergeResult.MergeStatus.CONFLICTING) {
            throw new IllegalStateException("expected a conflicting merge, found " + m);
        }
    }

    String head() throws IOException {
        return git.getRepository().resolve("HEAD").name();
    }

    String resolve(String rev) throws IOException {
        var id = git.getRepository().resolve(rev);
        return id == null ? null : id.name();
    }

    String branch() throws IOException {
        return git.getRepository().getBranch();
    }

    Repository repository() {
        return git.getRepository();
    }

    void checkout(String rev) throws Exception {
        git.checkout().setName(rev).call();
    }

    void resetHard(String rev) throws Exception {
        git.reset().setMode(ResetCommand.ResetType.HARD).setRef(rev).call();
    }

    /** Every file of the work tree outside .git, with its content (hex) or a link's target. */
    static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String key = root.relativize(p).toString().replace('\\', '/');
                if (key.equals(".git") || key.startsWith(".git/")) {
                    continue;
                }
                if (Files.isSymbolicLink(p)) {
                    out.put(key, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(key, HexFormat.of().formatHex(Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }

    /** The contents the work tree has at {@code rev}, made by checking it out in a scratch clone. */
    Map<String, String> contentsAt(String rev, Path scratch) throws Exception {
        try (Git clone = Git.cloneRepository().setURI(dir.toUri().toString()).setDirectory(scratch.toFile())
                .setNoCheckout(true).call()) {
            clone.checkout().setName(rev).setForced(true).call();
            return contents(scratch);
        }
    }

    @Override
    public void close() {
        git.close();
    }
}
