package org.pymalloc4j.allocator;

import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pymalloc4j.allocator.DebugFixture.Backend;
import org.pymalloc4j.allocator.MemoryCorruptionException.Kind;
import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.DebugFixture.all;
import static org.pymalloc4j.allocator.TestSupport.hex;

/**
 * What the debug hooks catch, and the reports, in CPython's format (§3.4 of the reference).
 * After every report the heap must be as it was: the block still allocated and the inner
 * heap's invariants intact, so that the block can be repaired and freed.
 */
class DebugHooksCorruptionTest {
    private static final String NO_TRACEBACK = "Enable tracemalloc to get the memory block allocation traceback\n\n";

    /** Runs {@code call}, which must report {@code kind} for {@code p} and leave everything as it was. */
    private static MemoryCorruptionException reported(DebugFixture f, Kind kind, long p, Executable call) {
        long live = f.hooks.liveBlocks();
        long quarantined = f.hooks.quarantinedBlocks();
        long inner = f.innerLive();
        MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        assertEquals(p, e.address());
        assertTrue(e.getMessage().startsWith("Debug memory block at address p=" + hex(p) + ": API "), e.getMessage());
        assertEquals(live, f.hooks.liveBlocks(), "the block stays allocated");
        assertEquals(quarantined, f.hooks.quarantinedBlocks());
        assertEquals(inner, f.innerLive());
        f.checkHeap();
        return e;
    }

