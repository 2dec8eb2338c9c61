package org.pymalloc4j.allocator.internal;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.MemoryLimitExceededError;
import org.pymalloc4j.allocator.testkit.NoArenas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link UsedPools#allocateFromNewPool}'s "@throws OutOfMemoryError if no pool can be had and
 * raw refuses the block too", where the arena allocator gave no arena (no refusal of its own to
 * throw): only libc refusing 16 bytes reaches it through a heap, so the raw blocks here are on
 * a budget of their own, too small for the block.
 */
class UsedPoolsFallbackTest {
    @Test
    void noArenaAndNoRawBlockIsRefusedNamingBothWithNothingChanged() {
        Geometry g = Geometry.PY311;
        ByteBudget heapBudget = new ByteBudget(ByteBudget.UNLIMITED);
        ArenaMap map = new ArenaMap(g.arenaBits());
        Arenas arenas = new Arenas(g, map, NoArenas.INSTANCE, heapBudget, false);
        long[] rings = new long[Geometry.SIZE_CLASSES];
        UsedPools pools = new UsedPools(rings, arenas, g, map::release);
        RawBlocks raw = new RawBlocks(new ByteBudget(8), "this heap");
        try {
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> pools.allocateFromNewPool(20, (byte) 0, raw));
            assertEquals("pymalloc4j: cannot map a new arena of 1048576 bytes for a 32-byte block, nor have 20 bytes"
                    + " as a raw block instead", e.getMessage());
            assertEquals(1, e.getSuppressed().length, e.toString());
            MemoryLimitExceededError rawRefused = assertInstanceOf(MemoryLimitExceededError.class, e.getSuppressed()[0]);
            assertEquals("malloc(20): a raw block", rawRefused.what());
            assertEquals(0, rings[Geometry.sizeClass(20)], "no pool linked");
            assertEquals(0, raw.count());
            assertEquals(0, heapBudget.used());
            assertEquals(0, arenas.narenasCurrentlyAllocated());
            raw.checkInvariants();
            arenas.checkInvariants();
        } finally {
            raw.release();
            pools.release();
            map.release();
        }
    }
}
