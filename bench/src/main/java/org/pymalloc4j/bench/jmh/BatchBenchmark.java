package org.pymalloc4j.bench.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.lwjgl.system.jemalloc.JEmalloc;
import org.lwjgl.system.rpmalloc.RPmalloc;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.allocator.RawAllocator;

/**
 * Allocates {@value #BLOCKS} blocks of one size, then frees them in reverse order: a build-up
 * and tear-down of a large live set (at 256 bytes, 25 MB: pools and arenas are carved, filled,
 * emptied and, except for the last arena, returned to the OS every invocation). The score is
 * per allocation + free ({@code @OperationsPerInvocation}). The baselines are
 * {@link PairBenchmark}'s, each building and tearing down the same live set: libc, jemalloc and
 * rpmalloc through LWJGL, one confined
 * arena closed at the end, one shared arena the same way, Netty's four ({@code directBuffer(size, size)},
 * then {@code release()} in reverse), and three that the garbage collector frees, where freeing
 * is dropping the reference in reverse and the collections fall inside the measured time:
 * one automatic arena for the batch (its segments dropped, then the arena with the last),
 * {@code ByteBuffer.allocateDirect(size)} and {@code new byte[size]}.
 */
@State(Scope.Thread)
public class BatchBenchmark extends BenchmarkBase {

    static final int BLOCKS = 100_000;

    @Param({"16", "64", "256"})
    public int size;

    final long[] addresses = new long[BLOCKS]; // package-private for BaselineBenchmarksTest
    final ByteBuf[] buffers = new ByteBuf[BLOCKS]; // package-private for BaselineBenchmarksTest
    final byte[][] arrays = new byte[BLOCKS][];
    final MemorySegment[] segments = new MemorySegment[BLOCKS];
    final ByteBuffer[] directBuffers = new ByteBuffer[BLOCKS];
    PooledByteBufAllocator netty;
    private PooledByteBufAllocator nettyCached;
    AdaptiveByteBufAllocator nettyAdaptive;
    private AdaptiveByteBufAllocator nettyAdaptiveCached;

