package org.pymalloc4j.allocator;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.ref.Cleaner;

import org.pymalloc4j.allocator.internal.ArenaOwners;
import org.pymalloc4j.allocator.internal.BlockViews;
import org.pymalloc4j.allocator.internal.ByteBudget;
import org.pymalloc4j.allocator.internal.ArenaMap;
import org.pymalloc4j.allocator.internal.Arenas;
import org.pymalloc4j.allocator.internal.HeapValidator;
import org.pymalloc4j.allocator.internal.HeldMark;
import org.pymalloc4j.allocator.internal.LiveMarks;
import org.pymalloc4j.allocator.internal.NativeMemory;
import org.pymalloc4j.allocator.internal.PoolFreeList;
import org.pymalloc4j.allocator.internal.PoolWalker;
import org.pymalloc4j.allocator.internal.RawBlocks;
import org.pymalloc4j.allocator.internal.StatsWalker;
import org.pymalloc4j.allocator.internal.UsedPools;

import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.allocator.internal.PoolHeader.FREEBLOCK_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.NEXTOFFSET_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.NEXTPOOL_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.PREVPOOL_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.REF_COUNT_OFFSET;
import static org.pymalloc4j.allocator.internal.PoolHeader.SZIDX_OFFSET;

/**
 * CPython's pymalloc on native memory: blocks of 1 to 512 bytes come from 32 size classes of 16-byte
 * steps, carved from pools inside arenas mapped from the OS; requests of 0 bytes or more than 512 go
 * to libc {@code malloc}, as a small one does when no arena can be had. Addresses are plain {@code long}s.
 *
 * <pre>
 *  try (PyMalloc heap = PyMalloc.create()) {
 *      long p = heap.malloc(64);          // a 64-byte block from size class 3
 *      heap.segment(p).fill((byte) 0);    // a bounds-checked view of it
 *      p = heap.realloc(p, 200);          // moves to class 12
 *      heap.free(p);
 *      System.out.print(heap.debugMallocStats());
 *  }
 * </pre>
 *
 * <p><b>One owner at a time.</b> Like CPython's object domain under the GIL, malloc and free take no
 * locks: use a heap from one thread at a time, hand-offs with a happens-before edge; racing threads corrupt it.
 *
 * <p><b>Checked mode</b>, on unless the system property {@code pymalloc4j.checks} is
 * {@code false} (a value neither true nor false fails this class's loading): {@code free} and {@code realloc} refuse addresses the heap never handed out
 * and blocks already freed, with an {@link InvalidAddressException} and the heap unchanged.
 * free tests its block's byte in a map shared by all heaps ({@code LiveMarks}, a byte a 16-byte
 * granule, 64 KiB per 1 MiB arena in use) and never reads the block; a stale address whose block
 * was handed out again is the new block, as in CPython. Raw blocks are checked in both modes,
 * through their records in that map. With checks off, bad pool addresses corrupt the heap.
 */
public final class PyMalloc extends SegmentAllocatorDefaults implements BlockAllocator, AutoCloseable {
    /** Whether heaps check their input: true unless {@code -Dpymalloc4j.checks=false} when this class loaded; folded by the JIT. */
    public static final boolean CHECKS = org.pymalloc4j.allocator.internal.SwitchProperty.isOn("pymalloc4j.checks");

    /** Which half of an 8-byte read holds the 4-byte field at the lower address. */
    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

    private final Geometry geometry;
    private final int poolSize;
    private final long poolMask;
    /** The used-pool rings ({@link UsedPools}): each one's first pool, 0 if empty; the cold relinking. */
    private final long[] rings = new long[Geometry.SIZE_CLASSES];
    private final UsedPools usedPools;
    /** {@code usedPools.address()}, the sentinels, on this object for the relinking C2 inlines here. */
    private final long usedpools;
    private final ArenaMap map;
    private final Arenas arenas;
    private final RawBlocks raw;
    private final ByteBudget budget;
    /** This heap's tag in the {@link ArenaOwners} map, which all heaps of the process share; RETIRED once closed. */
    private int tag;
    /** Checked mode: the byte malloc writes for this heap's live blocks ({@link LiveMarks}). */
    private final byte mark;
    /** What free compares a byte with: the mark if no other open heap has it, else no byte's value. */
    private int ownMark;
    /** Gives a mark of the heap's own back at close, or once the heap is dropped unclosed; else null. */
    private final Cleaner.Cleanable markReturn;
    private boolean closed;
    /** The views {@link #segment} and {@link #allocate} hand out, ended by {@link #close()}, which they may refuse. */
    private final BlockViews views;

