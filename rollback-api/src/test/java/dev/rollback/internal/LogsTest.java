package dev.rollback.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.RestorePoint;
import dev.rollback.Rollback;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.targets.ConfigFiles;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program with the library and no SLF4J provider gets one line about it on standard error, not SLF4J's warning;
 * with a provider, the library logs through it. Each case runs a capture and a rollback in a child JVM.
 */
class LogsTest {

    @TempDir
    Path dir;

    /** The child's program: a capture and a rollback of one config file. */
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path env = Files.writeString(work.resolve("app.env"), "MODE=production\n");
        RollbackPlan plan = Rollback.plan("quiet").store(work.resolve("store")).target(ConfigFiles.of(env)).build();
        RestorePoint before = plan.capture("v1");
        Files.writeString(env, "MODE=broken\n");
        RollbackReport report = plan.rollback(before);
        System.out.println("OUTCOME " + report.outcome());
    }

    @Test
    void shouldSayInOneLineThatTheLogIsOffWhenNoProviderIsThere() throws Exception {
        Result r = run(false);

        assertThat(r.stdout).contains("OUTCOME SUCCEEDED");
        assertThat(r.stderr.lines().toList()).as(r.stderr).containsExactly("rollback: no SLF4J provider on the class"
                + " path, so the library's log is off (its events still reach your listeners); add"
                + " org.slf4j:slf4j-simple or your logging backend's SLF4J 2 provider to see it");
    }

    @Test
    void shouldLogThroughTheProviderWhenThereIsOne() throws Exception {
        Result r = run(true);

        assertThat(r.stdout).contains("OUTCOME SUCCEEDED");
        assertThat(r.stderr).contains("INFO dev.rollback - plan 'quiet': rollback").doesNotContain("no SLF4J provider")
                .doesNotContain("SLF4J(W)");
    }

    private record Result(String stdout, String stderr) {}

    private Result run(boolean withProvider) throws Exception {
        List<String> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (withProvider || !Path.of(e).getFileName().toString().startsWith("slf4j-simple")) {
                cp.add(e);
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", String.join(File.pathSeparator, cp), LogsTest.class.getName(),
                dir.toString()).redirectError(dir.resolve("err").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(dir.resolve("err"));
        assertThat(p.exitValue()).as(out + err).isZero();
        return new Result(out, err.lines().collect(Collectors.joining("\n")));
    }
}
