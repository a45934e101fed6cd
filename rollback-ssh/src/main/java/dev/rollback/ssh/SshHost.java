package dev.rollback.ssh;

import dev.rollback.Sleeper;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileDigest;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import dev.rollback.host.Hosts;
import dev.rollback.host.TreeCopy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.PacketType;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.RemoteResourceInfo;
import net.schmizz.sshj.sftp.RenameFlags;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPEngine;
import net.schmizz.sshj.sftp.SFTPException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server reached over SSH as a {@link Host}: commands run through SSH exec, files move through
 * SFTP, over one connection that is reused for every call and opened again, with a bounded retry,
 * when it drops. A plan runs on it exactly as on this machine: only {@code .on(host)} changes.
 *
 * <p>Commands: each argument of the argv travels single-quoted to a fixed wrapper script run by
 * {@code /bin/sh} (the login shell must be a POSIX shell: sh, bash, dash, ksh or zsh), which sets the
 * environment (sent on standard input, so values such as passwords never appear on the server's
 * process list), changes to the working folder, checks that the program exists, and then
 * {@code exec}s it. A command still running at its timeout is killed on the server with every
 * process below it. {@link Builder#sudo()} runs every command, and SFTP itself, as root through
 * {@code sudo -n}, which fails at once with a clear message where sudo would ask for a password.
 *
 * <p>Files: read, write and upload (a temp file beside the target, written, forced to disk where
 * the server offers {@code fsync@openssh.com}, given the old file's mode and owner, then renamed
 * over it with {@code posix-rename@openssh.com}), download, move, list, stat, modes over SFTP;
 * download and upload stream in 32 KiB packets, several in flight, so a file of any size crosses in
 * a few hundred KiB of memory; links, owners, copies and
 * deletes through the same command wrapper ({@code ln}, {@code chown -h}, {@code cp}, {@code rm}), so
 * file data never crosses the network to be copied on the server. {@link #copyTree} and {@link
 * #digestTree} ({@code find} and {@code sha256sum} on the server) need GNU findutils and coreutils on
 * the server (every Debian, Ubuntu, RHEL and SUSE has them). SFTP
 * reports modification times in whole seconds. Paths must be absolute.
 *
 * <p>Host keys are checked by default against {@code ~/.ssh/known_hosts}: an unknown or changed key
 * is refused with a {@link HostKeyRejectedException} that shows the key's fingerprint and how to
 * trust it.
 *
 * <p>Thread-safe: calls from several threads share the connection (each command is its own SSH
 * channel). {@link #close()} closes the connection; a later call would open a new one.
 *
 * <pre>{@code
 * try (SshHost server = SshHost.builder("10.0.0.5").user("rosey")
 *         .privateKey(Path.of(System.getProperty("user.home"), ".ssh/id_ed25519"))
 *         .connect()) {
 *     RollbackPlan plan = Rollback.plan("rosey").on(server).store(Path.of("restore-points"))
 *         .target(...).build();
 *     plan.rollback(plan.store().latestGood().orElseThrow());
 * }
 * }</pre>
 */
public final class SshHost implements Host {

    private static final Logger LOG = LoggerFactory.getLogger(SshHost.class);
    private static final int CHUNK = 32 * 1024;
    /** SFTP writes in flight before the next waits for the oldest to be confirmed. */
    private static final int UNCONFIRMED_WRITES = 16;
    /** SFTP reads asked for ahead of the one being consumed. */
    private static final int READ_AHEAD = 16;

    private final SshLink link;
    private final SshCommands commands;
    private final SshOwners owners;
    private final String name;

    private SshHost(SshSettings settings) {
        this.name = settings.user() + "@" + settings.address() + ":" + settings.port() + (settings.sudo() ? " (sudo)" : "");
        this.link = new SshLink(settings, name);
        this.commands = new SshCommands(link);
        this.owners = new SshOwners(commands);
    }


    /**
     * Starts the configuration of a connection to {@code address} (a host name or an IP address).
     *
     * <pre>{@code
     * SshHost host = SshHost.builder("10.0.0.5").user("rosey").privateKey(key).connect();
     * }</pre>
     */
    public static Builder builder(String address) {
        return new Builder(address);
    }

    @Override
    public String name() {
        return name;
    }

    // ---- commands --------------------------------------------------------------------------------

    @Override
    public CommandResult run(Command command) {
        return commands.run(command);
    }

    @Override
    public boolean hasProgram(String program) {
        return commands.hasProgram(program);
    }

    // ---- files -----------------------------------------------------------------------------------

    @Override
    public Optional<FileStat> stat(Path path) {
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
                    owners.userName(a.getUID()), owners.groupName(a.getGID()), Instant.ofEpochSecond(a.getMtime()), target));
        });
    }

    private static FileStat.Type type(FileMode.Type t) {
        return switch (t) {
            case REGULAR -> FileStat.Type.FILE;
            case DIRECTORY -> FileStat.Type.DIRECTORY;
            case SYMLINK -> FileStat.Type.SYMLINK;
            default -> FileStat.Type.OTHER;
        };
    }

    @Override
    public byte[] read(Path path) {
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

    @Override
    public void write(Path path, byte[] content, int mode) {
        Objects.requireNonNull(content, "content");
        replace("write", link.absolute(path, "write"), mode, out -> out.write(content));
    }

    @Override
    public void upload(Path localFile, Path path, int mode) {
        Objects.requireNonNull(localFile, "localFile");
        Path p = link.absolute(path, "upload " + localFile + " to");
        String action = "upload " + localFile + " to";
        requireLocalFile(action + " " + p + " on host " + name + ": expected a regular file at " + localFile
                + " on this machine", localFile);
        replace(action, p, mode, out -> {
            // opened for each attempt: a retry on a new connection sends the whole file again
            try (InputStream in = local(action + " " + p, localFile,
                    () -> Files.newInputStream(localFile, LinkOption.NOFOLLOW_LINKS))) {
                byte[] buffer = new byte[CHUNK];
                int n;
                while ((n = local(action + " " + p, localFile, () -> in.read(buffer))) > 0) {
                    out.write(buffer, 0, n);
                }
            }
        });
    }

    /** What fills the temp file of a replacement; may be called again, from the start, on a new connection. */
    @FunctionalInterface
    private interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Replaces {@code p} atomically: a new owner-only temp file beside it, filled by {@code content}
     * (writes pipelined, in SFTP packets of {@link #CHUNK}), forced to disk where the server offers
     * {@code fsync@openssh.com}, given the old file's mode and owner (or {@code mode}), then renamed
     * over it with {@code posix-rename@openssh.com}. The temp file is removed if anything fails.
     */
    private void replace(String action, Path p, int mode, Content content) {
        Path dir = p.getParent();
        Optional<FileStat> folder = stat(dir);
        if (folder.isEmpty() || !folder.get().isDirectory()) {
            throw new HostException(action + " " + p + " on host " + name + ": expected the folder " + dir + ", found "
                    + (folder.isEmpty() ? "none" : "a " + folder.get().type().name().toLowerCase()) + "; create it first");
        }
        link.sftp(action, p, true, s -> {
            String temp = dir.resolve("." + p.getFileName() + "." + UUID.randomUUID() + ".tmp").toString();
            FileAttributes old;
            try {
                old = s.lstat(p.toString());
            } catch (SFTPException e) {
                if (e.getStatusCode() != Response.StatusCode.NO_SUCH_FILE) {
                    throw e;
                }
                old = null;
            }
            if (old != null && old.getType() != FileMode.Type.REGULAR) {
                throw new HostException(action + " " + p + " on host " + name + ": expected a regular file or nothing "
                        + "there, found a " + type(old.getType()).name().toLowerCase()
                        + "; remove it or choose another path");
            }
            SFTPEngine engine = s.getSFTPEngine();
            boolean done = false;
            try {
                byte[] handle = engine.request(engine.newRequest(PacketType.OPEN)
                                .putString(temp, engine.getSubsystem().getRemoteCharset())
                                .putUInt32(OpenMode.toMask(EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.EXCL)))
                                .putFileAttributes(new FileAttributes.Builder().withPermissions(0600).build()))
                        .retrieve(engine.getTimeoutMs(), TimeUnit.MILLISECONDS)
                        .ensurePacketTypeIs(PacketType.HANDLE).readBytes();
                try (RemoteFile f = new RemoteFile(engine, temp, handle)) {
                    OutputStream out = f.new RemoteFileOutputStream(0, UNCONFIRMED_WRITES);
                    content.writeTo(new Packets(out));
                    out.flush(); // waits for every write to be confirmed, and fails with the first refused
                    if (engine.supportsServerExtension("fsync", "openssh.com")) {
                        engine.request(engine.newExtendedRequest("fsync@openssh.com").putString(handle))
                                .retrieve(engine.getTimeoutMs(), TimeUnit.MILLISECONDS).ensureStatusPacketIsOK();
                    }
                    FileAttributes.Builder attrs = new FileAttributes.Builder()
                            .withPermissions(old == null ? mode & 07777 : old.getMode().getPermissionsMask());
                    if (old != null && owners.canChangeOwners()) {
                        attrs.withUIDGID(old.getUID(), old.getGID());
                    }
                    f.setAttributes(attrs.build());
                }
                rename(s, temp, p.toString());
                done = true;
            } finally {
                if (!done) {
                    removeQuietly(s, temp);
                }
            }
            return null;
        });
    }

    /** Passes writes on in pieces of at most {@link #CHUNK} bytes, one SFTP write request each. */
    private static final class Packets extends OutputStream {
        private final OutputStream out;

        Packets(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            for (int at = 0; at < len; at += CHUNK) {
                out.write(b, off + at, Math.min(CHUNK, len - at));
            }
        }
    }

    @Override
    public void download(Path path, Path localFile) {
        Path p = link.absolute(path, "download");
        Objects.requireNonNull(localFile, "localFile");
        String action = "download " + p + " to " + localFile + " on host " + name;
        Path folder = localFile.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            throw new HostException(action + ": expected the folder " + folder + " on this machine, found none; "
                    + "create it first");
        }
        if (Files.exists(localFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new HostException(action + ": expected nothing at " + localFile + ", found something; move it away "
                    + "or choose another file");
        }
        link.sftp("download", p, true, s -> {
            FileAttributes a;
            try {
                a = s.lstat(p.toString());
            } catch (SFTPException e) {
                if (e.getStatusCode() == Response.StatusCode.NO_SUCH_FILE
                        || e.getStatusCode() == Response.StatusCode.NO_SUCH_PATH) {
                    throw new HostException(action + ": expected a regular file at " + p + ", found nothing; "
                            + "check the path", e);
                }
                throw e;
            }
            if (a.getType() != FileMode.Type.REGULAR) {
                throw new HostException(action + ": expected a regular file at " + p + ", found " + found(type(a.getType())));
            }
            boolean created = false;
            boolean done = false;
            try {
                try (RemoteFile f = s.open(p.toString(), EnumSet.of(OpenMode.READ));
                        InputStream in = f.new ReadAheadRemoteFileInputStream(READ_AHEAD)) {
                    // created in each attempt: a retry on a new connection starts from an empty file again
                    FileChannel out = local(action, localFile, () -> FileChannel.open(localFile,
                            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))));
                    created = true;
                    try (out) {
                        byte[] buffer = new byte[CHUNK];
                        int n;
                        while ((n = in.read(buffer)) > 0) {
                            ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                            while (chunk.hasRemaining()) {
                                local(action, localFile, () -> out.write(chunk));
                            }
                        }
                        local(action, localFile, () -> {
                            out.force(true);
                            return null;
                        });
                    }
                }
                done = true;
            } finally {
                if (created && !done) {
                    deleteLocal(localFile);
                }
            }
            syncLocalFolder(folder);
            return null;
        });
    }

    /** Something on this machine's side of a transfer that may fail with an IOException. */
    @FunctionalInterface
    private interface LocalIo<T> {
        T call() throws IOException;
    }

    /**
     * Runs an operation on a local file, turning its failure into a HostException that says it was
     * this machine's side, so that it is never taken for the server's.
     */
    private static <T> T local(String action, Path localFile, LocalIo<T> io) {
        try {
            return io.call();
        } catch (FileAlreadyExistsException e) {
            throw new HostException(action + ": expected nothing at " + localFile + ", found something; move it away "
                    + "or choose another file", e);
        } catch (IOException e) {
            throw new HostException(action + ": expected to use " + localFile + " on this machine, found " + e
                    + "; check the local disk: its free space and permissions", e);
        }
    }

    /** Refuses anything but a regular file at {@code localFile} on this machine (a link is not followed). */
    private static void requireLocalFile(String expected, Path localFile) {
        Optional<FileStat> s = Hosts.local().stat(localFile);
        if (s.isEmpty()) {
            throw new HostException(expected + ", found nothing; check the path");
        }
        if (!s.get().isFile()) {
            throw new HostException(expected + ", found " + found(s.get().type()));
        }
    }

    /** What was found instead of a regular file, and what to do. */
    private static String found(FileStat.Type type) {
        return switch (type) {
            case DIRECTORY -> "a folder; give the path of a file";
            case SYMLINK -> "a symbolic link; give the path of the file it points to";
            default -> "a device, socket or pipe; give the path of a regular file";
        };
    }

    private static void deleteLocal(Path localFile) {
        try {
            Files.deleteIfExists(localFile);
        } catch (IOException e) {
            LOG.warn("the partial download {} could not be removed: {}; remove it by hand", localFile, e.toString());
        }
    }

    /** Forces a local folder's entries to disk, so a new file in it survives a power cut. */
    private static void syncLocalFolder(Path folder) {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some file systems cannot open folders for sync; the file itself was forced
            LOG.debug("folder {} not forced to disk: {}", folder, e.toString());
        }
    }

    /** Renames atomically, replacing what is at {@code to} (POSIX rename, not SFTP's refuse-if-exists). */
    private void rename(SFTPClient s, String from, String to) throws IOException {
        if (!s.getSFTPEngine().supportsServerExtension("posix-rename", "openssh.com")) {
            throw new HostException("rename " + from + " to " + to + " on host " + name + ": expected the SFTP server "
                    + "to offer posix-rename@openssh.com (an atomic replacing rename), found it missing; use "
                    + "OpenSSH's sftp-server on this host");
        }
        s.rename(from, to, EnumSet.of(RenameFlags.OVERWRITE, RenameFlags.ATOMIC, RenameFlags.NATIVE));
    }

    private void removeQuietly(SFTPClient s, String temp) {
        try {
            s.rm(temp);
        } catch (IOException e) {
            LOG.debug("temp file {} on {} not removed: {}", temp, name, e.toString());
        }
    }

    @Override
    public void move(Path from, Path to) {
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

    @Override
    public void copy(Path from, Path to) {
        Path f = link.absolute(from, "copy");
        Path t = link.absolute(to, "copy");
        Optional<FileStat> source = stat(f);
        if (source.isEmpty() || !source.get().isFile()) {
            throw new HostException("copy " + f + " on host " + name + ": expected a regular file, found "
                    + (source.isEmpty() ? "nothing" : source.get().isDirectory() ? "a folder (use copyTree)"
                    : "a link or device") + "; give a file");
        }
        commands.script("copy " + f + " to", t, "exec cp -p -- \"$1\" \"$2\"", List.of(f.toString(), t.toString()), null);
    }

    @Override
    public void copyTree(Path from, Path to, TreeCopy how) {
        Path f = link.absolute(from, "copy the tree");
        Path t = link.absolute(to, "copy the tree to");
        Objects.requireNonNull(how, "how");
        Optional<FileStat> source = stat(f);
        if (source.isEmpty() || !source.get().isDirectory()) {
            throw new HostException("copy of the tree " + f + " on host " + name + ": expected a folder, found "
                    + (source.isPresent() ? "something else" : "nothing") + "; check the path");
        }
        if (stat(t).isPresent()) {
            throw new HostException("copy of the tree " + f + " to " + t + " on host " + name + ": expected nothing at "
                    + t + ", found something; move it away or choose another destination");
        }
        new TreeCopier(f, t, how).copy();
    }

    /**
     * Copies a tree on the server, in a handful of commands whatever its size: one {@code find}
     * lists the source (and one the earlier copy), then {@code mkdir}, {@code cp --parents} (files
     * and links, with modes, times and, as root, owners), {@code cp -l --parents} (hard links from
     * the earlier copy) and a last pass that gives folders their modes and times, deepest first.
     */
    private final class TreeCopier {
        private final Path from;
        private final Path to;
        private final TreeCopy how;

        TreeCopier(Path from, Path to, TreeCopy how) {
            this.from = from;
            this.to = to;
            this.how = how;
        }

        void copy() {
            Map<String, Entry> source = walk(from, how);
            Map<String, Entry> earlier = Map.of();
            if (how.linkDest() != null) {
                Path linkDest = link.absolute(how.linkDest(), "link from");
                Optional<FileStat> ld = stat(linkDest);
                if (ld.isPresent() && ld.get().isDirectory()) {
                    earlier = walk(linkDest, TreeCopy.all());
                }
            }
            boolean asRoot = owners.canChangeOwners();
            List<String> dirs = new ArrayList<>();
            List<String> copies = new ArrayList<>();
            List<String> links = new ArrayList<>();
            for (Entry e : source.values()) {
                switch (e.type) {
                    case 'd' -> {
                        if (!e.rel.isEmpty()) {
                            dirs.add(e.rel);
                        }
                    }
                    case 'l' -> copies.add(e.rel);
                    case 'f' -> {
                        Entry old = earlier.get(e.rel);
                        if (old != null && old.sameFileAs(e, asRoot)) {
                            links.add(e.rel);
                        } else {
                            copies.add(e.rel);
                        }
                    }
                    default -> LOG.warn("copy of {} on {}: left out {}, which is neither a file, a folder nor a link",
                            from, name, e.rel);
                }
            }
            List<String> mkdirs = new ArrayList<>();
            mkdirs.add(to.toString());
            dirs.forEach(d -> mkdirs.add(to.resolve(d).toString()));
            SshCommands.inChunks(mkdirs, List.of(), chunk -> commands.script("copy of the tree " + from + " to", to,
                    "exec mkdir -- \"$@\"", chunk, null));
            if (!copies.isEmpty()) {
                commands.script("copy of the tree " + from + " to", to,
                        "cd \"$1\" && exec xargs -0 cp -P -p --parents -t \"$2\" --",
                        List.of(from.toString(), to.toString()), SshCommands.nulSeparated(copies));
            }
            if (!links.isEmpty()) {
                commands.script("copy of the tree " + from + " to", to,
                        "cd \"$1\" && exec xargs -0 cp -l --parents -t \"$2\" --",
                        List.of(how.linkDest().toString(), to.toString()), SshCommands.nulSeparated(links));
            }
            // folders last, deepest first: their modes may forbid writing, and filling them changes their times
            List<String> attrs = new ArrayList<>();
            List<Entry> folders = new ArrayList<>();
            dirs.forEach(d -> folders.add(source.get(d)));
            folders.sort(Comparator.comparingInt((Entry e) -> e.rel.split("/").length).reversed());
            folders.add(source.get(""));
            for (Entry d : folders) {
                attrs.add(to.resolve(d.rel).toString());
                attrs.add(Integer.toOctalString(d.mode));
                attrs.add("@" + d.mtime.toPlainString());
                attrs.add(asRoot ? d.uid + ":" + d.gid : "");
            }
            SshCommands.inChunks(attrs, List.of(), chunk -> commands.script("copy of the tree " + from + " to", to,
                    "while [ $# -gt 0 ]; do if [ -n \"$4\" ]; then chown -h -- \"$4\" \"$1\" || exit; fi; "
                            + "chmod -- \"$2\" \"$1\" && touch -h -d \"$3\" -- \"$1\" || exit; shift 4; done",
                    chunk, null));
        }

        /** Every entry below {@code root} (and root itself as ""), excluded paths left out, in find's order. */
        private Map<String, Entry> walk(Path root, TreeCopy excludes) {
            List<String> params = new ArrayList<>();
            params.add(root.toString());
            for (String e : excludes.excludes()) {
                params.add(root + "/" + e.replaceAll("([\\\\*?\\[])", "\\\\$1"));
            }
            // find ROOT ( -path P1 -o -path P2 ) -prune -o -printf ..., built from the parameters, never from text
            String script = "r=$1; shift; n=$#; first=1; for p in \"$@\"; do "
                    + "if [ \"$first\" = 1 ]; then set -- \"$@\" '('; first=0; else set -- \"$@\" -o; fi; "
                    + "set -- \"$@\" -path \"$p\"; done; shift \"$n\"; "
                    + "if [ $# -gt 0 ]; then set -- \"$@\" ')' -prune -o; fi; "
                    + "exec find \"$r\" \"$@\" -printf '%y %m %U %G %s %T@ %P\\0%l\\0'";
            CommandResult r = commands.script("list the tree", root, script, params, null);
            Map<String, Entry> out = new LinkedHashMap<>();
            String[] parts = r.stdout().split("\0", -1);
            for (int i = 0; i + 1 < parts.length; i += 2) {
                Entry e = Entry.parse(parts[i]);
                if (!e.rel.isEmpty() && excludes.isExcluded(e.rel)) {
                    continue;
                }
                out.put(e.rel, e);
            }
            if (!out.containsKey("")) {
                throw new HostException("list the tree " + root + " on host " + name + ": expected GNU find to list it, "
                        + "found no entry for the folder itself; install GNU findutils on the server");
            }
            return out;
        }
    }

    /** One line of the tree listing. */
    private record Entry(char type, int mode, int uid, int gid, long size, BigDecimal mtime, String rel) {
        static Entry parse(String line) {
            String[] f = line.split(" ", 7);
            return new Entry(f[0].charAt(0), Integer.parseInt(f[1], 8), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    Long.parseLong(f[4]), new BigDecimal(f[5]), f[6]);
        }

        /** Same size, time (to the microsecond, the precision copies keep), mode and, as root, owner. */
        boolean sameFileAs(Entry live, boolean asRoot) {
            return type == 'f' && size == live.size && mode == live.mode
                    && micros(mtime).equals(micros(live.mtime)) && (!asRoot || (uid == live.uid && gid == live.gid));
        }

        private static BigDecimal micros(BigDecimal seconds) {
            return seconds.setScale(6, RoundingMode.DOWN);
        }
    }

    @Override
    public void delete(Path path) {
        Path p = link.absolute(path, "delete");
        if (p.getParent() == null) {
            throw new HostException("delete " + p + " on host " + name + ": expected a path below the root folder, "
                    + "found the root itself; give the path to delete");
        }
        commands.script("delete", p, "exec rm -rf -- \"$1\"", List.of(p.toString()), null);
    }

    @Override
    public List<Path> list(Path dir) {
        Path d = link.absolute(dir, "list");
        Optional<FileStat> s = stat(d);
        if (s.isEmpty() || !s.get().isDirectory()) {
            throw new HostException("list " + d + " on host " + name + ": expected a folder, found "
                    + (s.isPresent() ? "something else" : "nothing") + "; check the path");
        }
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

    @Override
    public void createDirectories(Path dir) {
        Path d = link.absolute(dir, "create the folder");
        commands.script("create the folder", d, "exec mkdir -p -- \"$1\"", List.of(d.toString()), null);
    }

    @Override
    public void symlink(Path link, Path target) {
        Path l = this.link.absolute(link, "create a link at");
        Objects.requireNonNull(target, "target");
        if (stat(l).isPresent()) {
            throw new HostException("create the link to " + target + " at " + l + " on host " + name
                    + ": expected nothing at " + l + ", found something already; move it away first");
        }
        commands.script("create the link to " + target + " at", l, "exec ln -s -- \"$1\" \"$2\"",
                List.of(target.toString(), l.toString()), null);
    }

    @Override
    public void replaceSymlink(Path link, Path target) {
        Path l = this.link.absolute(link, "switch the link at");
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
            this.link.sftp("switch the link to " + target + " at", l, false, s -> {
                rename(s, temp.toString(), l.toString());
                return null;
            });
        } catch (RuntimeException e) {
            commands.script("remove the unused link", temp, "exec rm -f -- \"$1\"", List.of(temp.toString()), null);
            throw e;
        }
    }

    @Override
    public void setMode(Path path, int mode) {
        Path p = link.absolute(path, "set the mode of");
        link.sftp("set the mode " + String.format("%04o", mode) + " of", p, true, s -> {
            s.chmod(p.toString(), mode & 07777);
            return null;
        });
    }

    @Override
    public void setOwner(Path path, String owner, String group) {
        Path p = link.absolute(path, "give ownership of");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(group, "group");
        commands.script("give " + owner + ":" + group + " ownership of", p, "exec chown -h -- \"$1\" \"$2\"",
                List.of(owner + ":" + group, p.toString()), null);
    }

    @Override
    public boolean canChangeOwners() {
        return owners.canChangeOwners();
    }

    /**
     * Lists the files with GNU {@code find} (relative path, size and {@code device:inode}), and the
     * earlier tree the same way when digests are known for it; then {@code sha256sum} reads, on the
     * server, only the files that are not hard links to an earlier file of known digest, their
     * names passed on standard input. Three commands at most, whatever the size of the tree.
     */
    @Override
    public List<FileDigest> digestTree(Path dir, Path earlier, Collection<FileDigest> known) {
        Path d = link.absolute(dir, "digest the tree");
        Objects.requireNonNull(known, "known");
        Optional<FileStat> s = stat(d);
        if (s.isEmpty() || !s.get().isDirectory()) {
            throw new HostException("digest the tree " + d + " on host " + name + ": expected a folder, found "
                    + (s.isPresent() ? "something else" : "nothing") + "; check the path");
        }
        Map<String, String[]> files = listFiles(d);
        Map<String, FileDigest> before = new HashMap<>();
        known.forEach(k -> before.put(k.path(), k));
        Map<String, String[]> old = Map.of();
        if (earlier != null && !before.isEmpty()) {
            Path e = link.absolute(earlier, "digest the tree");
            Optional<FileStat> es = stat(e);
            if (es.isPresent() && es.get().isDirectory()) {
                old = listFiles(e);
            }
        }
        List<FileDigest> out = new ArrayList<>();
        List<String> toRead = new ArrayList<>();
        for (Map.Entry<String, String[]> f : files.entrySet()) {
            long size = Long.parseLong(f.getValue()[0]);
            FileDigest was = before.get(f.getKey());
            String[] then = old.get(f.getKey());
            if (was != null && then != null && was.size() == size && then[1].equals(f.getValue()[1])) {
                out.add(was);
            } else {
                toRead.add(f.getKey());
            }
        }
        if (!toRead.isEmpty()) {
            CommandResult r = commands.script("digest the tree", d, "cd \"$1\" && exec xargs -0 -r sha256sum -z --",
                    List.of(d.toString()), SshCommands.nulSeparated(toRead));
            Map<String, String> sums = new HashMap<>();
            for (String line : r.stdout().split("\0")) {
                if (line.length() > 66) {
                    sums.put(line.substring(66), line.substring(0, 64));
                }
            }
            for (String rel : toRead) {
                String sha = sums.get(rel);
                if (sha == null) {
                    throw new HostException("digest the tree " + d + " on host " + name + ": expected a SHA-256 of "
                            + rel + " from sha256sum, found none; install GNU coreutils on the server");
                }
                out.add(new FileDigest(rel, Long.parseLong(files.get(rel)[0]), sha));
            }
        }
        out.sort(Comparator.comparing(FileDigest::path));
        return out;
    }

    /** Every regular file below {@code root}: relative path to {size, device:inode}. */
    private Map<String, String[]> listFiles(Path root) {
        CommandResult r = commands.script("list the files of", root, "exec find \"$1\" -type f -printf '%P\\0%s\\0%D:%i\\0'",
                List.of(root.toString()), null);
        Map<String, String[]> out = new LinkedHashMap<>();
        String[] parts = r.stdout().split("\0", -1);
        for (int i = 0; i + 2 < parts.length; i += 3) {
            out.put(parts[i], new String[] {parts[i + 1], parts[i + 2]});
        }
        return out;
    }

    /** Closes the SSH connection; calls after this open a new one. */
    @Override
    public void close() {
        link.close();
    }

    @Override
    public String toString() {
        return "SshHost[" + name + "]";
    }

    /**
     * How to reach a server, which identity to show it and which host keys to trust. A mutable
     * builder; {@link #connect()} copies its settings into the host, so the builder can be reused.
     *
     * <p>Authentication tries, in this order, the agent, the private keys, then the password. At
     * least one must be given.
     *
     * <p>Not thread-safe.
     */
    public static final class Builder {
        private final String address;
        private int port = 22;
        private String user = System.getProperty("user.name");
        private final List<SshSettings.Key> keys = new ArrayList<>();
        private Path agentSocket;
        private char[] password;
        private Path knownHosts = Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
        private final Set<String> trustedFingerprints = new LinkedHashSet<>();
        private boolean anyHostKey;
        private boolean sudo;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int connectAttempts = 3;
        private Duration retryDelay = Duration.ofSeconds(1);
        private Sleeper sleeper = Sleeper.system();

        Builder(String address) {
            Objects.requireNonNull(address, "address");
            if (address.isBlank() || address.chars().anyMatch(c -> Character.isWhitespace(c) || c == '@' || c == '/')) {
                throw new IllegalArgumentException("SSH host '" + address + "': expected a host name or an IP address "
                        + "such as 10.0.0.5, found something else; give the user with user(...), the port with port(...)");
            }
            this.address = address;
        }

        /** The server's SSH port; 22 unless given. */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("SSH port of " + address + ": expected 1 to 65535, found " + port);
            }
            this.port = port;
            return this;
        }

        /** The user to log in as; the local user's name unless given. */
        public Builder user(String user) {
            Objects.requireNonNull(user, "user");
            if (user.isBlank() || user.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("SSH user for " + address + ": expected a user name, found '" + user
                        + "'");
            }
            this.user = user;
            return this;
        }

        /** Logs in with an unencrypted private key file (OpenSSH, PEM or PKCS#8 format). */
        public Builder privateKey(Path file) {
            return privateKey(file, null);
        }

        /** Logs in with a private key file encrypted with {@code passphrase} (copied; null if not encrypted). */
        public Builder privateKey(Path file, char[] passphrase) {
            Objects.requireNonNull(file, "file");
            if (!java.nio.file.Files.isReadable(file)) {
                throw new IllegalArgumentException("private key for " + address + ": expected a readable key file at "
                        + file + ", found none; check the path");
            }
            keys.add(new SshSettings.Key(file, null, passphrase == null ? null : passphrase.clone()));
            return this;
        }

        /**
         * Logs in with a private key held in memory (the text of a key file, such as one read from a
         * secret store), encrypted with {@code passphrase} (copied; null if not encrypted).
         */
        public Builder privateKeyInMemory(String keyText, char[] passphrase) {
            Objects.requireNonNull(keyText, "keyText");
            if (!keyText.contains("PRIVATE KEY")) {
                throw new IllegalArgumentException("private key for " + address + ": expected the text of a private key "
                        + "file (-----BEGIN ... PRIVATE KEY-----), found something else");
            }
            keys.add(new SshSettings.Key(null, keyText, passphrase == null ? null : passphrase.clone()));
            return this;
        }

        /**
         * Logs in with the keys of the running ssh-agent named by {@code SSH_AUTH_SOCK}.
         *
         * @throws IllegalArgumentException if {@code SSH_AUTH_SOCK} is not set
         */
        public Builder agent() {
            String socket = System.getenv("SSH_AUTH_SOCK");
            if (socket == null || socket.isBlank()) {
                throw new IllegalArgumentException("ssh-agent for " + address + ": expected SSH_AUTH_SOCK to name the "
                        + "agent's socket, found it unset; start an agent (eval $(ssh-agent); ssh-add) or use a key");
            }
            return agent(Path.of(socket));
        }

        /** Logs in with the keys of the ssh-agent listening on this Unix socket. */
        public Builder agent(Path socket) {
            this.agentSocket = Objects.requireNonNull(socket, "socket");
            return this;
        }

        /** Logs in with a password (copied; the caller may clear its array). */
        public Builder password(char[] password) {
            this.password = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /** The known_hosts file to check host keys against; {@code ~/.ssh/known_hosts} unless given. */
        public Builder knownHosts(Path file) {
            this.knownHosts = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Trusts the host key with this fingerprint ({@code SHA256:...}, as {@code ssh-keygen -lf}
         * prints it), in addition to the known_hosts file.
         */
        public Builder trustHostKey(String fingerprint) {
            Objects.requireNonNull(fingerprint, "fingerprint");
            if (!fingerprint.matches("SHA256:[A-Za-z0-9+/]{43}")) {
                throw new IllegalArgumentException("host key fingerprint for " + address + ": expected SHA256: and 43 "
                        + "base64 characters, as ssh-keygen -lf prints it, found '" + fingerprint + "'");
            }
            trustedFingerprints.add(fingerprint);
            return this;
        }

        /**
         * Accepts ANY host key, so anyone who can intercept the connection can pose as the server and
         * read every password, key and file the plan sends. Only for throw-away test servers; every
         * connection logs a warning.
         */
        public Builder trustAnyHostKeyInsecurely() {
            this.anyHostKey = true;
            return this;
        }

        /**
         * Runs every command, and SFTP, as root through {@code sudo -n}. The user needs passwordless
         * sudo; where sudo would ask for a password, connecting fails with a clear message instead of
         * waiting.
         */
        public Builder sudo() {
            this.sudo = true;
            return this;
        }

        /** How long to wait for the server to answer a connection; 10 s unless given. */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connect timeout for " + address + ": expected a positive "
                        + "duration, found " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * How often to try to connect (at first and after a dropped connection) before giving up,
         * waiting {@code delay}, then twice as long, and so on, between tries; 3 tries 1 s apart
         * unless given.
         */
        public Builder connectAttempts(int attempts, Duration delay) {
            if (attempts < 1 || attempts > 100) {
                throw new IllegalArgumentException("connect attempts for " + address + ": expected 1 to 100, found "
                        + attempts);
            }
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("retry delay for " + address + ": expected zero or more, found "
                        + delay);
            }
            this.connectAttempts = attempts;
            this.retryDelay = delay;
            return this;
        }

        /** How to wait between connection attempts; tests pass their clock's {@code advance}. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * Connects and logs in, checking the host key, and returns the host.
         *
         * @throws HostKeyRejectedException if the host key is unknown or changed
         * @throws HostException if the server cannot be reached after the configured attempts, or
         *     refuses every way of logging in given
         */
        public SshHost connect() {
            if (keys.isEmpty() && agentSocket == null && password == null) {
                throw new IllegalArgumentException("SSH login to " + user + "@" + address + ": expected a way to log in, "
                        + "found none; give privateKey(...), agent() or password(...)");
            }
            SshSettings s = new SshSettings(address, port, user, List.copyOf(keys), agentSocket,
                    password == null ? null : password.clone(), anyHostKey ? null : knownHosts,
                    Set.copyOf(trustedFingerprints), anyHostKey, sudo, connectTimeout, connectAttempts, retryDelay,
                    sleeper);
            SshHost host = new SshHost(s);
            host.link.connection();
            return host;
        }
    }
}
