package dev.rollback.support;

import dev.rollback.FailurePolicy;
import dev.rollback.RestorePoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The state the crash tests start from: three release files a, b and c of {@link CrashPlan}'s plan under {@code
 * root/app}, captured as {@code v1}, then overwritten by a bad release with data written since; and a child JVM that
 * rolls back to {@code v1} and is killed where a marker file tells it to.
 *
 * @param root the test's folder
 * @param app the folder of the three files
 * @param v1 the point captured before the bad release
 * @param good each file's bytes at {@code v1}
 * @param bad each file's bytes in the bad release
 */
public record BrokenDeploy(Path root, Path app, RestorePoint v1, byte[][] good, byte[][] bad) {

    /** Writes release v1, captures it, then deploys the bad release over it. */
    public static BrokenDeploy under(Path root) throws IOException {
        Path app = Files.createDirectories(root.resolve("app"));
        byte[][] good = new byte[3][];
        byte[][] bad = new byte[3][];
        for (int i = 0; i < 3; i++) {
            good[i] = ("release v1 of " + "abc".charAt(i) + "\n").repeat(200).getBytes(StandardCharsets.UTF_8);
            Files.write(file(app, i), good[i]);
        }
        RestorePoint v1 = CrashPlan.build(root, FailurePolicy.HALT).capture("v1");
        for (int i = 0; i < 3; i++) {
            bad[i] = ("release v2 of " + "abc".charAt(i) + ", with rows users wrote since\n").repeat(150)
                    .getBytes(StandardCharsets.UTF_8);
            Files.write(file(app, i), bad[i]);
        }
        return new BrokenDeploy(root, app, v1, good, bad);
    }

    /** File {@code i} (0 = a, 1 = b, 2 = c). */
    public Path file(int i) {
        return file(app, i);
    }

    private static Path file(Path app, int i) {
        return app.resolve("abc".charAt(i) + ".txt");
    }

    /**
     * Rolls back to {@code v1} in a child JVM ({@link CrashPlan#main}) under {@code policy}, its output in {@code
     * root/child.log}, and waits for it to end (60 s at most).
     *
     * @return the child's exit value: 137 when a marker killed it
     */
    public int rollBackInChild(FailurePolicy policy) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashPlan.class.getName(), root.toString(), v1.id(), policy.name())
                .redirectErrorStream(true).redirectOutput(root.resolve("child.log").toFile()).start();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("child JVM: expected it to end within 60 s, found it running; see "
                    + root.resolve("child.log"));
        }
        return child.exitValue();
    }
}
