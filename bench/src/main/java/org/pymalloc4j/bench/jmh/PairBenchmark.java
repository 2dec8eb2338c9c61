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
import org.openjdk.jmh.annotations.TearDown;
import org.lwjgl.system.jemalloc.JEmalloc;
import org.lwjgl.system.rpmalloc.RPmalloc;
import org.pymalloc4j.allocator.PyMalloc;
import org.pymalloc4j.allocator.RawAllocator;

/**
 * One allocation immediately followed by its free, the best case of every allocator: the same
 * block is reused op after op, so this is the hot-path cost, hot in L1, with no fragmentation.
 * One op = one allocate + one free; every baseline is in this class so one run gives them all.
 *
 * <ul>
 *   <li>{@code pymalloc}: {@link PyMalloc#malloc}/{@link PyMalloc#free} with one <em>ballast</em>
 *       block of the same size class kept live from {@code @Setup}, so the pool stays in its
 *       class's used ring and each op is the free-list pop/push fast path, as in a running
 *       CPython process where a size class is rarely wholly empty.</li>
 *   <li>{@code pymallocLoop}: the same pair {@value #LOOP} times per call under
 *       {@code @OperationsPerInvocation}, the shape of the CPython harness's C loop. One pair per
 *       call pays JMH's call and a reload of the heap's fields each time; in a loop the JIT keeps
 *       them in registers and interleaves consecutive pairs. Every load and store of the pool
 *       header and the block still happens each pair (the JIT cannot drop native stores). The
 *       loop is {@code DONT_INLINE}, compiled on its own as the C loop is (see ObjectBenchmark).</li>
 *   <li>{@code pymallocSegment}: the same pair through the heap's {@code SegmentAllocator}
 *       face, {@code allocate(size, 8)} and {@code free(segment)}: what the segment, its size and
 *       the heap's scope add to malloc and free. Not in the tables: read it beside
 *       {@code pymalloc}.</li>
 *   <li>{@code pymallocLonePool}: the same without ballast. Each free empties the pool, which
 *       leaves its ring for its arena's free list, and the next malloc takes it back
 *       ({@code allocateFromNewPool}; the last arena is kept, so no {@code munmap}). CPython
 *       does exactly the same for a lone block; this shows what that transition costs.</li>
 *   <li>{@code libcMalloc}: glibc {@code malloc}/{@code free} through the project's FFM
 *       downcalls ({@link RawAllocator}, linked {@code critical(false)}, addresses as
 *       {@code long}).</li>
 *   <li>{@code jemalloc}, {@code rpmalloc}: the same pair through LWJGL 3.4.3's bindings of
 *       jemalloc and rpmalloc ({@code nje_malloc}/{@code nje_free},
 *       {@code nrpmalloc}/{@code nrpfree}: a downcall or JNI call each; see {@link LwjglAllocators}), the
 *       general-purpose allocators a Java program can call without writing native code.</li>
 *   <li>{@code arenaConfined}: the idiomatic FFM way, {@code Arena.ofConfined()},
 *       {@code allocate(size)} (zeroed, via {@code Unsafe.allocateMemory}), {@code close()}
 *       per op: an arena object, a segment object and a cleanup record per op.</li>
  <li>{@code arenaShared}: the same with {@code Arena.ofShared()}, the arena whose segments
 *       any thread may use: its {@code close()} must make sure no thread is accessing them, which
 *       HotSpot does with a handshake of every Java thread.</li>
 *   <li>{@code arenaAuto}: {@code Arena.ofAuto().allocate(size)}, dropped at once: the garbage
 *       collector finds the arena unreachable and the JDK's cleaner thread frees its memory, on
 *       its own thread and in its own time. The time includes the collections; the cleaner's
 *       work runs on the other core.</li>
 *   <li>{@code directByteBuffer}: {@code ByteBuffer.allocateDirect(size)}, dropped at once: Java's
 *       classic off-heap buffer (zeroed, {@code Unsafe.allocateMemory} inside the JDK), freed by
 *       its cleaner after a collection finds it unreachable; when the buffers waiting for that
 *       reach {@code -XX:MaxDirectMemorySize} (the heap's size by default), the next allocation
 *       calls {@code System.gc()} and waits.</li>
 *   <li>{@code nettyPooledDirect}: Netty 4.2.20.Final {@code PooledByteBufAllocator}, a
 *       dedicated {@code new PooledByteBufAllocator(true)} (preferDirect),
 *       {@code directBuffer(size, size)} then {@code release()}. With this package's fork flags
 *       on JDK 25 ({@code --enable-native-access=ALL-UNNAMED}, no
 *       {@code --sun-misc-unsafe-memory-access=allow}, leak detection disabled) Netty has no
 *       Unsafe: its chunks come from libc {@code malloc}/{@code free} downcalls
 *       ({@code CleanerJava24Linker}) and buffers are {@code PooledDirectByteBuf} with
 *       ByteBuffer-based accessors. Adding {@code --sun-misc-unsafe-memory-access=allow}
 *       switches it to the Unsafe path ({@code PooledUnsafeDirectByteBuf}). In 4.2 the default
 *       {@code io.netty.allocator.useCacheForAllThreads} is {@code false}, so the JMH thread
 *       (not a {@code FastThreadLocalThread}) gets a thread cache of size 0: every op goes to
 *       the arena (lock, subpage bitmap) — Netty's cost for a non-event-loop thread.</li>
 *   <li>{@code nettyPooledDirectCached}: the same allocator configuration but with
 *       {@code useCacheForAllThreads = true} (all other arguments Netty's defaults), so the
 *       JMH thread gets the thread-local cache an event-loop thread would have: Netty's fast
 *       path.</li>
 *   <li>{@code nettyAdaptiveDirect}: Netty 4.2's default allocator (the one
 *       {@code ByteBufAllocator.DEFAULT} is unless {@code io.netty.allocator.type} says
 *       otherwise), a dedicated {@code new AdaptiveByteBufAllocator(true)}, the same calls. A
 *       thread that is not an event loop's allocates from the magazines all such threads share
 *       ({@code io.netty.allocator.useCachedMagazinesForNonEventLoopThreads} is false by
 *       default).</li>
 *   <li>{@code nettyAdaptiveDirectCached}: {@code new AdaptiveByteBufAllocator(true, true)}, so
 *       the JMH thread has a magazine of its own, as an event-loop thread does.</li>
 *   <li>{@code javaByteArray}: {@code new byte[size]} on the Java heap (TLAB bump plus zeroing,
 *       reclaimed by the young GC), the managed baseline.</li>
 * </ul>
 */
