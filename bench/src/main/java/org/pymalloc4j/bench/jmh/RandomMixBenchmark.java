package org.pymalloc4j.bench.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.lwjgl.system.jemalloc.JEmalloc;
import org.lwjgl.system.rpmalloc.RPmalloc;
import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.allocator.RawAllocator;

/**
 * A steady state with fragmentation: {@value #LIVE} live blocks of uniformly random sizes
 * 1..512 (all of pymalloc's 32 size classes, about 25 MB live); each op frees the block in a
 * random slot and allocates a new random size into it. One op = one free + one malloc.
 *
 * <p>The slot/size sequence ({@value #SEQUENCE} entries, fixed seed, cycled) and the initial
 * population are built in {@code @Setup}, so no RNG is measured and every allocator, CPython's
 * harness included, sees exactly the same requests; {@code pymallocLoop} runs {@value #LOOP} ops per call, compiled on its
 * own ({@code DONT_INLINE}, see ObjectBenchmark). Each allocator's live set is its own {@code @State}, so a fork
 * holds only the live set of the allocator it measures. Slots are random, so the freed blocks
 * are cold: this measures cache and TLB behaviour as much as instruction counts.
 *
 * <p>The baselines make the same requests one op per call: libc; jemalloc and rpmalloc through
 * LWJGL ({@link LwjglAllocators}); Netty's four allocators
 * ({@code release()} of the slot's buffer, then {@code directBuffer(size, size)}); a confined
 * arena per live block ({@code close()} of the slot's arena, then {@code Arena.ofConfined()}
 * and {@code allocate(size)}: an arena frees nothing but all it holds, so one per block is how
 * FFM code frees blocks one at a time), and a shared arena per live block the same way; and
 * three whose blocks the garbage collector frees, each stored over the slot's last, the
 * collections inside the measured time: {@code Arena.ofAuto().allocate(size)},
 * {@code ByteBuffer.allocateDirect(size)} and {@code new byte[size]}.
 */
public class RandomMixBenchmark extends BenchmarkBase {

