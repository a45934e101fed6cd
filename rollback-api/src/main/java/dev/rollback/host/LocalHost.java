package dev.rollback.host;

import static dev.rollback.host.LocalFiles.NOFOLLOW;
import static dev.rollback.host.LocalFiles.ROOT;
import static dev.rollback.host.LocalFiles.copyOwner;
import static dev.rollback.host.LocalFiles.deleteQuietly;
import static dev.rollback.host.LocalFiles.failure;
import static dev.rollback.host.LocalFiles.permissions;

import dev.rollback.internal.Files2;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * This machine as a {@link Host}: commands through commons-exec (argv only, a timeout that kills
 * the whole process tree), files through java.nio. Obtain it with {@link Hosts#local()}.
 *
 * <p>Thread-safe. It keeps no state but the commands it {@link #hold holds}: closing it ends those
 * (as {@link HeldCommand#close()} does) and nothing else.
 */
public final class LocalHost implements Host {

    /** The held commands not closed yet; one leaves the set when it ends or is closed. */
    private final Set<HeldCommand> held = ConcurrentHashMap.newKeySet();

    LocalHost() {}

    @Override
    public String name() {
        return "local";
    }

    @Override
    public CommandResult run(Command command) {
        return LocalCommands.run(command, name());
    }

    /**
     * Starts the command as a process of this machine, its standard input a pipe that stays open
     * until the handle, or this host, is closed. If this process dies, the pipe closes with it.
     */
    @Override
    public HeldCommand hold(Command command) {
        LocalHeld h = LocalHeld.start(command);
        held.add(h);
        h.onExit(() -> held.remove(h));
        return h;
    }

    @Override
    public boolean hasProgram(String program) {
        return LocalCommands.hasProgram(program);
    }

    // ---- files -----------------------------------------------------------------------------------

    @Override
    public Optional<FileStat> stat(Path path) {
        return LocalFiles.stat(path);
    }

    @Override
    public byte[] read(Path path) {
        return LocalFiles.read(path);
    }

    @Override
    public void write(Path path, byte[] content, int mode) {
        LocalFiles.write(path, content, mode);
    }

    @Override
    public void upload(Path localFile, Path path, int mode) {
        LocalFiles.upload(localFile, path, mode);
    }

    @Override
    public void download(Path path, Path localFile) {
        LocalFiles.download(path, localFile);
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
        LocalTrees.copyTree(from, to, how);
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
        LocalFiles.setOwner(path, owner, group);
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
        return LocalTrees.digestTree(dir, earlier, known);
    }

    @Override
    public void close() {
        for (HeldCommand h : List.copyOf(held)) {
            h.close();
        }
    }

    @Override
    public String toString() {
        return "LocalHost";
    }

}
