package org.pymalloc4j.allocator;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.internal.PoolHeader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pool header: the hand-written offsets against the FFM layout (style anchors §8 item 2)
 * and against CPython's {@code pool_header} (reference §1.4), and a live header read back.
 */
class LayoutTest {

    private static long offset(String field) {
        return PoolHeader.LAYOUT.byteOffset(PathElement.groupElement(field));
    }

    @Test
    void offsetsMatchTheLayout() {
        assertEquals(PoolHeader.REF_COUNT_OFFSET, offset("count"));
        assertEquals(PoolHeader.FREEBLOCK_OFFSET, offset("freeblock"));
        assertEquals(PoolHeader.NEXTPOOL_OFFSET, offset("nextpool"));
        assertEquals(PoolHeader.PREVPOOL_OFFSET, offset("prevpool"));
        assertEquals(PoolHeader.ARENAINDEX_OFFSET, offset("arenaindex"));
        assertEquals(PoolHeader.SZIDX_OFFSET, offset("szidx"));
        assertEquals(PoolHeader.NEXTOFFSET_OFFSET, offset("nextoffset"));
        assertEquals(PoolHeader.MAXNEXTOFFSET_OFFSET, offset("maxnextoffset"));
        assertEquals(PoolHeader.LENGTH, PoolHeader.LAYOUT.byteSize());
        assertEquals(Geometry.POOL_OVERHEAD, PoolHeader.LENGTH);
        assertEquals("pool_header", PoolHeader.LAYOUT.name().orElseThrow());
        assertEquals(0, Geometry.POOL_OVERHEAD % Geometry.ALIGNMENT, "blocks after the header stay aligned");
    }

    /** CPython's 64-bit offsets, from the reference table. */
    @Test
    void offsetsMatchCPython() {
        assertEquals(0, PoolHeader.REF_COUNT_OFFSET);
        assertEquals(8, PoolHeader.FREEBLOCK_OFFSET);
        assertEquals(16, PoolHeader.NEXTPOOL_OFFSET);
        assertEquals(24, PoolHeader.PREVPOOL_OFFSET);
        assertEquals(32, PoolHeader.ARENAINDEX_OFFSET);
        assertEquals(36, PoolHeader.SZIDX_OFFSET);
        assertEquals(40, PoolHeader.NEXTOFFSET_OFFSET);
        assertEquals(44, PoolHeader.MAXNEXTOFFSET_OFFSET);
        assertEquals(48, PoolHeader.LENGTH);
        assertEquals(0xFFFF, PoolHeader.DUMMY_SIZE_IDX);
        // The usedpools trick needs nextpool/prevpool at 2 and 3 pointer sizes, unpadded.
        assertEquals(2 * 8, PoolHeader.NEXTPOOL_OFFSET);
        assertEquals(3 * 8, PoolHeader.PREVPOOL_OFFSET);
        for (MemoryLayout e : PoolHeader.LAYOUT.memberLayouts()) {
            if (e.name().isPresent()) {
                assertEquals(0, offset(e.name().get()) % e.byteAlignment(), "naturally aligned: " + e);
            }
        }
    }

    private static int intAt(long pool, long offset) {
        return NativeMemory.getInt(pool + offset);
    }

    private static long longAt(long pool, long offset) {
        return NativeMemory.getLong(pool + offset);
    }

    /** The free-list link in a free block: a plain address, as in CPython. */
    private static long linkAt(long block) {
        return NativeMemory.getLong(block);
    }

