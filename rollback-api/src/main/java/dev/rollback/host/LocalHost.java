package dev.rollback.host;

import dev.rollback.internal.Files2;
import dev.rollback.internal.Logs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import org.apache.commons.exec.Watchdog;
import org.slf4j.Logger;

/**
 * This machine as a {@link Host}: commands through commons-exec (argv only, a timeout that kills
 * the whole process tree), files through java.nio. Obtain it with {@link Hosts#local()}.
 *
 * <p>Thread-safe and stateless; closing it does nothing.
 */
public final class LocalHost implements Host {

    private static final Logger LOG = Logs.of(LocalHost.class);
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final boolean ROOT = isRoot();
    private static final String UNIX_ATTRS = "unix:size,mode,uid,gid,lastModifiedTime";

    LocalHost() {}

    @Override
    public String name() {
        return "local";
    }

    // ---- commands --------------------------------------------------------------------------------

    @Override
    public CommandResult run(Command command) {
        String program = command.argv().get(0);
        if (!hasProgram(program)) {
            throw new HostException("command '" + command.display() + "' on host local: expected the program '"
                    + program + "' " + (program.contains("/") ? "to be an executable file" : "on the PATH ("
                    + System.getenv("PATH") + ")") + ", found none; install it or give its full path");
        }
        if (command.workDir() != null && !Files.isDirectory(command.workDir())) {
            throw new HostException("command '" + command.display() + "' on host local: expected the working folder "
                    + command.workDir() + ", found none; create it or correct the path");
        }
        CommandLine line = verbatim(command.argv());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        byte[] stdin = command.stdin();
        TreeKillingWatchdog watchdog = new TreeKillingWatchdog(command.timeout());
        DefaultExecutor executor = DefaultExecutor.builder()
                .setWorkingDirectory(command.workDir() == null ? Path.of("").toAbsolutePath() : command.workDir())
                .setExecuteStreamHandler(new PumpStreamHandler(out, err,
                        new ByteArrayInputStream(stdin == null ? new byte[0] : stdin)))
                .get();
        executor.setWatchdog(watchdog);
        executor.setExitValues(null);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(command.env());
        long start = System.nanoTime();
        int code;
        try {
            code = executor.execute(line, env);
        } catch (IOException e) {
            throw new HostException("command '" + command.display() + "' on host local could not be started: "
                    + e.getMessage() + "; check that the program is executable", e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        boolean timedOut = watchdog.killedAtTimeout();
        CommandResult result = new CommandResult(command.display(), name(), code,
                out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), took, timedOut);
        if (timedOut) {
            LOG.warn("'{}' on host local was killed with its child processes after its timeout of {}", program,
                    command.timeout());
        }
        return result;
    }

    /**
     * A command line that hands the argv to the process exactly as given: commons-exec trims each
     * argument it is given (and would expand {@code ${..}}), so the launcher gets the list itself.
     */
    private static CommandLine verbatim(List<String> argv) {
        String[] exact = argv.toArray(String[]::new);
        CommandLine line = new CommandLine(argv.get(0)) {
            @Override
            public String[] toStrings() {
                return exact.clone();
            }
        };
        argv.stream().skip(1).forEach(a -> line.addArgument(a, false));
        return line;
    }

    @Override
    public boolean hasProgram(String program) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Files.isRegularFile(p) && Files.isExecutable(p);
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }

    /** A watchdog that kills the process's children before the process, so nothing is left running. */
    private static final class TreeKillingWatchdog extends ExecuteWatchdog {
        private volatile Process process;
        private volatile boolean killing;

        @SuppressWarnings("deprecation") // the builder's constructor is not open to subclasses
        TreeKillingWatchdog(Duration timeout) {
            super(timeout.toMillis());
        }

        @Override
        public synchronized void start(Process processToMonitor) {
            this.process = processToMonitor;
            super.start(processToMonitor);
        }

