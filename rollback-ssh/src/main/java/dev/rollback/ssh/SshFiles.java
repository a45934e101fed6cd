package dev.rollback.ssh;

import dev.rollback.host.FileStat;
import dev.rollback.host.HostException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.RemoteResourceInfo;
import net.schmizz.sshj.sftp.RenameFlags;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPException;

/**
 * The single files and folders of an {@link SshHost}: stat, read, list, move (an atomic POSIX
 * rename) and modes over SFTP; copies, deletes, folders, links and owners through fixed scripts of
 * {@link SshCommands} ({@code cp}, {@code rm}, {@code mkdir}, {@code ln}, {@code chown -h}), so file
 * data never crosses the network to be copied on the server.
 *
 * <p>Thread-safe: holds no state of its own; every call goes through the shared {@link SshLink}.
 */
final class SshFiles {

    private final SshLink link;
    private final SshCommands commands;
    private final SshOwners owners;
    private final String name;

    SshFiles(SshLink link, SshCommands commands, SshOwners owners) {
        this.link = link;
        this.commands = commands;
        this.owners = owners;
        this.name = link.name();
    }

    Optional<FileStat> stat(Path path) {
        Path p = link.absolute(path, "read the attributes of");
        return link.sftp("read the attributes of", p, true, s -> {
            FileAttributes a;
            try {
                a = s.lstat(p.toString());
            } catch (SFTPException e) {
                if (e.getStatusCode() == Response.StatusCode.NO_SUCH_FILE
                        || e.getStatusCode() == Response.StatusCode.NO_SUCH_PATH) {
                    return Optional.empty();
                }
                throw e;
            }
            FileStat.Type type = type(a.getType());
            Path target = type == FileStat.Type.SYMLINK ? Path.of(s.readlink(p.toString())) : null;
            return Optional.of(new FileStat(p, type, a.getSize(), a.getMode().getPermissionsMask() & 0777,
                    owners.userName(a.getUID()), owners.groupName(a.getGID()), Instant.ofEpochSecond(a.getMtime()),
                    target));
        });
    }

    static FileStat.Type type(FileMode.Type t) {
        return switch (t) {
            case REGULAR -> FileStat.Type.FILE;
            case DIRECTORY -> FileStat.Type.DIRECTORY;
            case SYMLINK -> FileStat.Type.SYMLINK;
            default -> FileStat.Type.OTHER;
        };
    }

    byte[] read(Path path) {
        Path p = link.absolute(path, "read");
        return link.sftp("read", p, true, s -> {
            FileAttributes a = s.lstat(p.toString());
            if (a.getType() == FileMode.Type.DIRECTORY) {
                throw new HostException("read " + p + " on host " + name + ": expected a file, found a folder; "
                        + "give the path of a file");
            }
            try (RemoteFile f = s.open(p.toString(), EnumSet.of(OpenMode.READ));
                    InputStream in = f.new ReadAheadRemoteFileInputStream(16)) {
                return in.readAllBytes();
            }
        });
    }

    /** Renames atomically, replacing what is at {@code to} (POSIX rename, not SFTP's refuse-if-exists). */
    void rename(SFTPClient s, String from, String to) throws IOException {
        if (!s.getSFTPEngine().supportsServerExtension("posix-rename", "openssh.com")) {
            throw new HostException("rename " + from + " to " + to + " on host " + name + ": expected the SFTP server "
                    + "to offer posix-rename@openssh.com (an atomic replacing rename), found it missing; use "
                    + "OpenSSH's sftp-server on this host");
        }
        s.rename(from, to, EnumSet.of(RenameFlags.OVERWRITE, RenameFlags.ATOMIC, RenameFlags.NATIVE));
    }

    void move(Path from, Path to) {
        Path f = link.absolute(from, "move");
        Path t = link.absolute(to, "move");
        Optional<FileStat> target = stat(t);
        if (target.isPresent() && target.get().isDirectory()) {
            throw new HostException("move " + f + " to " + t + " on host " + name + ": expected nothing or a file at " + t
                    + ", found a folder; move that folder away first");
        }
        link.sftp("move " + f + " to", t, false, s -> {
            rename(s, f.toString(), t.toString());
            return null;
        });
    }

