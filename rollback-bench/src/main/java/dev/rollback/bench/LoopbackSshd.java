package dev.rollback.bench;

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
 * OpenSSH's {@code sshd} started by a benchmark on a free port of 127.0.0.1, in the foreground ({@code -D}) so
 * that the benchmark owns the process and stops it: a generated config and host key in a folder of its own, and
 * the one user key given, for any user. Needs {@code /usr/sbin/sshd} and root.
 */
final class LoopbackSshd implements AutoCloseable {

    static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path dir;
    private final int port;
    private final Process process;
    private final List<String> log = new ArrayList<>();

    private LoopbackSshd(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /**
     * Refuses to go on without sshd or root, saying what is missing.
     *
     * @throws IllegalStateException if either is missing
     */
    static void require() {
        if (!Files.isExecutable(SSHD)) {
            throw new IllegalStateException("fleet benchmark: expected OpenSSH's sshd at " + SSHD + ", found none; "
                    + "install openssh-server (.ci/setup-ssh.sh)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("fleet benchmark: expected to run as root (sshd logs in any user only "
                    + "then), found " + System.getProperty("user.name") + "; run it as root");
        }
    }

    /** Makes a key pair without a passphrase at {@code file} and {@code file.pub}. */
    static void keygen(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rollback-bench", "-f",
                file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("ssh-keygen for " + file + ": expected exit 0, found " + p.exitValue() + ": " + out);
        }
    }

    /**
     * Starts a server in a new folder under {@code parent} that lets in {@code userKey}'s public half, with the
     * sessions' {@code HOME} set to {@code home}; again on another port if another process took the probed one
     * before sshd bound it (up to 3 tries).
     */
    static LoopbackSshd start(Path parent, Path userKeyPub, Path home) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(parent, userKeyPub, home);
            } catch (IOException e) {
                if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static LoopbackSshd startOnce(Path parent, Path userKeyPub, Path home)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(parent, "sshd-");
        // readable by every user: sshd reads authorized_keys as the user logging in
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        keygen(dir.resolve("host_ed25519"));
        Files.copy(userKeyPub, dir.resolve("authorized_keys"));
        Files.setPosixFilePermissions(dir.resolve("authorized_keys"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.createDirectories(Path.of("/run/sshd"));
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String config = String.join("\n", List.of(
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
                "MaxSessions 64",
                "MaxStartups 100:30:200",
                "SetEnv HOME=" + home,
                "LogLevel INFO",
                ""));
        Files.writeString(dir.resolve("sshd_config"), config);
        Process p = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).start();
        LoopbackSshd server = new LoopbackSshd(dir, port, p);
        server.awaitListening();
        return server;
    }

    /** Reads sshd's log until it says it listens (or it dies); the log is kept for error messages. */
    private void awaitListening() throws IOException {
        CompletableFuture<Boolean> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        if (log.size() < 200) {
                            log.add(line);
                        }
                    }
                    if (line.contains("Server listening on 127.0.0.1 port " + port)) {
                        listening.complete(true);
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
            listening.complete(false);
        }, "sshd-log-" + port);
        reader.setDaemon(true);
        reader.start();
        try {
            if (!listening.get(20, TimeUnit.SECONDS)) {
                throw new IOException("sshd on 127.0.0.1:" + port + ": expected it to listen, found it exited: "
                        + log());
            }
        } catch (Exception e) {
            close();
            throw new IOException("sshd on 127.0.0.1:" + port + ": expected it to listen within 20 s, found "
                    + e + "; its log: " + log(), e);
        }
    }

    private String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** The port it listens on, on 127.0.0.1. */
    int port() {
        return port;
    }

    /** A known_hosts file with this server's host key for 127.0.0.1 at its port. */
    Path knownHosts() throws IOException {
        String[] parts = Files.readString(dir.resolve("host_ed25519.pub")).strip().split(" ");
        Path file = dir.resolve("known_hosts");
        Files.writeString(file, "[127.0.0.1]:" + port + " " + parts[0] + " " + parts[1] + "\n");
        return file;
    }

    /** Stops sshd (and waits for it) and deletes its folder. */
    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
