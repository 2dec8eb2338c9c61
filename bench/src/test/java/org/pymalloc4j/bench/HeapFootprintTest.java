package org.pymalloc4j.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;
import org.pymalloc4j.allocator.PyMalloc;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java objects behind a heap, as JOL sees them, do not grow with the number of live blocks:
 * blocks, pools and raw blocks live in native memory, and so do the arena map and the owner map;
 * only the arena table is on the Java heap, at most 112 bytes per 1 MiB arena (7 arrays of
 * 8 bytes over at most 2 slots per arena). Measured at 10^3, 10^4,
 * 10^5 and 10^6 live blocks of 1..600 bytes (raw blocks above 512 included).
 */
class HeapFootprintTest {
    /**
     * JOL's size of what {@code root} reaches, less the process's standard streams, which a
     * space reaches as the collector's debug output ({@code System.err}) and which under the
     * test runner hold the runner's own objects. Two sums, not a subtraction of addresses, so a
     * collection moving objects between the walks does not matter.
     */
    static long javaBytes(Object root) {
        return GraphLayout.parseInstance(root, System.out, System.err).totalSize()
                - GraphLayout.parseInstance(System.out, System.err).totalSize();
    }

    @Test
    void javaFootprintDoesNotGrowWithLiveBlocks() {
        try (PyMalloc heap = PyMalloc.create()) {
            long[] blocks = new long[1_000_000];
            int live = 0;
            long first = 0;
            for (int target = 1_000; target <= blocks.length; target *= 10) {
                for (; live < target; live++) {
                    blocks[live] = heap.malloc(1 + live % 600);
                }
                long bytes = javaBytes(heap);
                long arenas = heap.stats().arenasCurrent();
                if (target == 1_000) {
                    first = bytes;
                    // README: about 3 KiB of the heap's own and the 16,400-byte table of the Cleaner it registers with
                    assertTrue(bytes <= 24 << 10, "the Java objects behind a heap take " + bytes + " bytes, more than the README says");
                }
                System.out.printf("Java heap behind the heap: %,9d bytes with %,9d live blocks (%,4d arenas, %,7d raw blocks)%n",
                        bytes, live, arenas, heap.stats().rawBlocks());
                assertTrue(bytes - first <= 112 * arenas + 1024,
                        "Java footprint grew from " + first + " to " + bytes + " bytes for " + live + " blocks in " + arenas + " arenas");
            }
            for (int i = 0; i < live; i++) {
                heap.free(blocks[i]);
            }
        }
    }
}
