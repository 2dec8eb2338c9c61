package org.pymalloc4j.allocator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.internal.ArenaMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The radix-tree arena map (reference §1.10) on its own, with arena bases that PyMalloc never
 * produces (it maps arena-aligned arenas) but CPython's mmap does: unaligned bases straddling
 * two leaves, two bottom nodes or two interior nodes. Only the map's own nodes are touched.
 */
class ArenaMapTest {
    private static final int BITS = 20;
    private static final long SIZE = 1L << BITS;
    private ArenaMap map;

    @BeforeEach
    void open() {
        map = new ArenaMap(BITS);
    }

    @AfterEach
    void release() {
        map.release();
    }

    private void assertCovers(long base) {
        assertTrue(map.contains(base), "base");
        assertTrue(map.contains(base + 1));
        assertTrue(map.contains(base + SIZE / 2));
        assertTrue(map.contains(base + SIZE - 1), "last byte");
    }

    private void assertNotCovered(long from, long to) {
        for (long a = from; a < to; a += Math.max(1, (to - from) / 64)) {
            assertFalse(map.contains(a), "0x" + Long.toHexString(a));
        }
        assertFalse(map.contains(to - 1));
    }

    @Test
    void geometryOf1MiBArenas() {
        // CPython 3.11 on 64-bit: 15 / 15 / 14 bits, so 256 KiB root and mid nodes, 128 KiB leaves.
        assertEquals(262_144, map.rootBytes());
        assertEquals(262_144, map.midBytes());
        assertEquals(131_072, map.botBytes());
        assertEquals(0, map.midCount());
        assertEquals(0, map.botCount());
        assertFalse(map.contains(0x7f00_0000_0000L));
    }

    @Test
    void alignedArena() {
        long base = 0x7f12_3400_0000L;
        assertTrue(map.markUsed(base));
        assertCovers(base);
        assertFalse(map.contains(base - 1));
        assertFalse(map.contains(base + SIZE));
        assertEquals(1, map.midCount());
        assertEquals(1, map.botCount());
        map.markUnused(base);
        assertNotCovered(base, base + SIZE);
    }

    @Test
    void unalignedArenaCoversTwoLeaves() {
        long base = 0x7f12_3400_0000L + 0x4000 * 3;
        assertTrue(map.markUsed(base));
        assertCovers(base);
        assertNotCovered(base - SIZE, base);
        assertNotCovered(base + SIZE, base + 2 * SIZE);
        assertEquals(1, map.botCount());
        map.markUnused(base);
        assertNotCovered(base - SIZE, base + 2 * SIZE);
    }

    /** Two unaligned arenas back to back share an ideal block: one's tail_lo, the other's tail_hi. */
    @Test
    void adjacentUnalignedArenas() {
        long a = 0x5555_0000_0000L + 0x1000;
        long b = a + SIZE;
        assertTrue(map.markUsed(a));
        assertTrue(map.markUsed(b));
        assertCovers(a);
        assertCovers(b);
        assertFalse(map.contains(a - 1));
        assertFalse(map.contains(b + SIZE));
        map.markUnused(a);
        assertNotCovered(a, a + SIZE);
        assertCovers(b);
        map.markUnused(b);
        assertNotCovered(a, b + SIZE);
    }

    /** Unaligned arenas with a gap smaller than an arena inside one ideal block. */
    @Test
    void arenaEndingAndAnotherStartingInOneIdealBlock() {
        long ideal = 0x6000_0000_0000L;
        long a = ideal - SIZE + 0x40000;      // ends at ideal + 0x40000
        long b = ideal + 0x80000;             // starts in the same ideal block
        assertTrue(map.markUsed(a));
        assertTrue(map.markUsed(b));
        assertCovers(a);
        assertCovers(b);
        assertNotCovered(ideal + 0x40000, ideal + 0x80000);
    }

    /** An arena straddling a 16 GiB boundary needs two bottom nodes; one across 2^49 two mid nodes. */
    @Test
    void arenaStraddlingNodeBoundaries() {
        long botBoundary = 0x7000_0000_0000L + (5L << 34);
        long a = botBoundary - SIZE / 2;
        assertTrue(map.markUsed(a));
        assertCovers(a);
        assertEquals(1, map.midCount());
        assertEquals(2, map.botCount(), "the arena spans two bottom nodes");
        long midBoundary = 3L << 49;
        long b = midBoundary - 0x4000;
        assertTrue(map.markUsed(b));
        assertCovers(b);
        assertEquals(3, map.midCount(), "two more interior nodes");
        assertEquals(4, map.botCount());
        assertFalse(map.contains(b - 1));
        assertFalse(map.contains(b + SIZE));
        // Nodes are kept after unmarking, as in CPython.
        map.markUnused(a);
        map.markUnused(b);
        assertFalse(map.contains(a));
        assertFalse(map.contains(b + SIZE - 1));
        assertEquals(4, map.botCount());
    }

    /** The full 64-bit space: top-half addresses index the root without going out of it. */
    @Test
    void highAddresses() {
        assertFalse(map.contains(-1L));
        assertFalse(map.contains(Long.MIN_VALUE));
        long top = -4 * SIZE + 0x2000;
        assertTrue(map.markUsed(top));
        assertCovers(top);
        assertFalse(map.contains(-1L));
        assertFalse(map.contains(top - 1));
    }
}
