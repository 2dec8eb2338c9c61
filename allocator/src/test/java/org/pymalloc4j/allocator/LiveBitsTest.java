package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pymalloc4j.allocator.internal.LiveBits;
import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checked mode's live bitmap (LiveBits) and its one deferred setting (LiveBlocks): every
 * double free is refused whether or not the block was the newest, the bitmap equation holds
 * after every step, and unaligned arenas, whose first bytes belong to no pool, work the same.
 */
class LiveBitsTest {

    @Test
    void doubleFreeOfTheNewestBlockIsRefused() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create()) {
            long keep = heap.malloc(64);
            long a = heap.malloc(64);
            heap.free(a); // a was the newest block: its bit was never set
            String stats = heap.debugMallocStats();
            assertDoubleFree(heap, a);
            assertEquals(stats, heap.debugMallocStats(), "heap unchanged");
            assertFalse(heap.isLive(a));
            assertThrows(InvalidAddressException.class, () -> heap.realloc(a, 10));
            heap.checkInvariants();
            heap.free(keep);
        }
    }

    @Test
    void theNewestBlockGetsItsBitWhenTheNextIsHandedOut() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create()) {
            long a = heap.malloc(64);
            assertFalse(TestSupport.liveBit(a), "the newest block's bit waits");
            assertTrue(heap.isLive(a));
            long b = heap.malloc(64);
            assertTrue(TestSupport.liveBit(a), "set when the next block is handed out");
            assertFalse(TestSupport.liveBit(b));
            heap.checkInvariants();
            heap.free(a); // not the newest: its bit is cleared
            assertFalse(TestSupport.liveBit(a));
            assertThrows(InvalidAddressException.class, () -> heap.free(a));
            heap.checkInvariants();
            heap.free(b);
            assertThrows(InvalidAddressException.class, () -> heap.free(b));
            heap.checkInvariants();
        }
    }

    @Test
    void aFreedNewestBlockHandedOutAgainIsLive() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create()) {
            long keep = heap.malloc(64);
            long a = heap.malloc(64);
            heap.free(a);
            assertEquals(a, heap.malloc(64), "the block just freed comes back first");
            assertTrue(heap.isLive(a));
            heap.checkInvariants();
            heap.free(a);
            heap.checkInvariants();
            heap.free(keep);
            heap.checkInvariants();
        }
    }

    @Test
    void aDoubleFreeOfAnOlderBlockIsRefused() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create()) {
            long keep = heap.malloc(32);
            long a = heap.malloc(32);
            long b = heap.malloc(32);
            heap.free(a);
            assertDoubleFree(heap, a);
            heap.free(b);
            assertDoubleFree(heap, a);
            heap.checkInvariants();
            heap.free(keep);
        }
    }

    /** realloc moving the newest block: the new block is the newest, the old one is freed. */
    @Test
    void reallocOfTheNewestBlockFreesIt() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create()) {
            long a = heap.malloc(16);
            long moved = heap.realloc(a, 300);
            assertFalse(heap.isLive(a));
            assertTrue(heap.isLive(moved));
            heap.checkInvariants();
            long b = heap.malloc(16);
            long raw = heap.realloc(b, 5000); // to libc: b, still the newest, is freed by the move
            assertFalse(heap.isLive(b));
            assertThrows(InvalidAddressException.class, () -> heap.free(b));
            heap.checkInvariants();
            heap.free(raw);
            heap.free(moved);
            heap.checkInvariants();
        }
    }

    private static void assertDoubleFree(PyMalloc heap, long address) {
        InvalidAddressException e = assertThrows(InvalidAddressException.class, () -> heap.free(address));
        assertTrue(e.getMessage().contains("double free"), e.getMessage());
    }

    /** Pools emptied and arenas returned to the OS leave no bit set and no newest block behind. */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void emptiedPoolsAndReturnedArenasLeaveNoBitBehind(Geometry g) {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create(g)) {
            long lone = heap.malloc(500);
            heap.free(lone);
            assertThrows(InvalidAddressException.class, () -> heap.free(lone));
            heap.checkInvariants();
            // Three arenas' worth of blocks, all freed: arenas go back to the OS mid-way.
            List<Long> blocks = new ArrayList<>();
            long perArena = g.arenaSize() / 512;
            for (long i = 0; i < 3 * perArena; i++) {
                blocks.add(heap.malloc(512));
            }
            for (long p : blocks) {
                heap.free(p);
            }
            heap.checkInvariants();
            assertTrue(heap.stats().arenasReclaimed() >= 2, "arenas returned: " + heap.stats().arenasReclaimed());
            for (long p : blocks.subList(0, 5)) {
                assertFalse(heap.isLive(p));
            }
        }
    }

    /** checkInvariants checks the bitmap equation: a flipped bit either way is named. */
    @Test
    void checkInvariantsNamesAWrongLiveBit() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create()) {
            long a = heap.malloc(48);
            long b = heap.malloc(48);
            long c = heap.malloc(48);
            heap.free(b);
            long d = heap.malloc(48); // b's block again, the newest (bit 0); c got its bit then
            for (long x : new long[] {a, c, d}) {
                long word = LiveBits.word(x);
                long before = NativeMemory.getLong(word);
                NativeMemory.putLong(word, before ^ LiveBits.bit(x));
                IllegalStateException e = assertThrows(IllegalStateException.class, heap::checkInvariants);
                assertTrue(e.getMessage().contains("live bit of 0x" + Long.toHexString(x)), e.getMessage());
                NativeMemory.putLong(word, before);
                heap.checkInvariants();
            }
            heap.free(a);
        }
    }

    /**
     * Arenas one pool past an arena boundary: each straddles two ideal blocks, so the index
     * answers through the radix tree, and the words at their edges cover another arena's bytes
     * too. A seeded model with bad frees.
     */
    @Test
    void unalignedArenasKeepTheirBits() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        Geometry g = Geometry.PY311;
        Map<Long, Long> mappings = new HashMap<>();
        ArenaAllocator offByAPool = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                long map = RawAllocator.mapAligned(2 * size, size);
                if (map == 0) {
                    return 0;
                }
                long arena = map + g.poolSize() + 4096;  // neither arena- nor pool-aligned
                mappings.put(arena, map);
                return arena;
            }

            @Override
            public void free(long address, long size) {
                RawAllocator.unmap(mappings.remove(address), 2 * size);
            }
        };
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(offByAPool).build()) {
            List<Long> live = new ArrayList<>();
            List<Long> freed = new ArrayList<>();
            for (int step = 0; step < 20_000; step++) {
                int op = random.nextInt(10);
                if (op < 5 || live.isEmpty()) {
                    long p = heap.malloc(1 + random.nextInt(512));
                    live.add(p);
                    freed.remove(p);
                } else if (op < 9) {
                    long p = live.remove(random.nextInt(live.size()));
                    heap.free(p);
                    freed.add(p);
                } else {
                    long bad = !freed.isEmpty() && random.nextBoolean()
                            ? freed.get(random.nextInt(freed.size()))
                            : live.get(random.nextInt(live.size())) + 16 * (1 + random.nextInt(3)) - random.nextInt(2) * 8;
                    if (!live.contains(bad)) {
                        assertThrows(InvalidAddressException.class, () -> heap.free(bad), "seed " + seed);
                    }
                }
                if (step % 1000 == 0) {
                    heap.checkInvariants();
                }
            }
            heap.checkInvariants();
            for (long p : live) {
                assertTrue(heap.isLive(p), "seed " + seed);
                heap.free(p);
            }
            heap.checkInvariants();
        }
        assertTrue(mappings.isEmpty(), "every arena returned");
    }
}