    PyMalloc(Geometry geometry, ArenaAllocator arenaAllocator, ByteBudget budget, BlockViews views) {
        this.views = views;
        this.geometry = geometry;
        this.budget = budget;
        this.poolSize = geometry.poolSize();
        this.poolMask = -(long) poolSize;
        this.map = new ArenaMap(geometry.arenaBits());
        this.arenas = new Arenas(geometry, map, arenaAllocator, budget, CHECKS);
        this.usedPools = new UsedPools(rings, arenas, geometry, map::release);
        this.usedpools = usedPools.address();
        this.mark = CHECKS ? LiveMarks.takeMark() : 0; // late: only the raw records and the mark's return follow
        this.ownMark = CHECKS && mark != LiveMarks.SHARED ? mark : LiveMarks.NO_MARK;
        try {
            this.raw = RawBlocks.withRecords(budget, "this heap", mark, true);
        } catch (OutOfMemoryError e) { // the heap never was: its mark and metadata go back at once
            LiveMarks.returnMark(mark);
            usedPools.release();
            map.release();
            throw e;
        }
        this.tag = arenas.takeTag(); // once nothing can refuse the heap: a refused heap would hold it for good
        this.markReturn = ownMark != LiveMarks.NO_MARK ? HeldMark.register(this, arenas, raw, mark) : null;
    }

    /**
     * A heap with CPython 3.11's geometry (16 KiB pools, 1 MiB arenas).
     *
     * @throws OutOfMemoryError if the heap's own metadata cannot be allocated
     */
    public static PyMalloc create() {
        return builder().build();
    }

    /**
     * A heap with the given geometry.
     *
     * @throws NullPointerException if {@code geometry} is null
     * @throws OutOfMemoryError     if the heap's own metadata cannot be allocated
     */
    public static PyMalloc create(Geometry geometry) {
        return builder().geometry(geometry).build();
    }

    /** A builder for a heap with a chosen geometry, arena allocator or memory limit. */
    public static PyMallocBuilder builder() {
        return new PyMallocBuilder();
    }

    private long sentinel(int sizeClass) {
        return UsedPools.sentinel(usedpools, sizeClass);
    }

    // ------------------------------------------------------------------ allocation

    /**
     * Allocates {@code size} bytes, 16-byte aligned. Sizes 1..512 come from the pools (from libc if no
     * arena can be had for a new pool); 0 and larger sizes from libc {@code malloc} (0: a unique block).
     *
     * @return the block's address, never 0
     * @throws IllegalArgumentException if {@code size} is negative
     * @throws OutOfMemoryError         if the memory cannot be had, even with the kept empty arena unmapped (for a small size: the arena's refusal, libc's suppressed in it); the heap stays usable
     * @throws IllegalStateException    if the heap is closed
     */
    public long malloc(long size) {
        long sizeMinusOne = size - 1;
        if (sizeMinusOne >>> 9 != 0) {
            return mallocOther(size);
        }
        int sizeClass = (int) (sizeMinusOne >>> Geometry.ALIGNMENT_SHIFT);
        long pool = rings[sizeClass];
        if (pool == 0) {
            return allocateFromNewPool(size); // also where a closed heap, its rings emptied, refuses
        }
        // The fast path: pop the ring head's free list.
        long block = getLong(pool, FREEBLOCK_OFFSET);
        int count = getInt(pool, REF_COUNT_OFFSET);
        long next = getLong(block);
        putLong(pool, FREEBLOCK_OFFSET, next);
        putInt(pool, REF_COUNT_OFFSET, count + 1);
        if (CHECKS) {
            LiveMarks.setLive(block, mark);
        }
        if (next == 0) {
            extendPool(pool, sizeClass);
        }
        return block;
    }

