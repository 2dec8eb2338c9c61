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
import org.junit.jupiter.api.function.Executable;

/** The heap as a {@link SegmentAllocator}: {@link PyMalloc#allocate} and {@link PyMalloc#free(MemorySegment)}. */
class SegmentAllocatorTest {
    @Test
    void segmentsHaveTheRequestedSizeComeFromTheHeapAndGoBack() {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        try (PyMalloc heap = PyMalloc.create()) {
            List<MemorySegment> live = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                if (!live.isEmpty() && random.nextInt(3) == 0) {
                    heap.free(live.remove(random.nextInt(live.size())));
                    continue;
                }
                long size = random.nextInt(1200); // pool classes, 0 and raw blocks alike
                long alignment = 1L << random.nextInt(random.nextInt(4) == 0 ? 13 : 5); // mostly 1..16, up to 4096
                MemorySegment s = heap.allocate(size, alignment);
                assertEquals(size, s.byteSize(), "the requested size, not the block's");
                assertEquals(0, s.address() % Math.max(alignment, Geometry.ALIGNMENT), "aligned to " + alignment);
                assertTrue(heap.isLive(s.address()), "a block of the heap");
                assertEquals(size <= 512 && size > 0 && alignment <= Geometry.ALIGNMENT,
                        heap.isArenaAddress(s.address()), "small sizes 16-aligned from the pools, the rest raw");
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

    /** allocate: "@throws IllegalArgumentException if byteSize is negative or byteAlignment is not a power of two". */
    @Test
    void negativeSizesAndAlignmentsNotPowersOfTwoAreRefusedWithTheHeapUnchanged() {
        try (PyMalloc heap = PyMalloc.create()) {
            MallocStats before = heap.stats();
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> heap.allocate(-1, 8));
            assertTrue(negative.getMessage().contains("negative size"), negative.getMessage());
            IllegalArgumentException negativeAligned = assertThrows(IllegalArgumentException.class,
                    () -> heap.allocate(-1, 64));
            assertTrue(negativeAligned.getMessage().contains("negative size"), negativeAligned.getMessage());
            for (long alignment : new long[] {0, -8, 3, 24, 48, Long.MIN_VALUE, (1L << 40) + 16}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> heap.allocate(64, alignment), "alignment " + alignment);
                assertTrue(e.getMessage().contains("allocate(64, " + alignment + ")"), e.getMessage());
                assertTrue(e.getMessage().contains("power of two"), e.getMessage());
            }
            assertEquals(before, heap.stats(), "nothing allocated");
        }
    }

    /**
     * Alignments over 16 (a cache line, a page): raw blocks from posix_memalign, freed, resized
     * and released as raw blocks are.
     */
    @Test
    void alignmentsOverTheBlocksOwnAreRawBlocksAlignedAsAsked() {
        try (PyMalloc heap = PyMalloc.create()) {
            MemorySegment line = heap.allocate(MemoryLayout.paddingLayout(64).withByteAlignment(64));
            assertEquals(64, line.byteSize());
            assertEquals(0, line.address() % 64);
            MemorySegment page = heap.allocate(100, 4096);
            assertEquals(0, page.address() % 4096);
            MemorySegment empty = heap.allocate(0, 256);
            assertEquals(0, empty.byteSize());
            assertEquals(0, empty.address() % 256);
            for (MemorySegment s : List.of(line, page, empty)) {
                assertFalse(heap.isArenaAddress(s.address()), "not from a pool");
                assertTrue(heap.isLive(s.address()));
                assertEquals(s.byteSize(), heap.usableSize(s.address()), "the requested size");
            }
            assertEquals(3, heap.stats().rawBlocks());
            assertEquals(164, heap.stats().rawBytes());
            page.fill((byte) 0x5a);
            long moved = heap.realloc(page.address(), 5000); // C's realloc: the contents, malloc's alignment
            assertEquals(0x5a5a5a5a5a5a5a5aL, heap.segment(moved).get(ValueLayout.JAVA_LONG, 88), "the first 100 bytes kept");
            heap.free(line);
            heap.free(moved);
            InvalidAddressException twice = assertThrows(InvalidAddressException.class, () -> heap.free(line));
            assertTrue(twice.getMessage().contains(Long.toHexString(line.address())), twice.getMessage());
            heap.checkInvariants();
            assertEquals(1, heap.stats().rawBlocks(), "the empty one, left for close to give back");
        }
    }

