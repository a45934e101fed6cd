package dev.rollback.ssh;

import dev.rollback.Sleeper;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileDigest;
import dev.rollback.host.FileStat;
import dev.rollback.host.HeldCommand;
import dev.rollback.host.Host;
import dev.rollback.host.HostException;
import dev.rollback.host.TreeCopy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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

    private final SshLink link;
    private final SshCommands commands;
    private final SshOwners owners;
    private final SshFiles files;
    private final SshTransfers transfers;
    private final SshTrees trees;

    private SshHost(SshSettings settings) {
        String name = settings.user() + "@" + settings.address() + ":" + settings.port()
                + (settings.sudo() ? " (sudo)" : "");
        this.link = new SshLink(settings, name);
        this.commands = new SshCommands(link);
        this.owners = new SshOwners(commands);
        this.files = new SshFiles(link, commands, owners);
        this.transfers = new SshTransfers(link, files, owners);
        this.trees = new SshTrees(link, commands, files, owners);
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
        return link.name();
    }

    /** The connection's holder, for this package's tests. */
    SshLink link() {
        return link;
    }

    @Override
    public CommandResult run(Command command) {
        return commands.run(command);
    }

    /**
     * Starts the command in an SSH exec channel kept open, through the same wrapper as {@link
     * #run} (so each argument reaches it byte for byte, as root with {@link Builder#sudo()}), and
     * returns once the server's shell started it. {@link HeldCommand#close()} sends EOF on the
     * channel, kills the command on the server if it has not ended within {@link HeldCommand#GRACE},
     * and closes the channel. {@link #close()}, the end of this process or a lost connection make
     * the server close the command's standard input (OpenSSH closes a session's pipes when its
     * connection is gone). A connection that goes silent (a holder's machine losing power) is only
     * noticed by the server when its {@code sshd_config} sets {@code ClientAliveInterval}; until
     * then the command keeps running.
     */
    @Override
    public HeldCommand hold(Command command) {
        return commands.hold(command);
    }

    @Override
    public boolean hasProgram(String program) {
        return commands.hasProgram(program);
    }

    @Override
    public Optional<FileStat> stat(Path path) {
        return files.stat(path);
    }

    @Override
    public byte[] read(Path path) {
        return files.read(path);
    }

    @Override
    public void write(Path path, byte[] content, int mode) {
        transfers.write(path, content, mode);
    }

    @Override
    public void upload(Path localFile, Path path, int mode) {
        transfers.upload(localFile, path, mode);
    }

    @Override
    public void download(Path path, Path localFile) {
        transfers.download(path, localFile);
    }

    @Override
    public void move(Path from, Path to) {
        files.move(from, to);
    }

    @Override
    public void copy(Path from, Path to) {
        files.copy(from, to);
    }

    @Override
    public void copyTree(Path from, Path to, TreeCopy how) {
        trees.copyTree(from, to, how);
    }

    @Override
    public void delete(Path path) {
        files.delete(path);
    }

    @Override
    public List<Path> list(Path dir) {
        return files.list(dir);
    }

    @Override
    public void createDirectories(Path dir) {
        files.createDirectories(dir);
    }

    @Override
    public void symlink(Path link, Path target) {
        files.symlink(link, target);
    }

    @Override
    public void replaceSymlink(Path link, Path target) {
        files.replaceSymlink(link, target);
    }

    @Override
    public void setMode(Path path, int mode) {
        files.setMode(path, mode);
    }

    @Override
    public void setOwner(Path path, String owner, String group) {
        files.setOwner(path, owner, group);
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
        return trees.digestTree(dir, earlier, known);
    }

    /** Closes the SSH connection; calls after this open a new one. */
    @Override
    public void close() {
        link.close();
    }

    @Override
    public String toString() {
        return "SshHost[" + link.name() + "]";
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
