package dev.rollback.targets;

import static dev.rollback.targets.Service.LAUNCH;

import dev.rollback.error.RollbackException;
import dev.rollback.host.Command;
import dev.rollback.host.CommandResult;
import dev.rollback.host.FileStat;
import dev.rollback.host.Host;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The process form of a {@link Service}: its pid file, the state of its process read from {@code /proc},
 * signals to its process group, the launch in its own session, and the end of its log.
 *
 * <p>Immutable and thread-safe; every call asks the host afresh.
 */
final class ServiceProcess {

    private static final Pattern PID = Pattern.compile("[0-9]{1,10}");

    private final Service service;

    ServiceProcess(Service service) {
        this.service = service;
    }

    record Probe(long pid, boolean running, boolean groupLeader, String detail) {}

    Probe probe(Host host) {
        Optional<FileStat> st = host.stat(service.pidFile);
        if (st.isEmpty()) {
            return new Probe(0, false, false, "no pid file at " + service.pidFile);
        }
        if (!st.get().isFile()) {
            throw new RollbackException(service.what() + ": expected a pid file at " + service.pidFile + ", found a "
                    + st.get().type().name().toLowerCase() + "; move it away or choose another pid file");
        }
        String text = new String(host.read(service.pidFile), StandardCharsets.UTF_8).strip();
        long pid = PID.matcher(text).matches() ? Long.parseLong(text) : -1;
        if (pid <= 1) {
            throw new RollbackException(service.what() + ": expected the pid file " + service.pidFile + " to hold a process id above 1, "
                    + "found '" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'; if the service is "
                    + "stopped, remove the file");
        }
        // /proc/PID/stat, read with cat (coreutils, always there) rather than ps (procps, often not installed):
        // "PID (COMMAND) STATE PPID PGRP ...", where COMMAND may hold spaces and parentheses
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!host.exists(stat)) {
            return new Probe(pid, false, false, "process " + pid + " from " + service.pidFile + " is not running");
        }
        CommandResult r = service.run(host, List.of("cat", stat.toString()), "status");
        String line = r.stdout().strip();
        int end = line.lastIndexOf(')');
        if (!r.succeeded() || end < 0) {
            if (!host.exists(stat)) {
                return new Probe(pid, false, false, "process " + pid + " from " + service.pidFile + " is not running");
            }
            // the status could not be read: saying "stopped" here could leave a live process behind
            throw new RollbackException(service.what() + ": cannot tell whether process " + pid + " from " + service.pidFile
                    + " is running: " + r.describe() + "; check that " + stat + " is readable on host " + host.name());
        }
        String[] fields = line.substring(end + 1).strip().split("\\s+");
        if (fields[0].startsWith("Z") || fields[0].startsWith("X")) {
            return new Probe(pid, false, false, "process " + pid + " from " + service.pidFile + " has ended");
        }
        boolean leader = fields.length > 2 && fields[2].equals(Long.toString(pid));
        return new Probe(pid, true, leader, "process " + pid + " from " + service.pidFile + " is running (state " + fields[0]
                + ")");
    }

    /** Sends a signal to the process of the pid file: to its whole group when it leads one, as it does when we start it. */
    void signal(Host host, String signal) {
        Probe p = probe(host);
        if (!p.running()) {
            return;
        }
        String pid = Long.toString(p.pid());
        CommandResult r = service.run(host, kill(signal, p.groupLeader() ? "-" + pid : pid), "SIG" + signal);
        if (!r.succeeded() && probe(host).running()) {
            throw new RollbackException(service.what() + ": expected SIG" + signal + " to reach process " + pid + ", found "
                    + r.describe() + "; run as the user that owns the process");
        }
    }

    void launch(Host host) {
        String program = service.startArgv.get(0);
        String lookup = service.workDir != null && program.contains("/") && !Path.of(program).isAbsolute()
                ? service.workDir.resolve(program).toString() : program;
        List<String> missing = new ArrayList<>();
        for (String p : List.of(lookup, "sh", "setsid", "cat")) {
            if (!host.hasProgram(p)) {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            throw new RollbackException(service.what() + ": expected the programs " + missing + " on host " + host.name()
                    + ", found none; install them or give the full path; nothing was started");
        }
        for (Path dir : List.of(service.pidFile.toAbsolutePath().getParent(), service.logFile.toAbsolutePath().getParent())) {
            if (host.stat(dir).map(s -> !s.isDirectory()).orElse(true)) {
                throw new RollbackException(service.what() + ": expected the folder " + dir + " on host " + host.name()
                        + ", found none; create it; nothing was started");
            }
        }
        List<String> argv = new ArrayList<>(List.of("sh", "-c", LAUNCH, "sh", service.logFile.toString()));
        argv.addAll(service.startArgv);
        CommandResult r = service.run(host, argv, "start");
        String out = r.stdout().strip();
        if (!r.succeeded() || !PID.matcher(out).matches()) {
            throw new RollbackException(service.what() + ": expected the launcher to print the new process's pid, found "
                    + r.describe() + "; check that 'sh' and 'setsid' work on host " + host.name());
        }
        try {
            host.write(service.pidFile, (out + "\n").getBytes(StandardCharsets.UTF_8), 0644);
        } catch (RuntimeException e) {
            // without its pid file the process could never be stopped by us: end it now
            host.run(Command.of(kill("KILL", "-" + out)).timeout(service.timeout));
            throw e;
        }
    }

    /**
     * The shell's own kill (no procps needed), with the signal and the target as positional
     * parameters of a fixed script: a negative target is the process group.
     */
    private static List<String> kill(String signal, String target) {
        return List.of("sh", "-c", "kill -s \"$0\" -- \"$1\"", signal, target);
    }

    String logTail(Host host) {
        if (!host.exists(service.logFile)) {
            return "";
        }
        CommandResult r = service.run(host, List.of("tail", "-n", "20", service.logFile.toString()), "log");
        return r.stdout().isBlank() ? "" : "; the end of " + service.logFile + ":\n" + r.stdout().stripTrailing();
    }
}
