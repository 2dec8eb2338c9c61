package org.pymalloc4j.allocator;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A freshly carved pool of an mmap arena has all its pages backed before its first block is
 * written (one madvise instead of a fault a page), and nothing beyond it is; arenas from
 * another allocator are left to fault page by page. Pages are read with {@code mincore}.
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
