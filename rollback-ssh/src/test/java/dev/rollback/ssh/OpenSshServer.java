package dev.rollback.ssh;

import dev.rollback.testing.Requirements;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * OpenSSH's {@code sshd} started by a test: a generated config, host key and user key in a folder
 * of its own, listening on a free port of 127.0.0.1, in the foreground ({@code -D}) so that the test
 * owns the process and stops it. Needs {@code /usr/sbin/sshd} and root ({@code .ci/setup-ssh.sh}
 * installs it); {@link #require()} skips on a laptop and fails in CI when either is missing.
 */
final class OpenSshServer implements AutoCloseable {

    static final Path SSHD = Path.of("/usr/sbin/sshd");
    /** An ordinary user that {@code .ci/setup-ssh.sh} creates, with no sudo rights. */
    static final String PLAIN_USER = "rollback-test";

    private final Path dir;
    private final int port;
    private final Process process;
    private final List<String> log = new ArrayList<>();

    private OpenSshServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static void require() {
        Requirements.require(Files.isExecutable(SSHD), "OpenSSH's sshd at " + SSHD + " (run .ci/setup-ssh.sh)");
        Requirements.require("root".equals(System.getProperty("user.name")), "root, to start sshd");
    }

    /** Starts a server whose only way in is the key this class generates, for any user. */
    static OpenSshServer start() throws IOException, InterruptedException {
        return start(List.of());
    }

    /**
     * {@link #start()} with more lines of {@code sshd_config}, such as {@code ClientAliveInterval 1}. Unless those
     * lines set an environment of their own ({@code SetEnv}), the sessions' {@code HOME} is an empty folder of the
     * server's: the login scripts of this machine's root (a {@code ~/.bashrc} with pyenv takes half a second per
     * command and races with itself on its shims) do not run for every command; {@link LoginShellNoiseTest} is the
     * test of a login shell that writes. Started again on another port if another process took the probed one
     * between the probe and sshd's bind.
     */
    static OpenSshServer start(List<String> moreConfig) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(moreConfig);
            } catch (IOException e) {
                if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static OpenSshServer startOnce(List<String> moreConfig) throws IOException, InterruptedException {
        require();
        // readable by every user: sshd reads authorized_keys as the user logging in
        Path dir = Files.createTempDirectory("rollback-sshd");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        keygen(dir.resolve("host_ed25519"));
        keygen(dir.resolve("id_ed25519"));
        Files.copy(dir.resolve("id_ed25519.pub"), dir.resolve("authorized_keys"));
        Files.setPosixFilePermissions(dir.resolve("authorized_keys"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.createDirectories(Path.of("/run/sshd"));
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        List<String> config = new ArrayList<>(List.of(
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("host_ed25519"),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "StrictModes no",
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "Subsystem sftp internal-sftp",
                "LogLevel INFO"));
        if (moreConfig.stream().noneMatch(line -> line.startsWith("SetEnv"))) {
            Path home = Files.createDirectories(dir.resolve("home"));
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
            config.add("SetEnv HOME=" + home);
        }
        config.addAll(moreConfig);
        config.add("");
        Files.writeString(dir.resolve("sshd_config"), String.join("\n", config));
        Process p = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).start();
        OpenSshServer server = new OpenSshServer(dir, port, p);
        server.awaitListening();
        return server;
    }

    private static void keygen(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rollback-test", "-f",
                file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("ssh-keygen failed: " + out);
        }
    }

    /** Reads sshd's log until it says it listens (or it dies); the log is kept for failure messages. */
    private void awaitListening() throws IOException {
        CompletableFuture<Boolean> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.add(line);
                    }
                    if (line.contains("Server listening on 127.0.0.1 port " + port)) {
                        listening.complete(true);
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
            listening.complete(false);
        }, "sshd-log");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!listening.get(20, TimeUnit.SECONDS)) {
                throw new IOException("sshd exited without listening: " + log());
            }
        } catch (Exception e) {
            close();
            throw new IOException("sshd did not start on port " + port + ": " + log(), e);
        }
    }

    String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    int port() {
        return port;
    }

    /** The user's private key (OpenSSH format, no passphrase). */
    Path userKey() {
        return dir.resolve("id_ed25519");
    }

    /** A known_hosts file with this server's host key. */
    Path knownHosts() throws IOException {
        return knownHosts(port);
    }

    /** A known_hosts file with this server's host key for 127.0.0.1 at {@code atPort} (a proxy's). */
    Path knownHosts(int atPort) throws IOException {
        String pub = Files.readString(dir.resolve("host_ed25519.pub")).strip();
        String[] parts = pub.split(" ");
        Path file = dir.resolve("known_hosts-" + atPort);
        Files.writeString(file, "[127.0.0.1]:" + atPort + " " + parts[0] + " " + parts[1] + "\n");
        return file;
    }

    /** A host logged in as {@code user} with the generated key, checking the host key. */
    SshHost.Builder host(String user) throws IOException {
        return host(user, port);
    }

    /** {@link #host(String)} reaching this server through 127.0.0.1 at {@code viaPort}, a proxy's. */
    SshHost.Builder host(String user, int viaPort) throws IOException {
        return SshHost.builder("127.0.0.1").port(viaPort).user(user).privateKey(userKey()).knownHosts(knownHosts(viaPort));
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
