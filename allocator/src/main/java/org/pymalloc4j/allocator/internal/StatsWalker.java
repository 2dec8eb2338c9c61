package org.pymalloc4j.allocator.internal;

import java.util.ArrayList;
import java.util.List;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.MallocStats;
import org.pymalloc4j.allocator.SizeClassStats;

import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;

/**
 * Computes {@link MallocStats} as CPython's {@code _PyObject_DebugMallocStats} does: visit every
 * carved pool of every live arena, skip empty pools (they are counted among the arena's free
 * pools), and add up blocks per class.
 */
public final class StatsWalker {
    private StatsWalker() {
    }

    public static MallocStats walk(Geometry g, Arenas arenas, ArenaMap map, long rawBlocks, long rawBytes) {
        int classes = Geometry.SIZE_CLASSES;
        long[] pools = new long[classes];
        long[] inUse = new long[classes];
        long[] available = new long[classes];
        long poolSize = g.poolSize();
        long narenas = 0;
        long freePools = 0;
        long alignment = 0;
        for (int a = 0; a < arenas.maxarenas(); a++) {
            long base = arenas.address(a);
            if (base == 0) {
                continue;
            }
            narenas++;
            freePools += arenas.nfreepools(a);
            if ((base & (poolSize - 1)) != 0) {
                alignment += poolSize;
            }
            for (long pool = arenas.firstPool(a); pool < arenas.poolAddress(a); pool += poolSize) {
                int count = getInt(pool + PoolHeader.REF_COUNT_OFFSET);
                if (count == 0) {
                    continue;
                }
                int sizeClass = getInt(pool + PoolHeader.SZIDX_OFFSET);
                pools[sizeClass]++;
                inUse[sizeClass] += count;
                available[sizeClass] += g.blocksPerPool(sizeClass) - count;
            }
        }
        List<SizeClassStats> rows = new ArrayList<>(classes);
        long allocatedBytes = 0;
        long availableBytes = 0;
        long headerBytes = 0;
        long quantization = 0;
        for (int i = 0; i < classes; i++) {
            int size = Geometry.blockSize(i);
            rows.add(new SizeClassStats(i, size, pools[i], inUse[i], available[i]));
            allocatedBytes += inUse[i] * size;
            availableBytes += available[i] * size;
            headerBytes += pools[i] * Geometry.POOL_OVERHEAD;
            quantization += pools[i] * g.quantization(i);
        }
        assert narenas == arenas.narenasCurrentlyAllocated();
        long allocatedTotal = arenas.ntimesArenaAllocated();
        return new MallocStats(g, rows, allocatedTotal, allocatedTotal - narenas, arenas.narenasHighwater(),
                narenas, allocatedBytes, availableBytes, freePools, headerBytes, quantization, alignment,
                map.midCount(), map.botCount(), map.rootBytes(), map.midBytes() * map.midCount(),
                map.botBytes() * map.botCount(), rawBlocks, rawBytes);
    }
}