    /** Three 64-byte mallocs into a fresh heap, then a free: the header as CPython would have it. */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void liveHeaderAfterAKnownSequence(Geometry g) {
        try (PyMalloc heap = PyMalloc.create(g)) {
            long b0 = heap.malloc(64);
            long b1 = heap.malloc(60);
            long b2 = heap.malloc(49);
            long pool = b0 & -(long) g.poolSize();
            assertEquals(pool + 48, b0);
            assertEquals(b0 + 64, b1);
            assertEquals(b1 + 64, b2);
            assertEquals(3, intAt(pool, PoolHeader.REF_COUNT_OFFSET), "count");
            assertEquals(3, intAt(pool, PoolHeader.SZIDX_OFFSET), "szidx");
            assertEquals(0, intAt(pool, PoolHeader.ARENAINDEX_OFFSET), "arenaindex of the first arena slot");
            // Init carves two blocks (nextoffset = 48 + 2*64); each later pool_extend carves one more.
            assertEquals(48 + 4 * 64, intAt(pool, PoolHeader.NEXTOFFSET_OFFSET), "nextoffset");
            assertEquals(g.poolSize() - 64, intAt(pool, PoolHeader.MAXNEXTOFFSET_OFFSET), "maxnextoffset");
            long b3 = b2 + 64;
            assertEquals(b3, longAt(pool, PoolHeader.FREEBLOCK_OFFSET), "freeblock: the next virgin block");
            assertEquals(0, linkAt(b3), "the free list ends at the virgin block");
            // The only pool of class 3: the ring is sentinel <-> pool.
            long sentinel = longAt(pool, PoolHeader.NEXTPOOL_OFFSET);
            assertEquals(sentinel, longAt(pool, PoolHeader.PREVPOOL_OFFSET), "alone in its ring");
            assertFalse(heap.isArenaAddress(sentinel), "the sentinel is outside the arenas");
            assertEquals(0, longAt(sentinel, PoolHeader.NEXTPOOL_OFFSET), "a ring's first pool is kept in Java only");
            assertEquals(pool, longAt(sentinel, PoolHeader.PREVPOOL_OFFSET), "the sentinel keeps the ring's last pool");

            heap.free(b1);
            assertEquals(2, intAt(pool, PoolHeader.REF_COUNT_OFFSET));
            assertEquals(b1, longAt(pool, PoolHeader.FREEBLOCK_OFFSET), "free pushes on the list head");
            assertEquals(b3, linkAt(b1), "freed block links to the old head");
            assertEquals(48 + 4 * 64, intAt(pool, PoolHeader.NEXTOFFSET_OFFSET), "free does not touch nextoffset");

            // A second class gets the next pool, carved right after.
            long c0 = heap.malloc(16);
            long pool2 = c0 & -(long) g.poolSize();
            assertEquals(pool + g.poolSize(), pool2, "pools are carved in address order");
            assertEquals(0, intAt(pool2, PoolHeader.SZIDX_OFFSET));
            assertEquals(48 + 2 * 16, intAt(pool2, PoolHeader.NEXTOFFSET_OFFSET));
            assertEquals(g.poolSize() - 16, intAt(pool2, PoolHeader.MAXNEXTOFFSET_OFFSET));
            assertEquals(1, intAt(pool2, PoolHeader.REF_COUNT_OFFSET));
            assertEquals(c0 + 16, longAt(pool2, PoolHeader.FREEBLOCK_OFFSET));
            heap.checkInvariants();
        }
    }

    /** Pools of a second arena name slot 1; an emptied pool keeps its class and free list. */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void arenaIndexAndEmptyPoolHeader(Geometry g) {
        try (PyMalloc heap = PyMalloc.create(g)) {
            int perArena = g.poolsPerArena() * g.blocksPerPool(31);
            long[] blocks = new long[perArena + 1];
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = heap.malloc(512);
            }
            long firstPool = blocks[0] & -(long) g.poolSize();
            long lastPool = blocks[perArena] & -(long) g.poolSize();
            assertEquals(0, intAt(firstPool, PoolHeader.ARENAINDEX_OFFSET));
            assertEquals(1, intAt(lastPool, PoolHeader.ARENAINDEX_OFFSET), "second arena, slot 1");
            assertNotEquals(firstPool & -(long) g.arenaSize(), lastPool & -(long) g.arenaSize());
            assertEquals(31, intAt(lastPool, PoolHeader.SZIDX_OFFSET));
            // Full pools: freeblock is 0 and nextoffset is past maxnextoffset.
            assertEquals(0, longAt(firstPool, PoolHeader.FREEBLOCK_OFFSET), "full pool");
            assertTrue(intAt(firstPool, PoolHeader.NEXTOFFSET_OFFSET) > intAt(firstPool, PoolHeader.MAXNEXTOFFSET_OFFSET));
            assertEquals(g.blocksPerPool(31), intAt(firstPool, PoolHeader.REF_COUNT_OFFSET));
            // Empty the first pool: count 0, class kept, the whole pool on its free list.
            for (int i = 0; i < g.blocksPerPool(31); i++) {
                heap.free(blocks[i]);
            }
            assertEquals(0, intAt(firstPool, PoolHeader.REF_COUNT_OFFSET));
            assertEquals(31, intAt(firstPool, PoolHeader.SZIDX_OFFSET), "an empty pool keeps its szidx");
            int onList = 0;
            for (long b = longAt(firstPool, PoolHeader.FREEBLOCK_OFFSET); b != 0; b = linkAt(b)) {
                onList++;
            }
            assertEquals(g.blocksPerPool(31), onList);
            heap.checkInvariants();
        }
    }
}
