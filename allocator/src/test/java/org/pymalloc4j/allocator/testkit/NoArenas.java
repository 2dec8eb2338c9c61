package org.pymalloc4j.allocator.testkit;

import org.pymalloc4j.allocator.ArenaAllocator;

/**
 * An arena allocator with no arena to give, as when the OS refuses {@code mmap}: a heap built on
 * it serves small requests as raw blocks (CPython's fallback to {@code PyMem_RawMalloc}).
 */
public final class NoArenas implements ArenaAllocator {
    public static final NoArenas INSTANCE = new NoArenas();

    private NoArenas() {
    }

    @Override
    public long allocate(long size) {
        return 0;
    }

    @Override
    public void free(long address, long size) {
        throw new AssertionError("nothing was handed out: 0x" + Long.toHexString(address));
    }
}
