package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.HistoryEntry;
import dev.rollback.Outcome;
import dev.rollback.RestorePoint;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.store.RollbackInProgressException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team shares one store: a CI runner and two operators, each a JVM with a local store of its own and its own
 * {@code user.name}, reach the same server (OpenSSH on 127.0.0.1), which keeps the artifacts and the team's
 * records (a folder on that server, or PostgreSQL). What one machine captured, another lists and rolls back; two machines never roll the plan back at once,
 * and the one refused is told who holds it; a rollback whose machine died is resumed from another.
 */
abstract class TeamStoreTest {

    /** Where the team's records are, as {@link TeamPlan#build} reads it. */
    abstract String records();

    @TempDir
    Path serverDir;

    @TempDir
    Path machines;

    private OpenSshServer server;
    private SshHost here;
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        server = OpenSshServer.start();
        here = server.host("root").connect();
        Path app = serverDir.resolve("app");
        Files.createDirectories(app.resolve("release"));
        Files.writeString(app.resolve("config.json"), "{\"mode\": \"production\"}\n");
        Files.writeString(app.resolve("release/VERSION"), "1.0.0\n");
        Files.writeString(app.resolve("release/app.py"), "print('v1')\n");
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : children) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        here.close();
        server.close();
    }

    private RollbackPlan plan() {
        return TeamPlan.build(here, machines.resolve("ops-laptop"), serverDir, records());
    }

    /** Starts another machine: a child JVM as {@code user}, with its own local store. */
    private Process machine(String user, List<String> props, String... command) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new ArrayList<>(List.of(java, "-Duser.name=" + user));
        argv.addAll(props);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), TeamPlan.class.getName(),
                Integer.toString(server.port()), server.userKey().toString(),
                server.knownHosts(server.port()).toString(), machines.resolve(user).toString(), serverDir.toString(), records()));
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        children.add(p);
        return p;
    }

    /** The child's output up to the line starting with {@code prefix}, which it returns. */
    private static String awaitLine(Process p, String prefix) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("expected the other machine to print '" + prefix + "', found it ended: " + seen);
    }

    private void badDeploy() throws IOException {
        Files.writeString(serverDir.resolve("app/config.json"), "{\"mode\": \"debug-typo\"}\n");
        Files.writeString(serverDir.resolve("app/release/VERSION"), "1.1.0\n");
        Files.writeString(serverDir.resolve("app/release/app.py"), "raise SystemExit('v2')\n");
    }

    private void assertV1() throws IOException {
        assertThat(Files.readString(serverDir.resolve("app/config.json"))).isEqualTo("{\"mode\": \"production\"}\n");
        assertThat(Files.readString(serverDir.resolve("app/release/VERSION"))).isEqualTo("1.0.0\n");
        assertThat(Files.readString(serverDir.resolve("app/release/app.py"))).isEqualTo("print('v1')\n");
    }

    @Test
    void shouldLetAnotherMachineListAndRollBackAPointTheCiRunnerCaptured() throws Exception {
        Process ci = machine("ci", List.of(), "capture", "v1.0.0");
        String id = awaitLine(ci, "point ").substring("point ".length());
        assertThat(ci.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ci.exitValue()).isZero();
        badDeploy();

        RollbackPlan plan = plan();
        assertThat(plan.restorePoints()).extracting(RestorePoint::id).containsExactly(id);
        RollbackReport report = plan.rollback(plan.store().get(id));

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertV1();
        List<HistoryEntry> history = plan.activity();
        assertThat(history).extracting(HistoryEntry::what).containsExactly("capture", "rollback", "rollback");
        assertThat(history.get(0).who()).startsWith("ci@");
        assertThat(history.get(0).detail()).isEqualTo("'v1.0.0'");
        assertThat(history.get(2).who()).startsWith(System.getProperty("user.name") + "@");
        assertThat(history.get(2).detail()).isEqualTo("SUCCEEDED");
        assertThat(machines.resolve("ci/points").resolve(id)).isDirectory(); // each machine its own copy
        assertThat(machines.resolve("ops-laptop/points").resolve(id)).isDirectory();
    }

    @Test
    void shouldRefuseASecondMachineWhileOneRollsBackAndNameTheHolder() throws Exception {
        RollbackPlan plan = plan();
        RestorePoint v1 = plan.capture("v1.0.0");
        badDeploy();
        Process alice = machine("alice", List.of("-Dteam.wait=true"), "rollback", v1.id());
        awaitLine(alice, "holding the lock");

        assertThatThrownBy(() -> plan.rollback(v1)).isInstanceOf(RollbackInProgressException.class)
                .hasMessageContaining("held by process " + alice.pid()).hasMessageContaining("user alice")
                .hasMessageContaining("rollback rb-").hasMessageContaining("breakLock");
        assertThatThrownBy(() -> plan.capture("meanwhile")).isInstanceOf(RollbackInProgressException.class)
                .hasMessageContaining("user alice");

        Files.writeString(serverDir.resolve("gate"), "go");
        assertThat(awaitLine(alice, "outcome ")).isEqualTo("outcome SUCCEEDED");
        assertThat(alice.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertV1();
        assertThat(plan.capture("after").label()).isEqualTo("after");
    }

    @Test
    void shouldResumeOnAnotherMachineARollbackWhoseMachineWasKilled() throws Exception {
        RollbackPlan plan = plan();
        RestorePoint v1 = plan.capture("v1.0.0");
        badDeploy();
        Process bob = machine("bob", List.of("-Dteam.wait=true"), "rollback", v1.id());
        awaitLine(bob, "holding the lock"); // its targets are restored; it waits in the start phase

        bob.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye to the server
        assertThat(bob.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bob.exitValue()).isEqualTo(137);
        long killed = System.nanoTime();
        while (plan.store().sharedRecords().orElseThrow().holder("team").isPresent()) {
            assertThat(System.nanoTime() - killed).as("the dead machine's lock freed within 10 s")
                    .isLessThan(10_000_000_000L);
            Thread.sleep(20);
        }
        System.out.printf("lock of the killed machine free after %d ms%n", (System.nanoTime() - killed) / 1_000_000);
        Files.writeString(serverDir.resolve("gate"), "go");

        RollbackReport resumed = plan.resume();

        assertThat(resumed.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertV1();
        assertThat(plan.activity()).extracting(HistoryEntry::what).containsSubsequence("rollback", "resume", "rollback");
        assertThat(plan.activity()).filteredOn(e -> e.what().equals("resume")).singleElement()
                .satisfies(e -> assertThat(e.who()).startsWith(System.getProperty("user.name") + "@"));
        assertThat(plan.store().sharedRecords().orElseThrow().read("journals/team.json")).isEmpty();
    }
}
