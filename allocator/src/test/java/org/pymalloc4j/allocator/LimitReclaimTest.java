package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Freeing makes room under a memory limit: the empty arena pymalloc keeps back against
 * thrashing (CPython's pymalloc_free frees only the second empty arena) still counts against
 * the limit, so a request the limit refuses gives it back to the OS and is tried once more.
 */
class LimitReclaimTest {
    private static final long LIMIT = 2L << 20;

    /** Each preset with a raw request that fits the limit only without the kept arena. */
    static Stream<Arguments> scenarios() {
        return Stream.of(
                Arguments.of(Geometry.PY311, 3L << 19),                 // 1.5 MiB beside a 1 MiB arena
                Arguments.of(Geometry.PY38, LIMIT - (1L << 17)),        // 1.875 MiB beside a 256 KiB arena
                Arguments.of(Geometry.HUGE_PAGES, 3L << 19));           // 1.5 MiB beside a 2 MiB arena
    }

    /** Small blocks until the limit refuses an arena, all freed: one empty arena is kept, and charged. */
    private static void fillAndFreeSmall(PyMalloc heap) {
        List<Long> blocks = new ArrayList<>();
        assertThrows(MemoryLimitExceededError.class, () -> {
            while (true) {
                blocks.add(heap.malloc(512));
            }
        });
        for (long b : blocks) {
            heap.free(b);
        }
        assertEquals(heap.geometry().arenaSize(), heap.bytesFromOs(), "one empty arena kept against thrashing");
        assertEquals(1, heap.stats().arenasCurrent());
        heap.checkInvariants();
    }

    private static PyMalloc limited(Geometry geometry, long limit) {
        return PyMalloc.builder().geometry(geometry).limit(limit).build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void aRawRequestTakesTheRoomOfTheKeptArena(Geometry geometry, long request) {
        try (PyMalloc heap = limited(geometry, LIMIT)) {
            fillAndFreeSmall(heap);
            long arenasBefore = heap.stats().arenasAllocatedTotal();
            long big = heap.malloc(request);
            assertEquals(request, heap.bytesFromOs(), "the kept arena went back to the OS");
            MallocStats stats = heap.stats();
            assertEquals(0, stats.arenasCurrent(), stats.format());
            assertEquals(arenasBefore, stats.arenasReclaimed());
            heap.checkInvariants();
            heap.free(big);
            long small = heap.malloc(16); // a new arena: the heap works on
            assertEquals(geometry.arenaSize(), heap.bytesFromOs());
            heap.free(small);
            heap.checkInvariants();
        }
    }

    /** Every way to a raw block: malloc, calloc, realloc of a raw block, of a small one, an aligned segment. */
    static Stream<Arguments> rawEntryPoints() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String way : List.of("malloc", "calloc", "realloc raw", "realloc small", "allocate aligned")) {
            scenarios()
                    // Huge pages: a block before the filling takes the only arena, or the room of one.
                    .filter(s -> !(way.startsWith("realloc") && s.get()[0] == Geometry.HUGE_PAGES))
                    .forEach(s -> b.add(Arguments.of(way, s.get()[0], s.get()[1])));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rawEntryPoints")
    void everyWayToARawBlockTakesTheRoomOfTheKeptArena(String way, Geometry geometry, long request) {
        try (PyMalloc heap = limited(geometry, LIMIT)) {
            long before = way.equals("realloc raw") ? heap.malloc(1000) : way.equals("realloc small") ? heap.malloc(100) : 0;
            if (before != 0) {
                TestSupport.fill(before, way.equals("realloc raw") ? 1000 : 100, 7);
            }
            List<Long> blocks = new ArrayList<>();
            assertThrows(MemoryLimitExceededError.class, () -> {
                while (true) {
                    blocks.add(heap.malloc(512));
                }
            });
            java.util.Collections.reverse(blocks); // the last arena empties first: it is the one kept
            blocks.forEach(heap::free);
            long arenas = heap.stats().arenasCurrent();
            ToLongFunction<PyMalloc> call = switch (way) {
                case "malloc" -> h -> h.malloc(request);
                case "calloc" -> h -> h.calloc(request / 16, 16);
                case "realloc raw" -> h -> h.realloc(before, request);
                // The small block's arena stays: a request that fits beside it, not beside two.
                case "realloc small" -> h -> h.realloc(before, LIMIT - geometry.arenaSize() * 3 / 2);
                case "allocate aligned" -> h -> h.allocate(request, 4096).address();
                default -> throw new AssertionError(way);
            };
            assertEquals(1, emptyArenas(heap), "an empty arena is kept");
            long big = call.applyAsLong(heap);
            // realloc frees the small block after the move: its arena, now empty, is the one kept.
            assertEquals(way.equals("realloc small") ? 1 : 0, emptyArenas(heap), "the empty arena went back");
            assertEquals(arenas - 1, heap.stats().arenasCurrent());
            if (before != 0) {
                TestSupport.verify(big, way.equals("realloc raw") ? 1000 : 100, 7, way);
            }
            heap.checkInvariants();
            heap.free(big);
            heap.checkInvariants();
        }
    }

    /** The domains share one limit: the RAW domain's libc blocks take the room of the heap's kept arena. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = AllocatorName.class, names = {"PYMALLOC", "PYMALLOC_DEBUG"})
    void theRawDomainTakesTheRoomOfTheHeapsKeptArena(AllocatorName name) {
        try (Memory memory = Memory.builder().allocator(name).limit(LIMIT).build()) {
            List<Long> blocks = new ArrayList<>();
            assertThrows(MemoryLimitExceededError.class, () -> {
                while (true) {
                    blocks.add(memory.obj().malloc(256));
                }
            });
            blocks.forEach(memory.obj()::free);
            long big = memory.raw().malloc(3L << 19);
            long overhead = memory.bytesFromOs() - (3L << 19); // the debug hooks' pads
            assertTrue(overhead >= 0 && overhead < 64, "the kept arena (and the quarantine) went back: " + overhead);
            memory.raw().free(big);
            memory.checkInvariants();
        }
    }

    /**
     * A request that would not fit even without the kept arena is refused with nothing changed:
     * the arena is kept, and the live blocks, the structures and the statistics are as they
     * were. A request that fits without it then gets it.
     */
    @ParameterizedTest
    @MethodSource(TestSupport.GEOMETRIES)
    void aRequestThatCannotFitEvenWithoutTheKeptArenaChangesNothing(Geometry geometry) {
        long arena = geometry.arenaSize();
        long limit = 3 * arena;
        try (PyMalloc heap = limited(geometry, limit)) {
            List<Long> blocks = new ArrayList<>();
            assertThrows(MemoryLimitExceededError.class, () -> {
                while (true) {
                    blocks.add(heap.malloc(512));
                }
            });
            long pool = -(long) geometry.poolSize();
            java.util.Set<Long> firstArena = new java.util.HashSet<>();
            int firstSlot = heap.pools().stream().filter(p -> p.address() == (blocks.getFirst() & pool)).findFirst()
                    .orElseThrow().arena();
            heap.pools().stream().filter(p -> p.arena() == firstSlot).forEach(p -> firstArena.add(p.address()));
            List<Long> live = new ArrayList<>();
            for (long b : blocks) {
                if (firstArena.contains(b & pool)) {
                    live.add(b);
                    TestSupport.fill(b, 512, b);
                } else {
                    heap.free(b);
                }
            }
            assertEquals(2 * arena, heap.bytesFromOs(), "one arena live, one empty and kept");
            assertEquals(1, emptyArenas(heap));
            String before = heap.stats().format();
            String inUse = "(" + String.format(java.util.Locale.ROOT, "%,d", 2 * arena) + " in use)";
            for (long request : new long[] {limit + 1, 2 * arena + 16}) {
                MemoryLimitExceededError e = assertThrows(MemoryLimitExceededError.class, () -> heap.malloc(request));
                assertEquals(2 * arena, e.inUse(), "the kept arena stays");
                assertEquals(request, e.requested());
                assertTrue(e.getMessage().contains(inUse), e.getMessage());
                assertEquals(before, heap.stats().format(), "nothing changed");
                heap.checkInvariants();
                for (long b : live) {
                    assertTrue(heap.isLive(b));
                    TestSupport.verify(b, 512, b, "a live block after the refusal");
                }
            }
            long fits = heap.malloc(2 * arena);
            assertEquals(3 * arena, heap.bytesFromOs(), "the kept arena went back for it");
            heap.free(fits);
            for (long b : live) {
                heap.free(b);
            }
            heap.checkInvariants();
            long all = heap.malloc(limit); // nothing live: the whole limit
            heap.free(all);
            heap.checkInvariants();
        }
    }

    /**
     * An arena allocator whose free throws while the kept arena goes back: the arena is gone all
     * the same, so the request is served (as the free that empties an arena completes), the heap
     * sound and the failure kept for close.
     */
    @Test
    void anArenaAllocatorWhoseFreeThrowsWhileMakingRoomLeavesTheHeapSound() {
        ArenaAllocator throwing = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                return ArenaAllocator.mmap().allocate(size);
            }

            @Override
            public void free(long address, long size) {
                ArenaAllocator.mmap().free(address, size);
                throw new IllegalStateException("refused 0x" + Long.toHexString(address));
            }
        };
        PyMalloc heap = PyMalloc.builder().arenaAllocator(throwing).limit(Geometry.PY311.arenaSize()).build();
        long p = heap.malloc(64);
        heap.free(p); // the last arena: kept
        long raw = heap.malloc(Geometry.PY311.arenaSize() - 100); // room made by the kept arena's going
        assertEquals(Geometry.PY311.arenaSize() - 100, heap.bytesFromOs(), "the arena went, the request was charged");
        heap.checkInvariants();
        heap.free(raw);
        heap.checkInvariants();
        IllegalStateException e = assertThrows(IllegalStateException.class, heap::close, "the failure kept for close");
        assertTrue(e.getMessage().startsWith("refused"), e.getMessage());
        assertTrue(heap.isClosed());
    }

    /**
     * The OS refuses a raw block (no address space holds it): the kept arena goes back before
     * the retry, which the OS refuses too; the heap is intact and its live block too.
     */
    @Test
    void aRequestTheOsRefusesGivesBackTheKeptArenaFirst() {
        try (PyMalloc heap = PyMalloc.create()) {
            long kept = heap.malloc(64);
            TestSupport.fill(kept, 64, 3);
            List<Long> blocks = new ArrayList<>();
            while (heap.stats().arenasCurrent() < 2) {
                blocks.add(heap.malloc(512));
            }
            java.util.Collections.reverse(blocks); // the second arena empties while the first is full: kept
            blocks.forEach(heap::free);
            assertEquals(1, emptyArenas(heap));
            assertEquals(2 * Geometry.PY311.arenaSize(), heap.bytesFromOs());
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> heap.malloc(1L << 60));
            assertEquals("pymalloc4j: malloc(" + (1L << 60) + "): cannot allocate " + (1L << 60) + " bytes", e.getMessage());
            assertEquals(Geometry.PY311.arenaSize(), heap.bytesFromOs(), "the kept arena went back to the OS");
            assertEquals(0, emptyArenas(heap));
            heap.checkInvariants();
            assertTrue(heap.isLive(kept));
            TestSupport.verify(kept, 64, 3, "the live block after the refusal");
            heap.free(heap.malloc(1 << 20));
            heap.free(kept);
            heap.checkInvariants();
        }
    }

    /** How many live arenas hold no block in use. */
    static long emptyArenas(PyMalloc heap) {
        java.util.Map<Integer, Boolean> inUse = new java.util.HashMap<>();
        for (PoolInfo p : heap.pools()) {
            inUse.merge(p.arena(), p.blocksInUse() > 0, Boolean::logicalOr);
        }
        return inUse.values().stream().filter(used -> !used).count();
    }
}
