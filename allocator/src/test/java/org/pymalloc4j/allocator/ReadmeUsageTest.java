package org.pymalloc4j.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The example under "Using the heap" in README.md, run as written, with its comments made asserts. */
class ReadmeUsageTest {
    @Test
    void theUsingTheHeapExampleRunsAsItsCommentsSay() {
        MemorySegment kept;
        String text;
        try (PyMalloc heap = PyMalloc.create()) {          // CPython 3.11 geometry: 16 KiB pools, 1 MiB arenas
            long p = heap.malloc(64);                      // size class 3 (64-byte blocks), 16-byte aligned
            assertEquals(0, p & 15);
            MemorySegment view = heap.segment(p);          // 64 bytes, bounds-checked, dead once the heap closes
            assertEquals(64, view.byteSize());
            kept = view;
            p = heap.realloc(p, 200);                      // moves to class 12 (208-byte blocks)
            assertEquals(208, heap.usableSize(p));
            long zeroed = heap.calloc(10, 8);              // 80 zeroed bytes
            assertTrue(heap.segment(zeroed).asSlice(0, 80).mismatch(MemorySegment.ofArray(new byte[80])) == -1);
            long big = heap.malloc(4096);                  // over 512 bytes: libc malloc, tracked by the heap
            assertFalse(heap.isArenaAddress(big));
            assertTrue(heap.isLive(big));
            MemorySegment name = heap.allocateFrom("pymalloc4j");   // the heap is a SegmentAllocator
            assertEquals("pymalloc4j", name.getString(0));
            heap.free(name);                               // a segment's block, freed as any other
            assertFalse(heap.isLive(name.address()));
            heap.free(p);
            heap.free(zeroed);
            heap.free(big);
            text = heap.debugMallocStats();                // CPython's sys._debugmallocstats() layout
            MallocStats s = heap.stats();                  // the same figures as a record
            assertEquals(1, s.arenasCurrent());
        }                                                  // close(): every arena and raw block returned
        assertTrue(text.startsWith("Small block threshold = 512, in 32 size classes."), text);
        assertFalse(kept.scope().isAlive(), "the view died with the heap");
    }
}
