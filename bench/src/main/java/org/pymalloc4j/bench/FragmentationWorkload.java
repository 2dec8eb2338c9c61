package org.pymalloc4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.allocator.internal.ProcFiles;

/**
 * The fragmenting workload of the memory comparison, run alone in its own JVM so that its
 * resident memory can be read from {@code /proc/self/status}: {@value #BLOCKS} blocks of
 * 1..512 bytes, then all but about one in ten (chosen by a hash of the index, so survivors are
 * scattered over every pool) freed. {@code bench/cpython/pymalloc_bench.c memory} runs exactly
 * the same sizes and survivors (both use splitmix64, seed 42) through CPython's pymalloc and
 * libc malloc, and prints the same lines: {@code memory.rssStart}, {@code memory.peakRss}
 * (VmHWM), {@code memory.rssAfter} (VmRSS) in bytes and {@code memory.arenas}.
 */
public final class FragmentationWorkload {
    public static final int BLOCKS = 1_000_000;
    static final int MAX_SIZE = 512;
    static final long SEED = 42;

    private FragmentationWorkload() {
    }

    public static void main(String[] args) throws IOException {
        run(System.out);
    }

    /** Runs the workload on a fresh heap and prints the figures; returns the arenas in use. */
    static long run(PrintStream out) throws IOException {
        out.printf(Locale.ROOT, "memory.rssStart %d bytes%n", statusBytes("VmRSS"));
        long[] blocks = new long[BLOCKS];
        try (PyMalloc heap = PyMalloc.create()) {
            long state = SEED;
            for (int i = 0; i < BLOCKS; i++) {
                state += SplitMix64.GOLDEN_GAMMA;
                blocks[i] = heap.malloc(1 + Long.remainderUnsigned(SplitMix64.mix(state), MAX_SIZE));
            }
            for (int i = 0; i < BLOCKS; i++) {
                if (!survives(i)) {
                    heap.free(blocks[i]);
                }
            }
            long arenas = heap.stats().arenasCurrent();
            out.printf(Locale.ROOT, "memory.peakRss %d bytes%n", statusBytes("VmHWM"));
            out.printf(Locale.ROOT, "memory.rssAfter %d bytes%n", statusBytes("VmRSS"));
            out.printf(Locale.ROOT, "memory.arenas %d count%n", arenas);
            return arenas;
        }
    }

    /** Whether block {@code i} is kept: one in ten, by hash. */
    static boolean survives(int i) {
        return Long.remainderUnsigned(SplitMix64.mix(i + SplitMix64.GOLDEN_GAMMA), 10) == 0;
    }

    /** A field of {@code /proc/self/status} in bytes, or -1 where there is none (not Linux). */
    static long statusBytes(String field) throws IOException {
        long kib = ProcFiles.number(Path.of("/proc/self/status"), field + ":");
        return kib < 0 ? -1 : 1024 * kib;
    }

    /** splitmix64's output function, as {@code java.util.SplittableRandom} and the C harness use it. */
    static final class SplitMix64 {
        static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

        private SplitMix64() {
        }

        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}
