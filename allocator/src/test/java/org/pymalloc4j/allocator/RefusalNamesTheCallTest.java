package org.pymalloc4j.allocator;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

import org.pymalloc4j.allocator.testkit.ForwardingAllocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyMalloc, LibcAllocator and a Memory's domains, "@throws OutOfMemoryError if the memory cannot
 * be had": the refusal names the call and its arguments (an address in hex), then the size and
 * the reason, worded the same by all three; what was allocated is intact and the allocator usable.
 */
class RefusalNamesTheCallTest {
    private static final long HUGE = 1L << 60; // libc refuses it: more than any address space
    private static final long MAX = Long.MAX_VALUE; // more than the budget can count

    /**
     * What each allocator says for the same calls, the addresses it names passed in: a block of
     * 40 bytes ({@code small}, raw too where {@code smallIsRaw}) and a raw block of 1000.
     */
    private static void assertRefusals(BlockAllocator a, long small, long raw, boolean smallIsRaw) {
        String s = hex(small);
        String r = hex(raw);
        refused("malloc(" + HUGE + "): cannot allocate " + HUGE + " bytes", () -> a.malloc(HUGE));
        refused("malloc(" + MAX + "): cannot allocate a raw block of " + MAX + " bytes", () -> a.malloc(MAX));
        refused("calloc(" + (1L << 30) + ", " + (1L << 30) + "): cannot allocate " + HUGE + " bytes",
                () -> a.calloc(1L << 30, 1L << 30));
        refused("realloc(0x0, " + HUGE + "): cannot allocate " + HUGE + " bytes", () -> a.realloc(0, HUGE));
        refused("realloc(" + r + ", " + HUGE + "): cannot resize the raw block to " + HUGE + " bytes",
                () -> a.realloc(raw, HUGE));
        refused("realloc(" + r + ", " + MAX + "): cannot allocate the raw block's increase of " + (MAX - 1000)
                + " bytes", () -> a.realloc(raw, MAX));
        refused("realloc(" + s + ", " + HUGE + "): " + (smallIsRaw ? "cannot resize the raw block to " : "cannot allocate ")
                + HUGE + " bytes", () -> a.realloc(small, HUGE));
        refused("realloc(" + s + ", " + MAX + "): " + (smallIsRaw ? "cannot allocate the raw block's increase of " + (MAX - 40)
                : "cannot allocate a raw block of " + MAX) + " bytes", () -> a.realloc(small, MAX));
    }

