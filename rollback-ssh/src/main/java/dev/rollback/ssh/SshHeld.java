package dev.rollback.ssh;

import dev.rollback.host.Command;
import dev.rollback.host.HeldCommand;
import dev.rollback.host.HostException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command kept running on the server for {@link SshHost#hold}: an exec channel left open, the
 * command started through the same wrapper as {@link SshHost#run}, its standard output split into
 * lines by a daemon thread, the last 64 KiB of its standard error kept by another. Closing it sends
 * EOF on the channel, waits {@link #GRACE} for the command to end, kills it with every process below
 * it on the server if it did not, then closes the channel. When the connection drops, the server
 * closes the command's standard input (OpenSSH closes the pipes of a session whose connection is
 * gone), so a command that reads its input ends there too.
 *
 * <p>Thread-safe: the queue of lines and standard error are safe to read while the pumps write;
 * closing happens once.
 */
final class SshHeld implements HeldCommand {

    private static final Logger LOG = LoggerFactory.getLogger(SshHost.class);
    /** How much of standard error is kept. */
    static final int STDERR_LIMIT = 64 * 1024;
    /** How long the wrapper may take to report that the command started. */
    private static final Duration START_LIMIT = Duration.ofSeconds(30);

    private final Command command;
    private final String host;
    private final SshCommands commands;
    private final SshConnection connection;
    private final Session session;
    private final Session.Command running;
    private final WrapperStderr err = new WrapperStderr(true, STDERR_LIMIT);
    private final BlockingQueue<Optional<String>> lines = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Long pid;

    SshHeld(Command command, String host, SshCommands commands, SshCommands.Started started) {
        this.command = command;
        this.host = host;
        this.commands = commands;
        this.connection = started.connection();
        this.session = started.session();
        this.running = started.running();
    }

    /**
     * Starts the pumps, feeds the first bytes of standard input and waits for the wrapper's report:
     * returns once the command runs, or throws the wrapper's reason it did not start.
     */
    SshHeld begin(byte[] input) {
        daemon("ssh-hold-stdout", () -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(running.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(Optional.of(line));
                }
            } catch (IOException e) {
                LOG.debug("standard output of held '{}' on {} ended early: {}", command.display(), host, e.toString());
            } finally {
                lines.add(Optional.empty());
            }
        });
        Thread errPump = daemon("ssh-hold-stderr", () -> {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = running.getErrorStream().read(buffer)) > 0) {
                    err.accept(buffer, 0, n);
                }
            } catch (IOException e) {
                LOG.debug("standard error of held '{}' on {} ended early: {}", command.display(), host, e.toString());
            } finally {
                err.report(); // stderr ended before a first line: there is no report to wait for
            }
        });
        daemon("ssh-hold-stdin", () -> {
            try {
                OutputStream out = running.getOutputStream();
                out.write(input);
                out.flush();
            } catch (IOException e) {
                LOG.debug("standard input of held '{}' on {} not fully written: {}", command.display(), host,
                        e.toString());
            }
        });
        Long started = err.awaitPid(START_LIMIT);
        if (started != null) {
            pid = started;
            return this;
        }
        try {
            if (err.reported()) {
                // the wrapper refused, or the shell failed: it ends at once with its status
                awaitClosed(Duration.ofSeconds(10));
                errPump.join(TimeUnit.SECONDS.toMillis(10));
                commands.checkStarted(command, err, exitStatus().orElse(-1), err.text());
            }
            throw new HostException("hold '" + command.display() + "' on host " + host
                    + ": expected the server's shell to start it within " + START_LIMIT.toSeconds() + " s, found "
                    + (running.isOpen() ? "no report yet" : "the channel closed") + "; check the server's load and "
                    + "its login shell");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostException("hold '" + command.display() + "' on host " + host
                    + ": interrupted while it started", e);
        } finally {
            close();
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public Optional<String> awaitLine(Duration timeout) {
        try {
            Optional<String> line = lines.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            if (line == null) {
                return Optional.empty();
            }
            if (line.isEmpty()) {
                lines.add(line); // for every later call
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public boolean isAlive() {
        return running.isOpen() && running.getExitStatus() == null && running.getExitSignal() == null
                && connection.isAlive();
    }

    @Override
    public OptionalInt exitStatus() {
        Integer status = running.getExitStatus();
        if (status != null) {
            return OptionalInt.of(status);
        }
        Signal signal = running.getExitSignal();
        return signal == null ? OptionalInt.empty() : OptionalInt.of(128 + SshCommands.signalNumber(signal));
    }

    @Override
    public String stderr() {
        return err.text();
    }

    /** Waits up to {@code limit} for the channel to close; whether it did. */
    private boolean awaitClosed(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (running.isOpen() && connection.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                running.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), TimeUnit.MILLISECONDS);
            } catch (ConnectionException expiredOrClosed) {
                // the wait expired or the channel closed; the loop looks which
            }
        }
        return true;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            running.getOutputStream().close(); // EOF on the channel: the command's standard input ends
        } catch (IOException e) {
            LOG.debug("standard input of held '{}' on {} not closed cleanly: {}", command.display(), host,
                    e.toString());
        }
        if (!awaitClosed(GRACE) && connection.isAlive()) {
            LOG.info("held '{}' on {} did not end within {} of its input's end; killing it and its child processes",
                    command.display(), host, GRACE);
            commands.killRemote(command, connection, running, pid);
            awaitClosed(Duration.ofSeconds(10));
        }
        try {
            session.close();
        } catch (IOException e) {
            LOG.debug("session of held '{}' on {} not closed cleanly: {}", command.display(), host, e.toString());
        }
    }

    @Override
    public String toString() {
        return "held '" + command.display() + "' on host " + host + " (" + (isAlive() ? "running" : "ended") + ")";
    }
}