    /** "API mismatch: PyMem_Malloc then PyObject_Free", the reference's capture, byte for byte. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void apiMismatchReportIsCPythons(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.mem.malloc(10);
            MemoryCorruptionException e = reported(f, Kind.BAD_ID, p, () -> f.obj.free(p));
            assertEquals("Debug memory block at address p=" + hex(p) + ": API 'm'\n"
                    + "    10 bytes originally requested\n"
                    + "    The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected.\n"
                    + "    The 8 pad bytes at tail=" + hex(p + 10) + " are FORBIDDENBYTE, as expected.\n"
                    + "    Data at p: cd cd cd cd cd cd cd cd cd cd\n"
                    + "\n"
                    + NO_TRACEBACK
                    + "_PyMem_DebugRawFree: bad ID: Allocated using API 'm', verified using API 'o'", e.getMessage());
            assertEquals('o', e.expectedApi());
            assertEquals('m', e.actualApi());
            MemoryCorruptionException r = reported(f, Kind.BAD_ID, p, () -> f.raw.realloc(p, 20));
            assertTrue(r.getMessage().endsWith("_PyMem_DebugRawRealloc: bad ID: Allocated using API 'm', verified using API 'r'"),
                    r.getMessage());
            f.mem.free(p);
        }
    }

    /** "Overflow by 3 bytes past a 20-byte PyObject_Malloc block, with PYTHONTRACEMALLOC=5". */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void overflowReportIsCPythonsWithATraceback(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            f.hooks.setTracebackSource(address -> "  File \"demo.py\", line 7\n  File \"demo.py\", line 8\n");
            long p = f.obj.malloc(20);
            for (int i = 0; i < 20; i++) {
                NativeMemory.putByte(p + i, (byte) ('A' + i));
            }
            for (int i = 0; i < 3; i++) {
                NativeMemory.putByte(p + 20 + i, (byte) (0x55 + i));
            }
            MemoryCorruptionException e = reported(f, Kind.BAD_TRAILING_PAD, p, () -> f.obj.free(p));
            assertEquals("Debug memory block at address p=" + hex(p) + ": API 'o'\n"
                    + "    20 bytes originally requested\n"
                    + "    The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected.\n"
                    + "    The 8 pad bytes at tail=" + hex(p + 20) + " are not all FORBIDDENBYTE (0xfd):\n"
                    + "        at tail+0: 0x55 *** OUCH\n"
                    + "        at tail+1: 0x56 *** OUCH\n"
                    + "        at tail+2: 0x57 *** OUCH\n"
                    + "        at tail+3: 0xfd\n"
                    + "        at tail+4: 0xfd\n"
                    + "        at tail+5: 0xfd\n"
                    + "        at tail+6: 0xfd\n"
                    + "        at tail+7: 0xfd\n"
                    + "    Data at p: 41 42 43 44 45 46 47 48 ... 4d 4e 4f 50 51 52 53 54\n"
                    + "\n"
                    + "Memory block allocated at (most recent call first):\n"
                    + "  File \"demo.py\", line 7\n"
                    + "  File \"demo.py\", line 8\n"
                    + "\n"
                    + "_PyMem_DebugRawFree: bad trailing pad byte", e.getMessage());
            NativeMemory.fill(p + 20, 3, (byte) 0xfd);
            f.obj.free(p);
        }
    }

    /** "Underflow: 2 bytes written before a PyMem_RawMalloc(40) block", every pad byte listed as CPython does. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void underflowReportIsCPythons(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.raw.malloc(40);
            NativeMemory.putByte(p - 2, (byte) 0);
            NativeMemory.putByte(p - 1, (byte) 1);
            MemoryCorruptionException e = reported(f, Kind.BAD_LEADING_PAD, p, () -> f.raw.free(p));
            assertEquals("Debug memory block at address p=" + hex(p) + ": API 'r'\n"
                    + "    40 bytes originally requested\n"
                    + "    The 7 pad bytes at p-7 are not all FORBIDDENBYTE (0xfd):\n"
                    + "        at p-7: 0xfd\n"
                    + "        at p-6: 0xfd\n"
                    + "        at p-5: 0xfd\n"
                    + "        at p-4: 0xfd\n"
                    + "        at p-3: 0xfd\n"
                    + "        at p-2: 0x00 *** OUCH\n"
                    + "        at p-1: 0x01 *** OUCH\n"
                    + "    Because memory is corrupted at the start, the count of bytes requested\n"
                    + "       may be bogus, and checking the trailing pad bytes may segfault.\n"
                    + "    The 8 pad bytes at tail=" + hex(p + 40) + " are FORBIDDENBYTE, as expected.\n"
                    + "    Data at p: cd cd cd cd cd cd cd cd ... cd cd cd cd cd cd cd cd\n"
                    + "\n"
                    + NO_TRACEBACK
                    + "_PyMem_DebugRawFree: bad leading pad byte", e.getMessage());
            assertEquals('r', e.expectedApi());
            assertEquals('r', e.actualApi());
            NativeMemory.fill(p - 2, 2, (byte) 0xfd);
            f.raw.free(p);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void overflowByOneIsCaughtByFreeAndRealloc(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            for (long n : new long[] {0, 1, 10, 16, 17, 488, 489, 600}) {
                long p = f.mem.malloc(n);
                NativeMemory.putByte(p + n, (byte) 0x41);
                MemoryCorruptionException e = reported(f, Kind.BAD_TRAILING_PAD, p, () -> f.mem.free(p));
                assertTrue(e.getMessage().contains("\n        at tail+0: 0x41 *** OUCH\n        at tail+1: 0xfd\n"), e.getMessage());
                assertEquals(n > 0, e.getMessage().contains("Data at p:"), "the data line is omitted for N == 0");
                assertTrue(e.getMessage().endsWith("\n_PyMem_DebugRawFree: bad trailing pad byte"), e.getMessage());
                reported(f, Kind.BAD_TRAILING_PAD, p, () -> f.mem.realloc(p, n + 1));
                if (f.heap != null && n + 24 <= 512) {
                    assertTrue(f.heap.isLive(p - 16), "still allocated in pymalloc");
                }
                NativeMemory.putByte(p + n, (byte) 0xfd);
                f.mem.free(p);
            }
        }
    }

    /** The id byte decides, as in CPython; a forged id is caught by the table; a bad byte prints as \xNN. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void corruptAndForgedIdsAreBadIds(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.mem.malloc(8);
            NativeMemory.putByte(p - 8, (byte) 0xab);
            MemoryCorruptionException e = reported(f, Kind.BAD_ID, p, () -> f.mem.free(p));
            assertEquals((char) 0xab, e.actualApi());
            assertTrue(e.getMessage().contains(": API '\\xab'\n"), e.getMessage());
            assertTrue(e.getMessage().endsWith("bad ID: Allocated using API '\\xab', verified using API 'm'"), e.getMessage());
            NativeMemory.putByte(p - 8, (byte) 'o');
            MemoryCorruptionException forged = reported(f, Kind.BAD_ID, p, () -> f.obj.free(p));
            assertEquals('m', forged.actualApi());
            assertTrue(forged.getMessage().endsWith("bad ID: Allocated using API 'm', verified using API 'o'"));
            NativeMemory.putByte(p - 8, (byte) 'm');
            f.mem.free(p);
        }
    }

    /** The size word is never trusted: the tail is found with the recorded size, and the word reported. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aCorruptSizeWordIsReportedNotFollowed(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.obj.malloc(24);
            NativeMemory.putByte(p - 16, (byte) 0x7f); // N now reads 0x7f00000000000018
            MemoryCorruptionException e = reported(f, Kind.BAD_LEADING_PAD, p, () -> f.obj.free(p));
            assertTrue(e.getMessage().contains("    24 bytes originally requested\n"
                    + "    The size field at p-16 is corrupt: it reads 9151314442816847896 (0x7f00000000000018)\n"
                    + "    The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected.\n"
                    + "    The 8 pad bytes at tail=" + hex(p + 24) + " are FORBIDDENBYTE, as expected.\n"), e.getMessage());
            assertTrue(e.getMessage().endsWith("bad size field: it reads 9151314442816847896, but 24 bytes were requested"));
            NativeMemory.putByte(p - 16, (byte) 0);
            f.obj.free(p);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void writeAfterFreeIsFoundByCheckFreedMemory(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            f.hooks.setTracebackSource(address -> null);
            long p = f.mem.malloc(10);
            long q = f.mem.malloc(40);
            f.mem.free(p);
            f.mem.free(q);
            NativeMemory.putByte(p + 3, (byte) 0x41);
            NativeMemory.putByte(p + 10, (byte) 0x42);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, f.hooks::checkFreedMemory);
            assertEquals(Kind.WRITE_AFTER_FREE, e.kind());
            assertEquals(p, e.address());
            assertEquals('m', e.expectedApi());
            assertEquals('m', e.actualApi());
            assertEquals("Debug memory block at address p=" + hex(p) + ": API 'm'\n"
                    + "    10 bytes originally requested\n"
                    + "    The block was freed; its 34 bytes should all be DEADBYTE (0xdd):\n"
                    + "        at p+3: 0x41 *** OUCH\n"
                    + "        at tail+0: 0x42 *** OUCH\n"
                    + "    Data at p: dd dd dd 41 dd dd dd dd dd dd\n"
                    + "\n"
                    + NO_TRACEBACK
                    + "DebugHooks.checkFreedMemory: write after free", e.getMessage());
            assertEquals(1, f.hooks.quarantinedBlocks(), "reported once, then released");
            assertDoesNotThrow(f.hooks::checkFreedMemory);
            f.checkHeap();
        }
    }

    /** A block reported from the middle of the quarantine leaves it; the others keep their order. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void checkFreedMemoryReleasesOnlyTheWrittenBlock(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend, 4)) {
            long[] blocks = new long[5];
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = f.mem.malloc(16);
            }
            for (int i = 0; i < 4; i++) {
                f.mem.free(blocks[i]);
            }
            NativeMemory.putByte(blocks[2], (byte) 0);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, f.hooks::checkFreedMemory);
            assertEquals(blocks[2], e.address());
            assertEquals(java.util.List.of(blocks[2] - 16), f.heapInner.freed);
            for (int i = 0; i < 4; i++) {
                long p = blocks[i];
                InvalidAddressException stale = assertThrows(InvalidAddressException.class, () -> f.mem.free(p));
                assertEquals(i != 2, stale.getMessage().contains("already freed (double free)"), stale.getMessage());
            }
            f.mem.free(blocks[4]); // fills the quarantine again: 0, 1, 3, 4
            f.mem.free(f.mem.malloc(16)); // evicts the oldest: block 0, then 1
            assertEquals(java.util.List.of(blocks[2] - 16, blocks[0] - 16), f.heapInner.freed);
            f.mem.free(f.mem.malloc(16));
            assertEquals(java.util.List.of(blocks[2] - 16, blocks[0] - 16, blocks[1] - 16), f.heapInner.freed);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void manyWrittenBytesAreSummarised(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.obj.malloc(100);
            f.obj.free(p);
            NativeMemory.fill(p - 16, 124, (byte) 0);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, f.hooks::checkFreedMemory);
            String m = e.getMessage();
            assertTrue(m.contains("\n        at p-16: 0x00 *** OUCH\n"), m);
            assertTrue(m.contains("\n        at p-9: 0x00 *** OUCH\n        ... 116 more bad bytes, the last at tail+7\n"), m);
            assertFalse(m.contains("at p-8:"), m);
        }
    }

    /** Eviction finds the write before the free changes anything; the free can then be retried. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void writeAfterFreeIsFoundWhenTheQuarantineEvicts(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend, 2)) {
            long a = f.obj.malloc(50);
            long b = f.raw.malloc(50);
            long c = f.mem.malloc(50);
            long d = f.obj.malloc(50);
            f.obj.free(a);
            f.raw.free(b);
            NativeMemory.putLong(a + 8, 0);
            NativeMemory.putByte(b - 16, (byte) 1);
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> f.mem.free(c));
            assertEquals(Kind.WRITE_AFTER_FREE, e.kind());
            assertEquals(a, e.address());
            assertEquals('o', e.actualApi());
            assertTrue(e.getMessage().contains("        at p+8: 0x00 *** OUCH\n"), e.getMessage());
            assertTrue(e.getMessage().contains("    It was the oldest block in the quarantine, released to make room.\n"));
            assertTrue(e.getMessage().endsWith("\n_PyMem_DebugRawFree: write after free"), e.getMessage());
            assertEquals(2, f.hooks.liveBlocks(), "c was not freed");
            assertEquals(1, f.hooks.quarantinedBlocks(), "a was released");
            assertTrue(all(c, 50, 0xcd));
            f.checkHeap();
            f.mem.free(c); // retried: b is now the oldest, but there is room

            MemoryCorruptionException r = assertThrows(MemoryCorruptionException.class, () -> f.obj.realloc(d, 80));
            assertEquals(b, r.address());
            assertTrue(r.getMessage().contains("        at p-16: 0x01 *** OUCH\n"), r.getMessage());
            assertTrue(r.getMessage().endsWith("\n_PyMem_DebugRawRealloc: write after free"), r.getMessage());
            assertEquals(1, f.hooks.liveBlocks(), "d was not moved");
            assertTrue(all(d, 50, 0xcd));
            f.obj.free(f.obj.realloc(d, 80));
        }
    }

    /**
     * A block still quarantined when its memory closes leaves the quarantine then: a write to it
     * is reported by that close (the first; the others suppressed), and the memory is closed all
     * the same. A freed block has no trace: the report has no traceback section.
     */
    @ParameterizedTest
    @EnumSource(value = AllocatorName.class, names = {"PYMALLOC_DEBUG", "MALLOC_DEBUG"})
    void writeAfterFreeIsFoundWhenTheMemoryCloses(AllocatorName name) {
        Memory memory = Memory.builder().allocator(name).build();
        memory.tracer().start();
        long a = memory.obj().malloc(40);
        long b = memory.raw().malloc(5000);
        memory.obj().free(a);
        memory.raw().free(b);
        memory.mem().free(memory.mem().malloc(10));
        NativeMemory.putByte(a + 39, (byte) 1);
        NativeMemory.putByte(b + 5000, (byte) 2);
        MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, memory::close);
        assertTrue(memory.isClosed());
        assertEquals(Kind.WRITE_AFTER_FREE, e.kind());
        assertEquals(a, e.address());
        assertTrue(e.getMessage().contains("        at p+39: 0x01 *** OUCH\n"), e.getMessage());
        assertTrue(e.getMessage().contains("    It was still in the quarantine when the memory closed.\n"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("\n\nMemory.close: write after free"), "freed, so untraced: " + e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        MemoryCorruptionException second = (MemoryCorruptionException) e.getSuppressed()[0];
        assertEquals(b, second.address());
        assertTrue(second.getMessage().contains("        at tail+0: 0x02 *** OUCH\n"), second.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void doubleFreeNamesTheAddressAndChangesNothing(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.obj.malloc(32);
            f.obj.free(p);
            for (Executable call : new Executable[] {() -> f.obj.free(p), () -> f.mem.free(p)}) {
                InvalidAddressException e = assertThrows(InvalidAddressException.class, call);
                assertEquals(p, e.address());
                assertTrue(e.getMessage().contains(hex(p)) && e.getMessage().contains("already freed (double free)"),
                        e.getMessage());
                assertEquals(1, f.hooks.quarantinedBlocks());
                assertTrue(all(p - 16, 56, 0xdd), "the freed block was not touched");
                f.checkHeap();
            }
        }
    }

    /** Any other call on a quarantined block is a use after free, not a double free: nothing was freed twice. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void useOfAFreedBlockIsNotCalledADoubleFree(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.obj.malloc(32);
            f.obj.free(p);
            for (Executable call : new Executable[] {() -> f.obj.realloc(p, 8), () -> f.obj.usableSize(p)}) {
                InvalidAddressException e = assertThrows(InvalidAddressException.class, call);
                assertEquals(p, e.address());
                assertTrue(e.getMessage().contains(hex(p)) && e.getMessage().contains("already freed (use after free)"),
                        e.getMessage());
                assertFalse(e.getMessage().contains("double free"), e.getMessage());
                assertEquals(1, f.hooks.quarantinedBlocks());
                assertTrue(all(p - 16, 56, 0xdd), "the freed block was not touched");
                f.checkHeap();
            }
        }
    }

    /** Addresses the hooks never handed out are refused before a byte of them is read. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void foreignAddressesAreRefusedWithoutBeingRead(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.mem.malloc(64);
            long innerBlock = DebugHooks.unwrap(f.mem).malloc(64);
            long[] foreign = {16, 0xdead0000L, -16, Long.MIN_VALUE, 0x7ff0_0000_0000L, p - 16, p + 1, p + 16, innerBlock};
            for (long address : foreign) {
                for (Domain d : Domain.values()) {
                    for (Executable call : new Executable[] {() -> f.of(d).free(address), () -> f.of(d).realloc(address, 1)}) {
                        InvalidAddressException e = assertThrows(InvalidAddressException.class, call);
                        assertEquals(address, e.address());
                        assertTrue(e.getMessage().contains(hex(address) + "): not a block allocated through the debug hooks"),
                                e.getMessage());
                    }
                }
            }
            assertEquals(1, f.hooks.liveBlocks());
            f.hooks.checkInvariants();
            f.checkHeap();
            DebugHooks.unwrap(f.mem).free(innerBlock);
            f.mem.free(p);
        }
    }

    /** A traceback source that returns null or fails still gets the corruption reported. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void tracebackSourceFallbacks(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.mem.malloc(4);
            long[] asked = new long[1];
            f.hooks.setTracebackSource(address -> {
                asked[0] = address;
                return null;
            });
            MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> f.raw.free(p));
            assertEquals(p, asked[0], "asked for the user address");
            assertTrue(e.getMessage().contains("\n\n" + NO_TRACEBACK + "_PyMem_DebugRawFree"), e.getMessage());
            f.hooks.setTracebackSource(address -> {
                throw new UnsupportedOperationException("no frames");
            });
            e = assertThrows(MemoryCorruptionException.class, () -> f.raw.free(p));
            assertTrue(e.getMessage().contains("Memory block allocated at (most recent call first):\n"
                    + "  (the traceback source failed: java.lang.UnsupportedOperationException: no frames)\n\n"), e.getMessage());
            f.hooks.setTracebackSource(null);
            e = assertThrows(MemoryCorruptionException.class, () -> f.raw.free(p));
            assertTrue(e.getMessage().contains(NO_TRACEBACK), e.getMessage());
            f.mem.free(p);
        }
    }
}
