package org.pymalloc4j.bench.cli;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Two implementations of one pattern timed in alternate rounds in one process, so that a slow
 * spell of the machine (on a shared VM they last minutes, and move a figure by half) falls on
 * both sides of a ratio alike. Each ratio compares two rounds run back to back.
 *
 * <pre>
 *  a round of a side = repeated runs of it until at least roundNanos have passed;
 *                      its figure = elapsed / operations (ns per operation)
 *  warm-up: warmups rounds of each side, alternated, not kept; the second side may come in
 *           several candidates (CPython's library in several data layouts): each runs the
 *           warm-up rounds, and the one with the least median there is the second side of the
 *           measured rounds (chosen on rounds it does not report, so its luck does not count)
 *  round r (0-based): first side then second if r is even, else second then first (ABBA),
 *                     so neither side always runs right after the other's cache damage
 *  ratio[r] = first[r] / second[r]        (below 1: the first side is faster)
 * </pre>
 */
final class AlternatingRounds {
    /**
     * The figures of a measurement: ns per operation of each side, each round's ratio, and the
     * index of the second side's candidate measured.
     */
    record Result(double[] first, double[] second, double[] ratios, int chosen) {
        /** The rounds of several measurements as one (their candidates may differ: {@code chosen} is -1). */
        static Result pooled(List<Result> results) {
            return of(results.stream().flatMapToDouble(r -> Arrays.stream(r.first())).toArray(),
                    results.stream().flatMapToDouble(r -> Arrays.stream(r.second())).toArray(), -1);
        }

        /** The result of rounds with these figures: {@code ratios[r] = first[r] / second[r]}. */
        static Result of(double[] first, double[] second, int chosen) {
            if (first.length != second.length || first.length == 0) {
                throw new IllegalArgumentException(first.length + " and " + second.length
                        + " rounds: each side needs a figure for every round, and there must be one");
            }
            double[] ratios = new double[first.length];
            for (int r = 0; r < ratios.length; r++) {
                ratios[r] = first[r] / second[r];
            }
            return new Result(first, second, ratios, chosen);
        }

        double firstMedian() {
            return median(first);
        }

        double secondMedian() {
            return median(second);
        }

        double ratioMedian() {
            return median(ratios);
        }

        double ratioMin() {
            return Arrays.stream(ratios).min().orElseThrow();
        }

        double ratioMax() {
            return Arrays.stream(ratios).max().orElseThrow();
        }
    }

    private final LongSupplier clock;
    private final long roundNanos;
    private final int warmups;
    private final int rounds;

    /**
     * @param clock      nanoseconds ({@code System::nanoTime}; a test's own clock)
     * @param roundNanos the least time of a round
     * @throws IllegalArgumentException if rounds or roundNanos is not positive, or warmups is negative
     */
    AlternatingRounds(LongSupplier clock, long roundNanos, int warmups, int rounds) {
        if (rounds < 1 || roundNanos < 1 || warmups < 0) {
            throw new IllegalArgumentException("rounds " + rounds + ", round nanos " + roundNanos + ", warm-ups "
                    + warmups + ": rounds and round time must be positive, warm-ups not negative");
        }
        this.clock = clock;
        this.roundNanos = roundNanos;
        this.warmups = warmups;
        this.rounds = rounds;
    }

    /** Rounds of all sides, warm-up included, with {@code candidates} for the second: what progress counts to. */
    int totalRounds(int candidates) {
        return totalRounds(warmups, rounds, candidates);
    }

    /** {@link #totalRounds(int)} for a measurement of these settings, run elsewhere (a child JVM). */
    static int totalRounds(int warmups, int rounds, int candidates) {
        return warmups * (1 + candidates) + 2 * rounds;
    }

    /** {@link #measure(LongSupplier, List, IntConsumer)} with one candidate for the second side. */
    Result measure(LongSupplier first, LongSupplier second, IntConsumer progress) {
        return measure(first, List.of(second), progress);
    }

    /**
     * Measures the two sides; each {@code getAsLong} runs the pattern once and returns the
     * operations it did. {@code progress} gets the number of rounds done after each round.
     *
     * @throws IllegalStateException    if a side reports no operations
     * @throws IllegalArgumentException if there is no candidate for the second side
     */
    Result measure(LongSupplier first, List<? extends LongSupplier> seconds, IntConsumer progress) {
        if (seconds.isEmpty()) {
            throw new IllegalArgumentException("no candidate for the second side");
        }
        int done = 0;
        double[][] warm = new double[seconds.size()][warmups];
        for (int r = 0; r < warmups; r++) {
            round(first);
            progress.accept(++done);
            for (int c = 0; c < seconds.size(); c++) {
                warm[c][r] = round(seconds.get(c));
                progress.accept(++done);
            }
        }
        int chosen = 0;
        for (int c = 1; c < seconds.size() && warmups > 0; c++) {
            if (median(warm[c]) < median(warm[chosen])) {
                chosen = c;
            }
        }
        LongSupplier second = seconds.get(chosen);
        double[] a = new double[rounds];
        double[] b = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
                a[r] = round(first);
                b[r] = round(second);
            } else {
                b[r] = round(second);
                a[r] = round(first);
            }
            progress.accept(done += 2);
        }
        return Result.of(a, b, chosen);
    }

    private double round(LongSupplier side) {
        long start = clock.getAsLong();
        long ops = 0;
        long elapsed;
        do {
            long n = side.getAsLong();
            if (n <= 0) {
                throw new IllegalStateException("a pattern reported " + n + " operations");
            }
            ops += n;
            elapsed = clock.getAsLong() - start;
        } while (elapsed < roundNanos);
        return (double) elapsed / ops;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
