package dev.rollback.host;

import dev.rollback.internal.Logs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import org.apache.commons.exec.Watchdog;
import org.slf4j.Logger;

/**
 * Runs commands on this machine for {@link LocalHost}: checks the program and working folder first,
 * hands the argv to commons-exec verbatim, and kills the whole process tree at the timeout.
 *
 * <p>Thread-safe and stateless: every call builds its own executor and watchdog.
 */
final class LocalCommands {

    /** Logged under the facade's name, as before the split. */
    private static final Logger LOG = Logs.of(LocalHost.class);

    private LocalCommands() {}

    static CommandResult run(Command command, String host) {
        String program = command.argv().get(0);
        requireStartable(command);
        CommandLine line = verbatim(command.argv());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        byte[] stdin = command.stdin();
        TreeKillingWatchdog watchdog = new TreeKillingWatchdog(command.timeout());
        DefaultExecutor executor = DefaultExecutor.builder()
                .setWorkingDirectory(command.workDir() == null ? Path.of("").toAbsolutePath() : command.workDir())
                .setExecuteStreamHandler(new PumpStreamHandler(out, err,
                        new ByteArrayInputStream(stdin == null ? new byte[0] : stdin)))
                .get();
        executor.setWatchdog(watchdog);
        executor.setExitValues(null);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(command.env());
        long start = System.nanoTime();
        int code;
        try {
            dev.rollback.internal.IoCount.processStarted();
            code = executor.execute(line, env);
        } catch (IOException e) {
            throw new HostException("command '" + command.display() + "' on host local could not be started: "
                    + e.getMessage() + "; check that the program is executable", e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        boolean timedOut = watchdog.killedAtTimeout();
        CommandResult result = new CommandResult(command.display(), host, code,
                out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), took, timedOut);
        if (timedOut) {
            LOG.warn("'{}' on host local was killed with its child processes after its timeout of {}", program,
                    command.timeout());
        }
        return result;
    }

    /** Refuses, naming the program or the folder, a command whose program or working folder is missing. */
    static void requireStartable(Command command) {
        String program = command.argv().get(0);
        if (!hasProgram(program)) {
            throw new HostException("command '" + command.display() + "' on host local: expected the program '"
                    + program + "' " + (program.contains("/") ? "to be an executable file" : "on the PATH ("
                    + System.getenv("PATH") + ")") + ", found none; install it or give its full path");
        }
        if (command.workDir() != null && !Files.isDirectory(command.workDir())) {
            throw new HostException("command '" + command.display() + "' on host local: expected the working folder "
                    + command.workDir() + ", found none; create it or correct the path");
        }
    }

    /**
     * A command line that hands the argv to the process exactly as given: commons-exec trims each
     * argument it is given (and would expand {@code ${..}}), so the launcher gets the list itself.
     */
    private static CommandLine verbatim(List<String> argv) {
        String[] exact = argv.toArray(String[]::new);
        CommandLine line = new CommandLine(argv.get(0)) {
            @Override
            public String[] toStrings() {
                return exact.clone();
            }
        };
        argv.stream().skip(1).forEach(a -> line.addArgument(a, false));
        return line;
    }

    static boolean hasProgram(String program) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Files.isRegularFile(p) && Files.isExecutable(p);
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }

    /** A watchdog that kills the process's children before the process, so nothing is left running. */
    private static final class TreeKillingWatchdog extends ExecuteWatchdog {
        private volatile Process process;
        private volatile boolean killing;

        @SuppressWarnings("deprecation") // the builder's constructor is not open to subclasses
        TreeKillingWatchdog(Duration timeout) {
            super(timeout.toMillis());
        }

        @Override
        public synchronized void start(Process processToMonitor) {
            this.process = processToMonitor;
            super.start(processToMonitor);
        }

        @Override
        public synchronized void timeoutOccured(Watchdog w) {
            Process p = process;
            if (p != null && p.isAlive()) {
                // said before the kill: the waiting thread may see the process end before this method returns
                killing = true;
                // children first: once the parent dies they are re-parented and no longer found
                List<ProcessHandle> tree = p.toHandle().descendants().toList();
                tree.forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            super.timeoutOccured(w);
        }

        /** Whether this watchdog killed the process at its timeout. */
        boolean killedAtTimeout() {
            return killing || killedProcess();
        }
    }
}
