package dev.rollback.host;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where commands run and files live: this machine ({@link Hosts#local()}) or a server reached over
 * SSH. Every target does its work through a host, so the same target works on either: a plan
 * differs only in {@code .on(host)}.
 *
 * <p>Commands are argv lists only; no method accepts a shell string. File methods never follow a
 * symbolic link unless they say so, and every replacement of a file is atomic (a temp file in the
 * same folder, forced to disk, then renamed over the old one).
 *
 * <p>Implementations are thread-safe. Failures throw {@link HostException} naming the host, the
 * path, what was expected and what to do; a command that ran and failed is a {@link
 * CommandResult}, not an exception, until {@link CommandResult#requireSuccess()} is called.
 *
 * <pre>{@code
 * Host host = Hosts.local();
 * host.run(Command.of("systemctl", "stop", "rosey-bot")).requireSuccess();
 * host.write(Path.of("/opt/app/config.json"), json);        // atomic
 * host.replaceSymlink(Path.of("/srv/app/current"), Path.of("releases/20240115"));
 * }</pre>
 */
public interface Host extends AutoCloseable {

    /** A short name for messages: {@code local}, {@code rosey@10.0.0.5:22}. */
    String name();

    /**
     * Runs a command and waits for it. A command still running at its timeout is killed with all
     * its child processes, and its result says {@code timedOut}.
     *
     * @throws HostException if the program cannot be started (not installed, not executable,
     *     working folder missing)
     */
    CommandResult run(Command command);

    /**
     * Starts a command and keeps it running, its standard input open, until the returned handle is
     * closed; then its input ends and, if it has not ended within {@link HeldCommand#GRACE}, it is
     * killed with every process below it. Its life is the holder's: closing this host, the end of
     * this process, or the loss of the connection to the server ends its input too, so a command
     * that reads its input until the end ({@code cat}) ends with it. That makes it the way to hold
     * a lock on a host, freed without anyone guessing when the holder dies:
     *
     * <pre>{@code
     * try (HeldCommand lock = host.hold(Command.of("flock", "-n", "-E", "75", "/var/lock/app.deploy",
     *         "sh", "-c", "echo held; exec cat"))) {
     *     if (lock.awaitLine(Duration.ofSeconds(10)).isEmpty()) {
     *         throw new IllegalStateException("someone else holds the lock (exit " + lock.exitStatus() + ")");
     *     }
     *     // ... the lock is held until here
     * }
     * }</pre>
     *
     * <p>The argv, environment and working folder are those of {@link #run(Command)}; the bytes of
     * {@link Command#input} are written first, then the input stays open; the command's timeout does
     * not apply (it runs until closed). This method returns once the command started; it does not
     * wait for it to print anything.
     *
     * @throws HostException if the program cannot be started (not installed, not executable, working
     *     folder missing), naming the host and the program
     * @throws UnsupportedOperationException if this host cannot keep a command running
     */
    default HeldCommand hold(Command command) {
        throw new UnsupportedOperationException("hold '" + command.display() + "' on host '" + name() + "': expected a "
                + "host that can keep a command running (such as Hosts.local() or an SshHost), found "
                + getClass().getName() + ", which cannot hold a command; use such a host, or implement hold there");
    }

    /** Runs a command given as argv. */
    default CommandResult run(String... argv) {
        return run(Command.of(argv));
    }

    /** Whether a program of this name can be run: on the PATH, or at the path given. */
    boolean hasProgram(String program);

    /** What the host knows of {@code path}, without following a symbolic link; empty if nothing is there. */
    Optional<FileStat> stat(Path path);

    /** Whether anything (a file, a folder, a link, even a dangling one) is at {@code path}. */
    default boolean exists(Path path) {
        return stat(path).isPresent();
    }

    /** The content of a regular file. */
    byte[] read(Path path);

    /**
     * Replaces (or creates) a file atomically: readers see the old content or the new, never a mix.
     * A replaced file keeps its mode and, when the host allows it, its owner; a new file gets the
     * given mode.
     *
     * @param mode the permission bits of a new file, such as {@code 0644}
     */
    void write(Path path, byte[] content, int mode);

    /** {@link #write(Path, byte[], int)} with mode {@code 0644} for a new file. */
    default void write(Path path, byte[] content) {
        write(path, content, 0644);
    }

    /**
     * Copies the regular file {@code path} of this host to {@code localFile}, a new file of the
     * machine this process runs on, streaming: any size, in memory of a fixed size. The new file
     * is readable and writable by its owner only ({@code 0600}) and forced to disk before this
     * returns; a symbolic link is not followed.
     *
     * <p>Not atomic for readers of {@code localFile} while it is written; on failure, nothing is
     * left at {@code localFile}.
     *
     * @param localFile where the copy goes: its folder must exist, and nothing may be there yet
     * @throws HostException naming the path, what was expected and what was found, when {@code
     *     path} is a folder, a link or missing, {@code localFile} already exists or its folder does
     *     not, or the copy fails
     */
    void download(Path path, Path localFile);

    /**
     * Replaces (or creates) the file {@code path} of this host with a copy of {@code localFile}, a
     * regular file of the machine this process runs on, streaming: any size, in memory of a fixed
     * size. Atomic as {@link #write(Path, byte[], int)}: the copy goes to a temp file in the same
     * folder, forced to disk (where the host offers it), then renamed over the old file, so readers
     * see the old content or the new, never a mix. A replaced file keeps its mode and, when the
     * host allows it, its owner; a new file gets the given mode.
     *
     * @param mode the permission bits of a new file, such as {@code 0644}
     * @throws HostException naming the path, what was expected and what was found, when {@code
     *     localFile} is not a regular file (a folder, a link, nothing), the folder of {@code path}
     *     is missing, something other than a regular file is at {@code path}, or the copy fails;
     *     then {@code path} is as it was
     */
    void upload(Path localFile, Path path, int mode);

    /**
     * Renames {@code from} to {@code to} in one atomic step. Both must be on one file system; an
     * existing file at {@code to} is replaced, an existing folder is an error.
     */
    void move(Path from, Path to);

    /** Copies one regular file, keeping its mode and times (and owner, as root). */
    void copy(Path from, Path to);

    /**
     * Copies a folder tree to {@code to} (which must not exist): regular files with their mode and
     * times, folders, and symbolic links as links (never followed); owners too when running as root.
     */
    void copyTree(Path from, Path to, TreeCopy how);

    /** Deletes a file, a link, or a folder with everything in it, never following links; absent is fine. */
    void delete(Path path);

    /** The entries of a folder, sorted by name. */
    List<Path> list(Path dir);

    /** Creates a folder and its missing parents. */
    void createDirectories(Path dir);

    /** Creates a symbolic link at {@code link} pointing to {@code target} (which may be relative). */
    void symlink(Path link, Path target);

    /**
     * Points the symbolic link {@code link} at {@code target} atomically: a new link is made beside it
     * and renamed over it, so the link never is missing, not even for an instant.
     */
    void replaceSymlink(Path link, Path target);

    /** Sets the permission bits of a file or folder. */
    void setMode(Path path, int mode);

    /** Sets the owner and group of a file or folder (not following a link). */
    void setOwner(Path path, String owner, String group);

    /** Whether files made on this host can be given to another owner (the host acts as root). */
    boolean canChangeOwners();

    /**
     * Whether this host's paths are the file system of the process calling it: true for {@link
     * Hosts#local()}, false for a remote server. A plan keeps the artifacts of its restore points in
     * its local store when this is true, and in a folder on the host otherwise, so that a restore
     * moves no data between machines.
     */
    default boolean sharesLocalFiles() {
        return false;
    }

    /**
     * The size and SHA-256 of every regular file below {@code dir}, computed where the files are
     * (no content crosses the network), sorted by path. Symbolic links are neither followed nor
     * listed.
     *
     * <p>A file that is a hard link to the file at the same relative path below {@code earlier}, and
     * whose size is the one {@code known} records for that path, keeps the known digest without
     * being read: a tree copied with {@link TreeCopy#linkingTo} costs only what changed.
     *
     * @param earlier an earlier tree on this host whose digests are {@code known}; null for none
     * @param known digests of files below {@code earlier}, by relative path
     * @throws HostException if {@code dir} is not a folder or a file cannot be read
     */
    List<FileDigest> digestTree(Path dir, Path earlier, Collection<FileDigest> known);

    /** {@link #digestTree(Path, Path, Collection)} reading every file. */
    default List<FileDigest> digestTree(Path dir) {
        return digestTree(dir, null, List.of());
    }

    /** Releases the host's connections, if it has any. */
    @Override
    void close();
}
