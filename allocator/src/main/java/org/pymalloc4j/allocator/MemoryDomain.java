package org.pymalloc4j.allocator;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayDeque;
import org.pymalloc4j.allocator.internal.BlockViews;

/**
 * One domain of a {@link Memory}: {@code PyMem_RawMalloc}, {@code PyMem_Malloc} or
 * {@code PyObject_Malloc} and their calloc, realloc and free. Calls go to the domain's current
 * allocator; the domain counts its live blocks so that an allocator is never replaced under
 * blocks it would not recognise.
 *
 * <p>One thread at a time, its {@link Memory}'s: the count is a plain field, in the RAW domain
 * too (see {@link Domain#RAW}).
 *
 * <pre>
 *  liveBlocks == mallocs + callocs + realloc(0, n)s − frees of non-zero addresses, all successful
 *  installed == wrap(... wrap(base)) with wrappedStack holding the allocators beneath, top first
 * </pre>
 */
public final class MemoryDomain extends SegmentAllocatorDefaults implements BlockAllocator {
    private final Domain domain;
    /** The views of blocks {@link #allocate} hands out: the memory manager's, ended by its close. */
    private final BlockViews views;
    private BlockAllocator allocator;
    private long liveBlocks;
    /** The allocators beneath each wrapper {@link Memory#wrapAllocator} installed, innermost last. */
    private final ArrayDeque<BlockAllocator> wrappedStack = new ArrayDeque<>();

    MemoryDomain(Domain domain, BlockAllocator allocator, BlockViews views) {
        this.domain = domain;
        this.allocator = allocator;
        this.views = views;
    }

    /**
     * Allocates {@code size} bytes through this domain's allocator.
     *
     * @return the block's address, never 0
     * @throws IllegalArgumentException if {@code size} is negative
     * @throws OutOfMemoryError         if the memory cannot be had (a {@link MemoryLimitExceededError}
     *                                  if the memory limit would be crossed), even once the heap's
     *                                  kept empty arena is given back; or if the domain's allocator
     *                                  returned 0, which its contract does not allow
     * @throws MemoryCorruptionException under the debug hooks, if a freed block they released to
     *                                  make room was written after free; nothing is allocated
     * @throws IllegalStateException    if the memory is closed, or, under the debug hooks,
     *                                  another thread is inside them
     */
    @Override
    public long malloc(long size) {
        long block = allocator.malloc(size);
        if (block == 0) {
            throw NullBlocks.refused(domain, allocator, "malloc(" + size + ")");
        }
        liveBlocks++;
        return block;
    }

    /**
     * Allocates {@code nelem * elsize} zeroed bytes through this domain's allocator.
     *
     * @return the block's address, never 0
     * @throws IllegalArgumentException if either argument is negative
     * @throws OutOfMemoryError         if the product overflows or the memory cannot be had, or
     *                                  as {@link #malloc} if the domain's allocator returned 0
     * @throws MemoryCorruptionException under the debug hooks, as {@link #malloc}
     * @throws IllegalStateException    if the memory is closed, or, under the debug hooks,
     *                                  another thread is inside them
     */
    @Override
    public long calloc(long nelem, long elsize) {
        long block = allocator.calloc(nelem, elsize);
        if (block == 0) {
            throw NullBlocks.refused(domain, allocator, "calloc(" + nelem + ", " + elsize + ")");
        }
        liveBlocks++;
        return block;
    }

    /**
     * Resizes a block of this domain; {@code realloc(0, n)} is {@code malloc(n)}.
     *
     * @return the block's (possibly new) address
     * @throws IllegalArgumentException if {@code newSize} is negative
     * @throws InvalidAddressException  if {@code address} is not a live block of the domain's
     *                                  allocator (see {@link #free(long)} on domains sharing one)
     * @throws MemoryCorruptionException under the debug hooks, if the block's guard bytes or API
     *                                  id are damaged (the block is left allocated), or as
     *                                  {@link #malloc}
     * @throws OutOfMemoryError         if the new block cannot be had (or the domain's allocator
     *                                  returned 0, as C's realloc does); the old block is intact
     * @throws IllegalStateException    if the memory is closed, or, under the debug hooks,
     *                                  another thread is inside them
     */
    @Override
    public long realloc(long address, long newSize) {
        long block = allocator.realloc(address, newSize);
        if (block == 0) {
            throw NullBlocks.refused(domain, allocator, NullBlocks.realloc(address, newSize));
        }
        if (address == 0) {
            liveBlocks++;
        }
        return block;
    }

    /**
     * Frees a block of this domain; {@code free(0)} frees nothing.
     *
     * @throws InvalidAddressException   if {@code address} is not a live block of the domain's
     *                                   allocator. Domains that share an allocator (MEM and OBJ
     *                                   on the pymalloc heap, all three under {@code malloc}) cannot
     *                                   tell their blocks apart, as in CPython: a block of the other
     *                                   domain is freed, and the two domains' live-block counts are
     *                                   then off by one ({@link Memory#checkInvariants} names a
     *                                   negative one); the debug hooks refuse it by its API id
     * @throws MemoryCorruptionException under the debug hooks, if the block's guard bytes or API
     *                                   id are damaged, or if the quarantined block released to
     *                                   make room was written after free; the block is left allocated
     * @throws IllegalStateException     if the memory is closed, even for 0, or, under the debug hooks,
     *                                   another thread is inside them
     */
    @Override
    public void free(long address) {
        // 0 too goes to the allocator, as PyMem_Free passes NULL on: a closed memory's refuses it.
        allocator.free(address);
        if (address != 0) {
            liveBlocks--;
        }
    }

