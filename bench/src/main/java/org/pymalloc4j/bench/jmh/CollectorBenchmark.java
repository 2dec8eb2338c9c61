package org.pymalloc4j.bench.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.pymalloc4j.objects.ObjectSpace;

/**
 * Issue 5: the cycle collector, through the public API only ({@code space.lists()},
 * {@code space.decref}, {@code space.gc()}). Each op is one {@code gc.collect()}, timed alone
 * ({@link Mode#SingleShotTime}: the heap it collects is built outside the measurement). The
 * collector is disabled while a heap is built, so no collection runs but the measured ones
 * ({@code collect()} collects all the same, as Python's {@code gc.collect()} does).
 *
 * <ul>
 *   <li>{@code collectCycles}: {@value #CYCLES} unreachable 2-cycles of lists
 *       ({@code a.append(b); b.append(a); del a, b}), built before each op; the score is per
 *       object (2 per cycle), the figure CPython's {@code gc.collect()} is compared on.</li>
 *   <li>{@code collectLiveHeap}: a full collection over {@code liveObjects} live objects (a
 *       list holding {@code liveObjects - 1} empty lists), which survive it: the pause a full
 *       collection costs a program with that heap, in ms. Collected in setup (see
 *       {@link #WARM_UP_OBJECTS}), so the heap starts in the oldest generation as a long-running
 *       program's would.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SingleShotTime)
public class CollectorBenchmark extends BenchmarkBase {

    static final int CYCLES = 1_000_000;
    /**
     * Objects the trial setup of {@code collectLiveHeap} collects before measuring (at least one
     * collection): a single shot over 10,000 objects is too short to get the collector compiled,
     * so small heaps are collected many times first, large ones once.
     */
    static final int WARM_UP_OBJECTS = 2_000_000;

    /** A space whose collector is disabled; reports its native bytes. */
    static ObjectSpace openSpace(NativeBytes bytes) {
        ObjectSpace space = ObjectSpace.create();
        space.gc().disable();
        bytes.track(() -> space.memory().bytesFromOs());
        return space;
    }

    /** {@value #CYCLES} fresh unreachable 2-cycles before each collection. */
    @State(Scope.Thread)
    public static class Cycles {
        ObjectSpace space;

        @Setup(Level.Trial)
        public void open(NativeBytes bytes) {
            space = openSpace(bytes);
        }

        @Setup(Level.Invocation)
        public void build() {
            for (int i = 0; i < CYCLES; i++) {
                long a = space.lists().newList();
                long b = space.lists().newList();
                space.lists().append(a, b);
                space.lists().append(b, a);
                space.decref(a);
                space.decref(b);
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            ObjectBenchmark.closeClean(space);
        }
    }

    /** A live heap of exactly {@code liveObjects} objects, built once per trial. */
    @State(Scope.Thread)
    public static class LiveHeap {
        @Param({"10000", "100000", "1000000", "10000000"})
        public int liveObjects;

        ObjectSpace space;
        long root;

        @Setup(Level.Trial)
        public void build(NativeBytes bytes) {
            space = openSpace(bytes);
            root = space.lists().newList();
            for (int i = 1; i < liveObjects; i++) {
                long list = space.lists().newList();
                space.lists().append(root, list);
                space.decref(list);
            }
            for (int i = 0; i < Math.max(1, WARM_UP_OBJECTS / liveObjects); i++) {
                space.gc().collect();
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            space.decref(root);
            ObjectBenchmark.closeClean(space);
        }
    }

    @Benchmark
    @OperationsPerInvocation(2 * CYCLES)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long collectCycles(Cycles cycles) {
        long found = cycles.space.gc().collect();
        if (found != 2L * CYCLES) {
            throw new IllegalStateException("collect() found " + found + " objects, not " + 2 * CYCLES);
        }
        return found;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public long collectLiveHeap(LiveHeap heap) {
        return heap.space.gc().collect();
    }
}
