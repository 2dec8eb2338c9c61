package org.pymalloc4j.allocator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each domain of a {@link Memory} as a {@link java.lang.foreign.SegmentAllocator}. */
class DomainSegmentTest {
    @ParameterizedTest
    @EnumSource(value = AllocatorName.class, names = {"PYMALLOC", "PYMALLOC_DEBUG", "MALLOC", "MALLOC_DEBUG"})
    void everyDomainHandsOutSegmentsAndTakesThemBack(AllocatorName configuration) {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        try (Memory memory = Memory.builder().allocator(configuration).build()) {
            for (Domain d : Domain.values()) {
                MemoryDomain domain = memory.domain(d);
                MemorySegment text = domain.allocateFrom("domain " + d);
                assertEquals("domain " + d, text.getString(0));
                MemorySegment ints = domain.allocateFrom(ValueLayout.JAVA_INT, 2, 7, 1, 8);
                assertArrayEquals(new int[] {2, 7, 1, 8}, ints.toArray(ValueLayout.JAVA_INT));
                List<MemorySegment> live = new ArrayList<>(List.of(text, ints));
                for (int i = 0; i < 300; i++) {
                    long size = random.nextInt(1100);
                    MemorySegment s = domain.allocate(size, 1L << random.nextInt(5));
                    assertEquals(size, s.byteSize(), d + ": the requested size");
                    assertEquals(0, s.address() % Geometry.ALIGNMENT, d + ": 16-byte aligned");
                    s.fill((byte) 0x5a); // all of it: under the debug hooks, past it would be corruption
                    live.add(s);
                }
                assertEquals(live.size(), domain.liveBlocks());
                for (MemorySegment s : live) {
                    domain.free(s);
                }
                assertEquals(0, domain.liveBlocks(), d + ": every block given back");
            }
            memory.checkInvariants();
        }
    }

