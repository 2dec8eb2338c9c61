package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PyMalloc#pools()}: the per-pool view agrees with the heap's history and with {@link PyMalloc#stats()}. */
class PoolsTest {

    @Test
    void aSmallHistoryGivesEachStateWhereExpected() {
        try (PyMalloc heap = PyMalloc.create()) {
            Geometry g = heap.geometry();
            List<Long> class0 = new ArrayList<>();
            for (int i = 0; i < g.blocksPerPool(0); i++) {
                class0.add(heap.malloc(16));                  // pool 0: full of 16-byte blocks
            }
            long a = heap.malloc(64);                          // pool 1: class 3, 2 blocks
            heap.malloc(64);
            long big = heap.malloc(512);                       // pool 2: class 31, then freed: empty
            heap.free(big);
            heap.free(class0.get(0));                          // pool 0 back to USED, one short

            List<PoolInfo> pools = heap.pools();
            assertTrue(pools.size() == g.poolsPerArena() || pools.size() == g.poolsPerArena() - 1, "one arena's pools");
            PoolInfo p0 = pools.get(0);
            assertEquals(new PoolInfo(0, a & -(long) g.poolSize() - g.poolSize(), PoolInfo.State.USED, 0, 16,
                    g.blocksPerPool(0) - 1, g.blocksPerPool(0)), p0);
            assertEquals(new PoolInfo(0, a & -(long) g.poolSize(), PoolInfo.State.USED, 3, 64, 2, 255), pools.get(1));
            assertEquals(PoolInfo.State.EMPTY, pools.get(2).state());
            assertEquals(-1, pools.get(2).sizeClass());
            for (PoolInfo p : pools.subList(3, pools.size())) {
                assertEquals(PoolInfo.State.UNCARVED, p.state(), p.toString());
                assertEquals(pools.get(0).address() + (long) pools.indexOf(p) * g.poolSize(), p.address());
            }
            heap.free(heap.malloc(16));                        // the freed block comes back: full again
            heap.malloc(16);
            assertEquals(PoolInfo.State.FULL, heap.pools().get(0).state());
            assertEquals(1.0, heap.pools().get(0).fullness());
        }
    }

    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void totalsMatchTheStatisticsAfterRandomWork(Geometry geometry) {
        try (PyMalloc heap = PyMalloc.create(geometry)) {
            SplittableRandom random = new SplittableRandom(7);
            long[] live = new long[20_000];
            for (int k = 0; k < 100_000; k++) {
                int i = random.nextInt(live.length);
                if (live[i] != 0) {
                    heap.free(live[i]);
                }
                live[i] = random.nextInt(4) == 0 ? 0 : heap.malloc(1 + random.nextInt(512));
            }
            List<PoolInfo> pools = heap.pools();
            MallocStats s = heap.stats();
            long[] perClass = new long[Geometry.SIZE_CLASSES];
            long blocks = 0;
            long unused = 0;
            for (PoolInfo p : pools) {
                if (p.capacity() == 0) {
                    unused++;
                } else {
                    perClass[p.sizeClass()]++;
                    blocks += p.blocksInUse();
                    assertEquals(geometry.blocksPerPool(p.sizeClass()), p.capacity());
                }
            }
            assertEquals(s.smallBlocksInUse(), blocks);
            assertEquals(s.unusedPools(), unused);
            for (int c = 0; c < Geometry.SIZE_CLASSES; c++) {
                assertEquals(s.sizeClass(c).pools(), perClass[c], "class " + c);
            }
            assertEquals(s.arenasCurrent(), pools.stream().mapToInt(PoolInfo::arena).distinct().count());
        }
    }

    @Test
    void aClosedHeapRefuses() {
        PyMalloc heap = PyMalloc.create();
        heap.close();
        assertEquals("this PyMalloc heap is closed", assertThrows(IllegalStateException.class, heap::pools).getMessage());
    }
}