    /** allocate: "@throws OutOfMemoryError if the memory cannot be had; the heap stays usable". */
    @Test
    void aSizeThatCannotBeHadIsOutOfMemoryAndTheHeapStaysUsable() {
        try (PyMalloc heap = PyMalloc.create()) {
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> heap.allocate(Long.MAX_VALUE, 8));
            assertTrue(e.getMessage().contains(Long.toString(Long.MAX_VALUE)), e.getMessage());
            OutOfMemoryError aligned = assertThrows(OutOfMemoryError.class, () -> heap.allocate(1L << 50, 64));
            assertTrue(aligned.getMessage().contains((1L << 50) + " bytes aligned to 64"), aligned.getMessage());
            OutOfMemoryError hugeAlignment = assertThrows(OutOfMemoryError.class, () -> heap.allocate(64, 1L << 62));
            assertTrue(hugeAlignment.getMessage().contains("aligned to " + (1L << 62)), hugeAlignment.getMessage());
            assertEquals(0, heap.stats().rawBlocks(), "nothing left behind");
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
        assertEquals("Already closed",
                assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_LONG, 0), "a segment after close").getMessage());
        for (Executable call : new Executable[] {() -> heap.allocate(40, 8), () -> heap.allocate(40, 64), () -> heap.free(s)}) {
            assertEquals("this PyMalloc heap is closed", assertThrows(IllegalStateException.class, call).getMessage());
        }
    }

    /** free(MemorySegment): "@throws InvalidAddressException if no live block of this heap starts there". */
    @Test
    void freeingASegmentTwiceASliceOrAnotherArenasSegmentIsRefused() {
        try (PyMalloc heap = PyMalloc.create(); Arena arena = Arena.ofConfined()) {
            MemorySegment raw = heap.allocate(4000, 16);
            MemorySegment slice = raw.asSlice(16);
            String stats = heap.debugMallocStats();
            TestSupport.refusedAddress("free", slice.address(), () -> heap.free(slice), "a slice of a raw block");
            assertEquals(stats, heap.debugMallocStats(), "heap unchanged");
            heap.free(raw);
            TestSupport.refusedAddress("free", raw.address(), () -> heap.free(raw), "a raw block freed twice");
            MemorySegment theirs = arena.allocate(64);
            TestSupport.refusedAddress("free", theirs.address(), () -> heap.free(theirs), "another arena's");
            assumeTrue(PyMalloc.CHECKS, "small blocks are checked only in checked mode");
            MemorySegment small = heap.allocate(100, 8);
            MemorySegment kept = heap.allocate(100, 8);
            TestSupport.refusedAddress("free", small.address() + 16, () -> heap.free(small.asSlice(16)), "a slice of a small block");
            heap.free(small);
            InvalidAddressException twice = assertThrows(InvalidAddressException.class, () -> heap.free(small));
            assertTrue(twice.getMessage().contains("double free"), twice.getMessage());
            heap.free(kept);
            heap.checkInvariants();
        }
    }

    /**
     * free(MemorySegment): "@throws InvalidAddressException if ... the segment is not native". A
     * segment over a Java array has address() 0, its offset in the array: free took it for NULL
     * and returned as if it had freed something.
     */
    @Test
    void aSegmentOfJavaHeapMemoryIsRefusedNotTakenForNull() {
        try (PyMalloc heap = PyMalloc.create()) {
            long p = heap.malloc(64);
            String stats = heap.debugMallocStats();
            for (MemorySegment onHeap : new MemorySegment[] {MemorySegment.ofArray(new byte[64]),
                    MemorySegment.ofArray(new long[8]).asSlice(16), MemorySegment.ofBuffer(java.nio.ByteBuffer.allocate(32))}) {
                InvalidAddressException e = assertThrows(InvalidAddressException.class, () -> heap.free(onHeap), onHeap.toString());
                assertEquals("free(" + onHeap + "): a segment of Java heap memory, no native block; nothing freed", e.getMessage());
                assertEquals(onHeap.address(), e.address());
            }
            assertEquals(stats, heap.debugMallocStats(), "heap unchanged");
            heap.free(MemorySegment.NULL); // native, address 0: nothing, as free(0)
            heap.free(p);
            heap.checkInvariants();
        }
    }
}