        @Override
        public synchronized void timeoutOccured(Watchdog w) {
            Process p = process;
            if (p != null && p.isAlive()) {
                // said before the kill: the waiting thread may see the process end before this method returns
                killing = true;
                // children first: once the parent dies they are re-parented and no longer found
                List<ProcessHandle> tree = p.toHandle().descendants().toList();
                tree.forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            super.timeoutOccured(w);
        }

        /** Whether this watchdog killed the process at its timeout. */
        boolean killedAtTimeout() {
            return killing || killedProcess();
        }
    }

    // ---- files -----------------------------------------------------------------------------------

    @Override
    public Optional<FileStat> stat(Path path) {
        try {
            PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, NOFOLLOW);
            FileStat.Type type = a.isSymbolicLink() ? FileStat.Type.SYMLINK : a.isDirectory() ? FileStat.Type.DIRECTORY
                    : a.isRegularFile() ? FileStat.Type.FILE : FileStat.Type.OTHER;
            return Optional.of(new FileStat(path, type, a.size(), mode(a.permissions()), a.owner().getName(),
                    a.group().getName(), a.lastModifiedTime().toInstant(),
                    a.isSymbolicLink() ? Files.readSymbolicLink(path) : null));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("read the attributes of", path, e);
        }
    }

    @Override
    public byte[] read(Path path) {
        try {
            if (Files.isDirectory(path, NOFOLLOW)) {
                throw new HostException("read " + path + " on host local: expected a file, found a folder; "
                        + "give the path of a file");
            }
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw failure("read", path, e);
        }
    }

    @Override
    public void write(Path path, byte[] content, int mode) {
        Objects.requireNonNull(content, "content");
        replace("write", path, mode, ch -> {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
        });
    }

