package org.pymalloc4j.allocator.testkit;

import org.pymalloc4j.allocator.RawAllocator;

/**
 * Brings a (child) JVM's mappings up to {@code vm.max_map_count}, for tests of what the kernel
 * refuses there: a reservation of 160,000 pages, every other page of which is made writable
 * until the kernel refuses, each page a mapping of its own (more than the default limit of
 * 65,530 mappings' worth). {@link #release()} gives it all back, the mappings first.
 */
public final class MappingsAtTheLimit {
    private static final long PAGE = 4096;
    private static final long PAGES = 2L * 80_000;
    private final long reservation = RawAllocator.reserve(PAGES * PAGE);

    /** Makes every other page writable until refused or done; how many were made writable. */
    public long fill() {
        long committed = 0;
        while (committed < PAGES / 2 && RawAllocator.commit(reservation + 2 * committed * PAGE, PAGE)) {
            committed++;
        }
        return committed;
    }

    /** Unmaps the whole reservation. */
    public void release() {
        RawAllocator.unmap(reservation, PAGES * PAGE);
    }
}
