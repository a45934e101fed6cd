package dev.rollback.host;

import dev.rollback.internal.Files2;
import dev.rollback.internal.Logs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;

/**
 * Single files on this machine for {@link LocalHost}: attributes, reads, atomic replacement (write and
 * upload), download, and the attribute and failure helpers the tree copy and the facade share.
 *
 * <p>Thread-safe and stateless; every replacement works through its own temp file.
 */
final class LocalFiles {

    /** Logged under the facade's name, as before the split. */
    private static final Logger LOG = Logs.of(LocalHost.class);
    static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    static final boolean ROOT = isRoot();

    private LocalFiles() {}

    static Optional<FileStat> stat(Path path) {
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

    static byte[] read(Path path) {
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

    static void write(Path path, byte[] content, int mode) {
        Objects.requireNonNull(content, "content");
        replace("write", path, mode, ch -> {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
        });
    }

    static void upload(Path localFile, Path path, int mode) {
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
    private static void replace(String action, Path path, int mode, Content content) {
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
                Files2.force(ch);
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

    static void download(Path path, Path localFile) {
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
                Files2.force(out);
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

    static void setOwner(Path path, String owner, String group) {
        try {
            UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
            PosixFileAttributeView view = view(path);
            view.setOwner(users.lookupPrincipalByName(owner));
            view.setGroup(users.lookupPrincipalByGroupName(group));
        } catch (IOException e) {
            throw failure("give " + owner + ":" + group + " ownership of", path, e);
        }
    }

    static PosixFileAttributeView view(Path p) {
        return Files.getFileAttributeView(p, PosixFileAttributeView.class, NOFOLLOW);
    }

    static void copyOwner(Path from, Path to) throws IOException {
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

    static HostException failure(String action, Path path, IOException e) {
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

    static void deleteQuietly(Path p) {
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