    @Override
    public void upload(Path localFile, Path path, int mode) {
        String action = "upload " + localFile + " to";
        requireRegularFile(action + " " + path + " on host local: expected a regular file at " + localFile, localFile);
        replace(action, path, mode, ch -> {
            try (FileChannel in = FileChannel.open(localFile, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                transfer(in, ch);
            }
        });
    }

    /** What fills the temp file of a replacement. */
    @FunctionalInterface
    private interface Content {
        void writeTo(FileChannel ch) throws IOException;
    }

    /**
     * Replaces {@code path} atomically: a temp file beside it (owner-only while it fills), forced to
     * disk, given the old file's mode and owner (or {@code mode}), renamed over it.
     */
    private void replace(String action, Path path, int mode, Content content) {
        Path dir = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new HostException(action + " " + path + " on host local: expected the folder " + dir + ", found none; "
                    + "create it first");
        }
        Optional<FileStat> old = stat(path);
        if (old.isPresent() && !old.get().isFile()) {
            throw new HostException(action + " " + path + " on host local: expected a regular file or nothing there, "
                    + "found a " + old.get().type().name().toLowerCase() + "; remove it or choose another path");
        }
        Path temp = dir.resolve("." + path.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(permissions(0600)))) {
                content.writeTo(ch);
                ch.force(true);
            }
            Files.setPosixFilePermissions(temp, permissions(old.map(FileStat::mode).orElse(mode)));
            if (old.isPresent() && ROOT) {
                setOwner(temp, old.get().owner(), old.get().group());
            }
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files2.syncDirectory(dir);
        } catch (IOException e) {
            throw failure(action, path, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    @Override
    public void download(Path path, Path localFile) {
        String action = "download " + path + " to " + localFile + " on host local";
        requireRegularFile(action + ": expected a regular file at " + path, path);
        Path dir = localFile.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new HostException(action + ": expected the folder " + dir + ", found none; create it first");
        }
        if (Files.exists(localFile, NOFOLLOW)) {
            throw new HostException(action + ": expected nothing at " + localFile + ", found something; move it away "
                    + "or choose another file");
        }
        boolean created = false;
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            try (FileChannel out = FileChannel.open(localFile, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(permissions(0600)))) {
                created = true;
                transfer(in, out);
                out.force(true);
            }
            Files2.syncDirectory(dir);
            created = false;
        } catch (IOException e) {
            throw failure("download " + path + " to", localFile, e);
        } finally {
            if (created) {
                deleteQuietly(localFile);
            }
        }
    }

    /** Copies everything from {@code in}'s start to its end into {@code out}, in the kernel where it can. */
    private static void transfer(FileChannel in, FileChannel out) throws IOException {
        long at = 0;
        long n;
        while ((n = in.transferTo(at, Long.MAX_VALUE - at, out)) > 0) {
            at += n;
        }
    }

    /**
     * Refuses anything but a regular file at {@code file} (a link is not followed), with a message
     * that starts with {@code expected} and says what was found.
     */
    private static void requireRegularFile(String expected, Path file) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            throw new HostException(expected + ", found nothing; check the path");
        } catch (IOException e) {
            throw failure("read the attributes of", file, e);
        }
        if (a.isDirectory()) {
            throw new HostException(expected + ", found a folder; give the path of a file");
        } else if (a.isSymbolicLink()) {
            throw new HostException(expected + ", found a symbolic link; give the path of the file it points to");
        } else if (!a.isRegularFile()) {
            throw new HostException(expected + ", found a device, socket or pipe; give the path of a regular file");
        }
    }

    @Override
    public void move(Path from, Path to) {
        Optional<FileStat> target = stat(to);
        if (target.isPresent() && target.get().isDirectory()) {
            throw new HostException("move " + from + " to " + to + " on host local: expected nothing or a file at " + to
                    + ", found a folder; move that folder away first");
        }
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files2.syncDirectory(to.toAbsolutePath().getParent());
        } catch (AtomicMoveNotSupportedException e) {
            throw new HostException("move " + from + " to " + to + " on host local: expected both on one file system "
                    + "(a rename is atomic only there), found two; keep backups beside the live folder", e);
        } catch (IOException e) {
            throw failure("move " + from + " to", to, e);
        }
    }

    @Override
    public void copy(Path from, Path to) {
        try {
            BasicFileAttributes a = Files.readAttributes(from, BasicFileAttributes.class, NOFOLLOW);
            if (!a.isRegularFile()) {
                throw new HostException("copy " + from + " on host local: expected a regular file, found "
                        + (a.isDirectory() ? "a folder (use copyTree)" : "a link or device") + "; give a file");
            }
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING,
                    LinkOption.NOFOLLOW_LINKS);
            if (ROOT) {
                copyOwner(from, to);
            }
        } catch (IOException e) {
            throw failure("copy " + from + " to", to, e);
        }
    }

    @Override
    public void copyTree(Path from, Path to, TreeCopy how) {
        if (!Files.isDirectory(from, NOFOLLOW)) {
            throw new HostException("copy of the tree " + from + " on host local: expected a folder, found "
                    + (Files.exists(from, NOFOLLOW) ? "something else" : "nothing") + "; check the path");
        }
        if (Files.exists(to, NOFOLLOW)) {
            throw new HostException("copy of the tree " + from + " to " + to + " on host local: expected nothing at "
                    + to + ", found something; move it away or choose another destination");
        }
        try {
            Files.walkFileTree(from, new TreeCopier(from, to, how));
        } catch (IOException e) {
            throw failure("copy the tree " + from + " to", to, e);
        }
    }

    /** Copies a tree; folder modes and times are applied on the way out, so read-only folders fill. */
    private static final class TreeCopier extends SimpleFileVisitor<Path> {
        private final Path from;
        private final Path to;
        private final TreeCopy how;
        private final Deque<PosixFileAttributes> dirs = new ArrayDeque<>();
        private final WorkMeter meter = WorkMeter.current();

        TreeCopier(Path from, Path to, TreeCopy how) {
            this.from = from;
            this.to = to;
            this.how = how;
        }

        private String rel(Path p) {
            return from.relativize(p).toString().replace(File.separatorChar, '/');
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
            String rel = rel(dir);
            if (!rel.isEmpty() && how.isExcluded(rel)) {
                return FileVisitResult.SKIP_SUBTREE;
            }
            Files.createDirectory(to.resolve(rel));
            dirs.push(Files.readAttributes(dir, PosixFileAttributes.class, NOFOLLOW));
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes basic) throws IOException {
            String rel = rel(file);
            if (how.isExcluded(rel)) {
                return FileVisitResult.CONTINUE;
            }
            Path dst = to.resolve(rel);
            if (basic.isSymbolicLink()) {
                Files.createSymbolicLink(dst, Files.readSymbolicLink(file));
                if (ROOT) {
                    copyOwner(file, dst);
                }
            } else if (basic.isRegularFile()) {
                // numeric owners: looking names up costs more than the stat itself, per file
                Map<String, Object> a = Files.readAttributes(file, UNIX_ATTRS, NOFOLLOW);
                Path earlier = how.linkDest() == null ? null : how.linkDest().resolve(rel);
                if (earlier != null && sameFile(a, earlier)) {
                    Files.createLink(dst, earlier);
                    meter.add(1, 0);
                } else {
                    Files.copy(file, dst, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    meter.add(1, basic.size());
                    // the copy keeps times to the microsecond only; cp -a keeps nanoseconds, and so do we
                    Files.setLastModifiedTime(dst, (FileTime) a.get("lastModifiedTime"));
                    if (ROOT) {
                        Files.setAttribute(dst, "unix:uid", a.get("uid"), NOFOLLOW);
                        Files.setAttribute(dst, "unix:gid", a.get("gid"), NOFOLLOW);
                    }
                }
            } else {
                LOG.warn("copy of {}: left out {}, which is neither a file, a folder nor a link", from, file);
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
                throw e;
            }
            PosixFileAttributes a = dirs.pop();
            Path dst = to.resolve(rel(dir));
            Files.setPosixFilePermissions(dst, a.permissions());
            if (ROOT) {
                view(dst).setOwner(a.owner());
                view(dst).setGroup(a.group());
            }
            Files.setLastModifiedTime(dst, a.lastModifiedTime());
            return FileVisitResult.CONTINUE;
        }

        private static boolean sameFile(Map<String, Object> live, Path earlier) {
            try {
                Map<String, Object> e = Files.readAttributes(earlier, UNIX_ATTRS, NOFOLLOW);
                return e.get("size").equals(live.get("size"))
                        // the mode holds the file type too, so a folder or link at earlier never matches
                        && e.get("mode").equals(live.get("mode"))
                        && micros(e).equals(micros(live))
                        && (!ROOT || (e.get("uid").equals(live.get("uid")) && e.get("gid").equals(live.get("gid"))));
            } catch (IOException notThere) {
                return false;
            }
        }

        /** Compared at the microsecond: copies made before times were kept to the nanosecond still match. */
        private static Long micros(Map<String, Object> a) {
            return ((FileTime) a.get("lastModifiedTime")).to(java.util.concurrent.TimeUnit.MICROSECONDS);
        }
    }

    @Override
    public void delete(Path path) {
        try {
            Files2.deleteTree(path);
        } catch (IOException e) {
            throw failure("delete", path, e);
        }
    }

    @Override
    public List<Path> list(Path dir) {
        if (!Files.isDirectory(dir, NOFOLLOW)) {
            throw new HostException("list " + dir + " on host local: expected a folder, found "
                    + (Files.exists(dir, NOFOLLOW) ? "something else" : "nothing") + "; check the path");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw failure("list", dir, e);
        }
    }

    @Override
    public void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw failure("create the folder", dir, e);
        }
    }

    @Override
    public void symlink(Path link, Path target) {
        try {
            Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw failure("create the link to " + target + " at", link, e);
        }
    }

    @Override
    public void replaceSymlink(Path link, Path target) {
        Optional<FileStat> old = stat(link);
        if (old.isPresent() && !old.get().isSymlink()) {
            throw new HostException("switch " + link + " to " + target + " on host local: expected a symbolic link at "
                    + link + ", found a " + old.get().type().name().toLowerCase() + "; move it away first");
        }
        Path temp = link.toAbsolutePath().resolveSibling("." + link.getFileName() + "." + UUID.randomUUID() + ".link");
        try {
            Files.createSymbolicLink(temp, target);
            Files.move(temp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files2.syncDirectory(temp.getParent());
        } catch (IOException e) {
            throw failure("switch the link to " + target + " at", link, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    @Override
    public void setMode(Path path, int mode) {
        try {
            Files.setPosixFilePermissions(path, permissions(mode));
        } catch (IOException e) {
            throw failure("set the mode " + String.format("%04o", mode) + " of", path, e);
        }
    }

    @Override
    public void setOwner(Path path, String owner, String group) {
        try {
            UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
            PosixFileAttributeView view = view(path);
            view.setOwner(users.lookupPrincipalByName(owner));
            view.setGroup(users.lookupPrincipalByGroupName(group));
        } catch (IOException e) {
            throw failure("give " + owner + ":" + group + " ownership of", path, e);
        }
    }

    @Override
    public boolean canChangeOwners() {
        return ROOT;
    }

    @Override
    public boolean sharesLocalFiles() {
        return true;
    }

    @Override
    public List<FileDigest> digestTree(Path dir, Path earlier, Collection<FileDigest> known) {
        Objects.requireNonNull(known, "known");
        if (!Files.isDirectory(dir, NOFOLLOW)) {
            throw new HostException("digest the tree " + dir + " on host local: expected a folder, found "
                    + (Files.exists(dir, NOFOLLOW) ? "something else" : "nothing") + "; check the path");
        }
        Map<String, FileDigest> before = new HashMap<>();
        known.forEach(d -> before.put(d.path(), d));
        List<FileDigest> out = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile()) {
                        String rel = dir.relativize(f).toString().replace(File.separatorChar, '/');
                        FileDigest was = before.get(rel);
                        if (was != null && earlier != null && was.size() == attrs.size()
                                && sameFile(attrs, earlier.resolve(rel))) {
                            out.add(was);
                        } else {
                            out.add(new FileDigest(rel, attrs.size(), Files2.sha256(f)));
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw failure("digest the tree", dir, e);
        }
        out.sort(Comparator.comparing(FileDigest::path));
        return out;
    }

    /** Whether {@code other} is the file described by {@code attrs}: the same inode, a hard link. */
    private static boolean sameFile(BasicFileAttributes attrs, Path other) {
        try {
            Object key = Files.readAttributes(other, BasicFileAttributes.class, NOFOLLOW).fileKey();
            return key != null && key.equals(attrs.fileKey());
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw failure("read the attributes of", other, e);
        }
    }

    @Override
    public void close() {
        // nothing to release
    }

    @Override
    public String toString() {
        return "LocalHost";
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static PosixFileAttributeView view(Path p) {
        return Files.getFileAttributeView(p, PosixFileAttributeView.class, NOFOLLOW);
    }

    private static void copyOwner(Path from, Path to) throws IOException {
        PosixFileAttributes a = Files.readAttributes(from, PosixFileAttributes.class, NOFOLLOW);
        view(to).setOwner(a.owner());
        view(to).setGroup(a.group());
    }

    static int mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= 1 << (8 - p.ordinal());
        }
        return m;
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) {
                out.add(p);
            }
        }
        return out;
    }

    private static HostException failure(String action, Path path, IOException e) {
        String found;
        String todo;
        if (e instanceof NoSuchFileException) {
            found = "nothing at " + e.getMessage();
            todo = "check the path";
        } else if (e instanceof java.nio.file.AccessDeniedException) {
            found = "permission denied on " + e.getMessage();
            todo = "run as a user allowed to, or fix the permissions";
        } else if (e instanceof FileAlreadyExistsException) {
            found = "something already at " + e.getMessage();
            todo = "move it away first";
        } else if (e instanceof DirectoryNotEmptyException) {
            found = "a folder that is not empty at " + e.getMessage();
            todo = "move it away first";
        } else {
            found = e.toString();
            todo = "check the disk and the permissions";
        }
        return new HostException(action + " " + path + " on host local: expected to succeed, found " + found + "; " + todo, e);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("could not remove temp file {}: {}", p, e.toString());
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall back to the user name
        }
        return "root".equals(System.getProperty("user.name"));
    }

}
