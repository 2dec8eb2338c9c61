package org.pymalloc4j.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** {@link MemoryDomain#usableSize} and {@link MemoryDomain#segment}: views of blocks handed out as addresses. */
class DomainBlockViewTest {
    private static final AllocatorName[] DEBUG = {AllocatorName.PYMALLOC_DEBUG, AllocatorName.MALLOC_DEBUG};

    @ParameterizedTest
    @EnumSource(value = AllocatorName.class, names = {"PYMALLOC", "PYMALLOC_DEBUG", "MALLOC", "MALLOC_DEBUG"})
    void everyDomainGivesAViewOfItsUsableSize(AllocatorName configuration) {
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        boolean debug = List.of(DEBUG).contains(configuration);
        try (Memory memory = Memory.builder().allocator(configuration).build()) {
            memory.tracer().start(); // a tracing wrapper passes the question through
            for (Domain d : Domain.values()) {
                MemoryDomain domain = memory.domain(d);
                boolean pools = !debug && configuration == AllocatorName.PYMALLOC && d != Domain.RAW;
                List<Long> live = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    long size = random.nextInt(1100);
                    long p = domain.malloc(size);
                    long expected = pools && size > 0 && size <= 512 ? (size + 15) & -16 : size;
                    assertEquals(expected, domain.usableSize(p), d + ", " + size + " bytes asked");
                    MemorySegment view = domain.segment(p);
                    assertEquals(expected, view.byteSize());
                    if (expected > 0) {
                        view.set(ValueLayout.JAVA_BYTE, expected - 1, (byte) i);
                        assertEquals((byte) i, MemorySegment.ofAddress(p + expected - 1).reinterpret(1)
                                .get(ValueLayout.JAVA_BYTE, 0), "the view is the block");
                    }
                    // Under the debug hooks the byte past the view is the trailing pad: never reached.
                    assertThrows(IndexOutOfBoundsException.class, () -> view.get(ValueLayout.JAVA_BYTE, expected));
                    live.add(p);
                }
                for (long p : live) {
                    domain.free(p);
                }
            }
            memory.checkInvariants();
        }
    }

    /** usableSize and segment: "@throws InvalidAddressException if address is not a live block of the domain's allocator". */
    @ParameterizedTest
    @EnumSource(value = AllocatorName.class, names = {"PYMALLOC", "PYMALLOC_DEBUG", "MALLOC", "MALLOC_DEBUG"})
    void freedInteriorForeignAndOtherDomainsAddressesAreRefused(AllocatorName configuration) {
        try (Memory memory = Memory.builder().allocator(configuration).build(); Arena arena = Arena.ofConfined()) {
            MemoryDomain mem = memory.mem();
            long kept = mem.malloc(64);
            long freed = mem.malloc(64);
            mem.free(freed);
            long foreign = arena.allocate(64).address();
            long rawBlock = memory.raw().malloc(64);
            List<Long> bad = new ArrayList<>(List.of(foreign, 0L));
            if (PyMalloc.CHECKS || configuration != AllocatorName.PYMALLOC) { // unchecked pymalloc trusts
                bad.addAll(List.of(freed, kept + 16));
            }
            if (configuration == AllocatorName.MALLOC) {
                assertEquals(64, mem.usableSize(rawBlock), "one libc allocator serves every domain, as in CPython");
            } else {
                bad.add(rawBlock); // another allocator's, or under the hooks another domain's
            }
            for (long address : bad) {
                InvalidAddressException e = assertThrows(InvalidAddressException.class,
                        () -> mem.usableSize(address), "0x" + Long.toHexString(address));
                assertTrue(e.getMessage().contains(Long.toHexString(address)), e.getMessage());
                assertEquals(address, e.address());
                TestSupport.refusedAddress("segment", address, () -> mem.segment(address));
            }
            if (List.of(DEBUG).contains(configuration)) {
                InvalidAddressException other = assertThrows(InvalidAddressException.class,
                        () -> memory.obj().usableSize(kept));
                assertTrue(other.getMessage().contains("a block of the MEM domain"), other.getMessage());
                InvalidAddressException useAfterFree = TestSupport.refusedAddress("segment", freed, () -> mem.segment(freed));
                assertTrue(useAfterFree.getMessage().contains("already freed (use after free)"), useAfterFree.getMessage());
            }
            assertEquals(64, mem.segment(kept).byteSize(), "the heap unchanged: the live block still answers");
            mem.free(kept);
            memory.raw().free(rawBlock);
            memory.checkInvariants();
        }
    }

    /** usableSize and segment: "@throws UnsupportedOperationException if the allocator does not report its blocks' sizes". */
    @Test
    void anInstalledAllocatorThatKeepsNoSizesSaysSo() {
        try (Memory memory = Memory.create(); LibcAllocator libc = LibcAllocator.create()) {
            BlockAllocator sizeless = new BlockAllocator() {
                public long malloc(long size) { return libc.malloc(size); }
                public long calloc(long nelem, long elsize) { return libc.calloc(nelem, elsize); }
                public long realloc(long address, long newSize) { return libc.realloc(address, newSize); }
                public void free(long address) { libc.free(address); }
                @Override public String toString() { return "sizeless"; }
            };
            memory.setAllocator(Domain.OBJ, sizeless);
            long p = memory.obj().malloc(32);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> memory.obj().segment(p));
            assertTrue(e.getMessage().contains("sizeless does not report"), e.getMessage());
            assertEquals(1, memory.obj().liveBlocks(), "nothing freed or allocated");
            memory.obj().free(p);
        }
    }

    /** usableSize and segment: "@throws IllegalStateException if the memory is closed"; the views end with it. */
    @Test
    void aClosedMemoryAnswersNothingAndItsViewsAreDead() {
        Memory memory = Memory.create();
        long p = memory.mem().malloc(40);
        long r = memory.raw().malloc(40);
        MemorySegment view = memory.mem().segment(p);
        MemorySegment rawView = memory.raw().segment(r);
        memory.close();
        assertEquals("Already closed", assertThrows(IllegalStateException.class, () -> view.get(ValueLayout.JAVA_BYTE, 0)).getMessage());
        assertEquals("Already closed",
                assertThrows(IllegalStateException.class, () -> rawView.get(ValueLayout.JAVA_BYTE, 0)).getMessage());
        assertEquals("this Memory is closed",
                assertThrows(IllegalStateException.class, () -> memory.mem().usableSize(p)).getMessage());
        assertEquals("this Memory is closed", assertThrows(IllegalStateException.class, () -> memory.raw().segment(r)).getMessage());
    }
}
