package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arenas mapped, ordered, kept and returned as in CPython 3.11 (reference §1.7, §1.8, §1.11). */
class ArenaLifecycleTest {
    private static final int BIG = 512; // class 31: 31 blocks per 16 KiB pool, 7 per 4 KiB pool

    /** Blocks of class 31 that fill {@code arenas} arenas exactly, in allocation order. */
    private static long[] fillArenas(PyMalloc heap, int arenas) {
        Geometry g = heap.geometry();
        int n = arenas * g.poolsPerArena() * g.blocksPerPool(31);
        long[] blocks = new long[n];
        for (int i = 0; i < n; i++) {
            blocks[i] = heap.malloc(BIG);
        }
        return blocks;
    }

    private static long arenaOf(PyMalloc heap, long address) {
        return address & -(long) heap.geometry().arenaSize();
    }

    private static long poolOf(PyMalloc heap, long address) {
        return address & -(long) heap.geometry().poolSize();
    }

    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void freeingEverythingKeepsExactlyOneArena(Geometry geometry) {
        try (PyMalloc heap = PyMalloc.create(geometry)) {
            long[] blocks = fillArenas(heap, 5);
            MallocStats full = heap.stats();
            assertEquals(5, full.arenasCurrent(), full.format());
            assertEquals(5, full.arenasAllocatedTotal());
            assertEquals(5, full.arenasHighWater());
            assertEquals(0, full.unusedPools(), "five arenas exactly full");
            assertEquals(5L * geometry.poolsPerArena(), full.sizeClass(31).pools());
            heap.checkInvariants();
            for (long b : blocks) {
                heap.free(b);
            }
            heap.checkInvariants();
            MallocStats empty = heap.stats();
            assertEquals(1, empty.arenasCurrent(), "one empty arena is kept against thrashing\n" + empty.format());
            assertEquals(4, empty.arenasReclaimed());
            assertEquals(5, empty.arenasAllocatedTotal());
            assertEquals(5, empty.arenasHighWater());
            assertEquals(geometry.poolsPerArena(), empty.unusedPools());
            assertEquals(0, empty.poolsInUse());
        }
    }

    /** Reverse and interleaved free orders also end with one arena. */
    @Test
    void freeOrderDoesNotMatterForTheFinalArenaCount() {
        try (PyMalloc heap = PyMalloc.create()) {
            long[] blocks = fillArenas(heap, 4);
            for (int i = blocks.length - 1; i >= 0; i -= 2) {
                heap.free(blocks[i]);
            }
            heap.checkInvariants();
            for (int i = blocks.length - 2; i >= 0; i -= 2) {
                heap.free(blocks[i]);
            }
            heap.checkInvariants();
            MallocStats s = heap.stats();
            assertEquals(1, s.arenasCurrent(), s.format());
            assertEquals(3, s.arenasReclaimed());
        }
    }

