package org.pymalloc4j.allocator.internal;

import java.util.function.LongSupplier;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.RawAllocator;

import static org.pymalloc4j.allocator.Geometry.POOL_OVERHEAD;
import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.allocator.internal.PoolHeader.FREEBLOCK_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.MAXNEXTOFFSET_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.NEXTOFFSET_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.NEXTPOOL_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.PREVPOOL_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.REF_COUNT_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.SZIDX_OFFSET;

/**
 * A heap's used-pool rings, CPython's {@code usedpools}: per size class, a doubly linked ring
 * of the pools that have both used and free blocks, through each pool header's nextpool and
 * prevpool, closed by a sentinel. This class owns the sentinels and does the relinking that
 * stays out of malloc's and free's compiled code: a new pool in with its first block
 * (malloc's slow half), an emptied pool out to its arena. The two that C2 inlines into a
 * caller's loop, a full head unlinked by malloc and a full pool's first free rejoining at the
 * front, stay in the heap on its own fields, through
 * {@link #sentinel(long, int)} and {@link #setRingHead}: moved here, behind this object, they
 * made the checked random mix 5% slower (48.2 ns against 45.5, single JVMs alternated).
 *
 * <pre>
 *  sentinel(c) = usedpools + c &lt;&lt; SENTINEL_SHIFT, a fake pool header of 32 bytes
 *
 *  rings[c] == 0                      iff  class c's ring is empty
 *  rings[c] == p != 0                 iff  p is its first pool; p.prevpool == sentinel(c)
 *  last pool q: q.nextpool == sentinel(c), sentinel(c).prevpool == q
 *  an empty ring: sentinel(c).prevpool == sentinel(c)   (a sentinel's nextpool is rings[c])
 * </pre>
 * Why heads in a Java array: malloc then reads no sentinel, and changing a head is one array
 * store (DESIGN allows it; CPython reads the same head from {@code usedpools[]}).
 */
public final class UsedPools {
    /** Each size class's ring sentinel is a fake pool header of 1 &lt;&lt; this many bytes. */
    public static final int SENTINEL_SHIFT = 5;

    private final long[] rings;
    /** Native block of 32 sentinels, one a ring. */
    private final long usedpools;
    private final Arenas arenas;
    private final Geometry geometry;

    /**
     * Empty rings whose heads go into {@code rings}, one a size class; emptied pools go back to
     * {@code arenas}. {@code ifRefused} gives back what the heap allocated before the sentinels
     * (its arena map's root, 256 KiB), which a refused heap would otherwise leak.
     *
     * @throws OutOfMemoryError if the sentinels cannot be allocated, once {@code ifRefused} has run
     */
    public UsedPools(long[] rings, Arenas arenas, Geometry geometry, Runnable ifRefused) {
        this.rings = rings;
        this.arenas = arenas;
        this.geometry = geometry;
        this.usedpools = RawAllocator.calloc(Geometry.SIZE_CLASSES, 1L << SENTINEL_SHIFT);
        if (usedpools == 0) {
            ifRefused.run();
            throw new OutOfMemoryError("pymalloc4j: cannot allocate the used-pool sentinels");
        }
        for (int i = 0; i < Geometry.SIZE_CLASSES; i++) {
            putLong(sentinel(usedpools, i) + PREVPOOL_OFFSET, sentinel(usedpools, i)); // nextpool: rings[i]
        }
    }

    /** The sentinels' native block. */
    public long address() {
        return usedpools;
    }

    /** Class {@code sizeClass}'s sentinel in the block at {@code usedpools}. */
    public static long sentinel(long usedpools, int sizeClass) {
        return usedpools + ((long) sizeClass << SENTINEL_SHIFT);
    }

    /** Makes {@code head}, a pool or the sentinel for an empty ring, the first of class {@code sizeClass}'s ring. */
    public static void setRingHead(long[] rings, int sizeClass, long sentinel, long head) {
        rings[sizeClass] = head == sentinel ? 0 : head;
    }

