package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.pymalloc4j.allocator.internal.ArenaOwners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The owner map (ArenaOwners) that tells free whether an address is in one of its heap's
 * arenas: one entry per 256 KiB chunk, shared by every heap of the process. Its entries are
 * written here at addresses no mapping of the test JVM uses (a region far below where the kernel
 * places mappings), so the heaps of other tests are not disturbed.
 */
class ArenaOwnersTest {
    private static final long CHUNK = 1L << ArenaOwners.CHUNK_BITS;
    private static final long MIB = 1L << 20;
    /** Address space no mapping of this JVM uses: 1/8 of the way up the covered range. */
    private static final long UNUSED = ArenaOwners.COVERED >>> 3;

    @Test
    void anAlignedArenasChunksNameItsHeapAndBecomeNoneWhenItGoes() {
        assumeTrue(ArenaOwners.exists(), "the owner map could not be reserved");
        int tag = ArenaOwners.newTag();
        long base = UNUSED;
        assertTrue(ArenaOwners.add(base, MIB, tag));
        for (long a = base; a < base + MIB; a += CHUNK / 2) {
            assertEquals(tag, ArenaOwners.owner(a), "0x" + Long.toHexString(a));
        }
        assertEquals(ArenaOwners.NONE, ArenaOwners.owner(base - 1), "the chunk before");
        assertEquals(ArenaOwners.NONE, ArenaOwners.owner(base + MIB), "the chunk after");
        ArenaOwners.remove(base, MIB);
        for (long a = base; a < base + MIB; a += CHUNK) {
            assertEquals(ArenaOwners.NONE, ArenaOwners.owner(a));
        }
    }

    @Test
    void anUnalignedArenasEdgeChunksAreSharedForGood() {
        assumeTrue(ArenaOwners.exists(), "the owner map could not be reserved");
        int tag = ArenaOwners.newTag();
        long base = UNUSED + 4 * MIB + 4096; // a page past a chunk boundary
        assertTrue(ArenaOwners.add(base, MIB, tag));
        assertEquals(ArenaOwners.SHARED, ArenaOwners.owner(base), "first chunk: part of it only");
        assertEquals(ArenaOwners.SHARED, ArenaOwners.owner(base + MIB - 1), "last chunk: part of it only");
        assertEquals(tag, ArenaOwners.owner(base + CHUNK), "a whole chunk inside");
        assertEquals(tag, ArenaOwners.owner(base + 3 * CHUNK - 4096 - 1), "the last whole chunk");
        ArenaOwners.remove(base, MIB);
        assertEquals(ArenaOwners.NONE, ArenaOwners.owner(base + CHUNK));
        assertEquals(ArenaOwners.SHARED, ArenaOwners.owner(base), "another arena may still cover the rest");
        assertEquals(ArenaOwners.SHARED, ArenaOwners.owner(base + MIB - 1));
    }

    @Test
    void anArenaOutOfReachIsNotRecorded() {
        int tag = ArenaOwners.newTag();
        assertFalse(ArenaOwners.add(ArenaOwners.COVERED - 4096, MIB, tag));
        assertFalse(ArenaOwners.add(ArenaOwners.COVERED, MIB, tag));
        assertFalse(ArenaOwners.add(-MIB, MIB, tag));
        assertNotEquals(tag, ArenaOwners.owner(ArenaOwners.COVERED - 4096), "nothing recorded");
        ArenaOwners.remove(ArenaOwners.COVERED, MIB); // nothing was recorded: nothing to do, nothing written
    }

