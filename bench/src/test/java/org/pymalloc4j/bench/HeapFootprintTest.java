package org.pymalloc4j.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;
import org.pymalloc4j.allocator.PyMalloc;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java objects behind a heap, as JOL sees them, do not grow with the number of live blocks:
 * blocks, pools and raw blocks live in native memory; only the arena table and the arena index
 * are on the Java heap, at most 176 bytes per 1 MiB arena (7 arrays of 8 bytes over at most
 * 2 slots per arena, and 8 bytes over at most 8 index slots per arena).
 */
class HeapFootprintTest {
    private static long javaBytes(PyMalloc heap) {
        return GraphLayout.parseInstance(heap).totalSize();
    }

    @Test
    void javaFootprintDoesNotGrowWithLiveBlocks() {
        try (PyMalloc heap = PyMalloc.create()) {
            long[] blocks = new long[1_000_000];
            for (int i = 0; i < 1_000; i++) {
                blocks[i] = heap.malloc(1 + i % 600);
            }
            long small = javaBytes(heap);
            for (int i = 1_000; i < blocks.length; i++) {
                blocks[i] = heap.malloc(1 + i % 600);
            }
            long large = javaBytes(heap);
            long arenas = heap.stats().arenasCurrent();
            System.out.printf("Java heap behind the heap: %,d bytes with 10^3 blocks, %,d bytes with 10^6 blocks"
                    + " (%d arenas, %,d raw blocks)%n", small, large, arenas, heap.stats().rawBlocks());
            assertTrue(large - small <= 176 * arenas + 1024,
                    "Java footprint grew from " + small + " to " + large + " bytes for " + arenas + " arenas");
            for (long b : blocks) {
                heap.free(b);
            }
        }
    }
}