@State(Scope.Thread)
public class PairBenchmark extends BenchmarkBase {

    static final int LOOP = 1_000;

    @Param({"16", "64", "256", "512"})
    public int size;

    PyMalloc heap; // package-private for SuiteBenchmarksTest
    private long ballast;
    private PyMalloc loneHeap;
    private PooledByteBufAllocator netty;
    private PooledByteBufAllocator nettyCached;
    private AdaptiveByteBufAllocator nettyAdaptive;
    private AdaptiveByteBufAllocator nettyAdaptiveCached;

    @Setup(Level.Trial)
    public void setUp() {
        heap = PyMalloc.create();
        ballast = heap.malloc(size);
        loneHeap = PyMalloc.create();
        netty = NettyPools.uncached();
        nettyCached = NettyPools.cached();
        nettyAdaptive = NettyPools.adaptive();
        nettyAdaptiveCached = NettyPools.adaptiveCached();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        heap.free(ballast);
        heap.close();
        loneHeap.close();
    }

    @Benchmark
    public long pymalloc() {
        long p = heap.malloc(size);
        heap.free(p);
        return p;
    }

    @Benchmark
    @OperationsPerInvocation(LOOP)
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public long pymallocLoop() {
        PyMalloc h = heap;
        long n = size;
        long sum = 0;
        for (int i = 0; i < LOOP; i++) {
            long p = h.malloc(n);
            h.free(p);
            sum += p;
        }
        return sum;
    }

    @Benchmark
    public long pymallocSegment() {
        MemorySegment segment = heap.allocate(size, 8);
        heap.free(segment);
        return segment.address();
    }

    @Benchmark
    public long pymallocLonePool() {
        long p = loneHeap.malloc(size);
        loneHeap.free(p);
        return p;
    }

    @Benchmark
    public long libcMalloc() {
        long p = RawAllocator.malloc(size);
        RawAllocator.free(p);
        return p;
    }

    @Benchmark
    public long jemalloc(LwjglAllocators.Jemalloc lwjgl) {
        long p = JEmalloc.nje_malloc(size);
        JEmalloc.nje_free(p);
        return p;
    }

    @Benchmark
    public long rpmalloc(LwjglAllocators.Rpmalloc lwjgl) {
        long p = RPmalloc.nrpmalloc(size);
        RPmalloc.nrpfree(p);
        return p;
    }

    @Benchmark
    public long arenaConfined() {
        return pairIn(Arena.ofConfined(), size);
    }

    @Benchmark
    public long arenaShared() {
        return pairIn(Arena.ofShared(), size);
    }

    /** An arena's pair: one segment allocated, then freed by the arena's close. */
    private static long pairIn(Arena arena, long size) {
        try (arena) {
            return arena.allocate(size).address();
        }
    }

    @Benchmark
    public MemorySegment arenaAuto() {
        return Arena.ofAuto().allocate(size);
    }

    @Benchmark
    public ByteBuffer directByteBuffer() {
        return ByteBuffer.allocateDirect(size);
    }

    @Benchmark
    public ByteBuf nettyPooledDirect() {
        return pair(netty, size);
    }

    @Benchmark
    public ByteBuf nettyPooledDirectCached() {
        return pair(nettyCached, size);
    }

    @Benchmark
    public ByteBuf nettyAdaptiveDirect() {
        return pair(nettyAdaptive, size);
    }

    @Benchmark
    public ByteBuf nettyAdaptiveDirectCached() {
        return pair(nettyAdaptiveCached, size);
    }

    /** Netty's pair: one direct buffer taken and released. */
    private static ByteBuf pair(ByteBufAllocator allocator, int size) {
        ByteBuf buf = allocator.directBuffer(size, size);
        buf.release();
        return buf;
    }

    @Benchmark
    public byte[] javaByteArray() {
        return new byte[size];
    }
}
