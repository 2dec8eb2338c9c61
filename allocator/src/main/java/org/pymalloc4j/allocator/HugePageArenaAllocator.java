package org.pymalloc4j.allocator;

import java.util.HashSet;
import java.util.Set;

/**
 * Arenas on huge pages, as CPython's {@code --with-pymalloc-hugepages} build maps them
 * (gh-144319, with {@link Geometry#HUGE_PAGES}' 2 MiB arenas), plus the transparent huge pages
 * CPython does not ask for. Each arena is tried three ways, in order:
 * <ol>
 *   <li><b>the reserved pool</b>: {@code mmap(MAP_HUGETLB)}, CPython's way, when the arena size
 *       is a multiple of the pool's page size; empty unless an administrator sized it
 *       ({@code /proc/sys/vm/nr_hugepages}), so usually refused at once;</li>
 *   <li><b>transparent huge pages</b>: an arena-aligned mapping advised
 *       {@code MADV_HUGEPAGE}, when THP is {@code always} or {@code madvise} and the arena size
 *       is a multiple of its page size: the first touch of each 2 MiB brings in one huge page
 *       (one fault and one TLB entry instead of 512), if the kernel has one free then;</li>
 *   <li><b>small pages</b>: {@link ArenaAllocator#mmap()}'s mapping.</li>
 * </ol>
 * Memory then becomes resident a huge page at a time: a 2 MiB arena holding one block costs
 * 2 MiB. The counts say which way the arenas went; an arena advised may still have small pages.
 * Only the arenas left on small pages have their fresh pools prefaulted ({@link #prefaultPools}):
 * in a huge page the first write brings in all 2 MiB, and a call a pool would only cost.
 * The counts are plain fields, as a heap's own state is: share an allocator only between heaps
 * used by one thread at a time.
 */
public final class HugePageArenaAllocator implements ArenaAllocator {
    private long reserved;
    private long advised;
    private long small;
    /** The arenas handed out on small pages and not yet freed. */
    private final Set<Long> smallPageArenas = new HashSet<>();

    HugePageArenaAllocator() {
    }

    @Override
    public long allocate(long size) {
        long reservedPage = HugePages.reservedSize();
        if (reservedPage > 0 && size % reservedPage == 0) {
            long address = RawAllocator.mmapHugeTlb(size);
            if (address != 0) {
                reserved++;
                return address;
            }
        }
        long address = ArenaAllocator.mmap().allocate(size);
        if (address == 0) {
            return 0;
        }
        long transparentPage = HugePages.transparentSize();
        if (HugePages.transparentAvailable() && size % transparentPage == 0
                && (address & (transparentPage - 1)) == 0 && RawAllocator.adviseHugePages(address, size)) {
            advised++;
        } else {
            small++;
            smallPageArenas.add(address);
        }
        return address;
    }

    /**
     * Unmaps an arena, whichever way it was mapped; where the kernel refuses, gives its pages
     * back instead, as {@link ArenaAllocator#mmap()}'s.
     *
     * @throws IllegalStateException if the kernel refuses for another reason than want of a mapping
     *                               ({@code vm.max_map_count}): an address not page-aligned, a sealed range
     */
    @Override
    public void free(long address, long size) {
        RawAllocator.unmapOrDiscard(address, size);
        smallPageArenas.remove(address);
    }

    /** True for an arena now on small pages ({@link #smallPageArenas()} counts every one handed out), as {@link ArenaAllocator#mmap()}'s. */
    @Override
    public boolean prefaultPools(long address) {
        return smallPageArenas.contains(address);
    }

    /** Arenas mapped from the reserved huge page pool ({@code MAP_HUGETLB}) so far. */
    public long reservedArenas() {
        return reserved;
    }

    /** Arenas advised for transparent huge pages so far. */
    public long advisedArenas() {
        return advised;
    }

    /** Arenas handed out on small pages so far, freed or not (no huge pages to be had, or a size that is no multiple). */
    public long smallPageArenas() {
        return small;
    }

    @Override
    public String toString() {
        return "hugepages (" + reserved + " reserved, " + advised + " advised for THP, " + small + " small-page arenas)";
    }
}
