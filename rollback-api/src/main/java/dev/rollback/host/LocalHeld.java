package dev.rollback.host;

import dev.rollback.internal.Logs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
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
import org.slf4j.Logger;

/**
 * A command on this machine kept running for {@link LocalHost#hold}: a process started with its
 * argv as given, whose standard output a daemon thread splits into lines and whose standard error
 * another keeps the last 64 KiB of, while its standard input stays open until {@link #close()}.
 *
 * <p>Thread-safe: the queue of lines and the tail of standard error are safe to read while the
 * pumps write; closing happens once.
 */
final class LocalHeld implements HeldCommand {

    private static final Logger LOG = Logs.of(LocalHost.class);
    /** How much of standard error is kept. */
    static final int STDERR_LIMIT = 64 * 1024;
    /** Put in the queue, and put back, once standard output ended. */
    private static final Optional<String> END = Optional.empty();

    private final String display;
    private final Process process;
    private final BlockingQueue<Optional<String>> lines = new LinkedBlockingQueue<>();
    private final StderrTail stderr = new StderrTail(STDERR_LIMIT);
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalHeld(String display, Process process) {
        this.display = display;
        this.process = process;
    }

    /** Starts {@code command} after the checks of {@link LocalCommands#run}. */
    static LocalHeld start(Command command) {
        LocalCommands.requireStartable(command);
        ProcessBuilder builder = new ProcessBuilder(command.argv());
        if (command.workDir() != null) {
            builder.directory(command.workDir().toFile());
        }
        builder.environment().putAll(command.env());
        Process process;
        try {
            process = builder.start();
            dev.rollback.internal.IoCount.processStarted();
        } catch (IOException e) {
            throw new HostException("hold '" + command.display() + "' on host local: expected the program '"
                    + command.argv().get(0) + "' to start, found " + e.getMessage()
                    + "; check that the program is executable", e);
        }
        LocalHeld held = new LocalHeld(command.display(), process);
        held.pumpLines(process.getInputStream());
        daemon("local-hold-stderr", () -> {
            try (InputStream in = process.getErrorStream()) {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    held.stderr.accept(buffer, 0, n);
                }
            } catch (IOException e) {
                LOG.debug("standard error of held '{}' ended early: {}", command.display(), e.toString());
            }
        });
        byte[] input = command.stdin();
        if (input != null) {
            daemon("local-hold-stdin", () -> {
                try {
                    OutputStream out = process.getOutputStream();
                    out.write(input);
                    out.flush();
                } catch (IOException e) {
                    LOG.debug("standard input of held '{}' not fully written: {}", command.display(), e.toString());
                }
            });
        }
        return held;
    }

    private void pumpLines(InputStream stdout) {
        daemon("local-hold-stdout", () -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(Optional.of(line));
                }
            } catch (IOException e) {
                LOG.debug("standard output of held '{}' ended early: {}", display, e.toString());
            } finally {
                lines.add(END);
            }
        });
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    /** Runs {@code action} once the process ended. */
    void onExit(Runnable action) {
        process.onExit().thenRun(action);
    }

    @Override
    public Optional<String> awaitLine(Duration timeout) {
        try {
            Optional<String> line = lines.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            if (line == null) {
                return Optional.empty();
            }
            if (line.isEmpty()) {
                lines.add(END); // for every later call
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public OptionalInt exitStatus() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    @Override
    public String stderr() {
        return stderr.text();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            LOG.debug("standard input of held '{}' not closed cleanly: {}", display, e.toString());
        }
        try {
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.info("held '{}' on host local did not end within {} of its input's end; killing it and its "
                        + "child processes", display, GRACE);
                // children first: once the parent dies they are re-parented and no longer found
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "held '" + display + "' on host local (" + (isAlive() ? "running" : "ended") + ")";
    }

    /** The last bytes of a stream, at most a limit of them. Thread-safe. */
    static final class StderrTail {
        private final int limit;
        private final byte[] ring;
        private long written; // guarded by this

        StderrTail(int limit) {
            this.limit = limit;
            this.ring = new byte[limit];
        }

        synchronized void accept(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                ring[(int) (written++ % limit)] = b[i];
            }
        }

        synchronized String text() {
            int size = (int) Math.min(written, limit);
            byte[] out = new byte[size];
            long from = written - size;
            for (int i = 0; i < size; i++) {
                out[i] = ring[(int) ((from + i) % limit)];
            }
            return new String(out, StandardCharsets.UTF_8);
        }
    }
}