    /**
     * Allocates {@code nelem * elsize} zeroed bytes: libc's {@code calloc} where malloc would use libc.
     *
     * @return the block's address, never 0
     * @throws IllegalArgumentException if either argument is negative
     * @throws OutOfMemoryError         if the product overflows or the memory cannot be had, even with the kept empty arena unmapped (see {@link #malloc})
     * @throws IllegalStateException    if the heap is closed
     */
    public long calloc(long nelem, long elsize) {
        checkOpen();
        long size = Sizes.callocSize(nelem, elsize);
        if (usedPools.serves(size)) {
            long block = malloc(size);
            NativeMemory.fill(block, size, (byte) 0);
            return block;
        }
        return usedPools.calloc(nelem, elsize, size, mark, raw); // with no pool to be had, libc's calloc, as CPython's
    }

    /**
     * Resizes a block as CPython does. {@code realloc(0, n)} is {@code malloc(n)}. A small block
     * stays in place when the new size fits its class and is more than 3/4 of it; otherwise the
     * contents move to a new block (of any kind) and the old one is freed. Raw blocks stay raw: so
     * {@code realloc(p, 0)} frees a small {@code p} for a new unique block, and shrinks a raw one in libc.
     *
     * @return the block's (possibly new) address
     * @throws IllegalArgumentException if {@code newSize} is negative
     * @throws InvalidAddressException  if {@code address} was not handed out by this heap or is
     *                                  already freed
     * @throws OutOfMemoryError         if the new block cannot be had, even with the kept empty arena unmapped (see {@link #malloc}); the old block is intact
     * @throws IllegalStateException    if the heap is closed
     */
    public long realloc(long address, long newSize) {
        checkOpen();
        if (newSize < 0) {
            throw new IllegalArgumentException("realloc(0x" + Long.toHexString(address) + ", " + newSize
                    + "): negative size");
        }
        if (address == 0) { // with no used pool, through UsedPools, so that a raw block's refusal names realloc
            return usedPools.serves(newSize) ? malloc(newSize) : usedPools.reallocBlock(0, newSize, mark, raw);
        }
        if (!inArena(address)) {
            return raw.realloc(address, newSize); // the raw table refuses what is not a raw block
        }
        if (CHECKS && !LiveMarks.isLive(address)) {
            throw refused("realloc", address); // the block is not read: it may be cold
        }
        long pool = address & poolMask;
        int blockSize = Geometry.blockSize(getInt(pool + SZIDX_OFFSET));
        if (newSize <= blockSize && 4 * newSize > 3L * blockSize) {
            return address;
        }
        long moved = usedPools.serves(newSize) ? malloc(newSize) : usedPools.reallocBlock(address, newSize, mark, raw);
        NativeMemory.copy(address, moved, Math.min(newSize, blockSize));
        if (CHECKS) {
            LiveMarks.clear(address);
        }
        freeSmall(address, pool, getInt(pool + REF_COUNT_OFFSET) - 1);
        return moved;
    }

    /**
     * Frees a block; {@code free(0)} does nothing.
     *
     * @throws InvalidAddressException if {@code address} was not handed out by this heap or is
     *                                  already freed (checked mode, and always for raw blocks)
     * @throws IllegalStateException   if the heap is closed
     */
    public void free(long address) {
        if (CHECKS ? !(LiveMarks.isGranule(address) && LiveMarks.clearIfMarked(address, ownMark))
                : !inArenaBelowTop(address)) { // unchecked: an address above the map is wrong anyway
            freeOutside(address);
            return;
        }
        long block = NativeMemory.masked(address); // lets the JIT drop the pool header's own masks
        long pool = block & poolMask;
        freeSmall(block, pool, getInt(pool, REF_COUNT_OFFSET) - 1);
    }

    /**
     * Pushes {@code block} on its pool's free list; {@code count} is the pool's new count, read
     * by the caller: reading it here instead made the checked random mix 1.3x slower (C2).
     */
    private void freeSmall(long block, long pool, int count) {
        // Loads before stores: the JIT cannot tell native stores apart, so a load after a store reloads.
        long lastFree = getLong(pool, FREEBLOCK_OFFSET);
        putLong(block, lastFree);
        putLong(pool, FREEBLOCK_OFFSET, block);
        putInt(pool, REF_COUNT_OFFSET, count);
        if (lastFree == 0) {
            // The pool was full, so in no ring: it rejoins at the front of its ring.
            insertToUsedPool(pool);
        } else if (count == 0) {
            usedPools.insertToFreePool(pool);
        }
    }

