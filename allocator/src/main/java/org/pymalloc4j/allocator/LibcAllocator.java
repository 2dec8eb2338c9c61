package org.pymalloc4j.allocator;

import org.pymalloc4j.allocator.internal.ByteBudget;
import org.pymalloc4j.allocator.internal.RawBlocks;

/**
 * libc {@code malloc} as a {@link BlockAllocator}: the RAW domain's allocator, and every
 * domain's under the {@code malloc} configuration. Each live block is recorded, a block of 80
 * bytes or more in the live-block map as a heap's raw blocks are, a smaller one in a native
 * table, so a foreign address or a double free is refused with an
 * {@link InvalidAddressException} instead of corrupting libc's heap, and {@link #close()}
 * returns every block.
 *
 * <p>One thread at a time, as a heap, though libc itself is thread-safe: the records and the
 * limit's count are plain fields, so two threads at once may corrupt them, and a double free
 * then pass to libc. Guard one you share with a lock, or call {@link RawAllocator}, which is
 * libc alone, from any thread.
 */
public final class LibcAllocator implements BlockAllocator, AutoCloseable {
    private final RawBlocks blocks;
    private boolean closed;

    LibcAllocator(ByteBudget budget) {
        this.blocks = RawBlocks.withRecords(budget, "this libc allocator", (byte) 0, false);
    }

    /**
     * A libc allocator with no memory limit.
     *
     * @throws OutOfMemoryError if its block table cannot be allocated
     */
    public static LibcAllocator create() {
        return new LibcAllocator(new ByteBudget(ByteBudget.UNLIMITED));
    }

    /**
     * A libc allocator that may hold at most {@code limit} requested bytes at once.
     *
     * @throws IllegalArgumentException if {@code limit} is not positive
     * @throws OutOfMemoryError         if its block table cannot be allocated
     */
    public static LibcAllocator create(long limit) {
        return new LibcAllocator(new ByteBudget(limit));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException {@inheritDoc}
     * @throws OutOfMemoryError {@inheritDoc}
     * @throws IllegalStateException if the allocator is closed
     */
    @Override
    public long malloc(long size) {
        checkOpen();
        if (size < 0) {
            throw new IllegalArgumentException("malloc(" + size + "): negative size");
        }
        return blocks.malloc(size);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException {@inheritDoc}
     * @throws OutOfMemoryError {@inheritDoc}
     * @throws IllegalStateException if the allocator is closed
     */
    @Override
    public long calloc(long nelem, long elsize) {
        checkOpen();
        return blocks.calloc(nelem, elsize, Sizes.callocSize(nelem, elsize));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException {@inheritDoc}
     * @throws OutOfMemoryError {@inheritDoc}
     * @throws IllegalStateException if the allocator is closed
     */
    @Override
    public long realloc(long address, long newSize) {
        checkOpen();
        if (newSize < 0) {
            throw new IllegalArgumentException("realloc(0x" + Long.toHexString(address) + ", " + newSize
                    + "): negative size");
        }
        return address == 0 ? blocks.mallocForRealloc(0, newSize) : blocks.realloc(address, newSize);
    }

    /**
     * {@inheritDoc}
     *
     * @throws InvalidAddressException {@inheritDoc}
     * @throws IllegalStateException if the allocator is closed
     */
    @Override
    public void free(long address) {
        checkOpen();
        if (address != 0) {
            blocks.free(address);
        }
    }

    /**
     * The requested size of a live block, the bytes that are the caller's.
     *
     * @throws InvalidAddressException if {@code address} is not a live block of this allocator
     * @throws IllegalStateException   if the allocator is closed
     */
    @Override
    public long usableSize(long address) {
        checkOpen();
        long size = blocks.sizeOf(address);
        if (size < 0) {
            throw blocks.invalid("usableSize", address);
        }
        return size;
    }

    /**
     * Whether {@code address} is a live block of this allocator.
     *
     * @throws IllegalStateException if the allocator is closed
     */
    public boolean isLive(long address) {
        checkOpen();
        return address != 0 && blocks.contains(address);
    }

    /** Live blocks: a {@code long}, as {@link MemoryDomain#liveBlocks()} and {@link DebugHooks#liveBlocks()}. */
    public long liveBlocks() {
        return blocks.count();
    }

    /** Requested bytes of the live blocks. */
    public long liveBytes() {
        return blocks.bytes();
    }

    /**
     * Validates the block table.
     *
     * @throws IllegalStateException naming the broken invariant, or if the allocator is closed
     */
    public void checkInvariants() {
        checkOpen();
        blocks.checkInvariants();
    }

    /** Frees every live block and the table. Closing again does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            blocks.release();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this LibcAllocator is closed");
        }
    }

    @Override
    public String toString() {
        return "malloc";
    }
}
