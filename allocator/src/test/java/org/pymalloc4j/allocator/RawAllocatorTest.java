package org.pymalloc4j.allocator;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.testkit.MappingsAtTheLimit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    /**
     * mapAligned: "@throws IllegalArgumentException if {@code alignment} is not a power of two".
     * Alignment 0 made it unmap from address {@code size} up to its first mapping, the JVM's with it.
     */
    @Test
    void mapAlignedRefusesAnAlignmentThatIsNoPowerOfTwo() {
        for (long alignment : new long[] {3, 3 << 12, 0, -4096, Long.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RawAllocator.mapAligned(1 << 20, alignment), "alignment " + alignment);
            assertEquals("mapAligned: alignment must be a power of two, was " + alignment, e.getMessage());
        }
        assertEquals(0, ArenaAllocator.mmap().allocate(0), "the default arena allocator still answers 0, no exception");
        assertEquals(0, ArenaAllocator.mmap().allocate(-1 << 20));
    }

    /**
     * unmap: "@throws IllegalStateException if munmap refuses the range: address not page-aligned,
     * size 0, or a range reaching past the user address space (EINVAL); nothing is unmapped then".
     */
    @Test
    void unmapRefusesAMisalignedAddressAZeroSizeAndARangePastTheAddressSpace() {
        long base = RawAllocator.mmap(1 << 16);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RawAllocator.unmap(base + 1, 4096));
        assertTrue(e.getMessage().contains("munmap(0x" + Long.toHexString(base + 1) + ", 4096) failed"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> RawAllocator.unmap(base, 0));
        assertTrue(e.getMessage().contains("munmap(0x" + Long.toHexString(base) + ", 0) failed"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> RawAllocator.unmap(base, -4096), "a size_t past the top");
        assertTrue(e.getMessage().contains("munmap(0x" + Long.toHexString(base) + ", -4096) failed"), e.getMessage());
        NativeMemory.putLong(base, 42); // still mapped: a refusal unmaps nothing
        NativeMemory.putLong(base + (1 << 16) - 8, 42);
        RawAllocator.unmap(base, 1 << 16);
    }

    /**
     * unmap: "@throws IllegalStateException ... or unmapping the middle of a mapping would split it
     * when the process has as many mappings as the kernel allows (ENOMEM)", each refusal saying
     * which. In a child JVM (interpreted, its heap committed up front), which fills its mappings
     * up to vm.max_map_count by making every other page of a reservation writable, then unmaps
     * the middle page of three-page mappings until one is refused; then gives the pages back.
     */
    @Test
    void unmapSaysWhenTheProcessHasAllTheMappingsItMayHave() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/sys/vm/max_map_count")), "Linux only");
        String out = TestSupport.runLimited(1L << 40, "false", TooManyMappings.class, "-Xint", "-Xms32m",
                "-XX:+AlwaysPreTouch");
        assertTrue(out.contains("refused: munmap(0x"), out);
        assertTrue(out.contains(", 4096) failed: unmapping the range would split a mapping, and the process has as many"
                + " mappings as the kernel allows (vm.max_map_count); nothing was unmapped"), out);
    }

    /** The child of {@link #unmapSaysWhenTheProcessHasAllTheMappingsItMayHave}. */
    public static final class TooManyMappings {
        private static final long PAGE = 4096;

        public static void main(String[] args) {
            long warm = RawAllocator.mmap(PAGE); // the refusal's code linked before the squeeze
            try {
                RawAllocator.unmap(warm + 1, PAGE);
            } catch (IllegalStateException expected) {
                System.out.println("warm: " + expected.getMessage());
            }
            long[] triples = new long[64];
            for (int i = 0; i < triples.length; i++) {
                triples[i] = RawAllocator.mmap(3 * PAGE);
            }
            MappingsAtTheLimit limit = new MappingsAtTheLimit();
            long committed = limit.fill();
            String refusal = null;
            for (int i = 0; i < triples.length && refusal == null; i++) {
                try {
                    RawAllocator.unmap(triples[i] + PAGE, PAGE);
                } catch (IllegalStateException e) {
                    refusal = e.getMessage();
                }
            }
            limit.release(); // the mappings back first, then the output
            System.out.println("pages made writable: " + committed);
            System.out.println("refused: " + refusal);
        }
    }

    /**
     * unmap: "A range that is not (or not wholly) mapped is not refused". Page 0 is never mapped while
     * vm.mmap_min_addr keeps it out of reach, so unmapping it harms nothing.
     */
    @Test
    void unmapOfARangeWithNoMappingIsNotRefused() throws Exception {
        Path minAddr = Path.of("/proc/sys/vm/mmap_min_addr"); // readAllLines: readString stops short on /proc
        assumeTrue(Files.isReadable(minAddr) && Long.parseLong(Files.readAllLines(minAddr).getFirst().strip()) >= 4096,
                "page 0 may be mapped here");
        assertDoesNotThrow(() -> RawAllocator.unmap(0, 4096));
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