    /** allocate: "@throws IllegalArgumentException if byteSize is negative, or byteAlignment is not ...". */
    @Test
    void badRequestsAreRefusedAndNothingIsAllocated() {
        try (Memory memory = Memory.create()) {
            MemoryDomain mem = memory.mem();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mem.allocate(-5, 8));
            assertTrue(e.getMessage().contains("allocate(-5, 8): negative size"), e.getMessage());
            assertEquals("allocate(8, 32): the alignment must be a power of two up to 16, the blocks' alignment",
                    assertThrows(IllegalArgumentException.class, () -> mem.allocate(8, 32)).getMessage());
            assertEquals("allocate(8, 6): the alignment must be a power of two up to 16, the blocks' alignment",
                    assertThrows(IllegalArgumentException.class, () -> mem.allocate(8, 6)).getMessage());
            assertEquals(0, mem.liveBlocks());
        }
    }

    /** allocate: "@throws OutOfMemoryError ... (a MemoryLimitExceededError if the memory limit would be crossed)". */
    @Test
    void aRequestOverTheLimitIsRefusedAndTheMemoryStaysUsable() {
        try (Memory memory = Memory.builder().limit(4L << 20).build()) {
            MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class,
                    () -> memory.raw().allocate(8L << 20, 16));
            assertEquals(8L << 20, e.requested());
            assertTrue(e.getMessage().contains(" of 8,388,608 bytes would exceed the memory limit of 4,194,304 bytes"),
                    e.getMessage());
            assertEquals(0, memory.bytesFromOs(), "nothing taken");
            assertEquals(0, memory.raw().liveBlocks());
            memory.raw().free(memory.raw().allocate(1 << 20, 16));
            memory.checkInvariants();
        }
    }

    /** free(MemorySegment): "@throws InvalidAddressException if no live block of this domain starts there". */
    @Test
    void anotherArenasSegmentOrARawSegmentFreedTwiceIsRefused() {
        try (Memory memory = Memory.create(); Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(64);
            String at = "free(0x" + Long.toHexString(foreign.address()) + "): not a block allocated by ";
            InvalidAddressException e = assertThrows(InvalidAddressException.class, () -> memory.raw().free(foreign));
            assertTrue(e.getMessage().startsWith(at), e.getMessage());
            assertEquals(foreign.address(), e.address());
            e = assertThrows(InvalidAddressException.class, () -> memory.mem().free(foreign));
            assertTrue(e.getMessage().startsWith(at), e.getMessage());
            MemorySegment raw = memory.raw().allocate(100, 8);
            memory.raw().free(raw);
            e = assertThrows(InvalidAddressException.class, () -> memory.raw().free(raw));
            assertTrue(e.getMessage().startsWith("free(0x" + Long.toHexString(raw.address()) + "): "), e.getMessage());
            memory.checkInvariants();
            assertEquals(0, memory.raw().liveBlocks());
        }
    }

    /**
     * allocate: "Freeing its block does not end it, as a C pointer outlives its free"; "It lives
     * until the memory manager closes: after that, every access through it throws".
     */
    @Test
    void aSegmentOutlivesItsBlocksFreeUntilTheMemoryCloses() {
        Memory memory = Memory.builder().allocator(AllocatorName.PYMALLOC).build();
        MemorySegment s = memory.mem().allocate(32, 16);
        s.set(ValueLayout.JAVA_LONG, 8, 42);
        memory.mem().free(s);
        assertEquals(0, memory.mem().liveBlocks());
        // The arena is still mapped and pymalloc leaves the block's second word alone.
        assertEquals(42, s.get(ValueLayout.JAVA_LONG, 8), "still accessible after its free");
        memory.close();
        assertEquals("Already closed",
                assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_LONG, 8), "ended by the close")
                        .getMessage());
    }

    /** allocate and free: "@throws IllegalStateException if the memory is closed"; the segments end with it. */
    @Test
    void closingTheMemoryEndsItsDomainsSegments() {
        Memory memory = Memory.create();
        MemorySegment small = memory.obj().allocate(48, 16);
        MemorySegment raw = memory.raw().allocate(5000, 16);
        small.set(ValueLayout.JAVA_LONG, 0, 1);
        memory.close();
        assertEquals("Already closed", assertThrows(IllegalStateException.class, () -> small.get(ValueLayout.JAVA_LONG, 0))
                .getMessage());
        assertEquals("Already closed", assertThrows(IllegalStateException.class, () -> raw.get(ValueLayout.JAVA_BYTE, 4999))
                .getMessage());
        assertEquals("this Memory is closed",
                assertThrows(IllegalStateException.class, () -> memory.obj().allocate(48, 16)).getMessage());
        assertEquals("this Memory is closed",
                assertThrows(IllegalStateException.class, () -> memory.raw().free(raw)).getMessage());
    }

    /**
     * close: "@throws IllegalStateException if a domain's segment is held by a native call running
     * in another thread; the memory then stays open, its actions not run".
     */
    @Test
    void closeWhileASegmentIsInANativeCallElsewhereThrowsAndLeavesTheMemoryOpen() throws Exception {
        Memory memory = Memory.create();
        boolean[] actionRan = {false};
        memory.onClose(() -> actionRan[0] = true);
        MemorySegment segment = memory.mem().allocate(16, 8);
        HeldInNativeCall held = new HeldInNativeCall(segment);
        IllegalStateException e = assertThrows(IllegalStateException.class, memory::close, "the segment is held by qsort");
        assertTrue(e.getMessage().contains("held by a native call"), e.getMessage());
        assertFalse(memory.isClosed(), "a refused close leaves the memory open");
        assertFalse(actionRan[0], "and its close actions not run");
        memory.mem().free(memory.mem().allocate(32, 8));
        held.close();
        memory.close();
        assertTrue(memory.isClosed());
        assertTrue(actionRan[0]);
    }

    /** free(MemorySegment): "@throws InvalidAddressException if ... the segment is not native", in every domain. */
    @Test
    void aSegmentOfJavaHeapMemoryIsRefusedNotTakenForNull() {
        try (Memory memory = Memory.create()) {
            MemorySegment onHeap = MemorySegment.ofArray(new byte[64]);
            for (Domain d : Domain.values()) {
                long live = memory.domain(d).liveBlocks();
                InvalidAddressException e = assertThrows(InvalidAddressException.class, () -> memory.domain(d).free(onHeap), d.toString());
                assertEquals("free(" + onHeap + "): a segment of Java heap memory, no native block; nothing freed", e.getMessage());
                assertEquals(live, memory.domain(d).liveBlocks(), d + ": no block counted as freed");
            }
            memory.checkInvariants();
        }
    }
}