    void copy(Path from, Path to) {
        Path f = link.absolute(from, "copy");
        Path t = link.absolute(to, "copy");
        Optional<FileStat> source = stat(f);
        if (source.isEmpty() || !source.get().isFile()) {
            throw new HostException("copy " + f + " on host " + name + ": expected a regular file, found "
                    + (source.isEmpty() ? "nothing" : source.get().isDirectory() ? "a folder (use copyTree)"
                    : "a link or device") + "; give a file");
        }
        commands.script("copy " + f + " to", t, "exec cp -p -- \"$1\" \"$2\"", List.of(f.toString(), t.toString()),
                null);
    }

    void delete(Path path) {
        Path p = link.absolute(path, "delete");
        if (p.getParent() == null) {
            throw new HostException("delete " + p + " on host " + name + ": expected a path below the root folder, "
                    + "found the root itself; give the path to delete");
        }
        commands.script("delete", p, "exec rm -rf -- \"$1\"", List.of(p.toString()), null);
    }

    List<Path> list(Path dir) {
        Path d = link.absolute(dir, "list");
        requireFolder("list", d);
        return link.sftp("list", d, true, sftp -> {
            List<Path> out = new ArrayList<>();
            for (RemoteResourceInfo i : sftp.ls(d.toString())) {
                if (!i.getName().equals(".") && !i.getName().equals("..")) {
                    out.add(d.resolve(i.getName()));
                }
            }
            out.sort(Comparator.naturalOrder());
            return out;
        });
    }

    /** Refuses anything but a folder at {@code dir}, saying {@code what} was to be done with it. */
    void requireFolder(String what, Path dir) {
        Optional<FileStat> s = stat(dir);
        if (s.isEmpty() || !s.get().isDirectory()) {
            throw new HostException(what + " " + dir + " on host " + name + ": expected a folder, found "
                    + (s.isPresent() ? "something else" : "nothing") + "; check the path");
        }
    }

    void createDirectories(Path dir) {
        Path d = link.absolute(dir, "create the folder");
        commands.script("create the folder", d, "exec mkdir -p -- \"$1\"", List.of(d.toString()), null);
    }

    void symlink(Path at, Path target) {
        Path l = link.absolute(at, "create a link at");
        Objects.requireNonNull(target, "target");
        if (stat(l).isPresent()) {
            throw new HostException("create the link to " + target + " at " + l + " on host " + name
                    + ": expected nothing at " + l + ", found something already; move it away first");
        }
        commands.script("create the link to " + target + " at", l, "exec ln -s -- \"$1\" \"$2\"",
                List.of(target.toString(), l.toString()), null);
    }

    void replaceSymlink(Path at, Path target) {
        Path l = link.absolute(at, "switch the link at");
        Objects.requireNonNull(target, "target");
        Optional<FileStat> old = stat(l);
        if (old.isPresent() && !old.get().isSymlink()) {
            throw new HostException("switch " + l + " to " + target + " on host " + name + ": expected a symbolic link at "
                    + l + ", found a " + old.get().type().name().toLowerCase() + "; move it away first");
        }
        Path temp = l.resolveSibling("." + l.getFileName() + "." + UUID.randomUUID() + ".link");
        commands.script("switch the link to " + target + " at", l, "exec ln -s -- \"$1\" \"$2\"",
                List.of(target.toString(), temp.toString()), null);
        try {
            link.sftp("switch the link to " + target + " at", l, false, s -> {
                rename(s, temp.toString(), l.toString());
                return null;
            });
        } catch (RuntimeException e) {
            commands.script("remove the unused link", temp, "exec rm -f -- \"$1\"", List.of(temp.toString()), null);
            throw e;
        }
    }

    void setMode(Path path, int mode) {
        Path p = link.absolute(path, "set the mode of");
        link.sftp("set the mode " + String.format("%04o", mode) + " of", p, true, s -> {
            s.chmod(p.toString(), mode & 07777);
            return null;
        });
    }

    void setOwner(Path path, String owner, String group) {
        Path p = link.absolute(path, "give ownership of");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(group, "group");
        commands.script("give " + owner + ":" + group + " ownership of", p, "exec chown -h -- \"$1\" \"$2\"",
                List.of(owner + ":" + group, p.toString()), null);
    }
}
