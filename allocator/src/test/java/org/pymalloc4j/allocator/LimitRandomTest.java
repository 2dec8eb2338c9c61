package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random mallocs, callocs, reallocs and frees under a limit of four arenas. Every refusal must
 * be one that nothing could have avoided: the bytes in use it reports are the heap's, the
 * request does not fit beside them, and no arena without a live block is still held. At the
 * end, everything freed, the whole limit can be had in one block.
 */
class LimitRandomTest {
    private static final int STEPS = 20_000;

    private record Block(long address, long size, long key) {
    }

    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void everyRefusalIsUnavoidable(Geometry geometry) {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        long limit = 4 * geometry.arenaSize();
        List<Block> live = new ArrayList<>();
        int refusals = 0;
        try (PyMalloc heap = PyMalloc.builder().geometry(geometry).limit(limit).build()) {
            for (int step = 0; step < STEPS; step++) {
                String where = "seed " + seed + ", step " + step;
                int op = random.nextInt(100);
                long size = random.nextInt(8) == 0 ? random.nextLong(513, geometry.arenaSize() + 1)
                        : random.nextLong(1, 513);
                try {
                    if (op < 35 && !live.isEmpty()) {
                        Block b = live.remove(random.nextInt(live.size()));
                        TestSupport.verify(b.address, b.size, b.key, where);
                        heap.free(b.address);
                    } else if (op < 50 && !live.isEmpty()) {
                        int i = random.nextInt(live.size());
                        Block b = live.get(i);
                        long moved = heap.realloc(b.address, size);
                        TestSupport.verify(moved, Math.min(size, b.size), b.key, where);
                        TestSupport.fill(moved, size, step);
                        live.set(i, new Block(moved, size, step));
                    } else {
                        long p = op < 60 ? heap.calloc(1, size) : heap.malloc(size);
                        TestSupport.fill(p, size, step);
                        live.add(new Block(p, size, step));
                    }
                } catch (MemoryLimitExceededError e) {
                    refusals++;
                    assertEquals(heap.bytesFromOs(), e.inUse(), where);
                    assertTrue(e.requested() > limit - e.inUse(), where + ": " + e.getMessage());
                    assertEquals(0, LimitReclaimTest.emptyArenas(heap), where + ": an empty arena is still held");
                    heap.checkInvariants();
                }
                if (step % 1000 == 0) {
                    heap.checkInvariants();
                }
            }
            heap.checkInvariants();
            assertTrue(refusals > 0, "the limit was reached (seed " + seed + ")");
            for (Block b : live) {
                TestSupport.verify(b.address, b.size, b.key, "seed " + seed + ", at the end");
                heap.free(b.address);
            }
            heap.checkInvariants();
            long all = heap.malloc(limit); // nothing live: the whole limit
            assertEquals(limit, heap.bytesFromOs());
            heap.free(all);
            heap.checkInvariants();
            System.out.println("LimitRandomTest " + geometry + ": " + refusals + " refusals in " + STEPS + " steps");
        }
    }
}