    // ------------------------------------------------------------------ cold paths

    /**
     * free of an address not marked with this heap's own mark: a block of a heap sharing its
     * mark if the owner map says it is this heap's; else refused if it lies in an arena of the
     * heap (checked mode); else 0, a raw block, or a bad address, which the raw table refuses.
     */
    private void freeOutside(long address) {
        checkOpen();
        if (CHECKS && mark == LiveMarks.SHARED && LiveMarks.isGranule(address) && inArenaBelowTop(address)
                && LiveMarks.clearIfMarked(address, LiveMarks.SHARED)) {
            long pool = address & poolMask;
            freeSmall(address, pool, getInt(pool, REF_COUNT_OFFSET) - 1);
            return;
        }
        if (CHECKS && inArena(address)) {
            throw refused("free", address);
        }
        if (address != 0) {
            raw.free(address);
        }
    }

    private long mallocOther(long size) {
        checkOpen();
        if (size < 0) {
            throw new IllegalArgumentException("malloc(" + size + "): negative size");
        }
        return raw.malloc(size);
    }

    /** The slow half of malloc: a pool from an arena, linked as its class's only used pool; else a raw block. */
    private long allocateFromNewPool(long size) {
        checkOpen();
        return usedPools.allocateFromNewPool(size, mark, raw);
    }

    /**
     * The pool's free list ran dry: carve the next virgin block, or unlink the full pool (the
     * ring's head: its prevpool is the sentinel, not read). nextoffset and maxnextoffset are read
     * as one long, and written back as one: a 4-byte store under the next carve's 8-byte load
     * cannot be forwarded to it. Each native access C2 inlines parses ~550 IR nodes and past
     * 18,000 it inlines nothing more: an access saved here is one a caller's loop keeps inlined.
     */
    private void extendPool(long pool, int sizeClass) {
        long offsets = getLong(pool, NEXTOFFSET_OFFSET);
        int nextOffset = (int) (LITTLE_ENDIAN ? offsets : offsets >>> 32);
        int maxNextOffset = (int) (LITTLE_ENDIAN ? offsets >>> 32 : offsets);
        if (nextOffset <= maxNextOffset) {
            long block = pool + nextOffset;
            putLong(pool + FREEBLOCK_OFFSET, block);
            int size = Geometry.blockSize(sizeClass);
            putLong(pool, NEXTOFFSET_OFFSET, offsets + (LITTLE_ENDIAN ? size : (long) size << 32));
            putLong(block, 0);
            return;
        }
        long sentinel = sentinel(sizeClass);
        assert getLong(pool + PREVPOOL_OFFSET) == sentinel : "a ring's head follows its sentinel";
        long next = getLong(pool, NEXTPOOL_OFFSET);
        putLong(next, PREVPOOL_OFFSET, sentinel);
        UsedPools.setRingHead(rings, sizeClass, sentinel, next);
    }

    /**
     * A full pool's first free: it rejoins its ring at the front, between the sentinel and the
     * head, as CPython's insert_to_usedpool does. The head comes from {@link #rings} (CPython
     * reads it from usedpools[] likewise), and the head's prevpool is the sentinel: neither read.
     */
    private void insertToUsedPool(long pool) {
        int sizeClass = getInt(pool, SZIDX_OFFSET);
        long sentinel = sentinel(sizeClass);
        long head = rings[sizeClass];
        long next = head != 0 ? head : sentinel;
        assert getLong(next + PREVPOOL_OFFSET) == sentinel : "a ring's first pool follows its sentinel";
        putLong(pool, NEXTPOOL_OFFSET, next);
        putLong(pool, PREVPOOL_OFFSET, sentinel);
        putLong(next, PREVPOOL_OFFSET, pool);
        rings[sizeClass] = pool;
    }

    /**
     * The cold half of the check: the error for an arena address that is no live block, saying
     * "already freed" (a double free, or a use after free for realloc) when the block is on its
     * pool's free list. The pool header is read only when it lies in an arena.
     */
    private InvalidAddressException refused(String operation, long address) {
        long pool = address & poolMask;
        if (map.contains(pool) && PoolFreeList.contains(pool, address, poolSize)) {
            return new InvalidAddressException(operation + "(0x" + Long.toHexString(address) + "): block already freed ("
                    + (operation.equals("free") ? "double free" : "use after free") + "); heap unchanged", address);
        }
        return raw.invalid(operation, address);
    }

