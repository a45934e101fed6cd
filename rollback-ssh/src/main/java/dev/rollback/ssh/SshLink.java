package dev.rollback.ssh;

import dev.rollback.host.HostException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPException;
import net.schmizz.sshj.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link of an {@link SshHost} to its server: the one {@link SshConnection} it holds, opened on
 * first use and opened again when it drops, SFTP calls run on it with their retry, and the
 * messages every part of the host shares (the host's name, its path rule, what a failed or lost
 * call means).
 *
 * <p>Thread-safe: the connection is replaced under a lock; callers share it (each command is its
 * own SSH channel).
 */
final class SshLink {

    // logs under the facade's name, so the logging configuration of SshHost keeps covering it
    private static final Logger LOG = LoggerFactory.getLogger(SshHost.class);

    private final SshSettings settings;
    private final String name;
    private final Object lock = new Object();
    private SshConnection connection; // guarded by lock

    SshLink(SshSettings settings, String name) {
        this.settings = settings;
        this.name = name;
    }

    SshSettings settings() {
        return settings;
    }

    /** The host's name in messages: user@address:port, and (sudo) when commands run as root. */
    String name() {
        return name;
    }

    /** The open connection, opening it (with the bounded retry) if it is closed or dropped. */
    SshConnection connection() {
        synchronized (lock) {
            if (connection == null || !connection.isAlive()) {
                if (connection != null) {
                    LOG.info("connection to {} dropped; connecting again", name);
                    connection.close();
                    connection = null;
                }
                connection = SshConnection.open(settings, name);
            }
            return connection;
        }
    }

    /** Forgets a connection that failed, so the next call opens a new one. */
    void dropIfDead(SshConnection c) {
        synchronized (lock) {
            if (connection == c && !c.isAlive()) {
                c.close();
                connection = null;
            }
        }
    }

    /** Forgets a connection whose transport broke, alive or not, so the next call opens a new one. */
    private void drop(SshConnection c) {
        synchronized (lock) {
            if (connection == c) {
                c.close();
                connection = null;
            }
        }
    }

    /** Closes the connection; calls after this open a new one. */
    void close() {
        synchronized (lock) {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        }
    }

    /** What an SFTP call does; it may fail with any IOException. */
    @FunctionalInterface
    interface SftpCall<T> {
        T apply(SFTPClient sftp) throws IOException;
    }

    /**
     * Runs an SFTP call. A call that fails because the connection dropped is run once more on a new
     * connection when it only reads ({@code repeatable}); otherwise the failure is reported, since
     * the server may or may not have done it.
     */
    <T> T sftp(String action, Path path, boolean repeatable, SftpCall<T> call) {
        for (int attempt = 1; ; attempt++) {
            SshConnection c = connection();
            try {
                return call.apply(c.sftp());
            } catch (IOException e) {
                // a broken transport is a lost connection even in the instant before sshj marks it dead
                boolean lostLink = !c.isAlive() || e instanceof TransportException || e instanceof ConnectionException;
                if (!lostLink) {
                    throw failure(action, path, e); // the server answered: a real refusal
                }
                drop(c);
                if (!repeatable || attempt >= 2) {
                    throw lost(action + " " + path, e, repeatable);
                }
            }
            LOG.info("{} {} on {}: the connection dropped; trying once more on a new one", action, path, name);
        }
    }

    private HostException lost(String what, Exception e, boolean repeatable) {
        return new HostException(what + " on host " + name + ": expected the SSH connection to stay open, found it "
                + "closed (" + e.getMessage() + ")" + (repeatable ? " twice; check the server and the network"
                : "; the server may or may not have done it: check, then run again (a rollback: resume it)"), e);
    }

    /** {@code path}, normalized, if it is absolute; refused otherwise, naming {@code action}. */
    Path absolute(Path path, String action) {
        Objects.requireNonNull(path, "path");
        if (!path.isAbsolute()) {
            throw new HostException(action + " " + path + " on host " + name + ": expected an absolute path on the "
                    + "server, found a relative one; give the full path, such as /opt/app/" + path);
        }
        return path.normalize();
    }

    private HostException failure(String action, Path path, IOException e) {
        String found;
        String todo;
        Response.StatusCode code = e instanceof SFTPException s ? s.getStatusCode() : null;
        if (code == Response.StatusCode.NO_SUCH_FILE || code == Response.StatusCode.NO_SUCH_PATH) {
            found = "nothing at " + path;
            todo = "check the path";
        } else if (code == Response.StatusCode.PERMISSION_DENIED || code == Response.StatusCode.WRITE_PROTECT) {
            found = "permission denied (" + e.getMessage() + ")";
            todo = "connect as a user allowed to, use sudo(), or fix the permissions";
        } else if (code == Response.StatusCode.NO_SPACE_ON_FILESYSTEM || code == Response.StatusCode.QUOTA_EXCEEDED) {
            found = "no space left (" + e.getMessage() + ")";
            todo = "free space on the server";
        } else if (code == Response.StatusCode.FAILURE) {
            found = "the server refusing it (" + e.getMessage() + ")";
            todo = "check on the server that the file system is writable, not full and not over quota, and that "
                    + "both paths are on one file system";
        } else {
            found = e.toString();
            todo = "check the server, the path and the permissions";
        }
        return new HostException(action + " " + path + " on host " + name + ": expected to succeed, found " + found
                + "; " + todo, e);
    }
}
