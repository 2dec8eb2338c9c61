package org.pymalloc4j.allocator;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RawAllocatorTest {
    @Test
    void mallocReallocFreeKeepContents() {
        long p = RawAllocator.malloc(100);
        assertNotEquals(0, p);
        NativeMemory.putLong(p, 0x1122334455667788L);
        long q = RawAllocator.realloc(p, 100_000);
        assertNotEquals(0, q);
        assertEquals(0x1122334455667788L, NativeMemory.getLong(q));
        RawAllocator.free(q);
        RawAllocator.free(0);
    }

    @Test
    void callocZeroes() {
        long p = RawAllocator.calloc(1000, 8);
        for (int i = 0; i < 8000; i += 8) {
            assertEquals(0, NativeMemory.getLong(p + i));
        }
        RawAllocator.free(p);
    }

    @Test
    void failedAllocationsReturnZero() {
        assertEquals(0, RawAllocator.malloc(Long.MAX_VALUE));
        assertEquals(0, RawAllocator.calloc(Long.MAX_VALUE, 16));
    }

    @Test
    void mapAlignedIsAlignedZeroedAndWritable() {
        for (long alignment : new long[] {1 << 18, 1 << 20}) {
            long base = RawAllocator.mapAligned(alignment, alignment);
            assertEquals(0, base & (alignment - 1), "aligned to " + alignment);
            assertEquals(0, NativeMemory.getLong(base + alignment - 8));
            NativeMemory.putLong(base, 42);
            RawAllocator.unmap(base, alignment);
        }
    }

    /** "@throws IllegalStateException if munmap fails, which means the range was not mapped" */
    @Test
    void unmapOfAMisalignedRangeThrows() {
        long base = RawAllocator.mmap(1 << 16);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RawAllocator.unmap(base + 1, 4096));
        assertEquals(true, e.getMessage().contains("munmap"));
        RawAllocator.unmap(base, 1 << 16);
    }

    @Test
    void pageSizeIsAPowerOfTwo() {
        long page = RawAllocator.pageSize();
        assertTrue(page >= 4096 && Long.bitCount(page) == 1, "page size " + page);
    }

    /** The kernel here is 5.14 or later, so MADV_POPULATE_WRITE is known. */
    @Test
    void populateBacksEveryPageBeforeItsFirstWrite() {
        long page = RawAllocator.pageSize();
        long base = RawAllocator.mmap(8 * page);
        try {
            assertEquals("........", Residency.of(base, 8), "a fresh mapping has no pages");
            assertTrue(RawAllocator.populate(base + 2 * page, 4 * page));
            assertEquals("..####..", Residency.of(base, 8), "the four pages asked for, and no others");
            for (long o = 2 * page; o < 6 * page; o += 8) {
                assertEquals(0, NativeMemory.getLong(base + o), "populated pages read as zero");
            }
            NativeMemory.putLong(base + 2 * page, 42);
            assertEquals(42, NativeMemory.getLong(base + 2 * page));
        } finally {
            RawAllocator.unmap(base, 8 * page);
        }
    }

    /** A refused call returns false and changes nothing; later calls still populate. */
    @Test
    void populateOfAMisalignedOrUnmappedRangeReturnsFalse() {
        long page = RawAllocator.pageSize();
        long base = RawAllocator.mmap(4 * page);
        RawAllocator.unmap(base + 2 * page, 2 * page);
        try {
            assertFalse(RawAllocator.populate(base + 1, page), "misaligned");
            assertFalse(RawAllocator.populate(base + 2 * page, page), "unmapped");
            assertFalse(RawAllocator.populate(base, -1), "negative size");
            assertEquals("..", Residency.of(base, 2));
            assertTrue(RawAllocator.populate(base, 2 * page), "still asked after the refusals");
            assertEquals("##", Residency.of(base, 2));
        } finally {
            RawAllocator.unmap(base, 2 * page);
        }
    }
}
