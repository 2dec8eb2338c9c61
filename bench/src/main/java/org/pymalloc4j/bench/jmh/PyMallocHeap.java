package org.pymalloc4j.bench.jmh;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.PyMalloc;

/**
 * A fresh pymalloc4j heap for one trial that reports its arena high-water through
 * {@link NativeBytes}. It is a state of its own, taken only by the benchmark methods that run on
 * it, so that only they report native bytes ({@link BatchBenchmark#pymalloc},
 * {@link TraceReplayBenchmark#pymalloc}, {@link ProgramReplayBenchmark#pymalloc}, and on
 * huge-page arenas {@link BatchBenchmark#pymallocHugePages}).
 */
@State(Scope.Thread)
public class PyMallocHeap {
    PyMalloc heap;

    @Setup(Level.Trial)
    public void setUp(NativeBytes bytes) {
        heap = PyMalloc.create(geometry());
        bytes.track(NativeBytes.arenaHighWater(heap));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        heap.close();
    }

    Geometry geometry() {
        return Geometry.PY311;
    }

    /**
     * The heap in {@link Geometry#HUGE_PAGES}: 2 MiB arenas from
     * {@link org.pymalloc4j.allocator.ArenaAllocator#hugePages()}, as CPython's
     * {@code --with-pymalloc-hugepages} build maps them.
     */
    @State(Scope.Thread)
    public static class HugePages extends PyMallocHeap {
        @Override
        Geometry geometry() {
            return Geometry.HUGE_PAGES;
        }
    }
}
