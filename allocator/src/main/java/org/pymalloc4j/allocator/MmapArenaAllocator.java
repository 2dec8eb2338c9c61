package org.pymalloc4j.allocator;

/** The default arena source: anonymous private mappings aligned to the arena size. */
final class MmapArenaAllocator implements ArenaAllocator {
    static final MmapArenaAllocator INSTANCE = new MmapArenaAllocator();

    private MmapArenaAllocator() {
    }

    @Override
    public long allocate(long size) {
        // Arena-aligned mappings never lose a pool to alignment and fill one radix leaf each.
        return size <= 0 ? 0 : RawAllocator.mapAligned(size, Long.highestOneBit(size)); // no power of two for those
    }

    @Override
    public void free(long address, long size) {
        RawAllocator.unmapOrDiscard(address, size); // at vm.max_map_count an arena between two others cannot go
    }

    /** Fresh anonymous mappings on small pages: yes. */
    @Override
    public boolean prefaultPools(long address) {
        return true;
    }

    @Override
    public String toString() {
        return "mmap";
    }
}
