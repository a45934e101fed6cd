package dev.rollback.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.testing.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archives of the real tar programs a server may have, read back file for file: GNU tar in its default, ustar
 * and pax formats, and BusyBox's tar; a path longer than the header's 100 bytes, an empty file, binary content.
 */
class TarEntriesTest {

    @TempDir
    Path dir;

    /** 160 bytes in short folders: a ustar header's prefix field, GNU tar's long-name entry, a pax path record. */
    private static final String LONG = "points/" + "plan-name-segment/".repeat(7) + "20261202-153937-383-98c2e8/"
            + "manifest.json";

    private Map<String, byte[]> files() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve(LONG).getParent());
        Files.writeString(tree.resolve(LONG), "{\"plan\": \"long\"}\n");
        Files.createDirectories(tree.resolve("points/p-1"));
        Files.writeString(tree.resolve("points/p-1/manifest.json"), "1\u00e9\n");
        Files.write(tree.resolve("points/p-1/empty.json"), new byte[0]);
        byte[] binary = new byte[1500];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 7);
        }
        Files.write(tree.resolve("points/p-1/binary.bin"), binary);
        return Map.of(LONG, "{\"plan\": \"long\"}\n".getBytes(StandardCharsets.UTF_8),
                "points/p-1/manifest.json", "1\u00e9\n".getBytes(StandardCharsets.UTF_8),
                "points/p-1/empty.json", new byte[0], "points/p-1/binary.bin", binary);
    }

    private byte[] archive(List<String> tar) throws Exception {
        List<String> cmd = new ArrayList<>(tar);
        cmd.addAll(List.of("-cf", "-", "."));
        Process p = new ProcessBuilder(cmd).directory(dir.resolve("tree").toFile()).redirectError(
                ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
        return out;
    }

    private void assertReadsBack(List<String> tar) throws Exception {
        Map<String, byte[]> expected = files();
        Map<String, byte[]> read = TarEntries.read(archive(tar));
        assertThat(read.keySet()).as(String.join(" ", tar)).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((k, v) -> assertThat(read.get(k)).as(k).isEqualTo(v));
    }

    @Test
    void shouldReadGnuTarInEachFormat() throws Exception {
        Requirements.require(Requirements.onPath("tar"), "tar");
        assertReadsBack(List.of("tar"));
        assertReadsBack(List.of("tar", "--format=gnu"));
        assertReadsBack(List.of("tar", "--format=ustar"));
        assertReadsBack(List.of("tar", "--format=posix"));
    }

    @Test
    void shouldReadBusyBoxTar() throws Exception {
        Requirements.require(Requirements.onPath("busybox"), "busybox (Debian: busybox)");
        assertReadsBack(List.of("busybox", "tar"));
    }

    @Test
    void shouldRefuseWhatIsNotATarArchive() {
        assertThatThrownBy(() -> TarEntries.read("not a tar".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a header");
        byte[] block = new byte[1024];
        block[0] = 'x';
        assertThatThrownBy(() -> TarEntries.read(block)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a ustar header");
    }
}
