package org.pymalloc4j.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link PyMalloc#segment}: a bounds-checked view of a live block, in the heap's scope. */
class BlockSegmentTest {
    @Test
    void aViewCoversTheBlocksUsableSizeAndSeesItsBytes() {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        try (PyMalloc heap = PyMalloc.create()) {
            for (int i = 0; i < 200; i++) {
                long size = random.nextInt(2048); // pool classes, 0 and raw blocks alike
                long p = heap.malloc(size);
                MemorySegment view = heap.segment(p);
                assertEquals(p, view.address(), "the view starts at the block (size " + size + ")");
                assertEquals(heap.usableSize(p), view.byteSize(), "the view is the usable size (size " + size + ")");
                if (view.byteSize() >= 8) {
                    long value = random.nextLong();
                    view.set(ValueLayout.JAVA_LONG_UNALIGNED, view.byteSize() - 8, value);
                    assertEquals(value, heap.segment(p).get(ValueLayout.JAVA_LONG_UNALIGNED, view.byteSize() - 8),
                            "a second view sees what the first wrote");
                }
                long end = view.byteSize();
                assertThrows(IndexOutOfBoundsException.class, () -> view.get(ValueLayout.JAVA_BYTE, end),
                        "a byte past the block is out of the view");
                heap.free(p);
            }
            heap.checkInvariants();
        }
    }

    /** "@throws InvalidAddressException if address is not a live block of this heap". */
    @Test
    void freedForeignAndInteriorAddressesHaveNoView() {
        try (PyMalloc heap = PyMalloc.create(); PyMalloc other = PyMalloc.create()) {
            long p = heap.malloc(64);
            long kept = heap.malloc(64); // keeps the pool in use
            heap.free(p);
            InvalidAddressException freed = TestSupport.refusedAddress("segment", p, () -> heap.segment(p));
            assertTrue(freed.getMessage().contains(Long.toHexString(p)), freed.getMessage());
            TestSupport.refusedAddress("segment", kept + 16, () -> heap.segment(kept + 16), "an interior address");
            TestSupport.refusedAddress("segment", 0, () -> heap.segment(0), "address 0");
            long foreign = other.malloc(64);
            TestSupport.refusedAddress("segment", foreign, () -> heap.segment(foreign), "another heap's block");
            assertEquals(64, other.segment(foreign).byteSize(), "which its own heap gives a view of");
            heap.checkInvariants();
        }
    }