    /**
     * How many bytes of the live block at {@code address} are the caller's, as the domain's
     * allocator says: the size class for a pymalloc block, the requested size for a libc block
     * and for any block under the debug hooks (whose trailing pad follows it).
     *
     * @throws InvalidAddressException       if {@code address} is not a live block of the
     *                                       domain's allocator
     * @throws UnsupportedOperationException if the allocator does not report its blocks' sizes
     *                                       (an installed one may not: {@link BlockAllocator#usableSize})
     * @throws IllegalStateException         if the memory is closed, or, under the debug hooks,
     *                                       another thread is inside them
     */
    @Override
    public long usableSize(long address) {
        return allocator.usableSize(address);
    }

    /**
     * A bounds-checked view of the live block at {@code address}, {@link #usableSize} bytes
     * long, in the memory's scope: once the memory closes, an access through it throws where a
     * raw address would read unmapped memory. Freeing the block does not end the view, as a C
     * pointer outlives its free. Under the debug hooks a write past the block is refused before
     * it reaches the guard bytes.
     *
     * @throws InvalidAddressException       if {@code address} is not a live block of the
     *                                       domain's allocator
     * @throws UnsupportedOperationException if the allocator does not report its blocks' sizes
     * @throws IllegalStateException         if the memory is closed, or, under the debug hooks,
     *                                       another thread is inside them
     */
    public MemorySegment segment(long address) {
        return views.ofBlock(this, address);
    }

    /**
     * A new block of {@code byteSize} bytes from this domain as a segment of that size: the
     * domain as a {@link SegmentAllocator}. Its contents are unspecified, as malloc's. It lives
     * until the memory manager closes: after that, every access through it throws. Freeing its
     * block ({@link #free(MemorySegment)}) does not end it, as a C pointer outlives its free: an
     * access then reads or overwrites whatever the allocator has put there since.
     *
     * @throws IllegalArgumentException if {@code byteSize} is negative, or {@code byteAlignment}
     *                                  is not a power of two or is over 16, the blocks' alignment
     * @throws OutOfMemoryError         if the memory cannot be had (a {@link MemoryLimitExceededError}
     *                                  if the memory limit would be crossed), even once the heap's
     *                                  kept empty arena is given back
     * @throws MemoryCorruptionException under the debug hooks, as {@link #malloc}
     * @throws IllegalStateException    if the memory is closed, or, under the debug hooks,
     *                                  another thread is inside them
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        checkOpen();
        return views.allocate(this, byteSize, byteAlignment);
    }

    /**
     * Frees the block {@code segment} starts at, one from {@link #allocate};
     * {@link MemorySegment#NULL} frees nothing. The segment stays accessible (see {@link #allocate}).
     *
     * @throws InvalidAddressException   if no live block of the domain's allocator starts there,
     *                                   or the segment is not native
     * @throws MemoryCorruptionException under the debug hooks, as {@link #free(long)}
     * @throws IllegalStateException     if the memory is closed, even for {@code NULL}, or, under the debug hooks,
     *                                   another thread is inside them
     */
    public void free(MemorySegment segment) {
        checkOpen();
        free(BlockViews.blockAddress(segment));
    }

    /** For the calls that look at their arguments before the allocator: a closed memory refuses first. */
    @Override
    void checkOpen() {
        if (allocator == ClosedAllocator.INSTANCE) {
            throw ClosedAllocator.closed();
        }
    }

    /** Which domain this is. */
    public Domain domain() {
        return domain;
    }

    /** Blocks allocated through this domain and not yet freed. */
    public long liveBlocks() {
        return liveBlocks;
    }

    /** The allocator calls go to now (CPython's {@code PyMem_GetAllocator}). */
    public BlockAllocator allocator() {
        return allocator;
    }

    // ---- for Memory, which enforces the rules on replacing allocators

    /**
     * For a refusal of a domain with live blocks: "N blocks {@code which} are live" ("1 block ... is"); or, for a
     * count gone negative through a block of another domain freed here (see {@link #free(long)}),
     * that the count is off, so such blocks may be live.
     */
    String liveBlocksText(String which) {
        return liveBlocks == 1 ? "1 block " + which + " is live"
                : liveBlocks > 0 ? liveBlocks + " blocks " + which + " are live" : "its live-block count is " + liveBlocks
                + ", off since a block of another domain was freed through it, so blocks " + which + " may be live";
    }

    void install(BlockAllocator replacement) {
        allocator = replacement;
        wrappedStack.clear();
    }

    void wrap(BlockAllocator wrapper) {
        wrappedStack.push(allocator);
        allocator = wrapper;
    }

    boolean hasWrapper() {
        return !wrappedStack.isEmpty();
    }

    /** How many wrappers are installed over the {@link #base} allocator. */
    int wrappers() {
        return wrappedStack.size();
    }

    /** The allocator beneath every wrapper: the one {@link #install} installed. */
    BlockAllocator base() {
        return wrappedStack.isEmpty() ? allocator : wrappedStack.peekLast();
    }

    BlockAllocator unwrap() {
        BlockAllocator removed = allocator;
        allocator = wrappedStack.pop();
        return removed;
    }

    @Override
    public String toString() {
        return domain + " domain (" + allocator + ", " + liveBlocks + (liveBlocks == 1 ? " live block)" : " live blocks)");
    }
}
