package org.pymalloc4j.bench.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.bench.Trace;

/**
 * {@code --time} of {@code record} and {@code replay}: a trace replayed here and in CPython's C
 * loop ({@code pymalloc_bench replay}), the fastest of {@link #TIMED_ROUNDS} rounds each, one
 * side after the other.
 */
final class ReplayTiming {
    /**
     * Rounds timed on each side. CPython's harness times this many single replays after its
     * median's rounds (a warm-up round and as many timed, each of replays for at least 200 ms)
     * and one more replay.
     */
    static final int TIMED_ROUNDS = 7;
    /**
     * How long pymalloc4j's side replays before its rounds are timed: the JIT compiles the replay
     * loop and the allocator in tiers over the first second or so, whatever the trace's length,
     * so a fixed count of rounds left a short trace's figure far from its steady state.
     */
    static final long WARMUP_NANOS = 2_000_000_000L;
    /** Warm-up rounds run however long each takes. */
    private static final int MIN_WARMUP_ROUNDS = 3;

    /** pymalloc4j's side: the fastest timed round, and the warm-up before the timed rounds. */
    record Timing(double nanosPerCall, int warmupRounds, long warmupNanos) {
    }

    private ReplayTiming() {
    }

    /** Times both sides and prints the line; false, with the reason on {@code err}, if CPython's side failed. */
    static boolean print(CPythonHarness harness, Trace trace, PrintStream out, PrintStream err, Progress progress) {
        progress.note(String.format(Locale.ROOT, "timing the replay: pymalloc4j's side warms up for %.0f s, then %d "
                + "rounds on each side", WARMUP_NANOS / 1e9, TIMED_ROUNDS));
        Timing ours = fastestReplay(trace, WARMUP_NANOS, TIMED_ROUNDS, progress, System::nanoTime);
        Map<String, Double> figures;
        try {
            progress.tick("replay time: CPython's rounds", 1);
            figures = cpythonReplay(harness, trace);
        } catch (IOException e) {
            progress.finish();
            err.println("pymalloc4j: CPython's replay failed: " + e.getMessage());
            return false;
        }
        progress.finish();
        Double opsPerSecond = figures.get("replay");
        Double calls = figures.get("replay.calls");
        if (opsPerSecond == null || opsPerSecond <= 0 || calls == null) {
            err.println("pymalloc4j: CPython's replay printed no figure");
            return false;
        }
        if (calls.longValue() != trace.length()) {
            err.printf(Locale.ROOT, "pymalloc4j: CPython's replay made %s, not the trace's %,d%n",
                    Plural.of(calls.longValue(), "call"), trace.length());
            return false;
        }
        double theirs = 1e9 / opsPerSecond;
        out.printf(Locale.ROOT, "replay time, the fastest of %d rounds a side, one side after the other ('versus' "
                        + "alternates rounds): pymalloc4j %,.2f ns a call (after %d warm-up rounds in %.1f s), "
                        + "CPython's pymalloc %,.2f (after %d rounds of at least 200 ms): %.2fx%n", TIMED_ROUNDS,
                ours.nanosPerCall(), ours.warmupRounds(), ours.warmupNanos() / 1e9, theirs, TIMED_ROUNDS + 1,
                ours.nanosPerCall() / theirs);
        return true;
    }

    /**
     * CPython's figures for {@code trace}, which it reads from a file written from the parsed
     * operations: its own reader ({@code fgets} of 256 bytes, {@code sscanf}) would take a long
     * comment's tail for an operation, so it is given only lines that both read alike.
     */
    static Map<String, Double> cpythonReplay(CPythonHarness harness, Trace trace) throws IOException {
        Path operations = Files.createTempFile("pymalloc4j-replay", ".trace");
        try {
            try (Writer w = Files.newBufferedWriter(operations, StandardCharsets.US_ASCII)) {
                trace.writeTo(w);
            }
            return harness.run("replay", operations.toString());
        } finally {
            Files.deleteIfExists(operations);
        }
    }

    /**
     * The fastest of {@code timed} rounds, in nanoseconds per call, after untimed ones for at least
     * {@code warmupNanos}: each round replays the whole trace on one heap of CPython 3.11's
     * geometry and frees what it left, as CPython's harness does. Times are read from
     * {@code clock} ({@code System::nanoTime}; a test's own clock makes the rounds countable).
     */
    static Timing fastestReplay(Trace trace, long warmupNanos, int timed, Progress progress, LongSupplier clock) {
        double best = Double.MAX_VALUE;
        try (PyMalloc heap = PyMalloc.create()) {
            long[] table = trace.newSlotTable();
            long warmupStart = clock.getAsLong();
            int warmups = 0;
            for (long spent = 0; spent < warmupNanos || warmups < MIN_WARMUP_ROUNDS; spent = clock.getAsLong() - warmupStart) {
                progress.tick("replay time: pymalloc4j's warm-up", 0.5 * Math.min(1, (double) spent / warmupNanos));
                trace.replayAndFreeAll(heap, table);
                warmups++;
            }
            long warmupNanosSpent = clock.getAsLong() - warmupStart;
            for (int r = 0; r < timed; r++) {
                progress.tick("replay time: pymalloc4j's rounds", 0.5 + 0.5 * r / timed);
                long start = clock.getAsLong();
                trace.replayAndFreeAll(heap, table);
                best = Math.min(best, (double) (clock.getAsLong() - start) / Math.max(1, trace.length()));
            }
            return new Timing(best, warmups, warmupNanosSpent);
        }
    }
}
