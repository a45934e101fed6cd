package dev.rollback.ssh;

import dev.rollback.host.FileStat;
import dev.rollback.host.HostException;
import dev.rollback.host.Hosts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
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
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPEngine;
import net.schmizz.sshj.sftp.SFTPException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file contents an {@link SshHost} sends and fetches over SFTP: {@code write} and {@code upload}
 * replace a file atomically (temp file beside it, forced to disk, the old mode and owner, POSIX
 * rename), {@code download} streams into a new owner-only local file forced to disk; both stream in
 * {@link #CHUNK} packets with several in flight, and name a failure on this machine's side as this
 * machine's.
 *
 * <p>Thread-safe: holds no state of its own; every call goes through the shared {@link SshLink}.
 */
final class SshTransfers {

    // logs under the facade's name, so the logging configuration of SshHost keeps covering it
    private static final Logger LOG = LoggerFactory.getLogger(SshHost.class);
    private static final int CHUNK = 32 * 1024;
    /** SFTP writes in flight before the next waits for the oldest to be confirmed. */
    private static final int UNCONFIRMED_WRITES = 16;
    /** SFTP reads asked for ahead of the one being consumed. */
    private static final int READ_AHEAD = 16;

    private final SshLink link;
    private final SshFiles files;
    private final SshOwners owners;
    private final String name;

    SshTransfers(SshLink link, SshFiles files, SshOwners owners) {
        this.link = link;
        this.files = files;
        this.owners = owners;
        this.name = link.name();
    }

    void write(Path path, byte[] content, int mode) {
        Objects.requireNonNull(content, "content");
        replace("write", link.absolute(path, "write"), mode, out -> out.write(content));
    }

    void upload(Path localFile, Path path, int mode) {
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
        Optional<FileStat> folder = files.stat(dir);
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
                        + "there, found a " + SshFiles.type(old.getType()).name().toLowerCase()
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
                files.rename(s, temp, p.toString());
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

    void download(Path path, Path localFile) {
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
                throw new HostException(action + ": expected a regular file at " + p + ", found "
                        + found(SshFiles.type(a.getType())));
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

    private void removeQuietly(SFTPClient s, String temp) {
        try {
            s.rm(temp);
        } catch (IOException e) {
            LOG.debug("temp file {} on {} not removed: {}", temp, name, e.toString());
        }
    }
}