    /**
     * malloc's slow half, for an empty ring (CPython's allocate_from_new_pool): a pool from the
     * arenas, linked as the class's only used pool, its first block handed out and the next
     * carved. A pool last used for the same class keeps its free list. Checked heaps pass their
     * live-block {@code mark} (0 for none), which the block gets. With no pool to be had for want
     * of memory (no new arena: the arena allocator gave none, the memory limit or the OS refused
     * the arena's metadata, or the arena table could not grow), the request
     * of {@code size} bytes is a raw block from {@code raw} instead, as CPython's
     * {@code _PyObject_Malloc} falls back to {@code PyMem_RawMalloc} when pymalloc_alloc fails.
     *
     * @return the block
     * @throws OutOfMemoryError if no pool can be had and {@code raw} refuses the block too: the
     *                          arena's refusal, the raw one suppressed in it; nothing changed. Also
     *                          {@link Arenas#takePool}'s refusal of an unusable arena, or one whose
     *                          giving back failed, with no raw block tried
     * @throws RuntimeException what the arena allocator threw, with no raw block tried
     */
    public long allocateFromNewPool(long size, byte mark, RawBlocks raw) {
        return fromNewPool(size, mark, raw, null, false); // no supplier: malloc's cold path captures nothing
    }

    /**
     * Whether malloc's fast path serves a request of {@code size} bytes: a small one whose class
     * has a used pool. Else {@link #calloc}, {@link #reallocBlock} and {@link #allocate} do.
     */
    public boolean serves(long size) {
        return isSmall(size) && rings[Geometry.sizeClass(size)] != 0;
    }

    /**
     * calloc of {@code size == nelem * elsize} bytes that no used pool serves: libc's calloc for a
     * size not small; else, as {@link #allocateFromNewPool}, a new pool's first block, zeroed, or
     * with no pool to be had libc's calloc, as CPython's {@code _PyObject_Calloc} falls back to
     * {@code PyMem_RawCalloc} (a refusal names calloc).
     *
     * @throws OutOfMemoryError as {@link #allocateFromNewPool}, or libc's or the limit's refusal of a size not small
     * @throws RuntimeException as {@link #allocateFromNewPool}
     */
    public long calloc(long nelem, long elsize, long size, byte mark, RawBlocks raw) {
        return withoutUsedPool(size, mark, raw, isSmall(size), true, () -> raw.calloc(nelem, elsize, size));
    }

    /**
     * realloc's new block of {@code newSize} bytes for the block at {@code address} (0 for none)
     * when no used pool serves it: a raw block for a size not small, else as
     * {@link #allocateFromNewPool} (as CPython's pymalloc_realloc calls _PyObject_Malloc), a
     * refusal naming realloc.
     *
     * @throws OutOfMemoryError as {@link #allocateFromNewPool}, or libc's or the limit's refusal of a size not small
     * @throws RuntimeException as {@link #allocateFromNewPool}
     */
    public long reallocBlock(long address, long newSize, byte mark, RawBlocks raw) {
        return withoutUsedPool(newSize, mark, raw, isSmall(newSize), false, () -> raw.mallocForRealloc(address, newSize));
    }

    /**
     * {@code allocate(size, alignment)}'s block when no used pool serves it: a raw block for an
     * alignment beyond 16 or a size not small, else as {@link #allocateFromNewPool}, a refusal
     * naming allocate.
     *
     * @throws OutOfMemoryError as {@link #allocateFromNewPool}, or libc's or the limit's refusal of a raw block
     * @throws RuntimeException as {@link #allocateFromNewPool}
     */
    public long allocate(long size, long alignment, byte mark, RawBlocks raw) {
        boolean small = alignment <= Geometry.ALIGNMENT && isSmall(size);
        return withoutUsedPool(size, mark, raw, small, false, () -> raw.allocate(size, alignment));
    }

    /** 1 to 512 bytes: a pool's request (0 wraps round to the largest size). */
    private static boolean isSmall(long size) {
        return ((size - 1) >>> 9) == 0;
    }

    /** {@code rawBlock}'s block for a request not {@code small}, else {@link #fromNewPool}'s. */
    private long withoutUsedPool(long size, byte mark, RawBlocks raw, boolean small, boolean zero, LongSupplier rawBlock) {
        return small ? fromNewPool(size, mark, raw, rawBlock, zero) : rawBlock.getAsLong();
    }