    /** "@throws IllegalStateException if the heap is closed", and the views die with it. */
    @Test
    void closingTheHeapMakesItsViewsInaccessible() {
        PyMalloc heap = PyMalloc.create();
        long small = heap.malloc(100);
        long raw = heap.malloc(10_000);
        MemorySegment smallView = heap.segment(small);
        MemorySegment rawView = heap.segment(raw);
        smallView.set(ValueLayout.JAVA_INT, 0, 42);
        assertTrue(smallView.scope().isAlive());
        heap.close();
        assertFalse(smallView.scope().isAlive(), "the views' scope is closed with the heap");
        assertEquals("Already closed", assertThrows(IllegalStateException.class, () -> smallView.get(ValueLayout.JAVA_INT, 0),
                "a read through a view after close is refused, not a read of unmapped memory").getMessage());
        assertEquals("Already closed",
                assertThrows(IllegalStateException.class, () -> rawView.set(ValueLayout.JAVA_BYTE, 0, (byte) 1)).getMessage());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> heap.segment(small));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        heap.close(); // closing again does nothing
    }

    /**
     * close(): "@throws IllegalStateException if a view from segment is held by a native call
     * running in another thread; the heap then stays open". The call is qsort, given a view of a
     * block as its array, held until released ({@link HeldInNativeCall}).
     */
    @Test
    void closeWhileAViewIsInANativeCallElsewhereThrowsAndLeavesTheHeapOpen() throws Exception {
        PyMalloc heap = PyMalloc.create();
        long request = heap.malloc(16);
        MemorySegment view = heap.segment(request);
        HeldInNativeCall held = new HeldInNativeCall(view);
        IllegalStateException e = assertThrows(IllegalStateException.class, heap::close, "the view is held by qsort");
        assertTrue(e.getMessage().contains("held by a native call"), e.getMessage());
        assertFalse(heap.isClosed(), "a refused close leaves the heap open");
        heap.free(heap.malloc(48)); // and usable
        assertEquals(16, heap.segment(request).byteSize());
        held.close();
        heap.close();
        assertTrue(heap.isClosed());
    }

    /**
     * The same refusal for a native call in this thread, whose upcall (qsort's comparator)
     * closes the heap: the message said only "in another thread".
     */
    @Test
    void closeFromAnUpcallOfTheNativeCallHoldingAViewIsRefusedAndSaysSo() throws Throwable {
        PyMalloc heap = PyMalloc.create();
        MemorySegment view = heap.segment(heap.malloc(16));
        String[] refusal = new String[1];
        java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
        java.lang.invoke.MethodHandle qsort = linker.downcallHandle(linker.defaultLookup().findOrThrow("qsort"),
                java.lang.foreign.FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS));
        Comparator closing = (a, b) -> {
            try {
                heap.close();
            } catch (RuntimeException e) { // an upcall must not throw
                refusal[0] = e.getMessage();
            }
            return 0;
        };
        try (java.lang.foreign.Arena stub = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment comparator = linker.upcallStub(java.lang.invoke.MethodHandles.lookup().findVirtual(Comparator.class,
                    "compare", java.lang.invoke.MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class))
                    .bindTo(closing), java.lang.foreign.FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS), stub);
            qsort.invokeExact(view, 2L, 8L, comparator);
        }
        assertTrue(refusal[0] != null && refusal[0].contains("held by a native call (in another thread, or in this one"),
                String.valueOf(refusal[0]));
        assertFalse(heap.isClosed());
        heap.close();
        assertTrue(heap.isClosed());
    }

    /**
     * README: "A segment moved to another scope with the restricted reinterpret(Arena, ...) is
     * outside the heap's: the heap's close neither ends it nor waits for a native call holding it".
     */
    @Test
    void aSegmentMovedToAnotherScopeIsOutsideTheHeaps() throws Exception {
        PyMalloc heap = PyMalloc.create();
        MemorySegment view = heap.segment(heap.malloc(16));
        try (java.lang.foreign.Arena elsewhere = java.lang.foreign.Arena.ofShared()) {
            MemorySegment moved = view.reinterpret(elsewhere, null);
            heap.close(); // not refused, though the moved segment's scope is alive
            assertTrue(heap.isClosed());
            assertFalse(view.scope().isAlive(), "the heap's own view ended");
            assertTrue(moved.scope().isAlive(), "the moved one did not: an access would read unmapped memory");
        }
    }

    /** qsort's comparator, as an upcall. */
    private interface Comparator {
        int compare(MemorySegment a, MemorySegment b);
    }

    @Test
    void aHeapThatNeverMadeAViewClosesAsBefore() {
        PyMalloc heap = PyMalloc.create();
        heap.free(heap.malloc(32));
        heap.close();
        assertTrue(heap.isClosed());
    }

    /**
     * usableSize and segment: "@throws InvalidAddressException if address is not a live block of
     * this heap", saying what was wrong, as free and realloc do: a small block freed is "already
     * freed (use after free)", not "not a block allocated by this heap", which it was.
     */
    @Test
    void aFreedSmallBlockIsRefusedAsAlreadyFreedNotAsForeign() {
        try (PyMalloc heap = PyMalloc.create()) {
            long kept = heap.malloc(64); // keeps the pool in use
            long p = heap.malloc(64);
            heap.free(p);
            String stats = heap.debugMallocStats();
            String why = "): block already freed (use after free); heap unchanged";
            assertEquals("usableSize(" + TestSupport.hex(p) + why,
                    TestSupport.refusedAddress("usableSize", p, () -> heap.usableSize(p)).getMessage());
            assertEquals("segment(" + TestSupport.hex(p) + why,
                    TestSupport.refusedAddress("segment", p, () -> heap.segment(p)).getMessage());
            long interior = kept + 16;
            assertEquals("usableSize(" + TestSupport.hex(interior) + "): not a block allocated by this heap; heap unchanged",
                    TestSupport.refusedAddress("usableSize", interior, () -> heap.usableSize(interior)).getMessage());
            assertEquals(stats, heap.debugMallocStats(), "heap unchanged");
            heap.free(kept);
            heap.checkInvariants();
        }
    }
}