    @Override void checkOpen() { // SegmentAllocator's defaults refuse with it first too
        if (closed) {
            throw new IllegalStateException("this PyMalloc heap is closed");
        }
    }

    // ------------------------------------------------------------------ queries

    /**
     * Whether {@code address} lies inside one of this heap's arenas (CPython's
     * {@code address_in_range}), whether or not a live block starts there.
     *
     * @throws IllegalStateException if the heap is closed
     */
    public boolean isArenaAddress(long address) {
        checkOpen();
        return inArena(address); // the owner map, cross-checked with the radix tree by checkInvariants
    }

    /** Whether {@code address}, any address, lies in one of this heap's arenas. */
    private boolean inArena(long address) {
        return ArenaOwners.inReach(address, 1) && inArenaBelowTop(address);
    }

    /** {@link #inArena} below {@link ArenaOwners#COVERED}: this heap's chunk, or a shared one its radix tree holds. */
    private boolean inArenaBelowTop(long address) {
        int owner = ArenaOwners.owner(address);
        return owner == tag || owner == ArenaOwners.SHARED && !closed && map.contains(address);
    }

    /**
     * Whether {@code address} is a block this heap handed out and has not freed. In checked mode
     * one byte of the live-block map answers; unchecked, the block's pool free list is
     * walked, up to a pool's worth of loads.
     *
     * @throws IllegalStateException if the heap is closed
     */
    public boolean isLive(long address) {
        checkOpen();
        if (address == 0 || !map.contains(address)) {
            return address != 0 && raw.contains(address);
        }
        return CHECKS ? LiveMarks.isLive(address) : PoolFreeList.isHandedOut(map, address, poolSize);
    }

    /**
     * The usable size of a live block: its size class for a small block, the requested size
     * for a raw one.
     *
     * @throws InvalidAddressException if {@code address} is not a live block of this heap
     * @throws IllegalStateException   if the heap is closed
     */
    @Override
    public long usableSize(long address) {
        if (!isLive(address)) {
            throw refused("usableSize", address); // "already freed" for a block on its pool's free list
        }
        if (!map.contains(address)) {
            return raw.sizeOf(address);
        }
        return Geometry.blockSize(getInt((address & poolMask) + SZIDX_OFFSET));
    }

    /**
     * A bounds-checked view of the live block at {@code address}, {@link #usableSize} bytes
     * long, in the heap's scope: once the heap is closed, every access through the view throws
     * {@link IllegalStateException} where a raw address would read unmapped memory. Freeing the
     * block does not revoke the view, as a C pointer outlives its free.
     *
     * @throws InvalidAddressException if {@code address} is not a live block of this heap
     * @throws IllegalStateException   if the heap is closed
     */
    public MemorySegment segment(long address) {
        return views.ofBlock(this, address);
    }

    /**
     * A new block of {@code byteSize} bytes as a segment of that size, in the heap's scope as
     * {@link #segment}'s views are: the heap as a {@link SegmentAllocator}. Its contents are
     * unspecified, as malloc's; give it back with {@link #free(MemorySegment)}. Alignments up to
     * 16 are the blocks' own and come from {@link #malloc}; a larger one (a cache line, a page)
     * is a raw block from {@code posix_memalign}, which {@link #realloc} may move to an address
     * only 16-byte aligned, as C's realloc does.
     *
     * @throws IllegalArgumentException if {@code byteSize} is negative or {@code byteAlignment}
     *                                  is not a power of two
     * @throws OutOfMemoryError         if the memory cannot be had, even with the kept empty arena unmapped; the heap stays usable
     * @throws IllegalStateException    if the heap is closed
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        checkOpen(); // before the arguments, as every call of a closed heap
        BlockViews.checkRequest(byteSize, byteAlignment);
        long block = byteAlignment <= Geometry.ALIGNMENT && usedPools.serves(byteSize) ? malloc(byteSize)
                : usedPools.allocate(byteSize, byteAlignment, mark, raw); // not malloc: a raw block's refusal names allocate
        return views.of(block, byteSize);
    }

    /**
     * Frees the block {@code segment} starts at, one from {@link #allocate} or {@link #segment}.
     *
     * @throws InvalidAddressException if no live block of this heap starts there (checked mode,
     *                                  and always for raw blocks), or the segment is not native
     * @throws IllegalStateException   if the heap is closed
     */
    public void free(MemorySegment segment) {
        checkOpen(); // before the segment is looked at, as every call of a closed heap
        free(BlockViews.blockAddress(segment)); // a Java heap segment's address() is an offset: 0 for a whole array
    }

