package dev.rollback.ssh;

import dev.rollback.host.HostException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.SessionFactory;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPEngine;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.transport.verification.PromiscuousVerifier;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPassword;
import net.schmizz.sshj.userauth.method.AuthPublickey;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logged-in SSH connection and its SFTP session, opened with a bounded retry. The {@link
 * SshLink} of an {@link SshHost} holds one at a time and replaces it when it drops.
 *
 * <p>Thread-safe: sshj multiplexes channels; the SFTP session is created once under a lock.
 */
final class SshConnection {

    private static final Logger LOG = LoggerFactory.getLogger(SshConnection.class);

    private final SSHClient client;
    private final SshSettings settings;
    private final String name;
    private SFTPClient sftp; // guarded by this

    private SshConnection(SSHClient client, SshSettings settings, String name) {
        this.client = client;
        this.settings = settings;
        this.name = name;
    }

    /** Connects and logs in, trying up to the configured number of times while the server cannot be reached. */
    static SshConnection open(SshSettings settings, String name) {
        Duration delay = settings.retryDelay();
        IOException last = null;
        for (int attempt = 1; attempt <= settings.connectAttempts(); attempt++) {
            if (attempt > 1) {
                LOG.info("connecting to {} failed ({}); try {} of {} in {} ms", name, last.toString(), attempt,
                        settings.connectAttempts(), delay.toMillis());
                try {
                    settings.sleeper().sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new HostException("connect to " + name + ": interrupted while waiting to try again", e);
                }
                delay = delay.multipliedBy(2);
            }
            SSHClient client = new SSHClient(new DefaultConfig());
            try {
                return login(client, settings, name);
            } catch (ReachException e) {
                last = e.io;
                closeQuietly(client);
            } catch (RuntimeException e) {
                closeQuietly(client);
                throw e;
            }
        }
        throw new HostException("connect to " + name + ": expected an SSH server answering there, found none after "
                + settings.connectAttempts() + " tries (" + last + "); check the address and port, that sshd runs on "
                + "the server, and that no firewall is in the way", last);
    }

    /** The server could not be reached (worth another try), as opposed to a refusal. */
    private static final class ReachException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient IOException io;

