package org.pymalloc4j.allocator;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The methods the heap and a Memory's domains take from {@link SegmentAllocator}'s defaults
 * (allocateFrom, allocate of a layout): a closed heap or memory refuses them first, whatever
 * the arguments, as every other call (README, checked mode and bad input: "whatever its
 * arguments"); and a call refused once its block is allocated (a copy out of its source's
 * bounds, a heap segment stored as an address) frees that block instead of leaking it. The
 * JDK's defaults checked the arguments first, and allocated before copying.
 */
class SegmentAllocatorDefaultsTest {
    private static final String HEAP = "this PyMalloc heap is closed";
    private static final String MEMORY = "this Memory is closed";

    /** Every default of SegmentAllocator, with arguments the JDK would refuse before allocating. */
    private static List<Executable> badCalls(SegmentAllocator a) {
        MemorySegment ints = MemorySegment.ofArray(new int[4]);
        return List.of(
                () -> a.allocateFrom((String) null), () -> a.allocateFrom("x", (java.nio.charset.Charset) null),
                () -> a.allocateFrom((ValueLayout.OfByte) null, (byte) 1),
                () -> a.allocateFrom((ValueLayout.OfChar) null, 'c'),
                () -> a.allocateFrom((ValueLayout.OfShort) null, (short) 1),
                () -> a.allocateFrom((ValueLayout.OfInt) null, 1), () -> a.allocateFrom((ValueLayout.OfFloat) null, 1f),
                () -> a.allocateFrom((ValueLayout.OfLong) null, 1L), () -> a.allocateFrom((ValueLayout.OfDouble) null, 1d),
                () -> a.allocateFrom(ValueLayout.ADDRESS, (MemorySegment) null),
                () -> a.allocateFrom(ValueLayout.JAVA_INT, null, ValueLayout.JAVA_INT, 0, 4),
                () -> a.allocateFrom(ValueLayout.JAVA_INT, ints, ValueLayout.JAVA_INT, 0, -1),
                () -> a.allocateFrom(ValueLayout.JAVA_BYTE, (byte[]) null),
                () -> a.allocateFrom(ValueLayout.JAVA_SHORT, (short[]) null),
                () -> a.allocateFrom(ValueLayout.JAVA_CHAR, (char[]) null),
                () -> a.allocateFrom(ValueLayout.JAVA_INT, (int[]) null),
                () -> a.allocateFrom(ValueLayout.JAVA_FLOAT, (float[]) null),
                () -> a.allocateFrom(ValueLayout.JAVA_LONG, (long[]) null),
                () -> a.allocateFrom(ValueLayout.JAVA_DOUBLE, (double[]) null),
                () -> a.allocate((MemoryLayout) null), () -> a.allocate(ValueLayout.JAVA_INT, -1),
                () -> a.allocate(null, 2), () -> a.allocate(-1));
    }

    private static void refusedFirst(SegmentAllocator closed, String message) {
        List<Executable> checks = new ArrayList<>();
        List<Executable> calls = badCalls(closed);
        for (int i = 0; i < calls.size(); i++) {
            Executable call = calls.get(i);
            String which = "call " + i;
            checks.add(() -> assertEquals(message, assertThrows(IllegalStateException.class, call, which).getMessage(), which));
        }
        assertAll(checks);
    }

    @Test
    void aClosedHeapRefusesTheDefaultsFirst() {
        PyMalloc heap = PyMalloc.create();
        heap.close();
        refusedFirst(heap, HEAP);
    }

    @Test
    void aClosedMemorysDomainsRefuseTheDefaultsFirst() {
        for (AllocatorName name : new AllocatorName[] {AllocatorName.PYMALLOC, AllocatorName.MALLOC_DEBUG}) {
            Memory memory = Memory.builder().allocator(name).build();
            memory.close();
            for (Domain d : Domain.values()) {
                refusedFirst(memory.domain(d), MEMORY);
            }
        }
    }

    /** Each call that the JDK's default refuses after it has allocated: the block goes back. */
    private static void refusedAfterAllocating(SegmentAllocator a, Supplier<Long> liveBlocks) {
        long before = liveBlocks.get();
        MemorySegment tenInts = MemorySegment.ofArray(new int[10]);
        assertThrows(IndexOutOfBoundsException.class,
                () -> a.allocateFrom(ValueLayout.JAVA_INT, tenInts, ValueLayout.JAVA_INT, 0, 100), "past the source");
        assertThrows(IndexOutOfBoundsException.class,
                () -> a.allocateFrom(ValueLayout.JAVA_INT, tenInts, ValueLayout.JAVA_INT, 36, 2), "from past its end");
        assertThrows(IllegalArgumentException.class,
                () -> a.allocateFrom(ValueLayout.JAVA_INT, tenInts, ValueLayout.JAVA_LONG, 0, 2), "sizes differ");
        assertThrows(IllegalArgumentException.class,
                () -> a.allocateFrom(ValueLayout.ADDRESS, MemorySegment.ofArray(new byte[8])), "a heap segment's address");
        assertEquals(before, liveBlocks.get(), "no block left behind");
        MemorySegment copied = a.allocateFrom(ValueLayout.JAVA_INT, tenInts, ValueLayout.JAVA_INT, 8, 3);
        assertEquals(12, copied.byteSize(), "in bounds: copied");
        assertNotEquals(before, liveBlocks.get());
        assertEquals("pymalloc4j", a.allocateFrom("pymalloc4j", StandardCharsets.UTF_8).getString(0));
    }

    @Test
    void aCallRefusedAfterItsBlockWasAllocatedFreesTheBlock() {
        try (PyMalloc heap = PyMalloc.create()) {
            refusedAfterAllocating(heap, () -> heap.stats().allocatedBlockBytes());
            heap.checkInvariants();
        }
        for (AllocatorName name : new AllocatorName[] {AllocatorName.PYMALLOC, AllocatorName.MALLOC_DEBUG}) {
            try (Memory memory = Memory.builder().allocator(name).build()) {
                for (Domain d : Domain.values()) {
                    MemoryDomain domain = memory.domain(d);
                    refusedAfterAllocating(domain, domain::liveBlocks);
                }
                memory.checkInvariants();
            }
        }
    }

    /** A default SegmentAllocator adds in a later JDK would escape both of the above: each is overridden. */
    @Test
    void everyDefaultIsOverridden() throws NoSuchMethodException {
        for (Class<?> type : List.of(PyMalloc.class, MemoryDomain.class)) {
            for (Method m : SegmentAllocator.class.getMethods()) {
                if (m.isDefault()) {
                    assertNotEquals(SegmentAllocator.class, type.getMethod(m.getName(), m.getParameterTypes())
                            .getDeclaringClass(), type.getSimpleName() + " overrides " + m);
                }
            }
        }
    }
}
