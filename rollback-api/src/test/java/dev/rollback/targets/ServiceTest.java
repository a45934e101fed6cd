package dev.rollback.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.rollback.spi.CheckResult;
import dev.rollback.Outcome;
import dev.rollback.spi.Phase;
import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.error.RollbackException;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.spi.StepContext;
import dev.rollback.StepRecord;
import dev.rollback.StepStatus;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import dev.rollback.testing.MemoryTarget;
import dev.rollback.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceTest {

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    final Ctx ctx = new Ctx(clock);
    final List<Long> started = new ArrayList<>();

    @AfterEach
    void endWhatWeStarted() {
        // only the processes these tests started, by their pid, with their children
        for (long pid : started) {
            ProcessHandle.of(pid).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
        }
    }

    Service bot(List<String> argv) {
        return Service.ofProcess("bot", argv, dir.resolve("bot.pid")).timeout(Duration.ofSeconds(5))
                .every(Duration.ofMillis(100));
    }

    long pidOf(Path pidFile) throws IOException {
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        started.add(pid);
        return pid;
    }

    // ---- a plain process -------------------------------------------------------------------------

    @Test
    void shouldStartAProcessInItsOwnSessionAndStopItWithSigterm() throws Exception {
        Service bot = bot(List.of("sh", "-c", "echo bot is up; exec sleep 300"));

        bot.starting().run(ctx);

        long pid = pidOf(dir.resolve("bot.pid"));
        awaitLog(dir.resolve("bot.log"), "bot is up");
        assertThat(alive(pid)).isTrue();
        assertThat(ps("sid=", pid)).isEqualTo(Long.toString(pid));
        assertThat(bot.status(ctx.host()).running()).isTrue();
        assertThat(bot.status(ctx.host()).detail()).contains("process " + pid).contains("is running");

        bot.stopping().run(ctx);

        assertThat(alive(pid)).isFalse();
        assertThat(dir.resolve("bot.pid")).doesNotExist();
        assertThat(bot.status(ctx.host()).running()).isFalse();
        assertThat(ctx.progress).noneMatch(m -> m.contains("SIGKILL")).anyMatch(m -> m.contains("stopped"));
    }

    @Test
    void shouldSendSigkillToTheWholeGroupWhenSigtermIsIgnoredUntilTheTimeout() throws Exception {
        Service stubborn = bot(List.of("sh", "-c", "trap '' TERM; echo ready; sleep 300; echo never"));
        stubborn.starting().run(ctx);
        long pid = pidOf(dir.resolve("bot.pid"));
        awaitLog(dir.resolve("bot.log"), "ready");
        Instant before = clock.instant();

        stubborn.stopping().run(ctx);

        assertThat(Duration.between(before, clock.instant())).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(ctx.progress).anyMatch(m -> m.contains("still runs 5 s after SIGTERM; sending SIGKILL"));
        assertThat(alive(pid)).isFalse();
        assertThat(liveMembersOfSession(pid)).isEmpty();
        assertThat(dir.resolve("bot.pid")).doesNotExist();
        assertThat(Files.readString(dir.resolve("bot.log"))).doesNotContain("never");
    }

    @Test
    void shouldNotStartASecondCopyOfARunningProcess() throws Exception {
        Service bot = bot(List.of("sleep", "300"));
        bot.starting().run(ctx);
        long pid = pidOf(dir.resolve("bot.pid"));

        bot.starting().run(ctx);

        assertThat(pidOf(dir.resolve("bot.pid"))).isEqualTo(pid);
        assertThat(ctx.progress).anyMatch(m -> m.contains("is already running"));
    }

    @Test
    void shouldRestartAProcessUnderANewPid() throws Exception {
        Service bot = bot(List.of("sleep", "300"));
        bot.starting().run(ctx);
        long first = pidOf(dir.resolve("bot.pid"));

        bot.restarting().run(ctx);

        long second = pidOf(dir.resolve("bot.pid"));
        assertThat(second).isNotEqualTo(first);
        assertThat(alive(first)).isFalse();
        assertThat(alive(second)).isTrue();
    }

    @Test
    void shouldSucceedAtOnceWhenStoppingAProcessThatIsNotRunning() throws Exception {
        Service bot = bot(List.of("sleep", "300"));

        bot.stopping().run(ctx);
        assertThat(ctx.progress).anyMatch(m -> m.contains("is already stopped: no pid file"));

        // a pid file left behind by a process that has ended
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(dir.resolve("bot.pid"), gone.pid() + "\n");
        bot.stopping().run(ctx);
        assertThat(dir.resolve("bot.pid")).doesNotExist();
    }

    @Test
    void shouldRefuseToStartAMissingProgramAndStartNothing() {
        Service bot = bot(List.of("no-such-daemon-4711", "--serve"));

        assertThatThrownBy(() -> bot.starting().run(ctx))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("service 'bot'")
                .hasMessageContaining("[no-such-daemon-4711]")
                .hasMessageContaining("nothing was started");
        assertThat(dir.resolve("bot.pid")).doesNotExist();
    }

    @Test
    void shouldRefuseToStartWhenThePidFileFolderIsMissing() {
        Service bot = Service.ofProcess("bot", List.of("sleep", "300"), dir.resolve("run/bot.pid"));

        assertThatThrownBy(() -> bot.starting().run(ctx))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("expected the folder " + dir.resolve("run") + " on host local, found none")
                .hasMessageContaining("nothing was started");
        assertThat(dir.resolve("run")).doesNotExist();
    }

    @Test
    void shouldRejectAPidFileThatHoldsNoProcessIdAndSignalNothing() throws Exception {
        Service bot = bot(List.of("sleep", "300"));
        for (String bad : List.of("-1", "1", "0", "12abc", "")) {
            Files.writeString(dir.resolve("bot.pid"), bad);

            assertThatThrownBy(() -> bot.stopping().run(ctx))
                    .isInstanceOf(RollbackException.class)
                    .hasMessageContaining("expected the pid file " + dir.resolve("bot.pid")
                            + " to hold a process id above 1");
        }
    }

    // ---- services driven by commands -------------------------------------------------------------

    Service fileService(List<String> start) {
        return Service.ofCommands("web", List.of("rm", "-f", "running"), start, List.of("ls", "running")).in(dir)
                .timeout(Duration.ofSeconds(3)).every(Duration.ofSeconds(1));
    }

    @Test
    void shouldStopAndStartByCommandsAndReportTheStatus() throws Exception {
        Service web = fileService(List.of("touch", "running"));

        web.starting().run(ctx);
        assertThat(dir.resolve("running")).exists();
        CheckResult up = web.running().run(ctx);
        assertThat(up.passed()).isTrue();

        web.stopping().run(ctx);
        assertThat(dir.resolve("running")).doesNotExist();
        CheckResult down = web.running().run(ctx);
        assertThat(down.passed()).isFalse();
        assertThat(down.detail()).contains("'ls running' on local exited 2").contains("No such file or directory");
    }

    @Test
    void shouldFailAStartThatDoesNotComeUpWithinItsTimeoutWithTheStatusOutput() {
        Service web = fileService(List.of("true"));
        Instant before = clock.instant();

        assertThatThrownBy(() -> web.starting().run(ctx))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("service 'web': expected it to be running within 3 s of its start")
                .hasMessageContaining("'ls running' on local exited 2: ls: cannot access 'running'");
        assertThat(Duration.between(before, clock.instant())).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void shouldNotRunTheStopCommandOfAServiceThatIsAlreadyStopped() throws Exception {
        Service web = Service.ofCommands("web", List.of("touch", "stop-ran"), List.of("true"), List.of("ls", "running"))
                .in(dir);

        web.stopping().run(ctx);

        assertThat(dir.resolve("stop-ran")).doesNotExist();
        assertThat(ctx.progress).anyMatch(m -> m.contains("service 'web' is already stopped"));
    }

    @Test
    void shouldNameAMissingStatusProgram() {
        Service web = Service.ofCommands("web", List.of("no-such-ctl-4711", "stop"), List.of("no-such-ctl-4711", "start"),
                List.of("no-such-ctl-4711", "status"));

        assertThatThrownBy(() -> web.stopping().run(ctx))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("service 'web': cannot run its status command")
                .hasMessageContaining("expected the program 'no-such-ctl-4711'");
    }

    @Test
    void shouldStopBeforeAndStartAfterTheRestoreInAPlan() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        MemoryTarget code = new MemoryTarget("code", "v1", log);
        Service web = fileService(List.of("touch", "running"));
        RollbackPlan plan = Rollback.plan("web").store(dir.resolve("store")).clock(clock).sleeper(clock::advance)
                .stop(web.stopping()).target(code).start(web.starting()).verify(web.running()).build();
        RestorePoint v1 = plan.capture("v1");
        Files.writeString(dir.resolve("running"), "");
        code.value = "v2";

        assertThat(plan.preview(v1).steps()).filteredOn(s -> s.name().equals("stop web")).singleElement()
                .satisfies(s -> assertThat(s.actions()).containsExactly("run: rm -f running",
                        "wait up to 3 s until 'ls running' exits non-zero (stopped); nothing to do if it already does"));
        RollbackReport report = plan.rollback(v1);

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.steps()).extracting(StepRecord::name).containsSubsequence("stop web", "restore code",
                "start web", "check service web is running");
        assertThat(report.steps()).filteredOn(s -> s.name().endsWith(" web")).extracting(StepRecord::status)
                .containsOnly(StepStatus.SUCCEEDED);
        assertThat(dir.resolve("running")).exists();
        assertThat(code.value).isEqualTo("v1");
    }

    // ---- systemd ---------------------------------------------------------------------------------

    @Test
    void shouldDescribeTheSystemctlCommandsItWillRun() {
        Service bot = Service.ofSystemd("rosey-bot").timeout(Duration.ofSeconds(20));

        assertThat(bot.stopping().name()).isEqualTo("stop rosey-bot");
        assertThat(bot.stopping().describe()).containsExactly("run: systemctl stop rosey-bot",
                "wait up to 20 s until 'systemctl is-active rosey-bot' exits 3 (inactive); nothing to do if it already does");
        assertThat(bot.starting().describe()).containsExactly("run: systemctl start rosey-bot",
                "wait up to 20 s until 'systemctl is-active rosey-bot' exits 0 (active); nothing to do if it already does");
    }

    @Test
    void shouldSayClearlyWhenSystemctlCannotTellTheState() {
        Host host = Hosts.local();
        assumeThat(host.hasProgram("systemctl")).as("systemctl installed").isTrue();
        Service bot = Service.ofSystemd("rosey-bot");

        // systemd is not the init system here: is-active exits 1 with its reason, neither active nor inactive
        assertThatThrownBy(() -> bot.stopping().run(ctx))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("service 'rosey-bot': cannot tell whether it is running")
                .hasMessageContaining("'systemctl is-active rosey-bot' on local exited 1")
                .hasMessageContaining("check that systemd runs on host local");
    }

    @Test
    void shouldRejectBadConfigurationWhereItIsGiven() {
        assertThatThrownBy(() -> Service.ofSystemd("-H evil")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'-H evil'");
        assertThatThrownBy(() -> Service.ofSystemd("a b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Service.ofSystemd("bot").in(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("WorkingDirectory=");
        assertThatThrownBy(() -> Service.ofProcess("my bot", List.of("sleep", "1"), dir.resolve("p")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Service.ofProcess("bot", List.of(), dir.resolve("p")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("service 'bot'");
        assertThatThrownBy(() -> Service.ofCommands("web", List.of("true"), List.of("true"), List.of("true"))
                .logTo(dir.resolve("x.log"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Service.ofSystemd("bot").timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** Whether the process is alive and not a zombie, as /proc says. */
    static boolean alive(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String text;
        try {
            text = Files.readString(stat);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        char state = text.charAt(text.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
    }

    /** The live processes whose session id is {@code sid}. */
    static List<Long> liveMembersOfSession(long sid) throws IOException {
        List<Long> out = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String text = Files.readString(p.resolve("stat"));
                    String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
                    // fields after the name: state, ppid, pgrp, session
                    if (Long.parseLong(f[3]) == sid && !f[0].equals("Z") && !f[0].equals("X")) {
                        out.add(Long.parseLong(name));
                    }
                } catch (IOException e) {
                    // the process ended while we looked
                }
            }
        }
        return out;
    }

    static String ps(String field, long pid) throws Exception {
        Process p = new ProcessBuilder("ps", "-o", field, "-p", Long.toString(pid)).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        return out;
    }

    /** Waits (bounded) until the log holds {@code text}: the process has passed that point. */
    static void awaitLog(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!(Files.exists(log) && Files.readString(log).contains(text))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the log " + log + " never showed '" + text + "'");
            }
            Thread.onSpinWait();
        }
    }

    /** A step context on this machine whose waits advance a test clock. */
    static final class Ctx implements StepContext {
        final Clock clock;
        final List<String> progress = Collections.synchronizedList(new ArrayList<>());
        private final TestClock testClock;

        Ctx(TestClock clock) {
            this.clock = clock;
            this.testClock = clock;
        }

        @Override
        public String plan() {
            return "test";
        }

        @Override
        public String rollbackId() {
            return "test";
        }

        @Override
        public dev.rollback.RestorePoint point() {
            return null;
        }

        @Override
        public Phase phase() {
            return Phase.STOP;
        }

        @Override
        public Host host() {
            return Hosts.local();
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public void sleep(Duration duration) {
            testClock.advance(duration);
        }

        @Override
        public void progress(String message) {
            progress.add(message);
        }
    }
}
