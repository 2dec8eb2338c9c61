package org.pymalloc4j.allocator;

/**
 * One row of the size-class table: the pools in use for a class, the blocks handed out from
 * them and the blocks still available in them ({@code pools * blocksPerPool == blocksInUse + availableBlocks}).
 *
 * @param sizeClass       size class, 0..31
 * @param blockSize       bytes per block, {@code (sizeClass + 1) * 16}
 * @param pools           pools of this class with at least one block in use
 * @param blocksInUse     blocks handed out and not freed
 * @param availableBlocks free or never-used blocks in those pools
 */
public record SizeClassStats(int sizeClass, int blockSize, long pools, long blocksInUse, long availableBlocks) {
}