    /** Allocating and freeing one arena's worth over and over reuses the kept arena. */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void oneArenaLoopDoesNotThrash(Geometry geometry) {
        try (PyMalloc heap = PyMalloc.create(geometry)) {
            for (int round = 0; round < 20; round++) {
                long[] blocks = fillArenas(heap, 1);
                for (long b : blocks) {
                    heap.free(b);
                }
                MallocStats s = heap.stats();
                assertEquals(1, s.arenasAllocatedTotal(), "round " + round + ": a new arena was mapped\n" + s.format());
                assertEquals(0, s.arenasReclaimed(), "round " + round);
                assertEquals(1, s.arenasCurrent());
            }
            // Same with small blocks of every class, a quarter of an arena at a time.
            int count = geometry.arenaSize() / 4 / 264;
            for (int round = 0; round < 20; round++) {
                List<Long> blocks = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    blocks.add(heap.malloc(1 + (i * 37) % 512));
                }
                blocks.forEach(heap::free);
                assertEquals(1, heap.stats().arenasAllocatedTotal(), "mixed round " + round);
            }
            heap.checkInvariants();
            assertEquals(1, heap.stats().arenasAllocatedTotal());
        }
    }

    /** With two arenas' worth in a loop, one arena is mapped per round: only one is kept. */
    @Test
    void onlyOneEmptyArenaIsKept() {
        try (PyMalloc heap = PyMalloc.create()) {
            for (int round = 1; round <= 5; round++) {
                long[] blocks = fillArenas(heap, 2);
                for (long b : blocks) {
                    heap.free(b);
                }
                MallocStats s = heap.stats();
                assertEquals(1, s.arenasCurrent(), "round " + round);
                assertEquals(round + 1, s.arenasAllocatedTotal(), "round " + round);
                assertEquals(round, s.arenasReclaimed(), "round " + round);
                assertEquals(2, s.arenasHighWater());
            }
        }
    }

    @Test
    void closeWithLiveBlocks() {
        PyMalloc heap = PyMalloc.create();
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            blocks.add(heap.malloc(i % 700));
        }
        blocks.add(heap.calloc(100, 100));
        blocks.add(heap.malloc(1 << 20));
        heap.free(blocks.get(3));
        assertFalse(heap.isClosed());
        assertDoesNotThrow(heap::close);
        assertTrue(heap.isClosed());
        assertDoesNotThrow(heap::close);
        assertTrue(heap.isClosed());
        assertTrue(heap.toString().contains("closed"), heap.toString());
    }

    /**
     * usable_arenas is sorted by free pools, most used first, so new pools come from the
     * most-used arena; an arena that frees more pools than its right neighbour slides right.
     */
    @Test
    void newPoolsComeFromTheMostUsedArena() {
        try (PyMalloc heap = PyMalloc.create()) {
            long[] blocks = fillArenas(heap, 3);
            int perPool = heap.geometry().blocksPerPool(31);
            // Pools in carving order, grouped by arena.
            Map<Long, List<Long>> poolsByArena = new LinkedHashMap<>();
            Map<Long, List<Long>> blocksByPool = new LinkedHashMap<>();
            for (long b : blocks) {
                blocksByPool.computeIfAbsent(poolOf(heap, b), k -> new ArrayList<>()).add(b);
            }
            for (long pool : blocksByPool.keySet()) {
                poolsByArena.computeIfAbsent(arenaOf(heap, pool), k -> new ArrayList<>()).add(pool);
            }
            assertEquals(3, poolsByArena.size());
            List<Long> arenas = new ArrayList<>(poolsByArena.keySet());
            long a = arenas.get(0);
            long b = arenas.get(1);
            long c = arenas.get(2);
            blocksByPool.values().forEach(list -> assertEquals(perPool, list.size()));

            // Empty 10 pools of A, 5 of B, 20 of C: usable_arenas = [B(5), A(10), C(20)].
            emptyPools(heap, blocksByPool, poolsByArena.get(a).subList(0, 10));
            emptyPools(heap, blocksByPool, poolsByArena.get(b).subList(0, 5));
            emptyPools(heap, blocksByPool, poolsByArena.get(c).subList(0, 20));
            heap.checkInvariants();
            assertEquals(35, heap.stats().unusedPools());

            // The next new pool comes from B, the most used, and is its last freed pool (LIFO).
            long p = heap.malloc(16);
            assertEquals(poolsByArena.get(b).get(4), poolOf(heap, p), "first new pool: B's most recently freed");
            List<Long> taken = new ArrayList<>(List.of(p));
            for (int cls = 1; cls <= 4; cls++) {
                long q = heap.malloc(Geometry.blockSize(cls));
                assertEquals(b, arenaOf(heap, q), "class " + cls + ": B still has free pools");
                taken.add(q);
            }
            // B is full now: A (10 free) is next.
            long q = heap.malloc(Geometry.blockSize(5));
            assertEquals(a, arenaOf(heap, q), "B is full, A is now the most used");
            taken.add(q);
            heap.checkInvariants();

            // Free 15 more pools of A: A (25 free) slides right past C (20 free).
            emptyPools(heap, blocksByPool, poolsByArena.get(a).subList(10, 25));
            heap.checkInvariants();
            long r = heap.malloc(Geometry.blockSize(6));
            assertEquals(c, arenaOf(heap, r), "C (20 free) is now more used than A (24 free)");
            taken.add(r);

            // Empty B's pools again: B becomes usable (case 2: a full arena rejoins at the head).
            for (long t : taken.subList(0, 5)) {
                heap.free(t);
            }
            heap.checkInvariants();
            long s = heap.malloc(Geometry.blockSize(7));
            assertEquals(b, arenaOf(heap, s), "B (5 free) is the most used again");
            heap.checkInvariants();
        }
    }

    private static void emptyPools(PyMalloc heap, Map<Long, List<Long>> blocksByPool, List<Long> pools) {
        for (long pool : pools) {
            for (long block : blocksByPool.get(pool)) {
                heap.free(block);
            }
            assertFalse(heap.isLive(blocksByPool.get(pool).get(0)));
        }
    }

    /** Emptying a whole arena releases it unless it is the last usable arena. */
    @Test
    void emptyArenaIsReleasedUnlessLast() {
        try (PyMalloc heap = PyMalloc.create()) {
            long[] blocks = fillArenas(heap, 3);
            int perArena = heap.geometry().poolsPerArena() * heap.geometry().blocksPerPool(31);
            // Empty the last arena first: it is the only usable one, so it is kept.
            for (int i = 2 * perArena; i < 3 * perArena; i++) {
                heap.free(blocks[i]);
            }
            assertEquals(3, heap.stats().arenasCurrent());
            // Empty the first: it sits before the kept one, so it goes back to the OS.
            long first = blocks[0];
            for (int i = 0; i < perArena; i++) {
                heap.free(blocks[i]);
            }
            MallocStats s = heap.stats();
            assertEquals(2, s.arenasCurrent(), s.format());
            assertEquals(1, s.arenasReclaimed());
            assertFalse(heap.isArenaAddress(first), "a released arena leaves the arena map");
            assertTrue(heap.isArenaAddress(blocks[perArena]));
            heap.checkInvariants();
        }
    }

    /**
     * A full pool is in no ring; its first free puts it at the FRONT of its ring, so the very
     * next allocation of that class reuses the block just freed (not the other used pool).
     */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void fullPoolRejoinsTheFrontOfItsRing(Geometry geometry) {
        try (PyMalloc heap = PyMalloc.create(geometry)) {
            int n = geometry.blocksPerPool(3);
            assertEquals(geometry.poolSize() == 1 << 14 ? 255 : 63, n);
            long[] first = new long[n];
            for (int i = 0; i < n; i++) {
                first[i] = heap.malloc(64);
            }
            long pool = poolOf(heap, first[0]);
            for (long b : first) {
                assertEquals(pool, poolOf(heap, b));
            }
            // A second, partly used pool of the class: it is the ring's only member now.
            long[] second = new long[10];
            for (int i = 0; i < second.length; i++) {
                second[i] = heap.malloc(64);
                assertNotEquals(pool, poolOf(heap, second[i]));
            }
            assertEquals(2, heap.stats().sizeClass(3).pools());
            heap.checkInvariants();
            long victim = first[n / 3];
            heap.free(victim);
            heap.checkInvariants();
            assertEquals(victim, heap.malloc(64), "the full pool's freed block comes back first");
            // The pool is full again and out of the ring: allocation continues in the second pool.
            long next = heap.malloc(64);
            assertEquals(poolOf(heap, second[0]), poolOf(heap, next));
            assertEquals(second[9] + 64, next);
            heap.checkInvariants();
        }
    }

    /** A pool emptied and reused for another class is re-initialised for that class. */
    @Test
    void emptyPoolIsReusedByAnotherClass() {
        try (PyMalloc heap = PyMalloc.create()) {
            long keep = heap.malloc(16); // keeps the arena's first pool busy
            long p = heap.malloc(64);
            heap.free(p);
            long q = heap.malloc(200);
            assertEquals(poolOf(heap, p), poolOf(heap, q), "the empty pool is reused (LIFO)");
            assertEquals(poolOf(heap, q) + Geometry.POOL_OVERHEAD, q, "re-initialised: first block");
            assertEquals(208, heap.usableSize(q));
            heap.free(q);
            long r = heap.malloc(208);
            assertEquals(q, r, "reused for the same class again: its free list is still valid");
            heap.checkInvariants();
            heap.free(keep);
            heap.free(r);
        }
    }

    /**
     * The geometry allows arenas of a single pool ("an arena holds 1 to 256 pools"). Such an
     * arena goes from full (in no list) straight to wholly free, so the "keep only the last
     * usable arena" rule must still release all but one of them.
     */
    @Test
    void onePoolArenasKeepOnlyOneEmptyArena() {
        Geometry tiny = new Geometry("one-pool", 12, 12);
        assertEquals(1, tiny.poolsPerArena());
        try (PyMalloc heap = PyMalloc.create(tiny)) {
            // Three arenas, each holding one pool of a different class, then all three emptied.
            long a = heap.malloc(16);
            long b = heap.malloc(32);
            long c = heap.malloc(48);
            assertEquals(3, heap.stats().arenasCurrent());
            heap.free(a);
            heap.free(b);
            heap.free(c);
            heap.checkInvariants();
            MallocStats s = heap.stats();
            assertEquals(1, s.arenasCurrent(), "only one empty arena may be kept\n" + s.format());
            assertEquals(2, s.arenasReclaimed());
        }
    }

    /**
     * With one-pool arenas, the full-to-free transition must not follow the arena's stale
     * nextarena link (a full arena is in no list, CPython relies on ntotalpools > 1 there).
     */
    @Test
    void onePoolArenasDoNotFollowStaleLinks() {
        Geometry tiny = new Geometry("one-pool", 12, 12);
        try (PyMalloc heap = PyMalloc.create(tiny)) {
            long a = heap.malloc(16);
            long b = heap.malloc(32);
            long c = heap.malloc(48);
            heap.free(a);
            heap.free(b);
            heap.free(c);
            // Take two (now full) arenas off usable_arenas, then empty the first one taken.
            long d = heap.malloc(16);
            long e = heap.malloc(32);
            heap.checkInvariants();
            heap.free(d);
            // Only check: if the list is corrupt, another malloc would carve past an arena's end.
            heap.checkInvariants();
            assertTrue(heap.isLive(e));
            heap.free(e);
            heap.checkInvariants();
        }
    }

    /**
     * An arena that is not pool-aligned loses its first pool to alignment; in a one-pool
     * geometry that is its only pool, so the heap gives it back and fails the request instead of
     * carving a pool past the arena's end. The allocator maps four arenas' worth, so that a pool
     * carved past the end would still land in its own mapping.
     */
    @Test
    void onePoolArenaNotPoolAlignedIsGivenBackAsOutOfMemory() {
        Geometry onePool = new Geometry("one-pool", 12, 12);
        Map<Long, Long> mappings = new HashMap<>();
        List<Long> returned = new ArrayList<>();
        ArenaAllocator offByAGranule = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                long map = RawAllocator.mapAligned(4 * size, size);
                if (map == 0) {
                    return 0;
                }
                long arena = map + 16; // 16-byte aligned, not pool-aligned
                mappings.put(arena, map);
                return arena;
            }

            @Override
            public void free(long address, long size) {
                returned.add(address);
                RawAllocator.unmap(mappings.remove(address), 4 * size);
            }
        };
        // A limit of one arena: the refused arena's bytes must be released for the next one.
        try (PyMalloc heap = PyMalloc.builder().geometry(onePool).arenaAllocator(offByAGranule)
                .limit(onePool.arenaSize()).build()) {
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> heap.malloc(16));
            assertTrue(e.getMessage().contains("not aligned to the 4096-byte pool size"), e.getMessage());
            assertEquals(1, returned.size(), "the useless arena went back to its allocator");
            assertTrue(mappings.isEmpty());
            assertEquals(0, heap.stats().arenasCurrent());
            heap.checkInvariants();

            heap.setArenaAllocator(ArenaAllocator.mmap()); // pool-aligned arenas: the heap works on
            long p = heap.malloc(16);
            assertTrue(heap.isArenaAddress(p));
            assertEquals(1, heap.stats().arenasCurrent());
            heap.free(p);
            heap.checkInvariants();
        }
    }

    /**
     * An allocator that hands out an address overlapping an arena the heap already has (the same
     * one again, or half an arena to either side) is refused: taking it would carve pools over
     * live blocks. The address is not given back, since freeing it would free the live arena;
     * its bytes are not charged, and the heap works on with a sound allocator.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {0, 1 << 19, -(1 << 19)})
    void anArenaOverlappingALiveOneIsRefused(long offset) {
        List<Long> given = new ArrayList<>();
        List<Long> returned = new ArrayList<>();
        ArenaAllocator overlapping = overlapping(offset, given, returned);
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(overlapping).build()) {
            long[] blocks = fillArenas(heap, 1);
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> heap.malloc(BIG));
            assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
            assertEquals(2, given.size());
            assertEquals(List.of(), returned, "the live arena was not freed");
            assertEquals(1, heap.stats().arenasCurrent());
            assertEquals(heap.geometry().arenaSize(), heap.bytesFromOs(), "the refused arena is not charged");
            heap.checkInvariants();
            for (long b : blocks) {
                assertTrue(heap.isLive(b));
            }
            heap.setArenaAllocator(ArenaAllocator.mmap());
            long p = heap.malloc(BIG);
            assertEquals(2, heap.stats().arenasCurrent());
            heap.free(p);
            for (long b : blocks) {
                heap.free(b);
            }
            heap.checkInvariants();
        }
        assertEquals(List.of(given.get(0)), returned, "close gave the first arena back to its allocator");
    }

    /**
     * An arena allocator whose free throws (as HugePageArenaAllocator's may, "if the kernel
     * refuses the range"): the heap has let the arena go first, so its bytes leave the count and
     * its slot is reusable, and the free that emptied it completes, its failure kept for close. At
     * close every other arena still goes back and the heap's own memory is freed, the first
     * failure thrown at the end.
     */
    @Test
    void anArenaAllocatorWhoseFreeThrowsLeavesTheHeapSound() {
        long arenaSize = Geometry.PY311.arenaSize();
        RefusingArenaAllocator refusing = new RefusingArenaAllocator(2); // every other free throws, the first among them
        List<Long> live = refusing.live;
        PyMalloc heap = PyMalloc.builder().arenaAllocator(refusing).build();
        long[] blocks = fillArenas(heap, 3);
        int perArena = blocks.length / 3;
        for (int i = 2 * perArena; i < 3 * perArena; i++) {
            heap.free(blocks[i]); // the last arena emptied: the last usable one, kept
        }
        for (int i = 0; i < perArena - 1; i++) {
            heap.free(blocks[i]);
        }
        heap.free(blocks[perArena - 1]); // the arena emptied goes back to an allocator that throws
        assertEquals(1, refusing.refusals);
        assertFalse(heap.isLive(blocks[perArena - 1]), "the block was freed");
        assertEquals(2 * arenaSize, heap.bytesFromOs(), "the arena given back is no longer counted");
        assertEquals(2, heap.stats().arenasCurrent());
        heap.checkInvariants();
        long[] more = fillArenas(heap, 2); // the kept arena, and a new one in the freed slot
        assertEquals(3 * arenaSize, heap.bytesFromOs());
        heap.checkInvariants();
        assertEquals(3, live.size());
        assertTrue(more.length > 0 && heap.isLive(more[0]));
        IllegalStateException atClose = assertThrows(IllegalStateException.class, heap::close);
        assertTrue(atClose.getMessage().startsWith("refused"), atClose.getMessage());
        assertEquals(1, atClose.getSuppressed().length, "close's own failure, the second of three arenas");
        assertTrue(heap.isClosed());
        assertEquals(List.of(), live, "every arena went back despite the failures");
        assertEquals(0, heap.bytesFromOs());
        assertDoesNotThrow(heap::close);
    }

    /**
     * An arena allocator that refuses (0) or throws: under a limit of one arena, the charge taken
     * for the arena is given back either way (a refusal's request is a raw block instead, charged
     * as one), so a sound allocator then gets the whole limit.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void anArenaAllocatorThatRefusesOrThrowsLeavesNothingCharged(boolean throwing) {
        ArenaAllocator failing = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                if (throwing) {
                    throw new IllegalStateException("no arena today");
                }
                return 0;
            }

            @Override
            public void free(long address, long size) {
                throw new AssertionError("nothing was handed out: 0x" + Long.toHexString(address));
            }
        };
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(failing).limit(Geometry.PY311.arenaSize()).build()) {
            if (throwing) { // the allocator's failure is no refusal: it reaches the caller, no raw block tried
                Throwable e = assertThrows(IllegalStateException.class, () -> heap.malloc(64));
                assertTrue(e.getMessage().contains("no arena today"), e.getMessage());
            } else { // no arena: a raw block instead, as CPython's _PyObject_Malloc falls back, charged as one
                long raw = heap.malloc(64);
                assertFalse(heap.isArenaAddress(raw));
                assertEquals(64, heap.bytesFromOs());
                assertEquals(0, heap.stats().arenasCurrent());
                heap.free(raw);
            }
            assertEquals(0, heap.bytesFromOs());
            heap.checkInvariants();
            heap.setArenaAllocator(ArenaAllocator.mmap());
            long p = heap.malloc(64);
            assertEquals(Geometry.PY311.arenaSize(), heap.bytesFromOs());
            heap.free(p);
            heap.checkInvariants();
        }
    }

    /**
     * In a one-pool geometry an overlapping arena that is also not pool-aligned is refused as
     * overlapping, not as unaligned: the alignment refusal gives its arena back, which here would
     * free part of the arena in use.
     */
    @Test
    void anOverlappingArenaIsNotGivenBackByTheAlignmentRefusal() {
        Geometry onePool = new Geometry("one-pool", 12, 12);
        List<Long> given = new ArrayList<>();
        List<Long> returned = new ArrayList<>();
        ArenaAllocator overlapping = overlapping(16, given, returned);
        try (PyMalloc heap = PyMalloc.builder().geometry(onePool).arenaAllocator(overlapping).build()) {
            long p = heap.malloc(16);
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> heap.malloc(32));
            assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
            assertEquals(List.of(), returned, "the arena in use was not freed");
            assertEquals(onePool.arenaSize(), heap.bytesFromOs());
            assertTrue(heap.isLive(p));
            heap.free(p);
            heap.checkInvariants();
        }
        assertEquals(List.of(given.get(0)), returned);
    }

    /**
     * An allocator whose first arena is a real mapping and every later one the first plus
     * {@code offset}: an arena overlapping a live one. It records what it hands out and takes back.
     */
    private static ArenaAllocator overlapping(long offset, List<Long> given, List<Long> returned) {
        return new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                long arena = given.isEmpty() ? ArenaAllocator.mmap().allocate(size) : given.get(0) + offset;
                given.add(arena);
                return arena;
            }

            @Override
            public void free(long address, long size) {
                returned.add(address);
                ArenaAllocator.mmap().free(address, size);
            }
        };
    }
}