    @Setup(Level.Trial)
    public void setUp() {
        netty = NettyPools.uncached();
        nettyCached = NettyPools.cached();
        nettyAdaptive = NettyPools.adaptive();
        nettyAdaptiveCached = NettyPools.adaptiveCached();
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void pymalloc(PyMallocHeap state, Blackhole bh) {
        bh.consume(allocateAndFree(state.heap, addresses, size));
    }

    /**
     * The same on 2 MiB arenas on huge pages ({@link org.pymalloc4j.allocator.Geometry#HUGE_PAGES}):
     * the batch maps and unmaps its arenas every call, so its time is mostly page faults, one
     * per 4 KiB page on the default arenas and one per 2 MiB here when the kernel has huge pages.
     */
    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void pymallocHugePages(PyMallocHeap.HugePages state, Blackhole bh) {
        bh.consume(allocateAndFree(state.heap, addresses, size));
    }

    /**
     * The batch, {@code DONT_INLINE}: compiled on its own, as CPython's C loop is a function of
     * its own and as the other loop benchmarks are. Inlined into the benchmark method, C2 kept
     * the heap, the size class and the block on the stack in the loop, and the batch of 16-byte
     * blocks went from 5.2-5.8 ns to 6.8-7.2 from the fifth warm-up iteration on, in every fork
     * (the 64- and 256-byte batches, bound by their cache misses and page faults, moved within
     * their noise).
     */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static long allocateAndFree(PyMalloc h, long[] a, long n) {
        for (int i = 0; i < a.length; i++) {
            a[i] = h.malloc(n);
        }
        for (int i = a.length - 1; i >= 0; i--) {
            h.free(a[i]);
        }
        return a[0];
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void libcMalloc(Blackhole bh) {
        long[] a = addresses;
        long n = size;
        for (int i = 0; i < a.length; i++) {
            a[i] = RawAllocator.malloc(n);
        }
        for (int i = a.length - 1; i >= 0; i--) {
            RawAllocator.free(a[i]);
        }
        bh.consume(a[0]);
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void jemalloc(LwjglAllocators.Jemalloc lwjgl, Blackhole bh) {
        long[] a = addresses;
        long n = size;
        for (int i = 0; i < a.length; i++) {
            a[i] = JEmalloc.nje_malloc(n);
        }
        for (int i = a.length - 1; i >= 0; i--) {
            JEmalloc.nje_free(a[i]);
        }
        bh.consume(a[0]);
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void rpmalloc(LwjglAllocators.Rpmalloc lwjgl, Blackhole bh) {
        long[] a = addresses;
        long n = size;
        for (int i = 0; i < a.length; i++) {
            a[i] = RPmalloc.nrpmalloc(n);
        }
        for (int i = a.length - 1; i >= 0; i--) {
            RPmalloc.nrpfree(a[i]);
        }
        bh.consume(a[0]);
    }

    /**
     * Third baseline: {@value #BLOCKS} {@code allocate} calls into one confined arena, then one
     * {@code close()}. Not the same contract: an arena cannot free a block individually, only
     * everything at once (close still frees each block internally, one {@code Unsafe.freeMemory}
     * per allocation, in reverse order, and the segments are zeroed on allocation).
     */
    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void arenaConfined(Blackhole bh) {
        bh.consume(allocateInOneArena(Arena.ofConfined(), addresses, size));
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void arenaShared(Blackhole bh) {
        bh.consume(allocateInOneArena(Arena.ofShared(), addresses, size));
    }

    /** A batch in one arena: every block allocated from it, then all freed by its close. */
    private static long allocateInOneArena(Arena arena, long[] a, long n) {
        try (arena) {
            for (int i = 0; i < a.length; i++) {
                a[i] = arena.allocate(n).address();
            }
        }
        return a[0];
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void arenaAuto(Blackhole bh) {
        MemorySegment[] a = segments;
        Arena arena = Arena.ofAuto();
        for (int i = 0; i < a.length; i++) {
            a[i] = arena.allocate(size);
        }
        bh.consume(a[0]);
        for (int i = a.length - 1; i >= 0; i--) {
            a[i] = null;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void directByteBuffer(Blackhole bh) {
        ByteBuffer[] a = directBuffers;
        for (int i = 0; i < a.length; i++) {
            a[i] = ByteBuffer.allocateDirect(size);
        }
        bh.consume(a[0]);
        for (int i = a.length - 1; i >= 0; i--) {
            a[i] = null;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void nettyPooledDirect(Blackhole bh) {
        bh.consume(allocateAndRelease(netty, buffers, size));
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void nettyPooledDirectCached(Blackhole bh) {
        bh.consume(allocateAndRelease(nettyCached, buffers, size));
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void nettyAdaptiveDirect(Blackhole bh) {
        bh.consume(allocateAndRelease(nettyAdaptive, buffers, size));
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void nettyAdaptiveDirectCached(Blackhole bh) {
        bh.consume(allocateAndRelease(nettyAdaptiveCached, buffers, size));
    }

    /** Netty's batch; the array is cleared as it goes, so no released buffer stays reachable. */
    static ByteBuf allocateAndRelease(ByteBufAllocator allocator, ByteBuf[] b, int n) {
        for (int i = 0; i < b.length; i++) {
            b[i] = allocator.directBuffer(n, n);
        }
        ByteBuf first = b[0];
        for (int i = b.length - 1; i >= 0; i--) {
            b[i].release();
            b[i] = null;
        }
        return first;
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void javaByteArray(Blackhole bh) {
        byte[][] a = arrays;
        int n = size;
        for (int i = 0; i < a.length; i++) {
            a[i] = new byte[n];
        }
        bh.consume(a[0]);
        for (int i = a.length - 1; i >= 0; i--) {
            a[i] = null;
        }
    }
}
