package org.pymalloc4j.allocator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Arenas placed {@code offset} bytes into an arena-aligned mapping of twice their size, so that
 * they are aligned to no arena (and, with an offset that is no multiple of the pool size, to no
 * pool), as CPython's {@code mmap} gives them: the heap must lose the first partial pool to
 * alignment and still find every block's pool.
 */
final class OffsetArenaAllocator implements ArenaAllocator {
    private final long offset;
    /** Each live arena's base, to the mapping it lies in. */
    private final Map<Long, Long> mappings = new HashMap<>();
    private final List<Long> bases = new ArrayList<>();

    OffsetArenaAllocator(long offset) {
        this.offset = offset;
    }

    @Override
    public long allocate(long size) {
        long map = RawAllocator.mapAligned(2 * size, size);
        if (map == 0) {
            return 0;
        }
        long arena = map + offset;
        mappings.put(arena, map);
        bases.add(arena);
        return arena;
    }

    @Override
    public void free(long address, long size) {
        RawAllocator.unmap(mappings.remove(address), 2 * size);
    }

    /** Every arena handed out, in order, returned or not. */
    List<Long> bases() {
        return bases;
    }

    /** Whether every arena handed out has been returned. */
    boolean allReturned() {
        return mappings.isEmpty();
    }
}
