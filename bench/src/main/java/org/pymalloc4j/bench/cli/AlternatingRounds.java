package org.pymalloc4j.bench.cli;

import java.util.ArrayList;
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
 *
 *  with two first sides (two builds of pymalloc4j), the second between them:
 *                     F0 S F1 if r is even, else F1 S F0; each first side's ratio is against
 *                     the same second rounds, each next to it
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

    /** The second side's place in a round's order of sides. */
    private static final int SECOND = -1;

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
        return totalRounds(warmups, rounds, 1, candidates);
    }

    /**
     * {@link #totalRounds(int)} for a measurement of these settings with {@code firsts} first
     * sides, run elsewhere (a child JVM).
     */
    static int totalRounds(int warmups, int rounds, int firsts, int candidates) {
        return warmups * (firsts + candidates) + (firsts + 1) * rounds;
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
        return measure(List.of(first), seconds, progress).get(0);
    }

    /**
     * {@link #measure(LongSupplier, List, IntConsumer)} with one or two first sides, each
     * compared with the same rounds of the second: a result for each first side, in order.
     *
     * @throws IllegalArgumentException if there is no candidate for the second side, or not one
     *                                  or two first sides
     */
    List<Result> measure(List<? extends LongSupplier> firsts, List<? extends LongSupplier> seconds,
                         IntConsumer progress) {
        if (seconds.isEmpty()) {
            throw new IllegalArgumentException("no candidate for the second side");
        }
        if (firsts.isEmpty() || firsts.size() > 2) {
            throw new IllegalArgumentException(firsts.size() + " first sides: one or two are measured");
        }
        int done = 0;
        double[][] warm = new double[seconds.size()][warmups];
        for (int r = 0; r < warmups; r++) {
            for (LongSupplier first : firsts) {
                round(first);
                progress.accept(++done);
            }
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
        int n = firsts.size();
        double[][] a = new double[n][rounds];
        double[] b = new double[rounds];
        int[] order = n == 1 ? new int[] {0, SECOND} : new int[] {0, SECOND, 1}; // even rounds; odd ones reversed
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < order.length; k++) {
                int side = order[r % 2 == 0 ? k : order.length - 1 - k];
                if (side == SECOND) {
                    b[r] = round(second);
                } else {
                    a[side][r] = round(firsts.get(side));
                }
            }
            progress.accept(done += n + 1);
        }
        List<Result> results = new ArrayList<>();
        for (double[] figures : a) {
            results.add(Result.of(figures, b, chosen));
        }
        return results;
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
