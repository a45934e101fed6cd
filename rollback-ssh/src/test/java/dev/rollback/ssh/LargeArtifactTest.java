package dev.rollback.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * An artifact four times the size of the heap: a plan over SSH that copies its artifacts to the
 * local store captures a 256 MiB file, and rolls back after the server's copy was damaged (so the
 * local copy is pushed back), each in a child JVM limited to 64 MiB of heap. Files move between the
 * machines as streams, never as whole byte arrays.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeArtifactTest {

    private static final int MIB = 1024 * 1024;
    private static final long SIZE = 256L * MIB;

    @TempDir
    Path root;

    private OpenSshServer server;

    @BeforeAll
    void start() throws Exception {
        server = OpenSshServer.start();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldCopyA256MibArtifactToTheStoreAndPushItBackWithin64MibOfHeap() throws Exception {
        Path big = Files.createDirectories(root.resolve("server/data")).resolve("dump.bin");
        String v1 = writeRandom(big, SIZE, 1);

        run("capture");

        String id = Files.readString(root.resolve("point-id")).strip();
        Path onServer = root.resolve("server/backups/large").resolve(id).resolve("data/tree/dump.bin");
        Path inStore = root.resolve("store/points").resolve(id).resolve("artifacts/data/tree/dump.bin");
        assertThat(sha256(onServer)).as("the server's copy").isEqualTo(v1);
        assertThat(sha256(inStore)).as("the local store's copy, downloaded").isEqualTo(v1);
        // the deploy goes bad, and the server's copy of the point is damaged in its middle
        writeRandom(big, MIB, 2);
        try (FileChannel ch = FileChannel.open(onServer, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[4096]), SIZE / 2);
        }

        String report = run("rollback", id);

        assertThat(report).contains("pushed the local copy");
        assertThat(sha256(big)).as("the live file is back byte for byte").isEqualTo(v1);
        assertThat(sha256(onServer)).as("the server's copy, pushed back from the local store").isEqualTo(v1);
        try (Stream<Path> aside = Files.list(onServer.getParent().getParent().getParent())) {
            Path damaged = aside.filter(p -> p.getFileName().toString().startsWith(".data.damaged-")).findFirst()
                    .orElseThrow().resolve("tree/dump.bin");
            assertThat(sha256(damaged)).as("the damaged copy is kept aside, not deleted").isNotEqualTo(v1);
        }
    }

    /** Runs {@link LargeArtifactPlan} in a JVM with 64 MiB of heap; returns what it printed. */
    private String run(String... command) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new ArrayList<>(List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                LargeArtifactPlan.class.getName(), root.toString(), Integer.toString(server.port()),
                server.userKey().toString(), server.knownHosts().toString()));
        argv.addAll(List.of(command));
        Path log = root.resolve(command[0] + ".log");
        Process child = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
        String out = Files.readString(log);
        assertThat(child.exitValue()).as(out).isZero();
        assertThat(out).contains("max heap: ").doesNotContain("OutOfMemoryError");
        long heap = Long.parseLong(out.lines().filter(l -> l.startsWith("max heap: ")).findFirst().orElseThrow()
                .replaceAll("\\D", ""));
        assertThat(heap).as("the child's heap, MiB").isLessThanOrEqualTo(64);
        return out;
    }

    /** Fills {@code file} with {@code size} seeded random bytes, a MiB at a time; returns their SHA-256. */
    private static String writeRandom(Path file, long size, long seed) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Random random = new Random(seed);
        byte[] block = new byte[MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= block.length) {
                random.nextBytes(block);
                int n = (int) Math.min(block.length, left);
                out.write(block, 0, n);
                digest.update(block, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[MIB];
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