        ReachException(IOException io) {
            super(io);
            this.io = io;
        }
    }

    private static SshConnection login(SSHClient client, SshSettings settings, String name) throws ReachException {
        HostKeys verifier = null;
        if (settings.anyHostKey()) {
            LOG.warn("connecting to {} WITHOUT checking its host key (trustAnyHostKeyInsecurely): anyone between here "
                    + "and the server can pose as it", name);
            client.addHostKeyVerifier(new PromiscuousVerifier());
        } else {
            try {
                verifier = new HostKeys(settings.knownHosts(), settings.trustedFingerprints());
            } catch (IOException e) {
                throw new HostException("connect to " + name + ": expected a readable known_hosts file at "
                        + settings.knownHosts() + ", found " + e + "; fix its permissions or give another one", e);
            }
            client.addHostKeyVerifier(verifier);
        }
        int timeout = (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
        client.setConnectTimeout(timeout);
        client.setSocketFactory(NoDelaySockets.INSTANCE);
        try {
            client.connect(settings.address(), settings.port());
        } catch (TransportException e) {
            if (verifier != null && verifier.rejection() != null) {
                throw verifier.rejection();
            }
            throw new ReachException(e);
        } catch (IOException e) {
            throw new ReachException(e);
        }
        List<AuthMethod> methods = new ArrayList<>();
        List<String> tried = new ArrayList<>();
        if (settings.agentSocket() != null) {
            methods.addAll(AgentAuth.methods(settings.agentSocket(), name));
            tried.add("the keys of the agent at " + settings.agentSocket());
        }
        for (SshSettings.Key key : settings.keys()) {
            methods.add(new AuthPublickey(keyProvider(client, key, name)));
            tried.add(key.describe());
        }
        if (settings.password() != null) {
            methods.add(new AuthPassword(finder(settings.password())));
            tried.add("the password");
        }
        try {
            client.auth(settings.user(), methods);
        } catch (UserAuthException e) {
            throw new HostException("log in to " + name + ": expected the server to accept " + String.join(", ", tried)
                    + ", found it refused " + (tried.size() > 1 ? "them all" : "it") + " (" + rootMessage(e)
                    + "); check the user name, that the public key is in ~" + settings.user()
                    + "/.ssh/authorized_keys on the server, and the key's passphrase", e);
        } catch (TransportException e) {
            throw new ReachException(e);
        }
        SshConnection c = new SshConnection(client, settings, name);
        if (settings.sudo()) {
            c.checkSudo();
        }
        return c;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + t;
    }

    private static KeyProvider keyProvider(SSHClient client, SshSettings.Key key, String name) {
        try {
            PasswordFinder finder = key.passphrase() == null ? null : finder(key.passphrase());
            KeyProvider provider = key.file() != null ? client.loadKeys(key.file().toString(), finder)
                    : client.loadKeys(key.text(), null, finder);
            provider.getPublic(); // decrypts now, so a wrong passphrase is named as such
            return provider;
        } catch (IOException | RuntimeException e) {
            throw new HostException("log in to " + name + ": expected to read " + key.describe() + (key.passphrase() == null
                    ? "" : " with the passphrase given") + ", found " + rootMessage(e) + "; check the key"
                    + (key.passphrase() == null ? " (if it is encrypted, give its passphrase)" : " and its passphrase"), e);
        }
    }

    /** A finder that hands out a fresh copy each time, so a reconnect can log in again. */
    private static PasswordFinder finder(char[] secret) {
        return new PasswordFinder() {
            @Override
            public char[] reqPassword(Resource<?> resource) {
                return secret.clone();
            }

            @Override
            public boolean shouldRetry(Resource<?> resource) {
                return false;
            }
        };
    }

    private void checkSudo() {
        Result r = execSimple(RemoteShell.line(List.of("sudo", "-n", "--"), "exit 0", List.of()));
        if (r.exit != 0) {
            close();
            throw new HostException("sudo on " + name + ": expected user " + settings.user() + " to run commands as root "
                    + "without a password (sudo -n), found: " + (r.stderr.isBlank() ? "exit " + r.exit : r.stderr.strip())
                    + "; allow it passwordless sudo (a NOPASSWD rule in /etc/sudoers.d) or connect as root");
        }
    }

    private record Result(int exit, String stdout, String stderr) {}

    /** Runs a fixed command line and waits for it, for the connection's own checks. */
    private Result execSimple(String line) {
        try (Session session = client.startSession()) {
            Session.Command cmd = session.exec(line);
            cmd.getOutputStream().close();
            String out = readAll(cmd.getInputStream());
            String err = readAll(cmd.getErrorStream());
            cmd.join(60, TimeUnit.SECONDS);
            Integer exit = cmd.getExitStatus();
            return new Result(exit == null ? -1 : exit, out, err);
        } catch (IOException e) {
            throw new HostException("check of " + name + ": expected the server to run '" + line + "', found " + e
                    + "; check the server", e);
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    SSHClient client() {
        return client;
    }

    /** The SFTP session, started on first use: the server's subsystem, or sftp-server through sudo. */
    synchronized SFTPClient sftp() throws IOException {
        if (sftp == null) {
            if (settings.sudo()) {
                Result found = execSimple(RemoteShell.line(List.of("sudo", "-n", "--"), RemoteShell.FIND_SFTP_SERVER,
                        List.of()));
                if (found.exit != 0) {
                    throw new HostException("SFTP as root on " + name + ": expected OpenSSH's sftp-server program on the "
                            + "server, found none in the usual places; install openssh-server (or openssh-sftp-server)");
                }
                String server = found.stdout.strip();
                sftp = new SFTPClient(new SFTPEngine(sudoSubsystem(client, "exec sudo -n -- " + RemoteShell.quote(server)))
                        .init());
            } else {
                sftp = client.newSFTPClient();
            }
        }
        return sftp;
    }

    /**
     * Sessions whose "sftp subsystem" is a command ({@code sudo -n sftp-server}) speaking the same
     * protocol on its standard streams, so SFTP runs as root.
     */
    private static SessionFactory sudoSubsystem(SSHClient client, String line) {
        ClassLoader loader = SshConnection.class.getClassLoader();
        return new SessionFactory() {
            @Override
            public Session startSession() throws net.schmizz.sshj.common.SSHException {
                Session session = client.startSession();
                return (Session) Proxy.newProxyInstance(loader, new Class<?>[] {Session.class}, (proxy, method, args) -> {
                    if (method.getName().equals("startSubsystem")) {
                        Session.Command command = session.exec(line);
                        return Proxy.newProxyInstance(loader, new Class<?>[] {Session.Subsystem.class},
                                (p, m, a) -> forward(command, Session.Command.class, m, a));
                    }
                    return forward(session, Session.class, method, args);
                });
            }

            @Override
            public java.net.InetSocketAddress getRemoteSocketAddress() {
                return client.getRemoteSocketAddress();
            }
        };
    }

    private static Object forward(Object target, Class<?> type, Method method, Object[] args) throws Throwable {
        try {
            if (method.getDeclaringClass() == Object.class) {
                return method.invoke(target, args);
            }
            return type.getMethod(method.getName(), method.getParameterTypes()).invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Whether the connection still works (not closed by either side). */
    boolean isAlive() {
        return client.isConnected() && client.isAuthenticated() && client.getTransport().isRunning();
    }

    void close() {
        synchronized (this) {
            if (sftp != null) {
                try {
                    sftp.close();
                } catch (IOException e) {
                    LOG.debug("SFTP session to {} not closed cleanly: {}", name, e.toString());
                }
                sftp = null;
            }
        }
        closeQuietly(client);
    }

    private static void closeQuietly(SSHClient client) {
        try {
            client.close();
        } catch (IOException e) {
            LOG.debug("SSH connection not closed cleanly: {}", e.toString());
        }
    }
}
