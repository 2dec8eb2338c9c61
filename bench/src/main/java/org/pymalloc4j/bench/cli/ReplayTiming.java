package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.bench.Trace;

/**
 * {@code --time} of {@code record} and {@code replay}: a trace replayed here and in CPython's C
 * loop ({@code pymalloc_bench replay}), the fastest of {@link #TIMED_ROUNDS} rounds each, one
 * side after the other.
 */
final class ReplayTiming {
    /** Rounds timed on each side; CPython's harness times this many after one warm-up round. */
    static final int TIMED_ROUNDS = 7;
    /** Rounds before pymalloc4j's are timed: the JIT compiles the replay loop during these. */
    private static final int WARMUP_ROUNDS = 5;

    private ReplayTiming() {
    }

    /** Times both sides and prints the line; false, with the reason on {@code err}, if CPython's side failed. */
    static boolean print(CPythonHarness harness, Trace trace, Path file, PrintStream out, PrintStream err,
                         Progress progress) {
        progress.note("timing the replay, " + TIMED_ROUNDS + " rounds on each side");
        double ours = fastestReplay(trace, WARMUP_ROUNDS, TIMED_ROUNDS);
        Double opsPerSecond;
        try {
            opsPerSecond = harness.run("replay", file.toString()).get("replay");
        } catch (IOException e) {
            err.println("pymalloc4j: CPython's replay failed: " + e.getMessage());
            return false;
        }
        if (opsPerSecond == null || opsPerSecond <= 0) {
            err.println("pymalloc4j: CPython's replay printed no figure");
            return false;
        }
        double theirs = 1e9 / opsPerSecond;
        out.printf("replay time, the fastest of %d rounds (one side after the other; 'versus' alternates rounds):"
                + " pymalloc4j %.2f ns a call, CPython's pymalloc %.2f: %.2fx%n", TIMED_ROUNDS, ours, theirs, ours / theirs);
        return true;
    }

    /**
     * The fastest of {@code timed} rounds, in nanoseconds per call, after {@code warmup} untimed
     * ones: each round replays the whole trace on one heap of CPython 3.11's geometry and frees
     * what it left, as CPython's harness does.
     */
    static double fastestReplay(Trace trace, int warmup, int timed) {
        double best = Double.MAX_VALUE;
        try (PyMalloc heap = PyMalloc.create()) {
            long[] table = trace.newSlotTable();
            for (int r = 0; r < warmup + timed; r++) {
                long start = System.nanoTime();
                trace.replayAndFreeAll(heap, table);
                double perCall = (double) (System.nanoTime() - start) / Math.max(1, trace.length());
                if (r >= warmup) {
                    best = Math.min(best, perCall);
                }
            }
        }
        return best;
    }
}
