package org.pymalloc4j.allocator;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An arena allocator whose free throws (the default's munmap refused with an errno it does not
 * know, a custom one's failure) when a block's free or realloc empties an arena: the block
 * operation has done its work by then, so it completes, as CPython's, whose arena free cannot
 * fail; the failure is kept for {@link PyMalloc#close()}. Thrown out of realloc it lost the
 * block realloc had moved to, and thrown out of free it left the domain's live-block count and
 * the tracer's trace of a freed block behind.
 */
class ArenaReturnFailureTest {
    private static final int BIG = 512;


    /** Two arenas of 512-byte blocks; the second's emptied (the last usable arena, kept): the first's blocks. */
    private static long[] firstArenaOfTwo(BlockAllocator heap, Geometry g) {
        int perArena = g.poolsPerArena() * g.blocksPerPool(31);
        long[] blocks = new long[2 * perArena];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = heap.malloc(BIG);
        }
        for (int i = perArena; i < blocks.length; i++) {
            heap.free(blocks[i]);
        }
        return java.util.Arrays.copyOf(blocks, perArena);
    }

    @Test
    void aReallocThatEmptiesAnArenaReturnsTheMovedBlock() {
        RefusingArenaAllocator refusing = new RefusingArenaAllocator(1); // every free throws
        PyMalloc heap = PyMalloc.builder().arenaAllocator(refusing).build();
        long[] blocks = firstArenaOfTwo(heap, heap.geometry());
        for (int i = 0; i < blocks.length - 1; i++) {
            heap.free(blocks[i]);
        }
        long last = blocks[blocks.length - 1];
        byte[] contents = new byte[BIG];
        for (int i = 0; i < BIG; i++) {
            contents[i] = (byte) (i * 7);
        }
        java.lang.foreign.MemorySegment.copy(contents, 0, heap.segment(last), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, BIG);
        long moved = assertDoesNotThrow(() -> heap.realloc(last, 1000), "the block moved to a raw one; only the arena's return failed");
        assertEquals(1, refusing.refusals, "the emptied arena was handed back");
        assertTrue(heap.isLive(moved));
        assertFalse(heap.isLive(last));
        assertArrayEquals(contents, heap.segment(moved).asSlice(0, BIG).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        assertEquals(1, heap.stats().arenasCurrent());
        heap.checkInvariants();
        heap.free(moved);
        IllegalStateException atClose = assertThrows(IllegalStateException.class, heap::close, "the kept failure");
        assertTrue(atClose.getMessage().startsWith("refused 0x"), atClose.getMessage());
        assertTrue(heap.isClosed());
        assertEquals(List.of(), refusing.live, "every arena went back");
        assertDoesNotThrow(heap::close);
    }

    @Test
    void aFreeThatEmptiesAnArenaLeavesTheDomainAndTracerCountsRight() {
        RefusingArenaAllocator refusing = new RefusingArenaAllocator(1); // every free throws
        Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).arenaAllocator(refusing).build();
        memory.tracer().start();
        MemoryDomain mem = memory.mem();
        long[] blocks = firstArenaOfTwo(mem, memory.pymalloc().geometry());
        for (long b : blocks) {
            assertDoesNotThrow(() -> mem.free(b), "the block is freed; only the arena's return failed");
        }
        assertEquals(1, refusing.refusals);
        assertEquals(0, mem.liveBlocks(), "every block freed");
        assertEquals(0, memory.tracer().traceCount(), "no trace of a freed block");
        assertEquals(0, memory.tracer().tracedMemory().current());
        memory.checkInvariants();
        memory.tracer().stop();
        IllegalStateException atClose = assertThrows(IllegalStateException.class, memory::close, "the kept failure");
        assertTrue(atClose.getMessage().startsWith("refused 0x"), atClose.getMessage());
        assertEquals(List.of(), refusing.live, "every arena went back");
    }

    /** The first failure is thrown, 16 later ones suppressed in it, the rest counted, then close's own. */
    @Test
    void keptFailuresReachCloseAtABoundedCost() {
        RefusingArenaAllocator refusing = new RefusingArenaAllocator(1); // every free throws
        PyMalloc heap = PyMalloc.builder().arenaAllocator(refusing).build();
        for (int round = 0; round < 20; round++) {
            for (long b : firstArenaOfTwo(heap, heap.geometry())) {
                heap.free(b);
            }
        }
        assertEquals(20, refusing.refusals);
        heap.checkInvariants();
        IllegalStateException atClose = assertThrows(IllegalStateException.class, heap::close);
        Throwable[] suppressed = atClose.getSuppressed();
        assertEquals(16 + 2, suppressed.length);
        assertEquals("3 more arena returns failed before close", suppressed[16].getMessage());
        assertTrue(suppressed[17].getMessage().startsWith("refused 0x"), "close's own: " + suppressed[17]);
        assertEquals(List.of(), refusing.live);
    }
}
