package org.pymalloc4j.allocator;

import java.util.List;

import org.pymalloc4j.allocator.internal.StatsFormat;

/**
 * A snapshot of a heap's statistics, computed the way CPython 3.11's
 * {@code _PyObject_DebugMallocStats} computes them. {@link #format()} prints them in that
 * function's exact layout.
 *
 * <p>Every byte of every arena is accounted for:
 * <pre>
 *  arenasCurrent * arenaSize == allocatedBlockBytes + availableBlockBytes + unusedPools * poolSize
 *                               + poolHeaderBytes + quantizationBytes + arenaAlignmentBytes
 * </pre>
 *
 * @param geometry             the heap's geometry
 * @param sizeClasses          all 32 size classes, including those with no pools
 * @param arenasAllocatedTotal arenas ever mapped
 * @param arenasReclaimed      arenas returned to the OS
 * @param arenasHighWater      most arenas mapped at once
 * @param arenasCurrent        arenas mapped now
 * @param allocatedBlockBytes  bytes in blocks handed out (whole blocks, not requested sizes)
 * @param availableBlockBytes  bytes in free blocks of pools in use
 * @param unusedPools          empty or never-carved pools in mapped arenas
 * @param poolHeaderBytes      48 bytes per pool in use
 * @param quantizationBytes    tails of pools in use too small for another block
 * @param arenaAlignmentBytes  one pool per arena whose base is not pool-aligned
 * @param arenaMapMidNodes     radix-tree interior nodes
 * @param arenaMapBotNodes     radix-tree leaf nodes
 * @param arenaMapRootBytes    bytes of the radix-tree root
 * @param arenaMapMidBytes     bytes of all interior nodes
 * @param arenaMapBotBytes     bytes of all leaf nodes
 * @param rawBlocks            live blocks from the raw allocator (0 or more than 512 bytes, aligned beyond 16, or small with no arena to be had)
 * @param rawBytes             bytes requested for those blocks
 */
public record MallocStats(
        Geometry geometry,
        List<SizeClassStats> sizeClasses,
        long arenasAllocatedTotal,
        long arenasReclaimed,
        long arenasHighWater,
        long arenasCurrent,
        long allocatedBlockBytes,
        long availableBlockBytes,
        long unusedPools,
        long poolHeaderBytes,
        long quantizationBytes,
        long arenaAlignmentBytes,
        long arenaMapMidNodes,
        long arenaMapBotNodes,
        long arenaMapRootBytes,
        long arenaMapMidBytes,
        long arenaMapBotBytes,
        long rawBlocks,
        long rawBytes) {

    public MallocStats {
        sizeClasses = List.copyOf(sizeClasses);
    }

    /** The row of size class {@code index}. */
    public SizeClassStats sizeClass(int index) {
        return sizeClasses.get(index);
    }

    /** Bytes of the unused pools. */
    public long unusedPoolBytes() {
        return unusedPools * geometry.poolSize();
    }

    /** Bytes of all mapped arenas. */
    public long arenaBytes() {
        return arenasCurrent * geometry.arenaSize();
    }

    /** Small blocks handed out and not freed, over all classes. */
    public long smallBlocksInUse() {
        long sum = 0;
        for (SizeClassStats c : sizeClasses) {
            sum += c.blocksInUse();
        }
        return sum;
    }

    /** Pools in use, over all classes. */
    public long poolsInUse() {
        long sum = 0;
        for (SizeClassStats c : sizeClasses) {
            sum += c.pools();
        }
        return sum;
    }

    /** Bytes of the radix-tree arena map. */
    public long arenaMapBytes() {
        return arenaMapRootBytes + arenaMapMidBytes + arenaMapBotBytes;
    }

    /** The pymalloc section of CPython 3.11's {@code sys._debugmallocstats()}, byte for byte. */
    public String format() {
        return StatsFormat.format(this);
    }
}
