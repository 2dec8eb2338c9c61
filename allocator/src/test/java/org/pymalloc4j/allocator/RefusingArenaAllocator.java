package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arenas from {@link ArenaAllocator#mmap()}, whose free unmaps the arena, then throws on the
 * first call and every {@code period}-th after it (1: every call), as an allocator whose
 * release the kernel refuses would, after the fact.
 */
final class RefusingArenaAllocator implements ArenaAllocator {
    /** The arenas handed out and not yet given back. */
    final List<Long> live = new ArrayList<>();
    /** How many frees threw. */
    int refusals;
    private final int period;
    private int frees;

    RefusingArenaAllocator(int period) {
        this.period = period;
    }

    @Override
    public long allocate(long size) {
        long arena = ArenaAllocator.mmap().allocate(size);
        live.add(arena);
        return arena;
    }

    @Override
    public void free(long address, long size) {
        assertTrue(live.remove(address), "an arena it gave: 0x" + Long.toHexString(address));
        ArenaAllocator.mmap().free(address, size);
        if (frees++ % period == 0) {
            refusals++;
            throw new IllegalStateException("refused 0x" + Long.toHexString(address));
        }
    }
}
