package org.pymalloc4j.bench.jmh;

import java.util.SplittableRandom;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.pymalloc4j.allocator.internal.ArenaMap;
import org.pymalloc4j.allocator.internal.ArenaOwners;

/**
 * "Is this address in one of our arenas?", the question every {@code free} asks: CPython 3.11's
 * radix tree ({@link ArenaMap}, three dependent native loads) against the owner map the heap's
 * hot path uses ({@link ArenaOwners}, one native load: the same tree flattened to one level).
 * The owner entries are written in the process-wide map at addresses no arena of the benchmark
 * JVM uses, and removed after. Addresses are random,
 * 90% inside the arenas and 10% outside (raw blocks), over {@code arenas} 1 MiB arenas laid out as
 * mmap lays them (consecutive, with gaps). Each call makes 1,024 lookups; the score is per lookup
 * ({@code @OperationsPerInvocation}), as the table says.
 */
@State(Scope.Thread)
public class ArenaLookupBenchmark extends BenchmarkBase {
    private static final int LOOKUPS = 1024;

    @Param({"16", "1024"})
    public int arenas;

    private ArenaMap map;
    private int tag;
    private long[] bases;
    private final long[] addresses = new long[LOOKUPS];

    @Setup
    public void setUp() {
        map = new ArenaMap(20);
        tag = ArenaOwners.newTag();
        SplittableRandom random = new SplittableRandom(42);
        long base = 0x7f40_0000_0000L;
        bases = new long[arenas];
        long next = base;
        for (int i = 0; i < arenas; i++) {
            next += (random.nextInt(8) == 0 ? 2 : 1) << 20;
            bases[i] = next;
            map.markUsed(next);
            if (!ArenaOwners.add(next, 1 << 20, tag)) {
                throw new IllegalStateException("the owner map cannot record an arena at 0x" + Long.toHexString(next));
            }
        }
        for (int i = 0; i < LOOKUPS; i++) {
            addresses[i] = random.nextInt(10) == 0
                    ? 0x5555_0000_0000L + random.nextLong(1L << 32)
                    : bases[random.nextInt(arenas)] + random.nextLong(1 << 20);
        }
    }

    @TearDown
    public void tearDown() {
        for (long b : bases) {
            ArenaOwners.remove(b, 1 << 20);
        }
        map.release();
    }

    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(LOOKUPS)
    public void radixTree(Blackhole bh) {
        for (long a : addresses) {
            bh.consume(map.contains(a));
        }
    }

    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(LOOKUPS)
    public void ownerMap(Blackhole bh) {
        for (long a : addresses) {
            bh.consume(ArenaOwners.owner(a) == tag);
        }
    }
}