    /** The geometry this heap was created with. */
    public Geometry geometry() {
        return geometry;
    }

    /** Where new arenas come from (CPython's {@code PyObject_GetArenaAllocator}). */
    public ArenaAllocator arenaAllocator() {
        return arenas.source();
    }

    /**
     * Takes new arenas from {@code allocator} (CPython's {@code PyObject_SetArenaAllocator}).
     * Safe at any time: each arena is returned to the allocator that gave it.
     *
     * @throws NullPointerException  if {@code allocator} is null
     * @throws IllegalStateException if the heap is closed
     */
    public void setArenaAllocator(ArenaAllocator allocator) {
        checkOpen();
        arenas.setSource(java.util.Objects.requireNonNull(allocator, "allocator"));
    }

    /** The limit on bytes taken from the OS (arenas plus raw blocks); {@code Long.MAX_VALUE} if none. */
    public long memoryLimit() {
        return budget.limit();
    }

    /**
     * The bytes taken from the OS and not yet returned: arenas at their full size plus raw
     * blocks at their requested size. Shared with the domains of a {@link Memory} built over
     * this heap.
     */
    public long bytesFromOs() {
        return budget.used();
    }

    /**
     * A snapshot of the heap's statistics, computed by walking the arenas as CPython does.
     *
     * @throws IllegalStateException if the heap is closed
     */
    public MallocStats stats() {
        checkOpen();
        return StatsWalker.walk(geometry, arenas, map, raw.count(), raw.bytes());
    }

    /**
     * Every pool of every live arena, in arena-slot then address order, as immutable records:
     * a read-only view for pictures of the heap ({@code pymalloc4j map}) and diagnostics.
     *
     * @throws IllegalStateException if the heap is closed
     */
    public java.util.List<PoolInfo> pools() {
        checkOpen();
        return PoolWalker.walk(geometry, arenas);
    }

    /**
     * The pymalloc section of CPython 3.11's {@code sys._debugmallocstats()}, in its exact layout.
     *
     * @throws IllegalStateException if the heap is closed
     */
    public String debugMallocStats() {
        return stats().format();
    }

    /**
     * Validates every structure of the heap against its invariants: rings, pools, free lists,
     * arena lists and fingers, the arena map and the raw table. Expensive; for tests and
     * diagnostics.
     *
     * @throws IllegalStateException naming the first invariant found broken, or if the heap is closed
     */
    public void checkInvariants() {
        checkOpen();
        raw.checkInvariants();
        arenas.checkInvariants();
        new HeapValidator(geometry, arenas, map, tag, usedpools, rings, mark).check();
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Returns every arena to the OS and frees every raw block and the heap's own metadata.
     * Addresses handed out become invalid, segments from {@link #segment} and {@link #allocate} inaccessible; a
     * call another thread still makes on the heap meanwhile (nothing detects it) may crash the JVM. Closing again does nothing.
     *
     * @throws IllegalStateException if the heap is an open {@link Memory}'s, or one of those segments is held by a
     *                               native call (another thread's, or this one's calling close); it then stays open
     * @throws RuntimeException      what an arena allocator's free threw, here or since the heap was made (the
     *                               first, others suppressed), once every arena has been handed back and the heap is closed
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        views.close(); // first: if a view is in use elsewhere it throws, and the heap stays open
        closed = true; // with what follows, malloc's and free's fast paths lead to checkOpen: no ring, mark or tag
        java.util.Arrays.fill(rings, 0);
        ownMark = LiveMarks.NO_MARK;
        tag = ArenaOwners.RETIRED; // its tag, like its mark, may pass to another heap once releaseAll ends
        raw.release();
        map.release();
        usedPools.release();
        arenas.releaseAll(markReturn, this); // then the mark goes back, the arenas gone; then an allocator's failure
    }

    @Override
    public String toString() {
        return "PyMalloc[" + geometry.name() + (closed ? ", closed]" : "]");
    }
}
