package org.pymalloc4j.allocator;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mimalloc {@code test-stress.c} style: many blocks of random sizes, each filled with a pattern
 * derived from its slot index and the seed ("cookie"), random frees and reallocs, and every block's
 * whole pattern verified before it is freed. A block that two owners share, or that the heap
 * writes into while it is live, breaks a pattern.
 */
class PatternStressTest {
    private static final int SLOTS = 4000;
    private static final int ROUNDS = 250_000;
    private static final int MAX_SIZE = 1000;

    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void patternsSurviveRandomChurn(Geometry geometry) {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        long cookie = TestSupport.mix(seed);
        long[] address = new long[SLOTS];
        long[] size = new long[SLOTS];
        long[] key = new long[SLOTS];
        boolean[] small = new boolean[SLOTS];
        long[] generation = new long[SLOTS];
        long smallLive = 0;
        long rawLive = 0;
        try (PyMalloc heap = PyMalloc.create(geometry)) {
            for (int round = 0; round < ROUNDS; round++) {
                int i = random.nextInt(SLOTS);
                int op = random.nextInt(10);
                if (address[i] == 0) {
                    long n = randomSize(random);
                    address[i] = heap.malloc(n);
                    size[i] = n;
                    small[i] = TestSupport.isSmall(n);
                    key[i] = (i + (++generation[i] << 32)) ^ cookie;
                    TestSupport.fill(address[i], n, key[i]);
                    if (small[i]) {
                        smallLive++;
                    } else {
                        rawLive++;
                    }
                } else if (op < 6) {
                    TestSupport.verify(address[i], size[i], key[i], "slot " + i + " before free, round " + round);
                    heap.free(address[i]);
                    address[i] = 0;
                    if (small[i]) {
                        smallLive--;
                    } else {
                        rawLive--;
                    }
                } else {
                    TestSupport.verify(address[i], size[i], key[i], "slot " + i + " before realloc, round " + round);
                    long n = randomSize(random);
                    long old = address[i];
                    long moved = heap.realloc(old, n);
                    assertNotEquals(0, moved);
                    TestSupport.verify(moved, Math.min(size[i], n), key[i],
                            "slot " + i + " after realloc " + size[i] + " -> " + n + ", round " + round);
                    // A raw block stays raw; a small block moves wherever the new size says.
                    boolean nowSmall = small[i] ? (moved == old || TestSupport.isSmall(n)) : false;
                    assertEquals(nowSmall, heap.isArenaAddress(moved),
                            "slot " + i + " realloc " + size[i] + " -> " + n + " kind");
                    if (small[i] != nowSmall) {
                        smallLive--;
                        rawLive++;
                    }
                    small[i] = nowSmall;
                    address[i] = moved;
                    size[i] = n;
                    TestSupport.fill(moved, n, key[i]);
                }
                if (round % 10_000 == 0) {
                    heap.checkInvariants();
                    MallocStats stats = heap.stats();
                    assertEquals(smallLive, stats.smallBlocksInUse(), "round " + round);
                    assertEquals(rawLive, stats.rawBlocks(), "round " + round);
                }
            }
            heap.checkInvariants();
            MallocStats stats = heap.stats();
            assertEquals(smallLive, stats.smallBlocksInUse());
            assertEquals(rawLive, stats.rawBlocks());
            assertTrue(smallLive > SLOTS / 10, "the run should leave many blocks live: " + smallLive);
            for (int i = 0; i < SLOTS; i++) {
                if (address[i] != 0) {
                    assertTrue(heap.isLive(address[i]), "slot " + i);
                    TestSupport.verify(address[i], size[i], key[i], "slot " + i + " at the end");
                    heap.free(address[i]);
                }
            }
            heap.checkInvariants();
            stats = heap.stats();
            assertEquals(0, stats.smallBlocksInUse());
            assertEquals(0, stats.rawBlocks());
            assertEquals(1, stats.arenasCurrent(), "all but one empty arena go back to the OS");
        }
    }

    /** Mostly small sizes, with 0 and the raw range represented. */
    private static long randomSize(SplittableRandom random) {
        int r = random.nextInt(100);
        if (r < 2) {
            return 0;
        }
        if (r < 75) {
            return 1 + random.nextInt(512);
        }
        return random.nextInt(MAX_SIZE + 1);
    }
}
