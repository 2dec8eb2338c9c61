package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.InvalidAddressException;
import org.pymalloc4j.allocator.RawAllocator;

/**
 * Blocks from libc {@code malloc}, each recorded in a native {@link RawBlockTable} and charged
 * to a {@link ByteBudget} by its requested size. The table is what lets {@code free} refuse a
 * foreign or freed address instead of handing it to libc, and lets {@code release} return
 * every block. Arguments are validated by the caller; {@code size >= 0} here.
 *
 * <pre>
 *  table.count() == blocks handed out and not freed;  table.bytes() == their requested sizes
 *  budget.used() includes table.bytes()
 * </pre>
 */
public final class RawBlocks {
    private final RawBlockTable table = new RawBlockTable();
    private final ByteBudget budget;
    private final String owner;

    /**
     * @param owner names the owner in error messages, e.g. "this heap"
     * @throws OutOfMemoryError if the table cannot be allocated
     */
    public RawBlocks(ByteBudget budget, String owner) {
        this.budget = budget;
        this.owner = owner;
    }

    /** libc {@code malloc(size)}, 0 bytes made 1 so the block is unique. */
    public long malloc(long size) {
        budget.charge(size, "a raw block");
        return record(RawAllocator.malloc(size == 0 ? 1 : size), size);
    }

    /**
     * {@code posix_memalign(alignment, size)}, 0 bytes made 1; {@code alignment} is a power of
     * two over 16. A block like any other here: {@link #realloc} keeps only malloc's alignment.
     */
    public long alignedMalloc(long size, long alignment) {
        budget.charge(size, "a raw block");
        long block = RawAllocator.alignedMalloc(alignment, size == 0 ? 1 : size);
        if (block == 0) {
            budget.release(size);
            throw new OutOfMemoryError("pymalloc4j: cannot allocate " + size + " bytes aligned to " + alignment);
        }
        return record(block, size);
    }

    /** libc {@code calloc}; {@code size == nelem * elsize}, already checked for overflow. */
    public long calloc(long nelem, long elsize, long size) {
        budget.charge(size, "a raw block");
        boolean empty = size == 0;
        return record(RawAllocator.calloc(empty ? 1 : nelem, empty ? 1 : elsize), size);
    }

    private long record(long block, long size) {
        if (block == 0) {
            budget.release(size);
            throw new OutOfMemoryError("pymalloc4j: cannot allocate " + size + " bytes");
        }
        try {
            table.put(block, size);
        } catch (OutOfMemoryError e) {
            RawAllocator.free(block);
            budget.release(size);
            throw e;
        }
        return block;
    }

    /**
     * libc {@code realloc} of a recorded block.
     *
     * @throws InvalidAddressException if {@code address} is not a live block of this table
     * @throws OutOfMemoryError        if libc or the budget refuses; the old block is intact
     */
    public long realloc(long address, long newSize) {
        long oldSize = table.sizeOf(address);
        if (oldSize < 0) {
            throw invalid("realloc", address);
        }
        if (newSize > oldSize) {
            budget.charge(newSize - oldSize, "a raw block resized to " + newSize + " bytes: an increase");
        }
        long moved = RawAllocator.realloc(address, newSize == 0 ? 1 : newSize);
        if (moved == 0) {
            if (newSize > oldSize) {
                budget.release(newSize - oldSize);
            }
            throw new OutOfMemoryError("pymalloc4j: cannot reallocate 0x" + Long.toHexString(address)
                    + " to " + newSize + " bytes");
        }
        if (newSize < oldSize) {
            budget.release(oldSize - newSize);
        }
        if (moved == address) {
            table.resize(address, newSize); // in place: the common case of a growing buffer
        } else {
            table.remove(address);
            table.put(moved, newSize); // cannot grow: one entry was just removed
        }
        return moved;
    }

    /**
     * libc {@code free} of a recorded block.
     *
     * @throws InvalidAddressException if {@code address} is not a live block of this table
     */
    public void free(long address) {
        long size = table.remove(address); // one probe: the table is as cold as the block may be
        if (size < 0) {
            throw invalid("free", address);
        }
        budget.release(size);
        RawAllocator.free(address);
    }

    public boolean contains(long address) {
        return table.contains(address);
    }

    /** The requested size of a live block, or -1 if {@code address} is none (one probe). */
    public long sizeOf(long address) {
        return table.sizeOf(address);
    }

    public int count() {
        return table.count();
    }

    public long bytes() {
        return table.bytes();
    }

    public void checkInvariants() {
        table.checkInvariants();
    }

    /** Frees every block and the table itself. */
    public void release() {
        table.forEach((address, size) -> {
            RawAllocator.free(address);
            budget.release(size);
            return 0;
        });
        table.release();
    }

    /** The exception for an address that is not a live block, worded the same everywhere. */
    public InvalidAddressException invalid(String operation, long address) {
        return new InvalidAddressException(operation + "(0x" + Long.toHexString(address)
                + "): not a block allocated by " + owner + "; heap unchanged", address);
    }
}
