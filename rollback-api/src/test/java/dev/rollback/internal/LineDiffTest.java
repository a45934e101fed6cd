package dev.rollback.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.host.CommandResult;
import dev.rollback.host.Host;
import dev.rollback.host.Hosts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineDiffTest {

    @TempDir
    Path dir;

    final Host host = Hosts.local();

    static List<String> unified(String a, String b) {
        List<String> la = LineDiff.lines(a);
        List<String> lb = LineDiff.lines(b);
        return LineDiff.unified(la, lb, la.stream().map(LineDiff::strip).toList(),
                lb.stream().map(LineDiff::strip).toList(), "a", "b", 3);
    }

    @Test
    void shouldPrintTheSameUnifiedDiffAsGnuDiff() throws Exception {
        String a = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\n";
        String b = "one\nTWO\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\nthirteen";
        Path fa = Files.writeString(dir.resolve("a"), a);
        Path fb = Files.writeString(dir.resolve("b"), b);
        CommandResult gnu = host.run("diff", "-u", "--label", "a", "--label", "b", fa.toString(), fb.toString());

        assertThat(String.join("\n", unified(a, b)) + "\n").isEqualTo(gnu.stdout());
    }

    @Test
    void shouldBeEmptyForEqualTexts() {
        assertThat(unified("a\nb\n", "a\nb\n")).isEmpty();
        assertThat(unified("", "")).isEmpty();
    }

    @Test
    void shouldProduceMinimalDiffsThatPatchAppliesForRandomTexts() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 60; round++) {
            String a = randomText(random);
            String b = mutate(random, a);
            List<String> la = LineDiff.lines(a);
            List<String> lb = LineDiff.lines(b);

            long edits = LineDiff.diff(la, lb).stream().filter(e -> e.op() != LineDiff.Op.KEEP).count();
            assertThat(edits).as("round %d", round).isEqualTo(la.size() + lb.size() - 2L * lcs(la, lb));

            List<String> diff = unified(a, b);
            if (a.equals(b)) {
                assertThat(diff).isEmpty();
                continue;
            }
            Path file = Files.writeString(dir.resolve("f" + round), a);
            Path patch = Files.writeString(dir.resolve("p" + round), String.join("\n", diff) + "\n");
            CommandResult applied = host.run("patch", "--quiet", "--force", file.toString(), patch.toString());
            assertThat(applied.succeeded()).as("round %d: %s", round, applied.describe()).isTrue();
            assertThat(Files.readString(file)).as("round %d", round).isEqualTo(b);
        }
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        int n = random.nextInt(30);
        for (int i = 0; i < n; i++) {
            text.append("line ").append(random.nextInt(8)).append('\n');
        }
        if (random.nextInt(4) == 0) {
            text.append("last without newline");
        }
        return text.toString();
    }

    private static String mutate(Random random, String text) {
        List<String> lines = new ArrayList<>(LineDiff.lines(text));
        int changes = random.nextInt(6);
        for (int c = 0; c < changes; c++) {
            int op = random.nextInt(3);
            int at = lines.isEmpty() ? 0 : random.nextInt(lines.size());
            if (op == 0 || lines.isEmpty()) {
                lines.add(at, "new " + random.nextInt(5) + "\n");
            } else if (op == 1) {
                lines.remove(at);
            } else {
                lines.set(at, "changed " + random.nextInt(5) + "\n");
            }
        }
        String out = String.join("", lines);
        return random.nextInt(5) == 0 && out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
    }

    private static int lcs(List<String> a, List<String> b) {
        int[][] t = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                t[i][j] = a.get(i).equals(b.get(j)) ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
            }
        }
        return t[0][0];
    }
}
