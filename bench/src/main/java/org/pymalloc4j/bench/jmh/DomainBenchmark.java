package org.pymalloc4j.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.pymalloc4j.allocator.AllocatorName;
import org.pymalloc4j.allocator.Memory;
import org.pymalloc4j.allocator.MemoryDomain;
import org.pymalloc4j.allocator.PyMalloc;

/**
 * What the domain layer, the debug hooks and the tracer cost on the alloc+free pair, each
 * against the plain heap in the same run. Every heap keeps one ballast block of the size class
 * live, as {@link PairBenchmark#pymalloc()} does, so each op is the pool's free-list fast path.
 *
 * <ul>
 *   <li>{@code pymalloc}: {@link PyMalloc} called directly: the baseline.</li>
 *   <li>{@code objDomain}: {@code memory.obj()} of the default configuration: the domain's
 *       allocator call plus its live-block count. No hook is configured, so this is what
 *       "hooks cost nothing when off" has to match.</li>
 *   <li>{@code mallocDomain}: {@code memory.obj()} of the {@code malloc} configuration: libc
 *       through a downcall plus the native table that refuses foreign addresses.</li>
 *   <li>{@code debugHooks}: {@code memory.obj()} of {@code pymalloc_debug}: guard bytes written
 *       and checked, data filled with 0xCD then 0xDD, the block table, the quarantine.</li>
 *   <li>{@code tracing1} / {@code tracing16}: the default configuration with the tracer started
 *       with 1 or 16 frames: a stack walk and a trace table insert and removal per pair.</li>
 * </ul>
 */
@State(Scope.Thread)
public class DomainBenchmark extends BenchmarkBase {

    @Param({"16", "64", "256"})
    public int size;

    private PyMalloc heap;
    private long heapBallast;
    private Memory plain;
    private MemoryDomain plainObj;
    private Memory malloc;
    private MemoryDomain mallocObj;
    private Memory debug;
    private MemoryDomain debugObj;
    private Memory traced1;
    private MemoryDomain traced1Obj;
    private Memory traced16;
    private MemoryDomain traced16Obj;

    @Setup(Level.Trial)
    public void setUp() {
        heap = PyMalloc.create();
        heapBallast = heap.malloc(size);
        plain = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        plainObj = withBallast(plain);
        malloc = Memory.builder().allocator(AllocatorName.MALLOC).build();
        mallocObj = withBallast(malloc);
        debug = Memory.builder().allocator(AllocatorName.PYMALLOC_DEBUG).build();
        debugObj = withBallast(debug);
        traced1 = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        traced1.tracer().start(1);
        traced1Obj = withBallast(traced1);
        traced16 = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        traced16.tracer().start(16);
        traced16Obj = withBallast(traced16);
    }

    private MemoryDomain withBallast(Memory memory) {
        memory.obj().malloc(size);
        return memory.obj();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        heap.free(heapBallast);
        heap.close();
        plain.close();
        malloc.close();
        debug.close();
        traced1.close();
        traced16.close();
    }

    @Benchmark
    public long pymalloc() {
        long p = heap.malloc(size);
        heap.free(p);
        return p;
    }

    @Benchmark
    public long objDomain() {
        long p = plainObj.malloc(size);
        plainObj.free(p);
        return p;
    }

    @Benchmark
    public long mallocDomain() {
        long p = mallocObj.malloc(size);
        mallocObj.free(p);
        return p;
    }

    @Benchmark
    public long debugHooks() {
        long p = debugObj.malloc(size);
        debugObj.free(p);
        return p;
    }

    @Benchmark
    public long tracing1() {
        long p = traced1Obj.malloc(size);
        traced1Obj.free(p);
        return p;
    }

    @Benchmark
    public long tracing16() {
        long p = traced16Obj.malloc(size);
        traced16Obj.free(p);
        return p;
    }
}
