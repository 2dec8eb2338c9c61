package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A freshly carved pool of an mmap arena has all its pages backed before its first block is
 * written (one madvise instead of a fault a page), and nothing beyond it is; arenas from
 * another allocator are left to fault page by page unless it says otherwise
 * ({@link ArenaAllocator#prefaultPools}). Pages are read with {@code mincore}.
 */
class PrefaultTest {
    private static final int POOL = 1 << 14;

    @Test
    void aFreshPoolIsResidentWholeAndTheArenaBeyondItIsNot() {
        int pages = (int) (POOL / RawAllocator.pageSize());
        try (PyMalloc heap = PyMalloc.create()) {
            long pool = heap.malloc(16) & -POOL;
            assertEquals("#".repeat(pages) + ".".repeat(pages), Residency.of(pool, 2 * pages),
                    "the pool of one 16-byte block, then the next pool, not yet carved");
            long other = heap.malloc(512) & -POOL; // a second class: the next pool
            assertEquals(pool + POOL, other);
            assertEquals("#".repeat(2 * pages), Residency.of(pool, 2 * pages));
        }
    }

    @Test
    void arenasOfAnotherAllocatorFaultPageByPage() {
        ArenaAllocator own = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                return RawAllocator.mapAligned(size, size);
            }

            @Override
            public void free(long address, long size) {
                RawAllocator.unmap(address, size);
            }
        };
        int pages = (int) (POOL / RawAllocator.pageSize());
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(own).build()) {
            long pool = heap.malloc(16) & -POOL;
            assertEquals("#" + ".".repeat(pages - 1), Residency.of(pool, pages),
                    "only the page holding the header and the first block");
        }
    }

    /** An arena allocator of one's own that says yes gets its pools populated, and is asked with the arena's address. */
    @Test
    void anAllocatorThatSaysSoHasItsPoolsPopulated() {
        List<Long> mapped = new ArrayList<>();
        List<Long> asked = new ArrayList<>();
        ArenaAllocator own = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                long a = RawAllocator.mapAligned(size, size);
                mapped.add(a);
                return a;
            }

            @Override
            public void free(long address, long size) {
                RawAllocator.unmap(address, size);
            }

            @Override
            public boolean prefaultPools(long address) {
                asked.add(address);
                return true;
            }
        };
        int pages = (int) (POOL / RawAllocator.pageSize());
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(own).build()) {
            long pool = heap.malloc(16) & -POOL;
            assertEquals("#".repeat(pages) + ".".repeat(pages), Residency.of(pool, 2 * pages));
            assertEquals(mapped, asked, "asked once an arena, with its address");
        }
    }

    /**
     * The huge-page allocator's arenas left on small pages (here 1 MiB ones, no multiple of a
     * huge page) are prefaulted as mmap's are; advised ones are not, and a freed arena is forgotten.
     */
    @Test
    void hugePageAllocatorPrefaultsOnlyItsSmallPageArenas() {
        HugePageArenaAllocator huge = ArenaAllocator.hugePages();
        int pages = (int) (POOL / RawAllocator.pageSize());
        long arena;
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(huge).build()) {
            long pool = heap.malloc(16) & -POOL;
            assertEquals(1, huge.smallPageArenas());
            assertEquals("#".repeat(pages) + ".".repeat(pages), Residency.of(pool, 2 * pages));
            arena = pool & -Geometry.PY311.arenaSize();
            assertTrue(huge.prefaultPools(arena));
        }
        assertFalse(huge.prefaultPools(arena), "freed with the heap: no longer one of its arenas");
        long twoMiB = 2L << 20;
        long smallBefore = huge.smallPageArenas();
        long advised = huge.allocate(twoMiB);
        try {
            assertTrue(advised != 0);
            boolean onSmallPages = huge.smallPageArenas() > smallBefore; // no huge pages on this machine
            assertEquals(onSmallPages, huge.prefaultPools(advised), "prefaulted only on small pages; " + huge);
        } finally {
            huge.free(advised, twoMiB);
        }
    }

    /** An allocator whose answer throws: the exception comes out of malloc, the arena goes back, the heap is intact. */
    @Test
    void anAllocatorWhoseAnswerThrowsLeavesTheHeapAsItWas() {
        int[] live = {0};
        boolean[] refuse = {true};
        ArenaAllocator own = new ArenaAllocator() {
            @Override
            public long allocate(long size) {
                live[0]++;
                return RawAllocator.mapAligned(size, size);
            }

            @Override
            public void free(long address, long size) {
                live[0]--;
                RawAllocator.unmap(address, size);
            }

            @Override
            public boolean prefaultPools(long address) {
                if (refuse[0]) {
                    throw new IllegalStateException("no answer today");
                }
                return false;
            }
        };
        try (PyMalloc heap = PyMalloc.builder().arenaAllocator(own).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> heap.malloc(16));
            assertEquals("no answer today", e.getMessage());
            assertEquals(0, live[0], "the arena was given back");
            assertEquals(0, heap.stats().arenasCurrent());
            heap.checkInvariants();
            refuse[0] = false;
            long p = heap.malloc(16);
            assertTrue(heap.isLive(p));
            heap.checkInvariants();
        }
        assertEquals(0, live[0]);
    }

    /** 3.8's pools are one page each: nothing to gain, so nothing is asked. */
    @Test
    void onePagePoolsAreNotPopulated() {
        long page = RawAllocator.pageSize();
        try (PyMalloc heap = PyMalloc.create(Geometry.PY38)) {
            long pool = heap.malloc(16) & -Geometry.PY38.poolSize();
            assertEquals(page, Geometry.PY38.poolSize());
            assertEquals("#.", Residency.of(pool, 2));
        }
    }
}