    private static void refused(String expected, LongSupplier call) {
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, call::getAsLong);
        assertEquals("pymalloc4j: " + expected, e.getMessage());
    }

    private static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    @Test
    void pymallocNamesTheCall() {
        try (PyMalloc heap = PyMalloc.create()) {
            long small = fill(heap.malloc(40), 40, 1);
            long raw = fill(heap.malloc(1000), 1000, 2);
            assertRefusals(heap, small, raw, false);
            refused("allocate(" + HUGE + ", 8): cannot allocate " + HUGE + " bytes",
                    () -> heap.allocate(HUGE, 8).address());
            refused("allocate(" + HUGE + ", 4096): cannot allocate " + HUGE + " bytes aligned to 4096",
                    () -> heap.allocate(HUGE, 4096).address());
            refused("allocate(" + MAX + ", 64): cannot allocate a raw block of " + MAX + " bytes",
                    () -> heap.allocate(MAX, 64).address());
            heap.checkInvariants();
            stillUsable(heap, small, raw);
            heap.free(heap.allocate(600, 16)); // a raw block from allocate itself
            long aligned = heap.allocate(100, 4096).address();
            assertEquals(0, aligned % 4096);
            heap.free(aligned);
            heap.checkInvariants();
        }
    }

    @Test
    void theLibcAllocatorSaysItTheSameWay() {
        try (LibcAllocator libc = LibcAllocator.create()) {
            long small = fill(libc.malloc(40), 40, 1);
            long raw = fill(libc.malloc(1000), 1000, 2);
            assertRefusals(libc, small, raw, true);
            libc.checkInvariants();
            stillUsable(libc, small, raw);
        }
    }

    /** A Memory's domains are their allocator's: they say what it says. */
    @Test
    void aDomainSaysWhatItsAllocatorSays() {
        for (AllocatorName name : new AllocatorName[] {AllocatorName.PYMALLOC, AllocatorName.MALLOC}) {
            try (Memory memory = Memory.builder().allocator(name).build()) {
                MemoryDomain mem = memory.mem();
                long small = fill(mem.malloc(40), 40, 1);
                long raw = fill(mem.malloc(1000), 1000, 2);
                assertRefusals(mem, small, raw, name != AllocatorName.PYMALLOC);
                refused("allocate(" + HUGE + ", 8): cannot allocate " + HUGE + " bytes", () -> mem.allocate(HUGE, 8).address());
                refused("allocate(" + MAX + ", 16): cannot allocate a raw block of " + MAX + " bytes",
                        () -> mem.allocate(MAX, 16).address());
                assertEquals(2, mem.liveBlocks(), "no refused call counted a block");
                memory.checkInvariants();
                stillUsable(mem, small, raw);
            }
        }
    }

    /** Under a limit: a MemoryLimitExceededError, the call named before the limit's reason. */
    @Test
    void aLimitsRefusalNamesTheCall() {
        try (PyMalloc heap = PyMalloc.builder().limit(4 << 20).build();
                LibcAllocator libc = LibcAllocator.create(4 << 20)) {
            for (BlockAllocator a : new BlockAllocator[] {heap, libc}) {
                long raw = fill(a.malloc(1 << 20), 1 << 20, 3);
                long inUse = a == heap ? heap.bytesFromOs() : 1 << 20;
                String tail = String.format(java.util.Locale.ROOT,
                        " would exceed the memory limit of 4,194,304 bytes (%,d in use)", inUse);
                MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> a.malloc(8 << 20));
                assertEquals("pymalloc4j: malloc(8388608): a raw block of 8,388,608 bytes" + tail, e.getMessage());
                e = assertThrows(MemoryLimitExceededError.class, () -> a.calloc(8, 1 << 20));
                assertEquals("pymalloc4j: calloc(8, 1048576): a raw block of 8,388,608 bytes" + tail, e.getMessage());
                e = assertThrows(MemoryLimitExceededError.class, () -> a.realloc(0, 8 << 20));
                assertEquals("pymalloc4j: realloc(0x0, 8388608): a raw block of 8,388,608 bytes" + tail, e.getMessage());
                e = assertThrows(MemoryLimitExceededError.class, () -> a.realloc(raw, 8 << 20));
                assertEquals("pymalloc4j: realloc(" + hex(raw) + ", 8388608): the raw block's increase of 7,340,032 bytes"
                        + tail, e.getMessage());
                if (a == heap) {
                    e = assertThrows(MemoryLimitExceededError.class, () -> heap.allocate(8 << 20, 4096));
                    assertEquals("pymalloc4j: allocate(8388608, 4096): a raw block of 8,388,608 bytes" + tail,
                            e.getMessage());
                }
                verify(raw, 1 << 20, 3);
                a.free(a.realloc(raw, 2 << 20)); // the heap stays usable, the limit as it was
            }
            heap.checkInvariants();
            libc.checkInvariants();
            assertEquals(0, libc.liveBlocks());
        }
        for (AllocatorName name : new AllocatorName[] {AllocatorName.PYMALLOC, AllocatorName.MALLOC}) {
            try (Memory memory = Memory.builder().allocator(name).limit(4 << 20).build()) {
                MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class,
                        () -> memory.mem().allocate(8 << 20, 16));
                assertEquals(String.format(java.util.Locale.ROOT, "pymalloc4j: allocate(8388608, 16): a raw block of"
                        + " 8,388,608 bytes would exceed the memory limit of 4,194,304 bytes (%,d in use)",
                        memory.bytesFromOs()), e.getMessage());
                assertEquals(8 << 20, e.requested());
                assertEquals(1 << 20, memory.mem().allocate(1 << 20, 16).byteSize(), "the domain stays usable");
                assertEquals(1, memory.mem().liveBlocks());
            }
        }
    }

    /**
     * The debug hooks' malloc, calloc and realloc, "@throws OutOfMemoryError if ... the inner
     * allocator fails": the refusal names the call made ("debug malloc(n)", as the hooks' own
     * refusal of a size they cannot record does), then the inner allocator's, of the block with
     * the hooks' 24 bytes. It named only that inner call, which the caller never made, with a
     * size 24 bytes more than the one asked for.
     */
    @Test
    void theDebugHooksNameTheCallMadeBeforeTheInnerRefusal() {
        for (AllocatorName name : new AllocatorName[] {AllocatorName.PYMALLOC_DEBUG, AllocatorName.MALLOC_DEBUG}) {
            try (Memory memory = Memory.builder().allocator(name).limit(4 << 20).build()) {
                MemoryDomain mem = memory.mem();
                long p = mem.malloc(100);
                String tail = " would exceed the memory limit of 4,194,304 bytes (" + String.format(java.util.Locale.ROOT, "%,d",
                        memory.bytesFromOs()) + " in use)";
                MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> mem.malloc(8 << 20));
                assertEquals("pymalloc4j: debug malloc(8388608): malloc(8388632): a raw block of 8,388,632 bytes" + tail,
                        e.getMessage(), name.toString());
                assertEquals(8388632, e.requested(), "what the limit refused");
                assertTrue(e.getCause() instanceof MemoryLimitExceededError, "the inner refusal kept");
                e = assertThrows(MemoryLimitExceededError.class, () -> mem.calloc(8, 1 << 20));
                assertTrue(e.getMessage().startsWith("pymalloc4j: debug calloc(8, 1048576): calloc(1, 8388632): "), e.getMessage());
                e = assertThrows(MemoryLimitExceededError.class, () -> mem.realloc(p, 8 << 20));
                assertTrue(e.getMessage().startsWith("pymalloc4j: debug realloc(" + hex(p) + ", 8388608): malloc(8388632): "),
                        e.getMessage());
                e = assertThrows(MemoryLimitExceededError.class, () -> mem.realloc(0, 8 << 20));
                assertTrue(e.getMessage().startsWith("pymalloc4j: debug realloc(0x0, 8388608): malloc(8388632): "), e.getMessage());
                mem.free(p);
                assertEquals(0, mem.liveBlocks());
            }
            try (Memory memory = Memory.builder().allocator(name).build()) {
                refused("debug malloc(" + (1L << 50) + "): malloc(" + ((1L << 50) + 24) + "): cannot allocate " + ((1L << 50) + 24)
                        + " bytes", () -> memory.raw().malloc(1L << 50));
            }
        }
    }

    /**
     * A domain's allocate names allocate whatever allocator refused it: the debug hooks' own
     * refusal and their inner allocator's (of the block with the hooks' 24 bytes) follow it, as
     * does a custom allocator's plain OutOfMemoryError (the refusal its cause); a custom error
     * type is the allocator's answer, passed on as it is. Only a refusal worded as the heap's
     * malloc of the same size was renamed: under the hooks allocate was refused as "debug
     * malloc" or as a malloc of 24 bytes more, and a custom allocator's message was passed on
     * naming no call, or a call the caller never made.
     */
    @Test
    void aDomainsAllocateNamesItselfWhateverAllocatorRefusedIt() {
        for (AllocatorName name : new AllocatorName[] {AllocatorName.PYMALLOC_DEBUG, AllocatorName.MALLOC_DEBUG}) {
            try (Memory memory = Memory.builder().allocator(name).limit(4 << 20).build()) {
                MemoryDomain mem = memory.mem();
                refused("allocate(" + HUGE + ", 8): debug malloc(" + HUGE + "): " + HUGE
                        + " bytes is more than the debug hooks can record (2^56 - 1)", () -> mem.allocate(HUGE, 8).address());
                MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> mem.allocate(8 << 20, 16));
                assertEquals("pymalloc4j: allocate(8388608, 16): debug malloc(8388608): malloc(8388632): a raw block of 8,388,632 bytes would exceed"
                        + " the memory limit of 4,194,304 bytes (0 in use)", e.getMessage(), name.toString());
                assertEquals(8388632, e.requested(), "what the limit refused");
                assertTrue(e.getCause() instanceof MemoryLimitExceededError, "the inner refusal kept");
                assertEquals(0, mem.liveBlocks());
            }
        }
        try (Memory memory = Memory.create(); LibcAllocator libc = LibcAllocator.create()) {
            OutOfMemoryError quota = new OutOfMemoryError("the quota of 1 KiB is used up");
            OutOfMemoryError own = new OutOfMemoryError("its own type") { };
            OutOfMemoryError[] next = {quota};
            memory.setAllocator(Domain.RAW, new ForwardingAllocator(libc) {
                @Override
                public long malloc(long size) {
                    if (size > 1024) {
                        throw next[0];
                    }
                    return libc.malloc(size);
                }

                @Override
                public long usableSize(long address) {
                    if (address == 0x1000) { // a wrapper's refusal naming what it asked of its own inner allocator
                        throw new InvalidAddressException("usableSize(0x10): not a block", 0x10);
                    }
                    return super.usableSize(address);
                }
            });
            assertEquals("segment(0x1000): usableSize(0x10): not a block",
                    assertThrows(InvalidAddressException.class, () -> memory.raw().segment(0x1000)).getMessage());
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> memory.raw().allocate(2048, 8));
            assertEquals("pymalloc4j: allocate(2048, 8): the quota of 1 KiB is used up", e.getMessage());
            assertEquals(quota, e.getCause());
            next[0] = own;
            assertEquals(own, assertThrows(OutOfMemoryError.class, () -> memory.raw().allocate(2048, 8)));
            MemorySegment small = memory.raw().allocate(100, 8);
            UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                    () -> memory.raw().segment(small.address()));
            assertTrue(u.getMessage().startsWith("segment(" + hex(small.address()) + "): "), u.getMessage());
            memory.raw().free(small);
            assertEquals(0, memory.raw().liveBlocks());
        }
    }

    private static void stillUsable(BlockAllocator a, long small, long raw) {
        verify(small, 40, 1);
        verify(raw, 1000, 2);
        long more = fill(a.malloc(5000), 5000, 4);
        long grown = a.realloc(raw, 3000);
        verify(grown, 1000, 2);
        verify(more, 5000, 4);
        a.free(more);
        a.free(grown);
        a.free(small);
    }

    private static long fill(long address, long size, int seed) {
        MemorySegment s = MemorySegment.ofAddress(address).reinterpret(size);
        for (long i = 0; i < size; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed));
        }
        return address;
    }

    private static void verify(long address, long size, int seed) {
        MemorySegment s = MemorySegment.ofAddress(address).reinterpret(size);
        for (long i = 0; i < size; i++) {
            if (s.get(ValueLayout.JAVA_BYTE, i) != (byte) (i * 31 + seed)) {
                throw new AssertionError("byte " + i + " of 0x" + Long.toHexString(address) + " changed");
            }
        }
    }
}
