package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.Geometry;

import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.PoolHeader.FREEBLOCK_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.NEXTOFFSET_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.REF_COUNT_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.SZIDX_OFFSET;

/**
 * A pool's free list, walked: the slow answer to "is this block free?", for errors ("double
 * free") and for {@code isLive} when checked mode's live marks do not exist.
 */
public final class PoolFreeList {
    private PoolFreeList() {
    }

    /**
     * Whether {@code address}, an address in an arena of {@code map}, is a block handed out
     * from its pool (of {@code poolSize} bytes): a pool in use, a carved block's start, not on
     * the free list. The pool header is read only if it lies in an arena too: an arena not
     * pool-aligned starts inside a pool whose header lies before it, maybe in unmapped memory.
     */
    public static boolean isHandedOut(ArenaMap map, long address, int poolSize) {
        long pool = address & -(long) poolSize;
        if (!map.contains(pool)) {
            return false;
        }
        int count = getInt(pool + REF_COUNT_OFFSET);
        int sizeClass = getInt(pool + SZIDX_OFFSET);
        long fromFirst = address - pool - Geometry.POOL_OVERHEAD;
        return count > 0 && sizeClass >= 0 && sizeClass < Geometry.SIZE_CLASSES && fromFirst >= 0
                && address - pool < getInt(pool + NEXTOFFSET_OFFSET)
                && fromFirst % Geometry.blockSize(sizeClass) == 0 && !contains(pool, address, poolSize);
    }

    /**
     * Whether {@code address} is on the free list of the pool at {@code pool}, a pool of
     * {@code poolSize} bytes. Bounded: a list corrupted by a write after free neither loops
     * forever nor leads the walk outside the pool.
     */
    public static boolean contains(long pool, long address, int poolSize) {
        long poolMask = -(long) poolSize;
        int limit = poolSize / Geometry.ALIGNMENT;
        for (long b = getLong(pool + FREEBLOCK_OFFSET); b != 0 && limit-- > 0; b = getLong(b)) {
            if (b == address) {
                return true;
            }
            if ((b & poolMask) != pool) {
                return false; // corrupt link: stop before reading outside the pool
            }
        }
        return false;
    }
}
