package dev.rollback.bench;

import java.util.Locale;

/**
 * The goals a benchmark measures, each printed as one tab-separated line that {@code run.sh all} collects into
 * the Markdown table of every goal: {@code GOAL <benchmark> <case> <ours> <by hand> <ratio> <goal> <met|not met>}.
 */
final class Goals {

    private Goals() {}

    /** A goal on the ratio of ours to by hand: met when {@code ours / hand <= maxRatio}. */
    static void ratio(String benchmark, String what, double oursMs, String hand, double handMs, double maxRatio) {
        double ratio = oursMs / handMs;
        print(benchmark, what, String.format(Locale.ROOT, "%.1f ms", oursMs),
                String.format(Locale.ROOT, "%s %.1f ms", hand, handMs), String.format(Locale.ROOT, "%.2fx", ratio),
                String.format(Locale.ROOT, "<= %.2fx", maxRatio), ratio <= maxRatio);
    }

    /** A goal on a time of ours: met when {@code oursMs <= maxMs}; {@code hand} is the by-hand time beside it. */
    static void time(String benchmark, String what, double oursMs, String hand, double handMs, double maxMs) {
        print(benchmark, what, String.format(Locale.ROOT, "%.1f ms", oursMs),
                String.format(Locale.ROOT, "%s %.1f ms", hand, handMs),
                String.format(Locale.ROOT, "%.2fx", oursMs / handMs), String.format(Locale.ROOT, "<= %.0f ms", maxMs),
                oursMs <= maxMs);
    }

    /** A goal on a count: met when {@code ours <= max}. */
    static void count(String benchmark, String what, double ours, String hand, double handCount, double max) {
        print(benchmark, what, String.format(Locale.ROOT, "%.2f", ours), String.format(Locale.ROOT, "%s %.0f", hand,
                handCount), handCount == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", ours / handCount),
                String.format(Locale.ROOT, "<= %.0f", max), ours <= max);
    }

    private static void print(String benchmark, String what, String ours, String hand, String ratio, String goal,
            boolean met) {
        System.out.println(String.join("\t", "GOAL", benchmark, what, ours, hand, ratio, goal, met ? "met" : "not met"));
    }
}
