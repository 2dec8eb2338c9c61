package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pymalloc4j.allocator.DebugFixture.Backend;
import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pymalloc4j.allocator.DebugFixture.all;
import static org.pymalloc4j.allocator.DebugFixture.bytes;
import static org.pymalloc4j.allocator.DebugFixture.repeat;

/** The debug hooks' layout, life cycle and API, over each backend; corruption is in {@link DebugHooksCorruptionTest}. */
class DebugHooksTest {
    /** Header bytes for N: 8 bytes big-endian. */
    private static String sizeWord(long n) {
        StringBuilder s = new StringBuilder();
        for (int shift = 56; shift >= 0; shift -= 8) {
            s.append(shift == 56 ? "" : " ").append(String.format("%02x", (n >>> shift) & 0xff));
        }
        return s.toString();
    }

    /** CPython 3.11's captured bytes of {@code PyMem_Malloc(10)}, and the same for the other ids. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void mallocLayoutIsCPythons(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            for (Domain d : Domain.values()) {
                long p = f.of(d).malloc(10);
                assertEquals(0, p & 15, "16-byte aligned");
                String id = String.format("%02x", (int) d.apiId());
                assertEquals("00 00 00 00 00 00 00 0a " + id + " " + repeat("fd", 7) + " " + repeat("cd", 10) + " "
                        + repeat("fd", 8), bytes(p - 16, 34), d.toString());
                f.of(d).free(p);
            }
            assertEquals("00 00 00 00 00 00 00 0a 6d fd fd fd fd fd fd fd cd cd cd cd cd cd cd cd cd cd"
                    + " fd fd fd fd fd fd fd fd", layoutOfMem10(f));
        }
    }

    private static String layoutOfMem10(DebugFixture f) {
        long p = f.mem.malloc(10);
        String s = bytes(p - 16, 34);
        f.mem.free(p);
        return s;
    }

    /** calloc goes through the inner calloc: data reused from a freed, written block is zero. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void callocZeroesTheDataAndWritesTheHeader(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend, 0)) {
            for (long[] args : new long[][] {{3, 7}, {0, 5}, {5, 0}, {1, 600}, {100, 50}}) {
                long n = args[0] * args[1];
                long dirty = f.obj.malloc(n);
                TestSupport.fill(dirty, n, n);
                f.obj.free(dirty); // with no quarantine, its memory is reused at once
                long p = f.obj.calloc(args[0], args[1]);
                assertEquals(sizeWord(n) + " 6f " + repeat("fd", 7), bytes(p - 16, 16));
                assertTrue(all(p, n, 0), "calloc data is zero");
                assertTrue(all(p + n, 8, 0xfd), "trailing pad");
                f.obj.free(p);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void freeFillsTheWholeBlockWithDeadbyteAndQuarantinesIt(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.mem.malloc(40);
            TestSupport.fill(p, 40, p);
            assertEquals(1, f.hooks.liveBlocks());
            f.mem.free(p);
            assertTrue(all(p - 16, 64, 0xdd), bytes(p - 16, 64));
            assertEquals(0, f.hooks.liveBlocks());
            assertEquals(1, f.hooks.quarantinedBlocks());
            assertEquals(1, f.innerLive(), "still held back from the inner allocator");
            f.mem.free(0);
            assertDoesNotThrow(f.hooks::checkFreedMemory);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theQuarantineReleasesTheOldestBlockFirst(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend, 4)) {
            long[] blocks = new long[7];
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = f.of(Domain.values()[i % 3]).malloc(24 + i);
            }
            for (int i = 0; i < blocks.length; i++) {
                f.of(Domain.values()[i % 3]).free(blocks[i]);
                assertEquals(Math.min(i + 1, 4), f.hooks.quarantinedBlocks());
            }
            java.util.List<Long> freed = new java.util.ArrayList<>(f.rawInner.freed);
            if (f.heapInner != f.rawInner) {
                freed.addAll(f.heapInner.freed);
                freed.sort(null);
            }
            java.util.List<Long> expected = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                expected.add(blocks[i] - 16);
            }
            if (f.heapInner != f.rawInner) {
                expected.sort(null);
            }
            assertEquals(expected, freed, "the three oldest went back to their inner allocators");
        }
    }

    /** create(0): "0 frees at once, as CPython does" - pymalloc hands the same block out again. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aQuarantineOfZeroFreesAtOnce(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend, 0)) {
            long p = f.obj.malloc(100);
            f.obj.free(p);
            assertEquals(0, f.hooks.quarantinedBlocks());
            assertEquals(0, f.innerLive());
            InvalidAddressException e = assertThrows(InvalidAddressException.class, () -> f.obj.free(p));
            assertTrue(e.getMessage().contains("not a block allocated through the debug hooks"), e.getMessage());
            long again = f.obj.malloc(100);
            if (backend != Backend.LIBC) {
                assertEquals(p, again, "pymalloc reuses the freed block (LIFO)");
            }
            f.obj.free(again);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void reallocMovesKeepsContentsCleansTheTailAndQuarantinesTheOld(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.mem.malloc(20);
            TestSupport.fill(p, 20, 42);
            long grown = f.mem.realloc(p, 100);
            assertNotEquals(p, grown, "realloc always moves");
            TestSupport.verify(grown, 20, 42, "grown");
            assertTrue(all(grown + 20, 80, 0xcd), "grown tail is CLEANBYTE: " + bytes(grown + 20, 80));
            assertEquals(sizeWord(100) + " 6d", bytes(grown - 16, 9));
            assertTrue(all(grown + 100, 8, 0xfd));
            assertTrue(all(p - 16, 20 + 24, 0xdd), "old block dead");
            assertEquals(1, f.hooks.quarantinedBlocks());

            long shrunk = f.mem.realloc(grown, 10);
            TestSupport.verify(shrunk, 10, 42, "shrunk");
            assertEquals(sizeWord(10), bytes(shrunk - 16, 8));
            assertTrue(all(shrunk + 10, 8, 0xfd));
            assertEquals(2, f.hooks.quarantinedBlocks());

            long empty = f.mem.realloc(shrunk, 0);
            assertEquals(sizeWord(0) + " 6d " + repeat("fd", 15), bytes(empty - 16, 24));
            f.mem.free(empty);

            long fresh = f.raw.realloc(0, 5);
            assertEquals(repeat("cd", 5), bytes(fresh, 5), "realloc(0, n) is malloc(n)");
            f.raw.free(fresh);
            f.hooks.checkInvariants();
        }
    }

    /** realloc: "@throws OutOfMemoryError if the new block cannot be had; the old one is intact". */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aFailedReallocLeavesTheOldBlock(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.obj.malloc(30);
            TestSupport.fill(p, 30, 7);
            for (long size : new long[] {DebugBlock.MAX_SIZE, DebugBlock.MAX_SIZE + 1, Long.MAX_VALUE}) {
                OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> f.obj.realloc(p, size));
                assertTrue(e.getMessage().contains(Long.toString(size)) || size == DebugBlock.MAX_SIZE, e.getMessage());
                TestSupport.verify(p, 30, 7, "after a failed realloc to " + size);
                assertEquals(1, f.hooks.liveBlocks());
                f.hooks.checkInvariants();
                f.checkHeap();
            }
            f.obj.free(p);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void everySizeUpTo600RoundTrips(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend, 16)) {
            for (int n = 0; n <= 600; n++) {
                Domain d = Domain.values()[n % 3];
                long p = n % 2 == 0 ? f.of(d).malloc(n) : f.of(d).calloc(n, 1);
                assertEquals(sizeWord(n) + String.format(" %02x ", (int) d.apiId()) + repeat("fd", 7), bytes(p - 16, 16));
                assertTrue(all(p, n, n % 2 == 0 ? 0xcd : 0), "size " + n);
                assertTrue(all(p + n, 8, 0xfd), "size " + n);
                TestSupport.fill(p, n, n);
                f.hooks.checkInvariants();
                TestSupport.verify(p, n, n, "size " + n);
                f.of(d).free(p);
            }
            f.hooks.checkFreedMemory();
        }
    }

    /** "user sizes up to 488 stay in pymalloc": 488 + 24 = 512, the largest size class. */
    @Test
    void userSize488IsTheLargestThatStaysInPymalloc() {
        try (DebugFixture f = new DebugFixture(Backend.PYMALLOC)) {
            long small = f.obj.malloc(488);
            long large = f.obj.malloc(489);
            assertTrue(f.heap.isArenaAddress(small), "488 in an arena");
            assertFalse(f.heap.isArenaAddress(large), "489 goes to raw malloc");
            assertEquals(512, f.heap.usableSize(small - 16));
            f.obj.free(small);
            f.obj.free(large);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void negativeAndHugeSizesAreRefusedBeforeTheInnerAllocator(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long calls = f.rawInner.calls + f.heapInner.calls;
            assertEquals("debug malloc(-1): negative size",
                    assertThrows(IllegalArgumentException.class, () -> f.mem.malloc(-1)).getMessage());
            assertEquals("calloc(-1, 1): negative size",
                    assertThrows(IllegalArgumentException.class, () -> f.mem.calloc(-1, 1)).getMessage());
            assertEquals("calloc(1, -1): negative size",
                    assertThrows(IllegalArgumentException.class, () -> f.mem.calloc(1, -1)).getMessage());
            assertEquals("debug realloc(0x0, -1): negative size",
                    assertThrows(IllegalArgumentException.class, () -> f.mem.realloc(0, -1)).getMessage());
            for (long size : new long[] {DebugBlock.MAX_SIZE + 1, Long.MAX_VALUE - 24, Long.MAX_VALUE - 23, Long.MAX_VALUE}) {
                OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> f.raw.malloc(size));
                assertTrue(e.getMessage().contains(Long.toString(size)), e.getMessage());
            }
            OutOfMemoryError overflow = assertThrows(OutOfMemoryError.class, () -> f.obj.calloc(1L << 32, 1L << 32));
            assertTrue(overflow.getMessage().contains("overflows"), overflow.getMessage());
            assertEquals("pymalloc4j: debug calloc(268435456, 268435456): 72057594037927936 bytes is more than the debug hooks"
                    + " can record (2^56 - 1)",
                    assertThrows(OutOfMemoryError.class, () -> f.obj.calloc(1L << 28, 1L << 28)).getMessage());
            OutOfMemoryError fromNull = assertThrows(OutOfMemoryError.class, () -> f.mem.realloc(0, 1L << 57));
            assertEquals("pymalloc4j: debug realloc(0x0, 144115188075855872): 144115188075855872 bytes is more than the debug hooks"
                    + " can record (2^56 - 1)", fromNull.getMessage(), "the call made, not the malloc it stands for");
            assertEquals(calls, f.rawInner.calls + f.heapInner.calls, "the inner allocators were not called");
            // A size the hooks accept but the inner allocator cannot serve.
            String inner = Long.toString(DebugBlock.MAX_SIZE + DebugBlock.OVERHEAD);
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> f.mem.malloc(DebugBlock.MAX_SIZE));
            assertTrue(e.getMessage().contains(inner), "names the inner request: " + e.getMessage());
            e = assertThrows(OutOfMemoryError.class, () -> f.mem.calloc(1, DebugBlock.MAX_SIZE));
            assertTrue(e.getMessage().contains(inner), "names the inner request: " + e.getMessage());
            assertEquals(0, f.hooks.liveBlocks());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void afterCloseEveryCallThrowsAndLiveBlocksStayTheCallers(Backend backend) {
        DebugFixture f = new DebugFixture(backend);
        try {
            long kept = f.mem.malloc(64);
            long freed = f.mem.malloc(64);
            f.mem.free(freed);
            f.hooks.close();
            assertTrue(f.hooks.isClosed());
            assertEquals(1, f.innerLive(), "the quarantined block went back, the live one stayed");
            if (f.heap != null) {
                assertTrue(f.heap.isLive(kept - 16));
            }
            assertEquals(repeat("cd", 64), bytes(kept, 64), "still the caller's");
            List<Executable> calls = new ArrayList<>();
            for (BlockAllocator a : new BlockAllocator[] {f.raw, f.mem, f.obj}) {
                calls.addAll(List.of(() -> a.malloc(8), () -> a.calloc(1, 8), () -> a.realloc(kept, 8), () -> a.free(kept),
                        () -> a.free(0)));
            }
            calls.addAll(List.of(f.hooks::liveBlocks, f.hooks::quarantinedBlocks, f.hooks::checkFreedMemory,
                    f.hooks::checkInvariants, () -> f.hooks.wrap(Domain.MEM, f.heapInner),
                    () -> f.hooks.setTracebackSource(p -> null)));
            for (Executable call : calls) {
                assertEquals("these DebugHooks are closed", assertThrows(IllegalStateException.class, call).getMessage());
            }
            assertDoesNotThrow(f.hooks::close, "closing again does nothing");
            DebugHooks.unwrap(f.mem).free(kept - 16);
        } finally {
            f.close();
        }
    }

    /** close: "@throws RuntimeException what an inner allocator threw for a quarantined block". */
    @Test
    void closeAfterTheHeapRethrowsAndStillCloses() {
        PyMalloc heap = PyMalloc.create();
        DebugHooks hooks = DebugHooks.create();
        BlockAllocator obj = hooks.wrap(Domain.OBJ, heap);
        obj.free(obj.malloc(16));
        obj.free(obj.malloc(1000));
        heap.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, hooks::close);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals(1, e.getSuppressed().length, "the second block's failure is kept too");
        assertTrue(hooks.isClosed());
        assertEquals("these DebugHooks are closed", assertThrows(IllegalStateException.class, hooks::liveBlocks).getMessage());
    }

    /** create(int): "@throws IllegalArgumentException if quarantineBlocks is negative or more than MAX". */
    @Test
    void createRefusesABadQuarantineSize() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DebugHooks.create(-1)).getMessage()
                .startsWith("quarantine of -1 blocks: must be 0.."));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DebugHooks.create(DebugHooks.MAX_QUARANTINE_BLOCKS + 1));
        assertTrue(e.getMessage().contains(Integer.toString(DebugHooks.MAX_QUARANTINE_BLOCKS + 1)), e.getMessage());
        try (DebugHooks hooks = DebugHooks.create(0)) {
            assertEquals(0, hooks.quarantinedBlocks());
        }
    }

    /** wrap's @throws: null arguments, a debug allocator, a domain already wrapped over another. */
    @Test
    void wrapRefusesBadArguments() {
        try (PyMalloc heap = PyMalloc.create(); DebugHooks hooks = DebugHooks.create()) {
            BlockAllocator mem = hooks.wrap(Domain.MEM, heap);
            assertSame(mem, hooks.wrap(Domain.MEM, heap), "wrapping again over the same allocator");
            assertEquals("domain", assertThrows(NullPointerException.class, () -> hooks.wrap(null, heap)).getMessage());
            assertEquals("inner", assertThrows(NullPointerException.class, () -> hooks.wrap(Domain.OBJ, null)).getMessage());
            assertEquals(mem + " is already a debug allocator",
                    assertThrows(IllegalArgumentException.class, () -> hooks.wrap(Domain.OBJ, mem)).getMessage());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> hooks.wrap(Domain.MEM, new DebugFixture.LibcAllocator()));
            assertTrue(e.getMessage().contains("MEM"), e.getMessage());
            try (DebugHooks other = DebugHooks.create()) {
                assertEquals(mem + " is already a debug allocator",
                        assertThrows(IllegalArgumentException.class, () -> other.wrap(Domain.MEM, mem)).getMessage());
            }
        }
    }

    /** unwrap's @throws, and isDebugAllocator. */
    @Test
    void isDebugAllocatorAndUnwrap() {
        try (PyMalloc heap = PyMalloc.create(); DebugHooks hooks = DebugHooks.create()) {
            BlockAllocator obj = hooks.wrap(Domain.OBJ, heap);
            assertTrue(DebugHooks.isDebugAllocator(obj));
            assertFalse(DebugHooks.isDebugAllocator(heap));
            assertFalse(DebugHooks.isDebugAllocator(null));
            assertSame(heap, DebugHooks.unwrap(obj));
            assertEquals(heap + " is not a debug allocator",
                    assertThrows(IllegalArgumentException.class, () -> DebugHooks.unwrap(heap)).getMessage());
            assertEquals("debugAllocator", assertThrows(NullPointerException.class, () -> DebugHooks.unwrap(null)).getMessage());
        }
    }

    /** checkInvariants: "@throws IllegalStateException naming the first block and field found broken". */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void checkInvariantsNamesTheBrokenField(Backend backend) {
        try (DebugFixture f = new DebugFixture(backend)) {
            long p = f.obj.malloc(12);
            String[][] cases = {{"-16", "size word"}, {"-8", "API id"}, {"-3", "leading pad"}, {"12", "trailing pad"}};
            for (String[] c : cases) {
                long at = p + Long.parseLong(c[0]);
                byte saved = NativeMemory.getByte(at);
                NativeMemory.putByte(at, (byte) (saved ^ 0x40));
                IllegalStateException e = assertThrows(IllegalStateException.class, f.hooks::checkInvariants);
                assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains(TestSupport.hex(p)), e.getMessage());
                NativeMemory.putByte(at, saved);
                f.hooks.checkInvariants();
            }
            f.obj.free(p);
        }
    }

    /** Domain.ofApiId: "@throws IllegalArgumentException if {@code id} is not 'r', 'm' or 'o'". */
    @Test
    void ofApiIdNamesAnUnknownId() {
        for (Domain d : Domain.values()) {
            assertSame(d, Domain.ofApiId(d.apiId()));
        }
        for (char bad : new char[] {'x', 'R', 'M', '\0'}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Domain.ofApiId(bad));
            assertEquals("no domain has API id '" + bad + "'", e.getMessage());
        }
    }
}
