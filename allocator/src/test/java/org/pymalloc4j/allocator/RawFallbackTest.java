package org.pymalloc4j.allocator;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.testkit.NoArenas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small request that can get no pool is a raw block instead, as in CPython 3.11, whose
 * _PyObject_Malloc and _PyObject_Calloc fall back to PyMem_RawMalloc / RawCalloc (counting the
 * block in raw_allocated_blocks) when pymalloc_alloc fails because new_arena did; only if that
 * fails too is the request refused. The block is then a raw block in every respect, and calloc's
 * is libc's calloc, as the refusal names it.
 */
class RawFallbackTest {
    private static final ArenaAllocator NONE = NoArenas.INSTANCE; // as when the OS refuses mmap

    @Test
    void aSmallRequestWithNoArenaIsARawBlockInEveryRespect() {
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(NONE).build()) {
            long p = heap.malloc(16);
            assertFalse(heap.isArenaAddress(p));
            assertTrue(heap.isLive(p));
            assertEquals(16, heap.usableSize(p), "the requested size: a raw block has no size class");
            assertEquals(16, heap.bytesFromOs(), "charged as a raw block");
            MallocStats stats = heap.stats();
            assertEquals(1, stats.rawBlocks());
            assertEquals(16, stats.rawBytes());
            assertEquals(0, stats.arenasCurrent());
            assertEquals(0, stats.sizeClass(0).pools());
            heap.checkInvariants();
            TestSupport.fill(p, 16, 3);
            long q = heap.realloc(p, 100); // raw blocks stay raw, as CPython's realloc of a non-pymalloc pointer
            assertFalse(heap.isArenaAddress(q));
            assertEquals(100, heap.usableSize(q));
            TestSupport.verify(q, 16, 3, "the raw block's contents after realloc");
            long z = heap.calloc(4, 8);
            assertFalse(heap.isArenaAddress(z));
            for (int i = 0; i < 32; i += 8) {
                assertEquals(0, org.pymalloc4j.allocator.internal.NativeMemory.getLong(z + i));
            }
            heap.free(z);
            heap.free(q);
            InvalidAddressException e = assertThrows(InvalidAddressException.class, () -> heap.free(q));
            assertTrue(e.getMessage().contains("not a block allocated by this heap"), e.getMessage());
            assertEquals(0, heap.bytesFromOs());
            assertEquals(0, heap.stats().rawBlocks());
            heap.checkInvariants();
            heap.setArenaAllocator(ArenaAllocator.mmap()); // the pools again once arenas can be had
            long small = heap.malloc(16);
            assertTrue(heap.isArenaAddress(small));
            heap.free(small);
            heap.checkInvariants();
        }
    }

    /** realloc of a small block into another class with no pool to be had moves it to a raw block. */
    @Test
    void reallocIntoASmallSizeWithNoPoolMovesToARawBlock() {
        Geometry onePool = new Geometry("one-pool", 12, 12); // an arena of one pool, which the first block fills up
        try (PyMalloc heap = PyMalloc.builder().geometry(onePool).build()) {
            long p = heap.malloc(16);
            assertTrue(heap.isArenaAddress(p));
            TestSupport.fill(p, 16, 5);
            heap.setArenaAllocator(NONE);
            long q = heap.realloc(p, 100);
            assertFalse(heap.isArenaAddress(q));
            TestSupport.verify(q, 16, 5, "the block's contents after the move");
            assertFalse(heap.isLive(p));
            assertEquals(1, heap.stats().rawBlocks());
            heap.checkInvariants();
            heap.free(q);
            heap.checkInvariants();
        }
    }

    /** Both refused: the arena's refusal, the raw block's suppressed in it, and nothing changed. */
    @Test
    void aSmallRequestRefusedBothWaysThrowsTheArenasRefusalWithNothingChanged() {
        try (PyMalloc heap = PyMalloc.builder().limit(8).build()) {
            MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> heap.malloc(16));
            assertTrue(e.what().equals("a new arena"), e.getMessage());
            assertEquals(1, e.getSuppressed().length, e.toString());
            MemoryLimitExceededError raw = assertInstanceOf(MemoryLimitExceededError.class, e.getSuppressed()[0]);
            assertEquals("malloc(16): a raw block", raw.what());
            e = assertThrows(MemoryLimitExceededError.class, () -> heap.calloc(2, 8));
            assertEquals(1, e.getSuppressed().length, e.toString());
            raw = assertInstanceOf(MemoryLimitExceededError.class, e.getSuppressed()[0]);
            assertEquals("calloc(2, 8): a raw block", raw.what(), "libc's calloc, as CPython's PyMem_RawCalloc");
            assertEquals("realloc(0x0, 16): a raw block", suppressedWhat(() -> heap.realloc(0, 16)), "the call made");
            assertEquals("allocate(16, 8): a raw block", suppressedWhat(() -> heap.allocate(16, 8).address()));
            assertEquals(0, heap.bytesFromOs());
            assertEquals(0, heap.stats().rawBlocks());
            assertEquals(0, heap.stats().arenasCurrent());
            heap.checkInvariants();
            long p = heap.malloc(8); // what the limit allows: a raw block of 8 bytes
            assertFalse(heap.isArenaAddress(p));
            assertEquals(8, heap.bytesFromOs());
            heap.free(p);
            heap.checkInvariants();
        }
    }

    /** realloc of a small block into a class with no pool, refused both ways, names realloc; the block stays. */
    @Test
    void aReallocRefusedBothWaysNamesReallocAndLeavesTheBlock() {
        Geometry onePool = new Geometry("one-pool", 12, 12);
        try (PyMalloc heap = PyMalloc.builder().geometry(onePool).limit(onePool.arenaSize()).build()) {
            long p = heap.malloc(16); // the one arena the limit allows
            TestSupport.fill(p, 16, 7);
            assertEquals("realloc(0x" + Long.toHexString(p) + ", 100): a raw block", suppressedWhat(() -> heap.realloc(p, 100)));
            assertTrue(heap.isLive(p));
            TestSupport.verify(p, 16, 7, "the block after the refused realloc");
            assertEquals(onePool.arenaSize(), heap.bytesFromOs());
            assertEquals(0, heap.stats().rawBlocks());
            heap.checkInvariants();
            heap.free(p);
        }
    }

    /** A Memory's domain, as a SegmentAllocator, names allocate in the raw fallback's refusal as the heap does. */
    @Test
    void aDomainsAllocateRefusedBothWaysNamesAllocate() {
        try (Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).limit(8).build()) {
            assertEquals("allocate(16, 8): a raw block", suppressedWhat(() -> memory.mem().allocate(16, 8).address()));
            assertEquals(0, memory.mem().liveBlocks());
            assertEquals(0, memory.bytesFromOs());
        }
    }

    /** The what() of the raw block's refusal suppressed in the arena's, which {@code call} throws. */
    private static String suppressedWhat(java.util.function.LongSupplier call) {
        MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, call::getAsLong);
        assertEquals("a new arena", e.what(), e.getMessage());
        assertEquals(1, e.getSuppressed().length, e.toString());
        return assertInstanceOf(MemoryLimitExceededError.class, e.getSuppressed()[0]).what();
    }
}
