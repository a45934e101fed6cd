package dev.rollback.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.testing.Requirements;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A lock held with {@link LocalHost#hold} is freed when the holder's JVM is killed, which no test can do to its own. */
class LocalHoldTest {

    @TempDir
    Path dir;

    /** A holder: takes the lock given, says what it got, then waits to be killed. */
    private static final String HOLDER = """
            public class Holder {
                public static void main(String[] args) throws Exception {
                    var held = dev.rollback.host.Hosts.local().hold(dev.rollback.host.Command.of(
                            "flock", "-n", "-E", "75", args[0], "sh", "-c", "echo held; exec cat"));
                    System.out.println(held.awaitLine(java.time.Duration.ofSeconds(30)).orElse("not held"));
                    System.out.flush();
                    new java.util.concurrent.CountDownLatch(1).await();
                }
            }
            """;

    private static boolean free(Path file) {
        return Hosts.local().run("flock", "-n", "-E", "75", file.toString(), "true").exitCode() == 0;
    }

    @Test
    void shouldFreeTheLockWhenTheHoldersJvmIsKilled() throws Exception {
        Requirements.require(Requirements.onPath("flock"), "flock (util-linux)");
        Path file = dir.resolve("deploy.lock");
        Path source = Files.writeString(dir.resolve("Holder.java"), HOLDER);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process holder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                source.toString(), file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            CompletableFuture<String> said = CompletableFuture.supplyAsync(() -> {
                try {
                    return new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                            .readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(said.get(60, TimeUnit.SECONDS)).isEqualTo("held");
            assertThat(free(file)).isFalse();

            long start = System.nanoTime();
            holder.destroyForcibly(); // kill -9: no shutdown hook, no close

            long deadline = start + Duration.ofSeconds(10).toNanos();
            while (!free(file)) {
                assertThat(System.nanoTime()).as("the lock freed within 10 s of the holder's death").isLessThan(deadline);
                Thread.sleep(20);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("lock freed %d ms after kill -9 of the holder's JVM%n", took.toMillis());
            assertThat(took).isLessThan(Duration.ofSeconds(5));
        } finally {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