    /**
     * {@link #allocateFromNewPool}, {@code rawBlock} the fallback ({@code raw.malloc(size)} if
     * null), a pool's block zeroed if {@code zero}.
     */
    private long fromNewPool(long size, byte mark, RawBlocks raw, LongSupplier rawBlock, boolean zero) {
        int sizeClass = Geometry.sizeClass(size);
        long pool;
        OutOfMemoryError arenaRefused = null;
        try {
            pool = arenas.takePool();
        } catch (OutOfMemoryError e) { // for want of memory, given back: no pool, as when the allocator gives none
            if (!UnusableArenaError.isShortage(e)) {
                throw e;
            }
            pool = 0;
            arenaRefused = e;
        }
        if (pool == 0) {
            return rawInstead(size, sizeClass, raw, rawBlock, arenaRefused);
        }
        linkNewPool(pool, sizeClass);
        putInt(pool + REF_COUNT_OFFSET, 1);
        long block;
        if (getInt(pool + SZIDX_OFFSET) == sizeClass) {
            block = getLong(pool + FREEBLOCK_OFFSET);
            putLong(pool + FREEBLOCK_OFFSET, getLong(block));
        } else {
            int blockSize = Geometry.blockSize(sizeClass);
            putInt(pool + SZIDX_OFFSET, sizeClass);
            block = pool + POOL_OVERHEAD;
            putInt(pool + NEXTOFFSET_OFFSET, POOL_OVERHEAD + 2 * blockSize);
            putInt(pool + MAXNEXTOFFSET_OFFSET, geometry.poolSize() - blockSize);
            long second = block + blockSize;
            putLong(pool + FREEBLOCK_OFFSET, second);
            putLong(second, 0);
        }
        if (mark != 0) {
            LiveMarks.setLive(block, mark);
        }
        if (zero) {
            NativeMemory.fill(block, size, (byte) 0);
        }
        return block;
    }

    /** CPython's fallback: the raw block, or the arena's refusal (a new one if the allocator gave none). */
    private long rawInstead(long size, int sizeClass, RawBlocks raw, LongSupplier rawBlock, OutOfMemoryError arenaRefused) {
        try {
            return rawBlock == null ? raw.malloc(size) : rawBlock.getAsLong();
        } catch (OutOfMemoryError rawRefused) {
            OutOfMemoryError e = arenaRefused != null ? arenaRefused : new OutOfMemoryError("pymalloc4j: cannot map a new arena of "
                    + geometry.arenaSize() + " bytes for a " + Geometry.blockSize(sizeClass) + "-byte block, nor have " + size + " bytes as a raw block instead");
            e.addSuppressed(rawRefused);
            throw e;
        }
    }

    /** Links {@code pool}, just taken from an arena, as the only pool of class {@code sizeClass}'s empty ring. */
    private void linkNewPool(long pool, int sizeClass) {
        long sentinel = sentinel(usedpools, sizeClass);
        putLong(pool + NEXTPOOL_OFFSET, sentinel);
        putLong(pool + PREVPOOL_OFFSET, sentinel);
        setRingHead(rings, sizeClass, sentinel, pool);
        putLong(sentinel + PREVPOOL_OFFSET, pool);
    }

    /** An emptied pool leaves its ring for its arena's free pools (CPython's insert_to_freepool). */
    public void insertToFreePool(long pool) {
        long next = getLong(pool + NEXTPOOL_OFFSET);
        long prev = getLong(pool + PREVPOOL_OFFSET);
        putLong(next + PREVPOOL_OFFSET, prev);
        setNextPool(prev, next);
        arenas.returnPool(pool);
    }

    /** Writes {@code pool.nextpool}; a sentinel's is its ring's head, in {@link #rings}. */
    private void setNextPool(long pool, long next) {
        long sentinelOffset = pool - usedpools;
        if (sentinelOffset >= 0 && sentinelOffset < ((long) Geometry.SIZE_CLASSES << SENTINEL_SHIFT)) {
            setRingHead(rings, (int) (sentinelOffset >>> SENTINEL_SHIFT), pool, next);
        } else {
            putLong(pool + NEXTPOOL_OFFSET, next);
        }
    }

    /** Frees the sentinels; the rings must not be used afterwards. */
    public void release() {
        RawAllocator.free(usedpools);
    }
}
