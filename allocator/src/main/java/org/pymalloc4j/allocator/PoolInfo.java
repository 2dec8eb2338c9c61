package org.pymalloc4j.allocator;

/**
 * What one pool of a live arena holds at the moment {@link PyMalloc#pools()} looked: an immutable
 * record for pictures and diagnostics, read from the pool header as CPython's
 * {@code _PyObject_DebugMallocStats} reads it.
 *
 * <pre>
 *  state      sizeClass  blockSize  blocksInUse        capacity
 *  USED       0..31      16..512    1..capacity-1      blocks per pool of the class
 *  FULL       0..31      16..512    capacity           blocks per pool of the class
 *  EMPTY      -1         0          0                  0   (on its arena's free-pool list)
 *  UNCARVED   -1         0          0                  0   (beyond the arena's carving mark)
 * </pre>
 *
 * @param arena       slot of the owning arena in the arena table (the header's {@code arenaindex})
 * @param address     the pool's address (its header)
 * @param state       whether the pool holds blocks, and how many
 * @param sizeClass   the pool's size class, or -1 if it holds no blocks
 * @param blockSize   bytes per block of that class, or 0
 * @param blocksInUse blocks handed out from the pool and not freed
 * @param capacity    blocks the pool can hold, {@code (poolSize - 48) / blockSize}, or 0
 */
public record PoolInfo(int arena, long address, State state, int sizeClass, int blockSize, int blocksInUse,
                       int capacity) {

    /** A pool's place in CPython's life cycle of pools. */
    public enum State {
        /** Some blocks in use, some available: on its size class's used-pool ring. */
        USED,
        /** Every block in use: on no list until a block is freed. */
        FULL,
        /** Carved once, now without blocks: on its arena's free-pool list for any class. */
        EMPTY,
        /** Not carved yet: the arena's bump pointer has not reached it. */
        UNCARVED
    }

    /** Blocks in use over capacity, 0 for a pool without blocks. */
    public double fullness() {
        return capacity == 0 ? 0 : (double) blocksInUse / capacity;
    }
}
