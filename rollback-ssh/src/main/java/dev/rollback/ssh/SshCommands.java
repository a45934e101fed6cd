package dev.rollback.ssh;

import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.HostException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands of an {@link SshHost}: each runs in its own SSH exec channel through {@link
 * RemoteShell}'s fixed wrapper (environment on standard input, working folder, program check, pid
 * report), is killed on the server with every process below it at its timeout, and has its
 * wrapper's report turned into a clear failure; plus the fixed scripts the other parts of the host
 * run with paths as parameters ({@link #script}), and the splitting of long path lists.
 *
 * <p>Thread-safe: each call has its own channel and its own threads for the three streams.
 */
final class SshCommands {

    // logs under the facade's name, so the logging configuration of SshHost keeps covering it
    private static final Logger LOG = LoggerFactory.getLogger(SshHost.class);
    /** Arguments per remote command when a list of paths is passed on: far below any ARG_MAX. */
    private static final int ARG_BUDGET = 96 * 1024;

    private final SshLink link;
    private final SshSettings settings;
    private final String name;

    SshCommands(SshLink link) {
        this.link = link;
        this.settings = link.settings();
        this.name = link.name();
    }

    /** Runs {@code command} through the wrapper; see {@link SshHost#run}. */
    CommandResult run(Command command) {
        return exec(command, RemoteShell.EXEC, true);
    }

    private List<String> sudoPrefix() {
        return settings.sudo() ? List.of("sudo", "-n", "--") : List.of();
    }

    private CommandResult exec(Command command, String script, boolean wrapped) {
        Started started = start(command, script, wrapped);
        return await(command, started.connection(), started.session(), started.running(), started.input(), wrapped);
    }

    /** A command started in its own channel, with the bytes its standard input is to get first. */
    record Started(SshConnection connection, Session session, Session.Command running, byte[] input) {}

    /** Starts {@code command} in a new channel, on a new connection once if the one held turns out dead. */
    private Started start(Command command, String script, boolean wrapped) {
        List<String> env = RemoteShell.envLines(command.env());
        List<String> params = new ArrayList<>();
        if (wrapped) {
            params.add(command.workDir() == null ? ""
                    : link.absolute(command.workDir(), "run a command in").toString());
            params.add(Integer.toString(env.size()));
        }
        params.addAll(command.argv());
        String line = RemoteShell.line(sudoPrefix(), script, params);
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        for (String e : env) {
            input.writeBytes((e + "\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] stdin = command.stdin();
        if (stdin != null) {
            input.writeBytes(stdin);
        }
        for (int attempt = 1; ; attempt++) {
            SshConnection c = link.connection();
            try {
                Session session = c.client().startSession();
                return new Started(c, session, session.exec(line), input.toByteArray());
            } catch (IOException e) {
                // nothing started on the server yet: safe to try once more on a new connection
                link.dropIfDead(c);
                if (attempt >= 2 || c.isAlive()) {
                    throw new HostException("command '" + command.display() + "' on host " + name + " could not be "
                            + "started: expected the server to open a session, found " + e + "; check the server", e);
                }
            }
        }
    }

    private CommandResult await(Command command, SshConnection c, Session session, Session.Command running,
            byte[] input, boolean wrapped) {
        long start = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WrapperStderr err = new WrapperStderr(wrapped);
        Thread outPump = pump("stdout", running.getInputStream(), out::write);
        Thread errPump = pump("stderr", running.getErrorStream(), err::accept);
        Thread inPump = feed(running.getOutputStream(), input);
        boolean timedOut = false;
        try {
            long deadline = start + command.timeout().toNanos();
            while (running.isOpen()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    timedOut = true;
                    break;
                }
                try {
                    running.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), TimeUnit.MILLISECONDS);
                } catch (ConnectionException expiredOrClosed) {
                    // the wait expired or the channel closed; the loop looks which
                    if (!c.isAlive()) {
                        break;
                    }
                }
            }
            if (timedOut) {
                // on a busy server the wrapper may not have reported its pid yet: wait for it, a while
                killRemote(command, c, running, err.awaitPid(Duration.ofSeconds(15)));
            }
            joinQuietly(outPump);
            joinQuietly(errPump);
            inPump.interrupt();
        } finally {
            closeQuietly(session);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        Integer status = running.getExitStatus();
        if (!timedOut && status == null) {
            Signal signal = running.getExitSignal();
            if (signal != null) {
                status = 128 + signalNumber(signal);
            } else {
                link.dropIfDead(c);
                throw new HostException("command '" + command.display() + "' on host " + name + ": expected it to end "
                        + "with an exit code, found the connection closed before it did; the command may or may "
                        + "not have finished: check the server, then run again (a rollback: resume it)");
            }
        }
        String stderr = err.text();
        if (wrapped && !timedOut) {
            checkStarted(command, err, status, stderr);
            String shellSaid = err.beforeReport();
            if (!shellSaid.isEmpty()) {
                LOG.debug("the login shell on {} wrote before '{}' started (kept out of its standard error): {}",
                        name, command.display(), shellSaid.strip());
            }
        }
        CommandResult result = new CommandResult(command.display(), name, timedOut ? -1 : status,
                out.toString(StandardCharsets.UTF_8), stderr, took, timedOut);
        if (timedOut) {
            LOG.warn("{}", result.describe());
        }
        return result;
    }

    /** Turns the wrapper's own report (no such program, no such folder, sudo refused) into an exception. */
    void checkStarted(Command command, WrapperStderr err, int status, String stderr) {
        String program = command.argv().get(0);
        String report = err.report();
        if (report == null) {
            if (settings.sudo() && stderr.contains("sudo:")) {
                throw new HostException("command '" + command.display() + "' on host " + name + ": expected sudo to run "
                        + "it as root without asking for a password (sudo -n), found: " + stderr.strip() + "; allow "
                        + "this user passwordless sudo (a NOPASSWD rule in /etc/sudoers.d) or connect as root");
            }
            throw new HostException("command '" + command.display() + "' on host " + name + ": expected the server's "
                    + "shell to start it, found exit " + status + (stderr.isBlank() ? "" : ": " + stderr.strip())
                    + "; give this user a POSIX login shell (sh, bash) and check /bin/sh on the server");
        }
        if (report.equals("noprintf")) {
            throw new HostException("command '" + command.display() + "' on host " + name + ": expected printf to be a "
                    + "builtin of the server's /bin/sh, so that the command's environment (such as a password) never "
                    + "shows in a process list, found an external printf; nothing was run: make /bin/sh a shell with "
                    + "a printf builtin (dash, bash, busybox ash)");
        }
        if (report.equals("nodir")) {
            throw new HostException("command '" + command.display() + "' on host " + name + ": expected the working "
                    + "folder " + command.workDir() + ", found none; create it or correct the path");
        }
        if (report.startsWith("noprogram:")) {
            throw new HostException("command '" + command.display() + "' on host " + name + ": expected the program '"
                    + program + "' " + (program.contains("/") ? "to be an executable file"
                    : "on the PATH (" + report.substring("noprogram:".length()) + ")")
                    + ", found none; install it on the server or give its full path");
        }
    }

    /** Kills the command and everything it started, on the server, then closes its channel. */
    void killRemote(Command command, SshConnection c, Session.Command running, Long pid) {
        if (pid != null) {
            try {
                Session killer = c.client().startSession();
                try {
                    Session.Command kill = killer.exec(RemoteShell.line(sudoPrefix(), RemoteShell.KILL_TREE,
                            List.of(Long.toString(pid))));
                    kill.join(20, TimeUnit.SECONDS);
                } finally {
                    closeQuietly(killer);
                }
            } catch (IOException e) {
                LOG.warn("command '{}' on {} ran past its timeout and could not be killed on the server: {}; "
                        + "it may still run there (pid {})", command.display(), name, e.toString(), pid);
            }
        } else {
            LOG.warn("command '{}' on {} ran past its timeout before it reported its pid; only its channel is closed",
                    command.display(), name);
        }
        try {
            running.signal(Signal.KILL);
        } catch (IOException e) {
            LOG.debug("the server did not take the KILL signal for '{}': {}", command.display(), e.toString());
        }
    }
    /** Starts {@code command} through the wrapper and keeps it running; see {@link SshHost#hold}. */
    SshHeld hold(Command command) {
        Started started = start(command, RemoteShell.EXEC, true);
        return new SshHeld(command, name, this, started).begin(started.input());
    }

    /** Whether {@code program} is on the server's PATH or is an executable file; see {@link SshHost#hasProgram}. */
    boolean hasProgram(String program) {
        Objects.requireNonNull(program, "program");
        CommandResult r = exec(Command.of(program), RemoteShell.HAS_PROGRAM, false);
        return r.exitCode() == 0;
    }

    /** Runs a fixed script with positional parameters through the wrapper, failing if it fails. */
    CommandResult script(String what, Path path, String script, List<String> params, byte[] stdin) {
        List<String> argv = new ArrayList<>();
        argv.add("sh");
        argv.add("-c");
        argv.add(script);
        argv.add("rollback");
        argv.addAll(params);
        Command cmd = Command.of(argv);
        if (stdin != null) {
            cmd = cmd.input(stdin);
        }
        CommandResult r = run(cmd);
        if (!r.succeeded()) {
            throw new HostException(what + " " + path + " on host " + name + ": expected to succeed, found: "
                    + (r.stderr().isBlank() ? "exit " + r.exitCode() : r.stderr().strip())
                    + "; check the path, the permissions and the free space on the server");
        }
        return r;
    }

    /** The items in UTF-8, each ended by a NUL byte, for {@code xargs -0} on standard input. */
    static byte[] nulSeparated(List<String> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : items) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** Calls {@code action} with the items in lists small enough for one command line. */
    static void inChunks(List<String> items, List<String> prefix, Function<List<String>, ?> action) {
        List<String> chunk = new ArrayList<>(prefix);
        int size = 0;
        for (String item : items) {
            if (size + item.length() > ARG_BUDGET && chunk.size() > prefix.size()) {
                action.apply(chunk);
                chunk = new ArrayList<>(prefix);
                size = 0;
            }
            chunk.add(item);
            size += item.length() + 1;
        }
        if (chunk.size() > prefix.size()) {
            action.apply(chunk);
        }
    }

    static int signalNumber(Signal s) {
        return switch (s) {
            case HUP -> 1;
            case INT -> 2;
            case QUIT -> 3;
            case ILL -> 4;
            case ABRT -> 6;
            case FPE -> 8;
            case KILL -> 9;
            case USR1 -> 10;
            case SEGV -> 11;
            case USR2 -> 12;
            case PIPE -> 13;
            case ALRM -> 14;
            case TERM -> 15;
            default -> 0;
        };
    }

    /** Where the bytes of a stream go. */
    @FunctionalInterface
    private interface Sink {
        void accept(byte[] bytes, int off, int len);
    }

    private static Thread pump(String what, InputStream in, Sink sink) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sink.accept(buffer, 0, n);
                }
            } catch (IOException e) {
                LOG.debug("{} of a remote command ended early: {}", what, e.toString());
            }
        }, "ssh-" + what);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Thread feed(OutputStream out, byte[] input) {
        Thread t = new Thread(() -> {
            try (out) {
                out.write(input);
                out.flush();
            } catch (InterruptedIOException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the command ended without reading all its input, as `true < file` would
                LOG.debug("standard input of a remote command not fully read: {}", e.toString());
            }
        }, "ssh-stdin");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly(Session session) {
        try {
            session.close();
        } catch (IOException e) {
            LOG.debug("session on {} not closed cleanly: {}", name, e.toString());
        }
    }
}
