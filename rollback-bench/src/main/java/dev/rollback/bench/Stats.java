package dev.rollback.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The small figures every benchmark prints: a median, the machine's load. Stateless. */
final class Stats {

    private Stats() {}

    /** The median of the values (the upper one of an even count). */
    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** The load averages over 1, 5 and 15 minutes, from {@code /proc/loadavg}. */
    static String load() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }
}
