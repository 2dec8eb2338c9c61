package org.pymalloc4j.allocator;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** libc malloc as a checked {@link BlockAllocator}: one test per {@code @throws}. */
class LibcAllocatorTest {

    @Test
    void blocksAreTrackedAndClosedWithTheAllocator() {
        LibcAllocator libc = LibcAllocator.create();
        long a = libc.malloc(0);
        long b = libc.calloc(3, 7);
        assertTrue(libc.isLive(a) && libc.isLive(b));
        assertEquals(2, libc.liveBlocks());
        assertEquals(21, libc.liveBytes());
        for (int i = 0; i < 21; i++) {
            assertEquals(0, org.pymalloc4j.allocator.internal.NativeMemory.getByte(b + i));
        }
        assertEquals(0, libc.usableSize(a), "the requested size, 0 included");
        assertEquals(21, libc.usableSize(b));
        long c = libc.realloc(b, 4000);
        assertEquals(4000, libc.usableSize(c));
        assertFalse(libc.isLive(0));
        assertEquals(4000, libc.liveBytes());
        libc.free(a);
        libc.checkInvariants();
        libc.close(); // frees c
        libc.close();
    }

    /**
     * Blocks of 80 bytes or more are recorded in the live-block map under raw mark 0x80, which
     * unchecked heaps share: the allocators' entries tell their blocks apart. Smaller ones go to
     * the table unpadded, and a block moves between the two as realloc resizes it.
     */
    @Test
    void largeBlocksAreRecordedInTheMapAndSmallOnesInTheTable() {
        try (LibcAllocator libc = LibcAllocator.create(); LibcAllocator other = LibcAllocator.create()) {
            long big = libc.malloc(100);
            long small = libc.malloc(16);
            assertEquals(0x80, TestSupport.liveMark(big), "recorded in the map");
            assertEquals(0, TestSupport.liveMark(small), "in the table");
            long theirs = other.malloc(100);
            TestSupport.refusedAddress("free", theirs, () -> libc.free(theirs), "same raw mark, not its entry");
            long shrunk = libc.realloc(big, 20);
            assertEquals(0, TestSupport.liveMark(shrunk), "moved to the table");
            if (shrunk != big) {
                assertEquals(0, TestSupport.liveMark(big), "its old record gone");
            }
            long grown = libc.realloc(small, 5000);
            assertEquals(5000, libc.usableSize(grown), "a table block stays in the table as it grows");
            assertEquals(2, libc.liveBlocks());
            assertEquals(5020, libc.liveBytes());
            libc.checkInvariants();
            other.checkInvariants();
            libc.free(shrunk);
            libc.free(grown);
            other.free(theirs);
            assertEquals(0, libc.liveBlocks() + other.liveBlocks());
        }
    }

    /** malloc/calloc/realloc: "@throws IllegalArgumentException if size is negative". */
    @Test
    void negativeSizesAreRefused() {
        try (LibcAllocator libc = LibcAllocator.create()) {
            Class<IllegalArgumentException> iae = IllegalArgumentException.class;
            assertEquals("malloc(-1): negative size", assertThrows(iae, () -> libc.malloc(-1)).getMessage());
            assertEquals("calloc(2, -1): negative size", assertThrows(iae, () -> libc.calloc(2, -1)).getMessage());
            assertEquals("realloc(0x0, -1): negative size", assertThrows(iae, () -> libc.realloc(0, -1)).getMessage());
            long p = libc.malloc(24);
            assertEquals("realloc(0x" + Long.toHexString(p) + ", -1): negative size",
                    assertThrows(iae, () -> libc.realloc(p, -1)).getMessage());
            assertEquals(24, libc.usableSize(p), "the block is untouched");
            libc.free(p);
            assertEquals("pymalloc4j: calloc(9223372036854775807, 4): size overflows a long",
                    assertThrows(OutOfMemoryError.class, () -> libc.calloc(Long.MAX_VALUE, 4)).getMessage());
            assertEquals(0, libc.liveBlocks());
        }
    }

    /** free/realloc/usableSize: "@throws InvalidAddressException if address is not a live block". */
    @Test
    void foreignAndFreedAddressesAreRefused() {
        try (LibcAllocator libc = LibcAllocator.create()) {
            long p = libc.malloc(100);
            libc.free(p);
            InvalidAddressException e = TestSupport.refusedAddress("free", p, () -> libc.free(p));
            assertEquals(p, e.address());
            assertTrue(e.getMessage().contains("not a block allocated by this libc allocator"), e.getMessage());
            TestSupport.refusedAddress("realloc", p + 8, () -> libc.realloc(p + 8, 10));
            InvalidAddressException size = TestSupport.refusedAddress("usableSize", p, () -> libc.usableSize(p));
            assertTrue(size.getMessage().startsWith("usableSize(0x" + Long.toHexString(p) + ")"), size.getMessage());
            TestSupport.refusedAddress("usableSize", 0, () -> libc.usableSize(0));
            libc.checkInvariants();
        }
    }

    /** create(limit): "@throws IllegalArgumentException if limit is not positive"; the limit refuses. */
    @Test
    void aLimitCapsTheRequestedBytes() {
        for (long limit : new long[] {0, -1}) {
            assertEquals("memory limit must be positive, was " + limit,
                    assertThrows(IllegalArgumentException.class, () -> LibcAllocator.create(limit)).getMessage());
        }
        try (LibcAllocator libc = LibcAllocator.create(1000)) {
            long p = libc.malloc(600);
            MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> libc.malloc(600));
            assertEquals(1000, e.limit());
            assertEquals(600, e.inUse());
            libc.free(p);
            libc.free(libc.malloc(1000));
        }
    }

    /** Every method: "@throws IllegalStateException if the allocator is closed". */
    @Test
    void everyCallAfterCloseIsRefused() {
        LibcAllocator libc = LibcAllocator.create();
        long p = libc.malloc(8);
        libc.close();
        for (Executable call : List.<Executable>of(() -> libc.malloc(8), () -> libc.calloc(1, 8), () -> libc.realloc(p, 8),
                () -> libc.free(p), () -> libc.isLive(p), () -> libc.usableSize(p), libc::checkInvariants)) {
            assertEquals("this LibcAllocator is closed", assertThrows(IllegalStateException.class, call).getMessage());
        }
    }
}
