package org.pymalloc4j.allocator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The heap as a {@link SegmentAllocator}: {@link PyMalloc#allocate} and {@link PyMalloc#free(MemorySegment)}. */
class SegmentAllocatorTest {
    @Test
    void segmentsHaveTheRequestedSizeComeFromTheHeapAndGoBack() {
        long seed = new SplittableRandom().nextLong();
        System.out.println("SegmentAllocatorTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        try (PyMalloc heap = PyMalloc.create()) {
            List<MemorySegment> live = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                if (!live.isEmpty() && random.nextInt(3) == 0) {
                    heap.free(live.remove(random.nextInt(live.size())));
                    continue;
                }
                long size = random.nextInt(1200); // pool classes, 0 and raw blocks alike
                long alignment = 1L << random.nextInt(5); // 1..16
                MemorySegment s = heap.allocate(size, alignment);
                assertEquals(size, s.byteSize(), "the requested size, not the block's");
                assertEquals(0, s.address() % Geometry.ALIGNMENT, "16-byte aligned");
                assertTrue(heap.isLive(s.address()), "a block of the heap");
                assertEquals(size <= 512 && size > 0, heap.isArenaAddress(s.address()), "small sizes from the pools");
                s.fill((byte) i);
                live.add(s);
            }
            for (MemorySegment s : live) {
                heap.free(s);
            }
            heap.checkInvariants();
            assertEquals(0, heap.stats().allocatedBlockBytes(), "every block given back");
        }
    }

    @Test
    void theDefaultMethodsOfSegmentAllocatorWork() {
        try (PyMalloc heap = PyMalloc.create()) {
            SegmentAllocator allocator = heap;
            MemorySegment text = allocator.allocateFrom("pymalloc4j");
            assertEquals("pymalloc4j", text.getString(0));
            MemorySegment ints = allocator.allocateFrom(ValueLayout.JAVA_INT, 3, 1, 4, 1, 5);
            assertArrayEquals(new int[] {3, 1, 4, 1, 5}, ints.toArray(ValueLayout.JAVA_INT));
            StructLayout point = MemoryLayout.structLayout(ValueLayout.JAVA_DOUBLE.withName("x"),
                    ValueLayout.JAVA_DOUBLE.withName("y"));
            MemorySegment p = allocator.allocate(point);
            assertEquals(16, p.byteSize());
            MemorySegment longs = allocator.allocate(ValueLayout.JAVA_LONG, 100); // 800 bytes: a raw block
            assertFalse(heap.isArenaAddress(longs.address()));
            for (MemorySegment s : List.of(text, ints, p, longs)) {
                heap.free(s);
            }
            heap.checkInvariants();
        }
    }

    /** allocate: "@throws IllegalArgumentException if byteSize is negative, or byteAlignment is not ...". */
    @Test
    void negativeSizesAndUnsupportedAlignmentsAreRefusedWithTheHeapUnchanged() {
        try (PyMalloc heap = PyMalloc.create()) {
            MallocStats before = heap.stats();
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> heap.allocate(-1, 8));
            assertTrue(negative.getMessage().contains("negative size"), negative.getMessage());
            for (long alignment : new long[] {0, -8, 3, 24, 32, 4096}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> heap.allocate(64, alignment), "alignment " + alignment);
                assertTrue(e.getMessage().contains("allocate(64, " + alignment + ")"), e.getMessage());
                assertTrue(e.getMessage().contains("16"), "names the blocks' alignment: " + e.getMessage());
            }
            assertThrows(IllegalArgumentException.class,
                    () -> heap.allocate(MemoryLayout.paddingLayout(64).withByteAlignment(64)));
            assertEquals(before, heap.stats(), "nothing allocated");
        }
    }

    /** allocate: "@throws OutOfMemoryError if the memory cannot be had; the heap stays usable". */
    @Test
    void aSizeThatCannotBeHadIsOutOfMemoryAndTheHeapStaysUsable() {
        try (PyMalloc heap = PyMalloc.create()) {
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> heap.allocate(Long.MAX_VALUE, 8));
            assertTrue(e.getMessage().contains(Long.toString(Long.MAX_VALUE)), e.getMessage());
            heap.free(heap.allocate(64, 8));
            heap.checkInvariants();
        }
    }

    /** allocate: "@throws IllegalStateException if the heap is closed"; its segments end with it. */
    @Test
    void aClosedHeapAllocatesNothingAndItsSegmentsAreDead() {
        PyMalloc heap = PyMalloc.create();
        MemorySegment s = heap.allocate(40, 8);
        s.set(ValueLayout.JAVA_LONG, 0, 7);
        heap.close();
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_LONG, 0), "a segment after close");
        assertThrows(IllegalStateException.class, () -> heap.allocate(40, 8));
        assertThrows(IllegalStateException.class, () -> heap.free(s));
    }

    /** free(MemorySegment): "@throws InvalidAddressException if no live block of this heap starts there". */
    @Test
    void freeingASegmentTwiceASliceOrAnotherArenasSegmentIsRefused() {
        try (PyMalloc heap = PyMalloc.create(); Arena arena = Arena.ofConfined()) {
            MemorySegment raw = heap.allocate(4000, 16);
            MemorySegment slice = raw.asSlice(16);
            assertThrows(InvalidAddressException.class, () -> heap.free(slice), "a slice of a raw block");
            heap.free(raw);
            assertThrows(InvalidAddressException.class, () -> heap.free(raw), "a raw block freed twice");
            assertThrows(InvalidAddressException.class, () -> heap.free(arena.allocate(64)), "another arena's");
            assumeTrue(PyMalloc.isChecked(), "small blocks are checked only in checked mode");
            MemorySegment small = heap.allocate(100, 8);
            MemorySegment kept = heap.allocate(100, 8);
            assertThrows(InvalidAddressException.class, () -> heap.free(small.asSlice(16)), "a slice of a small block");
            heap.free(small);
            InvalidAddressException twice = assertThrows(InvalidAddressException.class, () -> heap.free(small));
            assertTrue(twice.getMessage().contains("double free"), twice.getMessage());
            heap.free(kept);
            heap.checkInvariants();
        }
    }
}
