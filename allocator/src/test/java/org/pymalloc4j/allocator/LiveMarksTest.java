package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pymalloc4j.allocator.internal.LiveMarks;
import org.pymalloc4j.allocator.internal.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checked mode's live-block map (LiveMarks): malloc marks a block with its heap's mark at once
 * and free clears it, every double free is refused, the map's equation holds after every step,
 * heaps past the 126 marks of their own share one and still refuse each other's blocks, and
 * unaligned arenas, whose first bytes belong to no pool, work the same.
 */
class LiveMarksTest {

    @Test
    void mallocMarksTheBlockAndFreeClearsIt() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create()) {
            long a = heap.malloc(64);
            int mark = TestSupport.liveMark(a);
            assertTrue(mark != 0, "marked as soon as it is handed out");
            long b = heap.malloc(64);
            assertEquals(mark, TestSupport.liveMark(b), "one mark for all the heap's blocks");
            assertEquals(0, TestSupport.liveMark(a + 16), "the granule after a block's start is no block");
            heap.checkInvariants();
            heap.free(a);
            assertEquals(0, TestSupport.liveMark(a));
            assertDoubleFree(heap, a);
            heap.checkInvariants();
            heap.free(b);
            assertDoubleFree(heap, b);
            heap.checkInvariants();
        }
    }

    @Test
    void doubleFreeOfTheBlockJustHandedOutIsRefused() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create()) {
            long keep = heap.malloc(64);
            long a = heap.malloc(64);
            heap.free(a);
            String stats = heap.debugMallocStats();
            assertDoubleFree(heap, a);
            assertEquals(stats, heap.debugMallocStats(), "heap unchanged");
            assertFalse(heap.isLive(a));
            TestSupport.refusedAddress("realloc", a, () -> heap.realloc(a, 10));
            heap.checkInvariants();
            heap.free(keep);
        }
    }

    @Test
    void aFreedBlockHandedOutAgainIsLive() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create()) {
            long keep = heap.malloc(64);
            long a = heap.malloc(64);
            heap.free(a);
            assertEquals(a, heap.malloc(64), "the block just freed comes back first");
            assertTrue(heap.isLive(a));
            heap.checkInvariants();
            heap.free(a);
            heap.checkInvariants();
            heap.free(keep);
            heap.checkInvariants();
        }
    }

    @Test
    void aDoubleFreeOfAnOlderBlockIsRefused() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create()) {
            long keep = heap.malloc(32);
            long a = heap.malloc(32);
            long b = heap.malloc(32);
            heap.free(a);
            assertDoubleFree(heap, a);
            heap.free(b);
            assertDoubleFree(heap, a);
            heap.checkInvariants();
            heap.free(keep);
        }
    }

    /** realloc moving a block: the new block is marked, the old one cleared and refused. */
    @Test
    void reallocMovingABlockFreesIt() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create()) {
            long a = heap.malloc(16);
            long moved = heap.realloc(a, 300);
            assertFalse(heap.isLive(a));
            assertTrue(heap.isLive(moved));
            assertEquals(0, TestSupport.liveMark(a));
            heap.checkInvariants();
            long b = heap.malloc(16);
            long raw = heap.realloc(b, 5000); // to libc: b is freed by the move
            assertFalse(heap.isLive(b));
            TestSupport.refusedAddress("free", b, () -> heap.free(b));
            heap.checkInvariants();
            heap.free(raw);
            heap.free(moved);
            heap.checkInvariants();
        }
    }

    /**
     * Open heaps past the 126 marks of their own share {@link LiveMarks#SHARED}: the byte alone
     * cannot tell their blocks apart, so their free asks the owner map, and still refuses the
     * other's block with both heaps unchanged, raw blocks included. A mark given back is taken
     * again.
     */
    @Test
    void heapsSharingAMarkStillRefuseEachOthersBlocks() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        List<Byte> held = new ArrayList<>();
        try {
            for (byte m = LiveMarks.takeMark(); m != LiveMarks.SHARED; m = LiveMarks.takeMark()) {
                held.add(m); // the marks no open heap holds, until none is left
            }
            assertTrue(held.size() <= 126, "at most 126 marks of their own: " + held.size());
            try (PyMalloc first = PyMalloc.create(); PyMalloc second = PyMalloc.create()) {
                long a = first.malloc(64);
                long b = second.malloc(64);
                assertEquals(LiveMarks.SHARED & 0xff, TestSupport.liveMark(a));
                assertEquals(LiveMarks.SHARED & 0xff, TestSupport.liveMark(b));
                String before = second.debugMallocStats();
                TestSupport.refusedAddress("free", a, () -> second.free(a));
                TestSupport.refusedAddress("free", b, () -> first.free(b));
                assertEquals(before, second.debugMallocStats(), "the other heap is unchanged");
                assertTrue(first.isLive(a) && second.isLive(b));
                long rawA = first.malloc(1000);
                long rawB = second.malloc(1000);
                assertEquals(0xff, TestSupport.liveMark(rawA), "the shared raw mark: their entries tell them apart");
                assertEquals(0xff, TestSupport.liveMark(rawB));
                TestSupport.refusedAddress("free", rawA, () -> second.free(rawA));
                TestSupport.refusedAddress("realloc", rawB, () -> first.realloc(rawB, 2000));
                first.free(a);
                assertDoubleFree(first, a);
                second.free(b);
                first.free(rawA);
                TestSupport.refusedAddress("free", rawA, () -> first.free(rawA));
                assertTrue(second.isLive(rawB));
                first.checkInvariants();
                second.checkInvariants();
                second.free(rawB);
            }
        } finally {
            held.forEach(LiveMarks::returnMark);
        }
        try (PyMalloc heap = PyMalloc.create()) {
            long p = heap.malloc(64);
            assertTrue(TestSupport.liveMark(p) != (LiveMarks.SHARED & 0xff), "a mark given back is taken again");
            heap.free(p);
        }
    }

    /** A closed heap's mark passes to the next heap: the closed heap must not take that heap's blocks for its own. */
    @Test
    void aClosedHeapRefusesTheBlocksOfTheHeapItsMarkPassedTo() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        PyMalloc closed = PyMalloc.create();
        long old = closed.malloc(64);
        int mark = TestSupport.liveMark(old);
        closed.close();
        assertEquals(0, TestSupport.liveMark(old), "closing clears the marks");
        try (PyMalloc next = PyMalloc.create()) {
            long p = next.malloc(64);
            assertEquals(mark, TestSupport.liveMark(p), "the lowest free mark, the closed heap's");
            assertEquals("this PyMalloc heap is closed",
                    assertThrows(IllegalStateException.class, () -> closed.free(p)).getMessage(), "not a free of next's block");
            assertTrue(next.isLive(p));
            next.free(p);
            next.checkInvariants();
        }
    }

    /**
     * A heap dropped without close() gives its mark back once collected, its bytes zeroed
     * first; its arenas stay mapped. Closing runs the same return, and only once: a closed heap
     * collected later must not give back a mark another heap now holds.
     */
    @Test
    void aHeapDroppedWithoutCloseGivesItsMarkBackOnce() throws InterruptedException {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long[] block = new long[2];
        byte mark = dropAHeapHolding(block);
        assertEquals(mark | 0x80, TestSupport.liveMark(block[1]), "its raw block's record");
        assertTrue(awaitFree(mark, true), "the dropped heap's mark " + mark + " was given back");
        assertEquals(0, TestSupport.liveMark(block[0]), "its bytes are zeroed");
        assertEquals(0, TestSupport.liveMark(block[1]), "its raw block's record too");
        assertEquals(0x5A, NativeMemory.getByte(block[1]) & 0xff, "its raw block is still allocated and intact");
        assertEquals(0x5A, NativeMemory.getByte(block[0]) & 0xff, "its arena is still mapped and intact");

        byte closedMark = closeAHeap();
        try (PyMalloc holder = PyMalloc.create()) {
            long p = holder.malloc(64);
            assertEquals(closedMark, (byte) TestSupport.liveMark(p), "the closed heap's mark, taken again");
            assertFalse(awaitFree(closedMark, false), "the collected closed heap gave it back a second time");
            assertTrue(holder.isLive(p));
            holder.free(p);
        }
    }

    /** Opens a heap, writes into a block and a raw block of it, and drops the heap: returns the heap's mark. */
    private static byte dropAHeapHolding(long[] block) {
        PyMalloc heap = PyMalloc.create();
        block[0] = heap.malloc(64);
        NativeMemory.putByte(block[0], (byte) 0x5A);
        block[1] = heap.malloc(1000);
        NativeMemory.putByte(block[1], (byte) 0x5A);
        return (byte) TestSupport.liveMark(block[0]);
    }

    private static byte closeAHeap() {
        PyMalloc heap = PyMalloc.create();
        byte mark = (byte) TestSupport.liveMark(heap.malloc(64));
        heap.close();
        return mark;
    }

    /**
     * Collects until {@code mark} is free, or for about a second when {@code expected} is false
     * (ten seconds when true); whether it was free at the end. Takes every mark up to it to look,
     * and gives them back.
     */
    private static boolean awaitFree(byte mark, boolean expected) throws InterruptedException {
        long deadline = System.nanoTime() + (expected ? 10_000_000_000L : 1_000_000_000L);
        boolean free;
        do {
            System.gc();
            Thread.sleep(10);
            List<Byte> taken = new ArrayList<>();
            byte m;
            do {
                m = LiveMarks.takeMark();
                if (m != LiveMarks.SHARED) {
                    taken.add(m);
                }
            } while (m != LiveMarks.SHARED && m != mark);
            free = m == mark;
            taken.forEach(LiveMarks::returnMark);
        } while (free != expected && System.nanoTime() < deadline);
        return free;
    }

    private static void assertDoubleFree(PyMalloc heap, long address) {
        InvalidAddressException e = TestSupport.refusedAddress("free", address, () -> heap.free(address));
        assertTrue(e.getMessage().contains("double free"), e.getMessage());
    }

    /** Pools emptied and arenas returned to the OS leave no mark behind. */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void emptiedPoolsAndReturnedArenasLeaveNoMarkBehind(Geometry g) {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create(g)) {
            long lone = heap.malloc(500);
            heap.free(lone);
            TestSupport.refusedAddress("free", lone, () -> heap.free(lone));
            heap.checkInvariants();
            // Three arenas' worth of blocks, all freed: arenas go back to the OS mid-way.
            List<Long> blocks = new ArrayList<>();
            long perArena = g.arenaSize() / 512;
            for (long i = 0; i < 3 * perArena; i++) {
                blocks.add(heap.malloc(512));
            }
            for (long p : blocks) {
                heap.free(p);
            }
            heap.checkInvariants();
            assertTrue(heap.stats().arenasReclaimed() >= 2, "arenas returned: " + heap.stats().arenasReclaimed());
            for (long p : blocks.subList(0, 5)) {
                assertFalse(heap.isLive(p));
            }
        }
    }

    /** checkInvariants checks the map's equation: a live block unmarked, a marked non-block, a wrong mark, each named. */
    @Test
    void checkInvariantsNamesAWrongLiveMark() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        try (PyMalloc heap = PyMalloc.create()) {
            long a = heap.malloc(48);
            long b = heap.malloc(48);
            long c = heap.malloc(48);
            heap.free(b);
            byte mark = NativeMemory.getByte(LiveMarks.mark(a));
            long[][] wrongs = { // address, byte written there
                {a, 0}, {c, 0}, {b, mark}, {a + 16, mark}, {c, mark == 1 ? 2 : 1}};
            for (long[] w : wrongs) {
                long at = LiveMarks.mark(w[0]);
                byte before = NativeMemory.getByte(at);
                NativeMemory.putByte(at, (byte) w[1]);
                IllegalStateException e = assertThrows(IllegalStateException.class, heap::checkInvariants);
                assertTrue(e.getMessage().contains("live mark of 0x" + Long.toHexString(w[0])), e.getMessage());
                NativeMemory.putByte(at, before);
                heap.checkInvariants();
            }
            heap.free(a);
            heap.free(c);
        }
    }

    /**
     * Arenas one pool past an arena boundary: each straddles two ideal blocks, so the index
     * answers through the radix tree. A seeded model with bad frees.
     */
    @Test
    void unalignedArenasKeepTheirMarks() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        Geometry g = Geometry.PY311;
        OffsetArenaAllocator offByAPool = new OffsetArenaAllocator(g.poolSize() + 4096); // neither arena- nor pool-aligned
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(offByAPool).build()) {
            List<Long> live = new ArrayList<>();
            List<Long> freed = new ArrayList<>();
            for (int step = 0; step < 20_000; step++) {
                int op = random.nextInt(10);
                if (op < 5 || live.isEmpty()) {
                    long p = heap.malloc(1 + random.nextInt(512));
                    live.add(p);
                    freed.remove(p);
                } else if (op < 9) {
                    long p = live.remove(random.nextInt(live.size()));
                    heap.free(p);
                    freed.add(p);
                } else {
                    long bad = !freed.isEmpty() && random.nextBoolean()
                            ? freed.get(random.nextInt(freed.size()))
                            : live.get(random.nextInt(live.size())) + 16 * (1 + random.nextInt(3)) - random.nextInt(2) * 8;
                    if (!live.contains(bad)) {
                        TestSupport.refusedAddress("free", bad, () -> heap.free(bad), "seed " + seed);
                    }
                }
                if (step % 1000 == 0) {
                    heap.checkInvariants();
                }
            }
            heap.checkInvariants();
            for (long p : live) {
                assertTrue(heap.isLive(p), "seed " + seed);
                heap.free(p);
            }
            heap.checkInvariants();
        }
        assertTrue(offByAPool.allReturned(), "every arena returned");
    }

    /**
     * 130 heaps open at once, none closed: the last ones share mark 127. Every heap refuses the
     * others' blocks, small and raw, own mark or shared, and frees its own; a mark freed by a
     * close goes to the next heap opened.
     */
    @Test
    void manyHeapsOpenAtOnceRefuseEachOthersBlocks() {
        assumeTrue(PyMalloc.CHECKS, "small-block checks are off");
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        List<PyMalloc> heaps = new ArrayList<>();
        try {
            for (int i = 0; i < 130; i++) {
                heaps.add(PyMalloc.create(i % 2 == 0 ? Geometry.PY311 : Geometry.PY38));
            }
            long[][] blocks = new long[heaps.size()][];
            for (int i = 0; i < heaps.size(); i++) {
                PyMalloc h = heaps.get(i);
                blocks[i] = new long[] {h.malloc(1 + random.nextInt(512)), h.malloc(16), h.malloc(700)};
            }
            assertEquals(LiveMarks.SHARED & 0xff, TestSupport.liveMark(blocks[129][0]), "past 126 marks: shared");
            for (int k = 0; k < 2000; k++) {
                int i = random.nextInt(heaps.size());
                int j = random.nextInt(heaps.size());
                long other = blocks[j][random.nextInt(3)];
                if (i != j) {
                    TestSupport.refusedAddress("free", other, () -> heaps.get(i).free(other), "seed " + seed);
                    TestSupport.refusedAddress("realloc", other, () -> heaps.get(i).realloc(other, 32), "seed " + seed);
                    assertFalse(heaps.get(i).isLive(other), "seed " + seed);
                }
            }
            for (int i = 0; i < heaps.size(); i++) {
                PyMalloc h = heaps.get(i);
                h.checkInvariants();
                assertEquals(2, h.stats().smallBlocksInUse(), "heap " + i + " unchanged, seed " + seed);
                for (long p : blocks[i]) {
                    h.free(p);
                }
                h.checkInvariants();
            }
            int mark = TestSupport.liveMark(heaps.get(7).malloc(64));
            heaps.get(7).close();
            PyMalloc next = PyMalloc.create();
            heaps.add(next);
            assertEquals(mark, TestSupport.liveMark(next.malloc(64)), "the closed heap's mark, taken again");
        } finally {
            heaps.forEach(PyMalloc::close);
        }
    }

    /**
     * An arena whose base is not pool-aligned begins with a piece of a pool whose header lies
     * before the arena, here in memory no longer mapped: isLive and usableSize of an address
     * there must answer without reading that header, in both modes.
     */
    @Test
    void addressesBeforeAnUnalignedArenasFirstPoolAreNoBlocks() {
        Geometry g = Geometry.PY311;
        Map<Long, Long> mappings = new HashMap<>();
        ArenaAllocator headless = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                long map = RawAllocator.mapAligned(2 * size, size);
                if (map == 0) {
                    return 0;
                }
                long arena = map + g.poolSize() + 4096; // the pool holding its base starts a page before it
                RawAllocator.unmap(map, arena - map);
                mappings.put(arena, map);
                return arena;
            }

            @Override
            public void free(long address, long size) {
                long map = mappings.remove(address);
                RawAllocator.unmap(address, map + 2 * size - address);
            }
        };
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(headless).build()) {
            long p = heap.malloc(64);
            long base = mappings.keySet().iterator().next();
            for (long a = base; a < base + g.poolSize() - 4096; a += 4096 - 16) {
                long address = a;
                assertTrue(heap.isArenaAddress(address));
                assertFalse(heap.isLive(address), TestSupport.hex(address));
                TestSupport.refusedAddress("usableSize", address, () -> heap.usableSize(address));
            }
            assertTrue(heap.isLive(p));
            heap.free(p);
            heap.checkInvariants();
        }
        assertTrue(mappings.isEmpty(), "every arena returned");
    }
}