    @Test
    void untouchedEntriesReadNoneAndTagsAreDistinct() {
        assumeTrue(ArenaOwners.exists(), "the owner map could not be reserved");
        long seed = TestSupport.seed();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 1000; i++) { // reads of pages never written map the zero page: no fault
            long a = UNUSED + 64 * MIB + random.nextLong(UNUSED);
            assertEquals(ArenaOwners.NONE, ArenaOwners.owner(a), "seed " + seed + ": 0x" + Long.toHexString(a));
        }
        List<Integer> tags = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int t = ArenaOwners.newTag();
            assertTrue(t != ArenaOwners.NONE && t != ArenaOwners.SHARED && !tags.contains(t), "tag " + t);
            tags.add(t);
        }
    }

    /**
     * In both modes: a block of another heap is not in this heap's arenas, and free and realloc
     * refuse it with both heaps unchanged; in checked mode though it is marked live (its own heap's mark).
     */
    @Test
    void aBlockOfAnotherHeapIsRefused() {
        try (PyMalloc mine = PyMalloc.create(); PyMalloc other = PyMalloc.create()) {
            long a = mine.malloc(64);
            long b = mine.malloc(64);
            assertTrue(!PyMalloc.CHECKS || TestSupport.liveMark(a) != 0);
            assertTrue(mine.isArenaAddress(a));
            assertFalse(other.isArenaAddress(a));
            String before = other.debugMallocStats();
            InvalidAddressException e = TestSupport.refusedAddress("free", a, () -> other.free(a));
            assertTrue(e.getMessage().contains(Long.toHexString(a)), e.getMessage());
            TestSupport.refusedAddress("realloc", a, () -> other.realloc(a, 100));
            TestSupport.refusedAddress("free", b, () -> other.free(b), "nor the block it handed out last");
            assertEquals(before, other.debugMallocStats(), "the other heap is unchanged");
            assertFalse(other.isLive(a));
            assertTrue(mine.isLive(a) && (!PyMalloc.CHECKS || TestSupport.liveMark(a) != 0),
                    "the block stays live in its own heap");
            mine.free(a);
            mine.free(b);
            mine.checkInvariants();
            other.checkInvariants();
        }
    }

    /** Checked mode tests the range first: an address above the map is refused, not taken for its alias. */
    @Test
    void anAddressAboveTheMapIsNotTakenForItsAlias() {
        assumeTrue(PyMalloc.CHECKS, "unchecked, a bad address is not refused");
        try (PyMalloc heap = PyMalloc.create()) {
            long a = heap.malloc(64);
            long b = heap.malloc(64);
            long alias = a + ArenaOwners.COVERED;
            assertFalse(heap.isArenaAddress(alias));
            assertFalse(heap.isLive(alias));
            String before = heap.debugMallocStats();
            TestSupport.refusedAddress("free", alias, () -> heap.free(alias));
            TestSupport.refusedAddress("realloc", alias, () -> heap.realloc(alias, 32));
            assertEquals(before, heap.debugMallocStats(), "heap unchanged");
            heap.free(a);
            heap.free(b);
            heap.checkInvariants();
        }
    }

    /** A closed heap's arenas leave the map: its old blocks are in nobody's arenas, and its free refuses. */
    @Test
    void aClosedHeapsArenasLeaveTheMap() {
        PyMalloc heap = PyMalloc.create();
        long a = heap.malloc(64);
        assertNotEquals(ArenaOwners.NONE, ArenaOwners.owner(a));
        heap.close();
        assertEquals(ArenaOwners.exists() ? ArenaOwners.NONE : ArenaOwners.SHARED, ArenaOwners.owner(a),
                "the default arenas are aligned: whole chunks, NONE once gone");
        assertEquals("this PyMalloc heap is closed", assertThrows(IllegalStateException.class, () -> heap.free(a)).getMessage());
    }

    /** In both modes: the owner map has no entry above the user address space. */
    @Test
    void anArenaOutOfTheMapsReachIsRefusedAndTheHeapStaysUsable() {
        List<Long> returned = new ArrayList<>();
        ArenaAllocator beyond = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                return ArenaOwners.COVERED; // never touched: refused before any use
            }

            @Override
            public void free(long address, long size) {
                returned.add(address);
            }
        };
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(beyond).build()) {
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> heap.malloc(64));
            // the allocator did give the arena: the error says why the heap refused it
            assertTrue(e.getMessage().contains("out of reach") && !e.getMessage().contains("cannot map"), e.getMessage());
            assertEquals(List.of(ArenaOwners.COVERED), returned, "the arena went back to its allocator");
            MallocStats stats = heap.stats();
            assertEquals(0, stats.arenaMapMidNodes() + stats.arenaMapBotNodes(), "no radix-tree node for a refused arena");
            assertFalse(heap.isArenaAddress(ArenaOwners.COVERED));
            heap.checkInvariants();
            heap.setArenaAllocator(ArenaAllocator.mmap());
            long p = heap.malloc(64);
            heap.free(p);
            heap.checkInvariants();
        }
    }

    /**
     * An allocator that hands a heap another heap's live arena is refused by the owner map's
     * entries (the radix tree knows only the heap's own arenas): taking it would carve pools over
     * the other heap's blocks. Neither heap changes, and the arena is not freed.
     */
    @Test
    void anArenaOfAnotherHeapIsRefused() {
        assumeTrue(ArenaOwners.exists(), "the owner map could not be reserved");
        List<Long> returned = new ArrayList<>();
        try (PyMalloc owner = PyMalloc.create()) {
            long block = owner.malloc(64);
            long arena = block & -(long) owner.geometry().arenaSize(); // mmap's arenas are aligned to their size
            ArenaAllocator stealing = new ArenaAllocator() {
                @Override
                public long allocate(long size) {
                    return arena;
                }

                @Override
                public void free(long address, long size) {
                    returned.add(address);
                }
            };
            String before = owner.debugMallocStats();
            try (PyMalloc thief = PyMalloc.builder().arenaAllocator(stealing).build()) {
                OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> thief.malloc(64));
                assertTrue(e.getMessage().contains("overlaps an arena already in use"), e.getMessage());
                assertEquals(0, thief.bytesFromOs());
                assertFalse(thief.isArenaAddress(block));
                thief.checkInvariants();
            }
            assertEquals(List.of(), returned, "the other heap's arena was not freed");
            assertEquals(before, owner.debugMallocStats(), "the owner is unchanged");
            assertTrue(owner.isLive(block) && owner.isArenaAddress(block));
            owner.free(block);
            owner.checkInvariants();
        }
    }

    /**
     * The same refusal with an allocator whose free throws: the refused arena's bytes are still
     * not counted, and the error is the refusal, as for every arena the heap refuses.
     */
    @Test
    void aRefusedArenaIsNotChargedWhenItsAllocatorsFreeThrows() {
        ArenaAllocator beyond = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                return ArenaOwners.COVERED;
            }

            @Override
            public void free(long address, long size) {
                throw new IllegalStateException("refused 0x" + Long.toHexString(address));
            }
        };
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(beyond).build()) {
            // the refusal is the error, the allocator's failure to take the arena back suppressed in it
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> heap.malloc(64));
            assertTrue(e.getMessage().contains("out of reach"), e.getMessage());
            assertEquals(1, e.getSuppressed().length, e.toString());
            assertTrue(e.getSuppressed()[0].getMessage().startsWith("refused"), e.getSuppressed()[0].toString());
            assertEquals(0, heap.bytesFromOs(), "the refused arena is not counted");
            assertEquals(0, heap.stats().arenasCurrent());
            heap.checkInvariants();
            heap.setArenaAllocator(ArenaAllocator.mmap());
            heap.free(heap.malloc(64));
            heap.checkInvariants();
        }
    }

    /** The map reaches past every mapping the kernel hands out: the user address space, a power of two. */
    @Test
    void theMapCoversWhereTheKernelMapsMemory() {
        long covered = ArenaOwners.COVERED;
        assertEquals(1, Long.bitCount(covered), "a power of two: 0x" + Long.toHexString(covered));
        assertTrue(covered >= 1L << 39, "0x" + Long.toHexString(covered));
        long mapping = RawAllocator.mmap(1 << 20);
        try {
            assertTrue(mapping + (1 << 20) <= covered, "0x" + Long.toHexString(mapping));
        } finally {
            RawAllocator.unmap(mapping, 1 << 20);
        }
    }

    /**
     * A JVM whose address space is limited to 1.5 GiB, too little for the owner map's 2 GiB: the
     * map is not reserved, every lookup goes to the radix tree, and an unchecked heap works,
     * its invariants (the owner map's entries skipped) intact.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void withoutTheMapTheRadixTreeAnswers() throws Exception {
        String out = TestSupport.runLimited(1536L << 10, "false", NoMapChild.class);
        assertTrue(out.startsWith("no owner map; 50000 blocks"), out);
    }

    /** The child of {@link #withoutTheMapTheRadixTreeAnswers}. */
    public static final class NoMapChild {
        public static void main(String[] args) {
            if (ArenaOwners.exists()) {
                System.out.println("the owner map was reserved after all");
                return;
            }
            try (PyMalloc heap = PyMalloc.create(); PyMalloc other = PyMalloc.create()) {
                long[] blocks = new long[50_000];
                for (int i = 0; i < blocks.length; i++) {
                    blocks[i] = heap.malloc(1 + i % 600); // raw blocks above 512 among them
                }
                boolean owned = heap.isArenaAddress(blocks[0]) && !other.isArenaAddress(blocks[0]);
                heap.checkInvariants();
                for (long p : blocks) {
                    heap.free(p);
                }
                heap.checkInvariants();
                System.out.println("no owner map; 50000 blocks" + (owned ? "" : ", but the arena lookups are wrong"));
            }
        }
    }
}
