package org.pymalloc4j.allocator;

import org.junit.jupiter.api.Test;

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
        assertTrue(c != 0);
    }

    /** malloc/calloc/realloc: "@throws IllegalArgumentException if size is negative". */
    @Test
    void negativeSizesAreRefused() {
        try (LibcAllocator libc = LibcAllocator.create()) {
            assertThrows(IllegalArgumentException.class, () -> libc.malloc(-1));
            assertThrows(IllegalArgumentException.class, () -> libc.calloc(2, -1));
            assertThrows(IllegalArgumentException.class, () -> libc.realloc(0, -1));
            assertThrows(OutOfMemoryError.class, () -> libc.calloc(Long.MAX_VALUE, 4));
            assertEquals(0, libc.liveBlocks());
        }
    }

    /** free/realloc/usableSize: "@throws InvalidAddressException if address is not a live block". */
    @Test
    void foreignAndFreedAddressesAreRefused() {
        try (LibcAllocator libc = LibcAllocator.create()) {
            long p = libc.malloc(100);
            libc.free(p);
            InvalidAddressException e = assertThrows(InvalidAddressException.class, () -> libc.free(p));
            assertEquals(p, e.address());
            assertTrue(e.getMessage().contains("not a block allocated by this libc allocator"), e.getMessage());
            assertThrows(InvalidAddressException.class, () -> libc.realloc(p + 8, 10));
            InvalidAddressException size = assertThrows(InvalidAddressException.class, () -> libc.usableSize(p));
            assertTrue(size.getMessage().startsWith("usableSize(0x" + Long.toHexString(p) + ")"), size.getMessage());
            assertThrows(InvalidAddressException.class, () -> libc.usableSize(0));
            libc.checkInvariants();
        }
    }

    /** create(limit): "@throws IllegalArgumentException if limit is not positive"; the limit refuses. */
    @Test
    void aLimitCapsTheRequestedBytes() {
        assertThrows(IllegalArgumentException.class, () -> LibcAllocator.create(0));
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
        assertThrows(IllegalStateException.class, () -> libc.malloc(8));
        assertThrows(IllegalStateException.class, () -> libc.calloc(1, 8));
        assertThrows(IllegalStateException.class, () -> libc.realloc(p, 8));
        assertThrows(IllegalStateException.class, () -> libc.free(p));
        assertThrows(IllegalStateException.class, () -> libc.isLive(p));
        assertThrows(IllegalStateException.class, () -> libc.usableSize(p));
        assertThrows(IllegalStateException.class, libc::checkInvariants);
    }
}
