package org.pymalloc4j.allocator.internal;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The 48-byte header at the start of every pool, in CPython's field order, so that
 * {@code block & -POOL_SIZE} finds it and a layout dump shows CPython's {@code pool_header}.
 *
 * <pre>
 *  0               8               16              24              32      36      40      44      48
 *  +---------------+---------------+---------------+---------------+-------+-------+-------+-------+
 *  | ref.count     | freeblock     | nextpool      | prevpool      | arena | szidx | next  | max   |
 *  | (uint + pad)  | block*        | pool*         | pool*         | index |       | offset| next  |
 *  +---------------+---------------+---------------+---------------+-------+-------+-------+offset-+
 *  | first block at POOL_OVERHEAD = 48 ...
 * </pre>
 *
 * <ul>
 *   <li>{@code ref.count}: blocks handed out from this pool (a uint in a pointer-sized union).
 *   <li>{@code freeblock}: head of the pool's free list; each free block holds the next one's
 *       address in its first 8 bytes, and 0 ends the list.
 *   <li>{@code nextpool}/{@code prevpool}: the used-pool ring of the size class; an empty pool
 *       uses {@code nextpool} alone for its arena's free-pool list.
 *   <li>{@code arenaindex}: slot of the owning arena in the arena table.
 *   <li>{@code szidx}: size class, or {@link #DUMMY_SIZE_IDX} right after carving.
 *   <li>{@code nextoffset}: offset of the first never-used block;
 *       {@code maxnextoffset = POOL_SIZE - blocksize} is the largest valid one.
 * </ul>
 */
public final class PoolHeader {
    public static final long REF_COUNT_OFFSET = 0;
    public static final long FREEBLOCK_OFFSET = 8;
    public static final long NEXTPOOL_OFFSET = 16;
    public static final long PREVPOOL_OFFSET = 24;
    public static final long ARENAINDEX_OFFSET = 32;
    public static final long SZIDX_OFFSET = 36;
    public static final long NEXTOFFSET_OFFSET = 40;
    public static final long MAXNEXTOFFSET_OFFSET = 44;
    public static final int LENGTH = 48;

    /** {@code szidx} of a pool that was just carved and never initialised for a class. */
    public static final int DUMMY_SIZE_IDX = 0xFFFF;

    /** The same header as an FFM layout; tests check it against the constants above. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("count"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("freeblock"),
            ADDRESS.withName("nextpool"),
            ADDRESS.withName("prevpool"),
            JAVA_INT.withName("arenaindex"),
            JAVA_INT.withName("szidx"),
            JAVA_INT.withName("nextoffset"),
            JAVA_INT.withName("maxnextoffset")).withName("pool_header");

    private PoolHeader() {
    }
}