    /** Live blocks; also the size of CPython's harness's live set ({@code LIVE} in pymalloc_bench.c). */
    public static final int LIVE = 100_000;
    static final int LOOP = 1_000;
    public static final int SEQUENCE = 1 << 20;
    public static final int MAX_SIZE = 512;
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
                initialSizes[i] = 1 + draw(random, MAX_SIZE);
            }
            for (int i = 0; i < SEQUENCE; i++) {
                slots[i] = draw(random, LIVE);
                sizes[i] = 1 + draw(random, MAX_SIZE);
            }
            cursor = 0;
        }

        /**
         * {@code splitmix64 % bound}, as pymalloc_bench.c's {@code time_mix} draws, so that its
         * random mix makes these very requests ({@code nextInt(bound)} mixes the state with
         * other constants and would give a different sequence).
         */
        static int draw(SplittableRandom random, int bound) {
            return (int) Long.remainderUnsigned(random.nextLong(), bound);
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

    /**
     * A live set of native blocks taken from {@link #allocate} in the set-up and given back to
     * {@link #release} in the tear-down; the measured ops call their allocator directly.
     */
    public abstract static class NativeLive {
        final long[] live = new long[LIVE];

        abstract long allocate(long size);

        abstract void release(long address);

        /** Readies the allocator for this thread before the live set is taken. */
        void start() {
        }

        @Setup(Level.Trial)
        public void setUp(Workload workload) {
            start();
            for (int i = 0; i < LIVE; i++) {
                long address = allocate(workload.initialSizes[i]);
                if (address == 0) {
                    throw new OutOfMemoryError(getClass().getSimpleName() + ": the allocator returned 0");
                }
                live[i] = address;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (long p : live) {
                release(p);
            }
        }
    }

    @State(Scope.Thread)
    public static class LibcLive extends NativeLive {
        @Override
        long allocate(long size) {
            return RawAllocator.malloc(size);
        }

        @Override
        void release(long address) {
            RawAllocator.free(address);
        }
    }

    /** jemalloc's live set, through LWJGL. */
    @State(Scope.Thread)
    public static class JemallocLive extends NativeLive {
        @Override
        void start() {
            LwjglAllocators.configure();
        }

        @Override
        long allocate(long size) {
            return JEmalloc.nje_malloc(size);
        }

        @Override
        void release(long address) {
            JEmalloc.nje_free(address);
        }
    }

    /** rpmalloc's live set, through LWJGL, in the JMH thread's rpmalloc heap. */
    @State(Scope.Thread)
    public static class RpmallocLive extends NativeLive {
        @Override
        void start() {
            LwjglAllocators.startRpmallocOnThisThread();
        }

        @Override
        long allocate(long size) {
            return RPmalloc.nrpmalloc(size);
        }

        @Override
        void release(long address) {
            RPmalloc.nrpfree(address);
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

    /** Netty's live set, from {@link NettyPools#uncached}. */
    @State(Scope.Thread)
    public static class NettyLive {
        final ByteBuf[] live = new ByteBuf[LIVE];
        ByteBufAllocator allocator;

        @Setup(Level.Trial)
        public void setUp(Workload workload, NativeBytes bytes) {
            allocator = allocator();
            for (int i = 0; i < LIVE; i++) {
                int size = workload.initialSizes[i];
                live[i] = allocator.directBuffer(size, size);
            }
            ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) allocator).metric();
            bytes.track(metric::usedDirectMemory); // what its chunks hold now, whether in use or not
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (ByteBuf b : live) {
                b.release();
            }
        }

        ByteBufAllocator allocator() {
            return NettyPools.uncached();
        }
    }

    /** The same from {@link NettyPools#cached}, with the thread cache. */
    @State(Scope.Thread)
    public static class NettyCachedLive extends NettyLive {
        @Override
        ByteBufAllocator allocator() {
            return NettyPools.cached();
        }
    }

    /** The same from {@link NettyPools#adaptive}, Netty 4.2's default. */
    @State(Scope.Thread)
    public static class NettyAdaptiveLive extends NettyLive {
        @Override
        ByteBufAllocator allocator() {
            return NettyPools.adaptive();
        }
    }

    /** The same from {@link NettyPools#adaptiveCached}, with a magazine of the thread's own. */
    @State(Scope.Thread)
    public static class NettyAdaptiveCachedLive extends NettyLive {
        @Override
        ByteBufAllocator allocator() {
            return NettyPools.adaptiveCached();
        }
    }

    /** A confined arena per live block, each holding its one segment. */
    @State(Scope.Thread)
    public static class ArenaLive {
        final Arena[] live = new Arena[LIVE];

        /** The kind of arena the set-up opens; the measured op opens its own directly. */
        Arena open() {
            return Arena.ofConfined();
        }

        @Setup(Level.Trial)
        public void setUp(Workload workload) {
            for (int i = 0; i < LIVE; i++) {
                live[i] = open();
                live[i].allocate(workload.initialSizes[i]);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (Arena a : live) {
                a.close();
            }
        }
    }

    /** A shared arena per live block, each holding its one segment. */
    @State(Scope.Thread)
    public static class SharedArenaLive extends ArenaLive {
        @Override
        Arena open() {
            return Arena.ofShared();
        }
    }

    /** Segments of automatic arenas, one arena each, which the collector frees once dropped. */
    @State(Scope.Thread)
    public static class AutoArenaLive {
        final MemorySegment[] live = new MemorySegment[LIVE];

        @Setup(Level.Trial)
        public void setUp(Workload workload, NativeBytes bytes) {
            for (int i = 0; i < LIVE; i++) {
                live[i] = Arena.ofAuto().allocate(workload.initialSizes[i]);
            }
            bytes.track(NativeBytes::directPool); // the live segments and the dropped ones not yet freed
        }
    }

    /** Direct byte buffers, which the collector frees once dropped. */
    @State(Scope.Thread)
    public static class DirectBufferLive {
        final ByteBuffer[] live = new ByteBuffer[LIVE];

        @Setup(Level.Trial)
        public void setUp(Workload workload, NativeBytes bytes) {
            for (int i = 0; i < LIVE; i++) {
                live[i] = ByteBuffer.allocateDirect(workload.initialSizes[i]);
            }
            bytes.track(NativeBytes::directPool);
        }
    }

    /** The live set on the Java heap. */
    @State(Scope.Thread)
    public static class ByteArrayLive {
        final byte[][] live = new byte[LIVE][];

        @Setup(Level.Trial)
        public void setUp(Workload workload) {
            for (int i = 0; i < LIVE; i++) {
                live[i] = new byte[workload.initialSizes[i]];
            }
        }
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

    @Benchmark
    public long jemalloc(Workload w, JemallocLive s) {
        int i = w.next();
        int slot = w.slots[i];
        JEmalloc.nje_free(s.live[slot]);
        long p = JEmalloc.nje_malloc(w.sizes[i]);
        s.live[slot] = p;
        return p;
    }

    @Benchmark
    public long rpmalloc(Workload w, RpmallocLive s) {
        int i = w.next();
        int slot = w.slots[i];
        RPmalloc.nrpfree(s.live[slot]);
        long p = RPmalloc.nrpmalloc(w.sizes[i]);
        s.live[slot] = p;
        return p;
    }

    @Benchmark
    public ByteBuf nettyPooledDirect(Workload w, NettyLive s) {
        return replaceOne(w, s);
    }

    @Benchmark
    public ByteBuf nettyPooledDirectCached(Workload w, NettyCachedLive s) {
        return replaceOne(w, s);
    }

    @Benchmark
    public ByteBuf nettyAdaptiveDirect(Workload w, NettyAdaptiveLive s) {
        return replaceOne(w, s);
    }

    @Benchmark
    public ByteBuf nettyAdaptiveDirectCached(Workload w, NettyAdaptiveCachedLive s) {
        return replaceOne(w, s);
    }

    private static ByteBuf replaceOne(Workload w, NettyLive s) {
        int i = w.next();
        int slot = w.slots[i];
        s.live[slot].release();
        int size = w.sizes[i];
        ByteBuf b = s.allocator.directBuffer(size, size);
        s.live[slot] = b;
        return b;
    }

    @Benchmark
    public long arenaConfined(Workload w, ArenaLive s) {
        int i = w.next();
        int slot = w.slots[i];
        s.live[slot].close();
        Arena arena = Arena.ofConfined();
        long address = arena.allocate(w.sizes[i]).address();
        s.live[slot] = arena;
        return address;
    }

    @Benchmark
    public long arenaShared(Workload w, SharedArenaLive s) {
        int i = w.next();
        int slot = w.slots[i];
        s.live[slot].close();
        Arena arena = Arena.ofShared();
        long address = arena.allocate(w.sizes[i]).address();
        s.live[slot] = arena;
        return address;
    }

    @Benchmark
    public MemorySegment arenaAuto(Workload w, AutoArenaLive s) {
        int i = w.next();
        MemorySegment segment = Arena.ofAuto().allocate(w.sizes[i]);
        s.live[w.slots[i]] = segment;
        return segment;
    }

    @Benchmark
    public ByteBuffer directByteBuffer(Workload w, DirectBufferLive s) {
        int i = w.next();
        ByteBuffer b = ByteBuffer.allocateDirect(w.sizes[i]);
        s.live[w.slots[i]] = b;
        return b;
    }

    @Benchmark
    public byte[] javaByteArray(Workload w, ByteArrayLive s) {
        int i = w.next();
        byte[] b = new byte[w.sizes[i]];
        s.live[w.slots[i]] = b;
        return b;
    }
}
