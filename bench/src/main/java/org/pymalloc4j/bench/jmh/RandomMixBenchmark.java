package org.pymalloc4j.bench.jmh;

import java.util.SplittableRandom;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.allocator.RawAllocator;

/**
 * A steady state with fragmentation: {@value #LIVE} live blocks of uniformly random sizes
 * 1..512 (all of pymalloc's 32 size classes, about 25 MB live); each op frees the block in a
 * random slot and allocates a new random size into it. One op = one free + one malloc.
 *
 * <p>The slot/size sequence ({@value #SEQUENCE} entries, fixed seed, cycled) and the initial
 * population are built in {@code @Setup}, so no RNG is measured and every allocator sees
 * exactly the same requests; {@code pymallocLoop} runs {@value #LOOP} ops per call, compiled on its
 * own ({@code DONT_INLINE}, see ObjectBenchmark). Each allocator's live set is its own {@code @State}, so a fork
 * holds only the live set of the allocator it measures. Slots are random, so the freed blocks
 * are cold: this measures cache and TLB behaviour as much as instruction counts.
 */
public class RandomMixBenchmark extends BenchmarkBase {

    /** Live blocks; also the size of CPython's harness's live set ({@code LIVE} in pymalloc_bench.c). */
    public static final int LIVE = 100_000;
    static final int LOOP = 1_000;
    public static final int SEQUENCE = 1 << 20;
    static final int MAX_SIZE = 512;
    static final long SEED = 0x5EED_0F_B10CL;

    /**
     * The request sequence: initial sizes, then (slot, size) per op; the cursor cycles it.
     * {@code pymalloc4j versus} gives the same requests to both sides.
     */
    @State(Scope.Thread)
    public static class Workload {
        public final int[] initialSizes = new int[LIVE];
        public final int[] slots = new int[SEQUENCE];
        public final int[] sizes = new int[SEQUENCE];
        int cursor;

        @Setup(Level.Trial)
        public void setUp() {
            SplittableRandom random = new SplittableRandom(SEED);
            for (int i = 0; i < LIVE; i++) {
                initialSizes[i] = 1 + random.nextInt(MAX_SIZE);
            }
            for (int i = 0; i < SEQUENCE; i++) {
                slots[i] = random.nextInt(LIVE);
                sizes[i] = 1 + random.nextInt(MAX_SIZE);
            }
            cursor = 0;
        }

        /** The index of the next op's slot and size. */
        int next() {
            int i = cursor;
            cursor = (i + 1) & (SEQUENCE - 1);
            return i;
        }
    }

    @State(Scope.Thread)
    public static class PyMallocLive {
        final long[] live = new long[LIVE];
        PyMalloc heap;

        @Setup(Level.Trial)
        public void setUp(Workload workload, NativeBytes bytes) {
            heap = PyMalloc.create(geometry());
            bytes.track(NativeBytes.arenaHighWater(heap));
            for (int i = 0; i < LIVE; i++) {
                live[i] = heap.malloc(workload.initialSizes[i]);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (long p : live) {
                heap.free(p);
            }
            heap.close();
        }

        Geometry geometry() {
            return Geometry.PY311;
        }
    }

    /** The live set on 2 MiB arenas on huge pages ({@link Geometry#HUGE_PAGES}). */
    @State(Scope.Thread)
    public static class PyMallocHugePageLive extends PyMallocLive {
        @Override
        Geometry geometry() {
            return Geometry.HUGE_PAGES;
        }
    }

    @State(Scope.Thread)
    public static class LibcLive {
        final long[] live = new long[LIVE];

        @Setup(Level.Trial)
        public void setUp(Workload workload) {
            for (int i = 0; i < LIVE; i++) {
                live[i] = RawAllocator.malloc(workload.initialSizes[i]);
                if (live[i] == 0) {
                    throw new OutOfMemoryError("malloc failed");
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (long p : live) {
                RawAllocator.free(p);
            }
        }
    }

    @Benchmark
    public long pymalloc(Workload w, PyMallocLive s) {
        return replaceOne(w, s);
    }

    /**
     * The same on huge-page arenas: one TLB entry covers 2 MiB of the 25 MB live set where
     * small pages need 512.
     */
    @Benchmark
    public long pymallocHugePages(Workload w, PyMallocHugePageLive s) {
        return replaceOne(w, s);
    }

    private static long replaceOne(Workload w, PyMallocLive s) {
        int i = w.next();
        int slot = w.slots[i];
        PyMalloc heap = s.heap;
        heap.free(s.live[slot]);
        long p = heap.malloc(w.sizes[i]);
        s.live[slot] = p;
        return p;
    }

    /**
     * The same ops, {@value #LOOP} per call under {@code @OperationsPerInvocation}, the shape of
     * the CPython harness's C loop: the JIT keeps the heap's fields in registers and the
     * processor overlaps one op's cache misses with the next op's.
     */
    @Benchmark
    @OperationsPerInvocation(LOOP)
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public long pymallocLoop(Workload w, PyMallocLive s) {
        PyMalloc heap = s.heap;
        long[] live = s.live;
        int[] slots = w.slots;
        int[] sizes = w.sizes;
        int c = w.cursor;
        long sum = 0;
        for (int n = 0; n < LOOP; n++) {
            int slot = slots[c];
            heap.free(live[slot]);
            long p = heap.malloc(sizes[c]);
            live[slot] = p;
            sum += p;
            c = (c + 1) & (SEQUENCE - 1);
        }
        w.cursor = c;
        return sum;
    }

    @Benchmark
    public long libcMalloc(Workload w, LibcLive s) {
        int i = w.next();
        int slot = w.slots[i];
        RawAllocator.free(s.live[slot]);
        long p = RawAllocator.malloc(w.sizes[i]);
        s.live[slot] = p;
        return p;
    }
}
