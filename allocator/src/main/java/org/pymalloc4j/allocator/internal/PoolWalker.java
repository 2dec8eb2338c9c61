package org.pymalloc4j.allocator.internal;

import java.util.ArrayList;
import java.util.List;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.PoolInfo;

import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;

/**
 * Lists every pool of every live arena, in arena-slot then address order, with its state read
 * from its header. Carved pools with no block in use are the arena's free pools, as in
 * {@link StatsWalker}; pools at or past the arena's carving mark were never touched, so their
 * headers are not read.
 */
public final class PoolWalker {
    private PoolWalker() {
    }

    public static List<PoolInfo> walk(Geometry g, Arenas arenas) {
        long poolSize = g.poolSize();
        List<PoolInfo> pools = new ArrayList<>();
        for (int a = 0; a < arenas.maxarenas(); a++) {
            if (arenas.address(a) == 0) {
                continue;
            }
            long first = arenas.firstPool(a);
            long carved = arenas.poolAddress(a);
            for (int i = 0; i < arenas.ntotalpools(a); i++) {
                long pool = first + i * poolSize;
                pools.add(pool >= carved ? new PoolInfo(a, pool, PoolInfo.State.UNCARVED, -1, 0, 0, 0) : read(g, a, pool));
            }
        }
        return pools;
    }

    private static PoolInfo read(Geometry g, int arena, long pool) {
        int count = getInt(pool + PoolHeader.REF_COUNT_OFFSET);
        if (count == 0) {
            return new PoolInfo(arena, pool, PoolInfo.State.EMPTY, -1, 0, 0, 0);
        }
        int sizeClass = getInt(pool + PoolHeader.SZIDX_OFFSET);
        int capacity = g.blocksPerPool(sizeClass);
        PoolInfo.State state = count == capacity ? PoolInfo.State.FULL : PoolInfo.State.USED;
        return new PoolInfo(arena, pool, state, sizeClass, Geometry.blockSize(sizeClass), count, capacity);
    }
}
