package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.InvalidAddressException;
import org.pymalloc4j.allocator.RawAllocator;

/**
 * Blocks from libc {@code malloc}, each recorded in its owner's {@link RawRecords} in the
 * live-block map, or in a native {@link RawBlockTable} where the records cannot take it (no map
 * in this process, a map page the kernel would not make writable, an unpadded block under
 * {@link LiveMarks#RECORD_BYTES}), and charged to a {@link ByteBudget} by its requested size. The records
 * and the table are what let {@code free} refuse a foreign or freed address instead of handing
 * it to libc, and let {@code release} return every block. Arguments are validated by the
 * caller; {@code size >= 0} here. A block libc refuses is asked for once more if the budget's
 * reclaimers then give memory back (a heap's kept empty arena, see {@link ByteBudget}).
 *
 * <pre>
 *  records.count() + table.count() == blocks handed out and not freed   (no block in both)
 *  records.bytes() + table.bytes() == their requested sizes;  budget.used() includes them
 * </pre>
 */
public final class RawBlocks {
    private final RawBlockTable table;
    /** null where the map cannot be reserved: the table takes every block. */
    private final RawRecords records;
    private final boolean padSmall;
    private final ByteBudget budget;
    private final String owner;

    /**
     * Blocks recorded in the table only.
     *
     * @param owner names the owner in error messages, e.g. "this heap"
     * @throws OutOfMemoryError if the table cannot be allocated
     */
    public RawBlocks(ByteBudget budget, String owner) {
        this(budget, owner, false, (byte) 0, false);
    }

    /**
     * Blocks recorded in the live-block map where they can be, under the raw mark of a heap
     * whose mark is {@code mark} (its own, SHARED, or 0 unchecked and for the libc allocator).
     * With {@code padSmall}, a request under {@link LiveMarks#RECORD_BYTES} asks libc for that
     * many, so that every block has room for its record and the table's code stays off the
     * compiled path (a heap's raw blocks, mostly over 512 bytes); without it such a block goes
     * to the table (the libc allocator's, often small).
     *
     * @throws OutOfMemoryError if the table or the records cannot be allocated
     */
    public static RawBlocks withRecords(ByteBudget budget, String owner, byte mark, boolean padSmall) {
        return new RawBlocks(budget, owner, LiveMarks.available(), mark, padSmall);
    }

    private RawBlocks(ByteBudget budget, String owner, boolean withRecords, byte mark, boolean padSmall) {
        this.budget = budget;
        this.owner = owner;
        this.table = new RawBlockTable();
        try {
            this.records = withRecords ? new RawRecords(mark) : null;
        } catch (OutOfMemoryError e) { // the table, allocated first, goes back with the refusal
            table.release();
            throw e;
        }
        this.padSmall = padSmall && records != null;
    }

    /** The calls a refusal names: see {@link #call}. */
    private static final int MALLOC = 0, CALLOC = 1, REALLOC = 2, ALLOCATE = 3;

    /** libc {@code malloc(size)}, 0 bytes made 1 so the block is unique (see {@link #withRecords} for padding). */
    public long malloc(long size) {
        return newBlock(MALLOC, 0, size, 0, size);
    }

    /** {@link #malloc} for {@code realloc(address, newSize)}, which its refusal names: of 0, or of a block moving here. */
    public long mallocForRealloc(long address, long newSize) {
        return newBlock(REALLOC, address, newSize, 0, newSize);
    }

    /** libc {@code calloc}; {@code size == nelem * elsize}, already checked for overflow. */
    public long calloc(long nelem, long elsize, long size) {
        return newBlock(CALLOC, 0, nelem, elsize, size);
    }

    /**
     * A block for {@code allocate(size, alignment)}: {@code posix_memalign} for an alignment
     * over 16, else {@link #malloc}'s. A block like any other here: {@link #realloc} keeps only
     * malloc's alignment.
     */
    public long allocate(long size, long alignment) {
        return newBlock(ALLOCATE, 0, size, alignment, size);
    }

    /**
     * A new block of {@code size} bytes for the call {@code op} (its arguments {@code address},
     * {@code x} and {@code y}, which a refusal names), asked of libc once more if it refuses and
     * the budget's reclaimers then give memory back.
     */
    private long newBlock(int op, long address, long x, long y, long size) {
        if (!budget.tryCharge(size)) {
            throw budget.refusal(call(op, address, x, y), "a raw block", size);
        }
        long bytes = libcBytes(size);
        long block = libcBlock(op, x, y, size, bytes);
        if (block == 0 && reclaimAfterRefusal(size)) {
            block = libcBlock(op, x, y, size, bytes);
        }
        if (block == 0) {
            budget.release(size);
            throw new OutOfMemoryError("pymalloc4j: " + call(op, address, x, y) + ": cannot allocate " + size + " bytes"
                    + (op == ALLOCATE && y > Geometry.ALIGNMENT ? " aligned to " + y : ""));
        }
        return record(block, size, bytes);
    }

    /** libc's block for {@link #newBlock}, 0 if refused. */
    private static long libcBlock(int op, long x, long y, long size, long bytes) {
        if (op == CALLOC) {
            return bytes == size ? RawAllocator.calloc(x, y) : RawAllocator.calloc(1, bytes);
        }
        return op == ALLOCATE && y > Geometry.ALIGNMENT ? RawAllocator.alignedMalloc(y, bytes) : RawAllocator.malloc(bytes);
    }

    /** The call a refusal names, built only once refused: as the caller wrote it, an address in hex. */
    private static String call(int op, long address, long x, long y) {
        return switch (op) {
            case MALLOC -> "malloc(" + x + ")";
            case CALLOC -> "calloc(" + x + ", " + y + ")";
            case REALLOC -> "realloc(0x" + Long.toHexString(address) + ", " + x + ")";
            default -> "allocate(" + x + ", " + y + ")";
        };
    }

    /**
     * libc refused a block while {@code charged} bytes are charged for it: whether the budget's
     * reclaimers gave memory back to the OS, for one more try. If giving back throws, the charge
     * is released before the failure goes on.
     */
    private boolean reclaimAfterRefusal(long charged) {
        try {
            return budget.reclaim() != 0;
        } catch (RuntimeException | Error e) {
            budget.release(charged);
            throw e;
        }
    }

    /** What to ask libc for {@code size} requested bytes. */
    private long libcBytes(long size) {
        return padSmall ? Math.max(size, LiveMarks.RECORD_BYTES) : size == 0 ? 1 : size;
    }

    /** Records a new libc block of {@code libcBytes} bytes, or frees it and throws. */
    private long record(long block, long size, long libcBytes) {
        if (records != null && records.add(block, size, libcBytes)) {
            return block;
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
     * libc {@code realloc} of a recorded block. A block in the records stays there: one shrunk
     * under {@link LiveMarks#RECORD_BYTES} keeps that many bytes from libc to hold its record.
     *
     * @throws InvalidAddressException if {@code address} is not a live block of these blocks
     * @throws OutOfMemoryError        if libc or the budget refuses; the old block is intact
     */
    public long realloc(long address, long newSize) {
        int index = records == null ? -1 : records.indexOf(address);
        if (index >= 0) {
            return reallocRecorded(address, index, newSize);
        }
        long oldSize = table.sizeOf(address);
        if (oldSize < 0) {
            throw invalid("realloc", address);
        }
        chargeGrowth(address, oldSize, newSize);
        long moved = libcRealloc(address, oldSize, newSize, newSize == 0 ? 1 : newSize);
        if (moved == 0) {
            throw reallocFailed(address, newSize);
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
     * realloc of entry {@code index} of the records. Its record is zeroed before libc may move
     * it (libc may hand the old address to another heap at once) and written again after, at
     * the same index; the table is made room in first, for a new address whose map run the
     * kernel would not make writable.
     */
    private long reallocRecorded(long address, int index, long newSize) {
        long oldSize = records.sizeAt(index);
        table.makeRoomForOne();
        chargeGrowth(address, oldSize, newSize);
        long libcBytes = libcBytes(newSize);
        records.beginMove(address);
        long moved;
        try {
            moved = libcRealloc(address, oldSize, newSize, libcBytes);
        } catch (RuntimeException | Error e) { // making room threw: the block stays where it was
            records.undoMove(index, address);
            throw e;
        }
        if (moved == 0) {
            records.undoMove(index, address);
            throw reallocFailed(address, newSize);
        }
        if (!records.endMove(index, moved, newSize, libcBytes)) {
            table.put(moved, newSize); // cannot fail: room was made
        }
        return moved;
    }

    /** Charges the budget a realloc's growth, if it grows. */
    private void chargeGrowth(long address, long oldSize, long newSize) {
        if (newSize > oldSize && !budget.tryCharge(newSize - oldSize)) {
            throw budget.refusal(call(REALLOC, address, newSize, 0), "the raw block's increase", newSize - oldSize);
        }
    }

    /**
     * libc {@code realloc} after {@link #chargeGrowth}, tried once more if libc refuses and
     * memory could be given back: the block's new address, its shrinking given back to the
     * budget; or 0, libc having refused, its growth given back.
     */
    private long libcRealloc(long address, long oldSize, long newSize, long libcBytes) {
        long moved = RawAllocator.realloc(address, libcBytes);
        if (moved == 0 && reclaimAfterRefusal(Math.max(0, newSize - oldSize))) {
            moved = RawAllocator.realloc(address, libcBytes);
        }
        if (moved == 0) {
            if (newSize > oldSize) {
                budget.release(newSize - oldSize);
            }
        } else if (newSize < oldSize) {
            budget.release(oldSize - newSize);
        }
        return moved;
    }

    private static OutOfMemoryError reallocFailed(long address, long newSize) {
        return new OutOfMemoryError("pymalloc4j: " + call(REALLOC, address, newSize, 0)
                + ": cannot resize the raw block to " + newSize + " bytes");
    }

    /**
     * libc {@code free} of a recorded block.
     *
     * @throws InvalidAddressException if {@code address} is not a live block of these blocks
     */
    public void free(long address) {
        long size = records == null ? -1 : records.remove(address); // its record zeroed before libc has it
        if (size < 0) {
            size = table.remove(address); // one probe: the table is as cold as the block may be
            if (size < 0) {
                throw invalid("free", address);
            }
        }
        budget.release(size);
        RawAllocator.free(address);
    }

    public boolean contains(long address) {
        return sizeOf(address) >= 0;
    }

    /** The requested size of a live block, or -1 if {@code address} is none. */
    public long sizeOf(long address) {
        long recorded = records == null ? -1 : records.sizeOf(address);
        return recorded >= 0 ? recorded : table.sizeOf(address);
    }

    public int count() {
        return table.count() + (records == null ? 0 : records.count());
    }

    public long bytes() {
        return table.bytes() + (records == null ? 0 : records.bytes());
    }

    public void checkInvariants() {
        table.checkInvariants();
        if (records != null) {
            records.checkInvariants(table);
        }
    }

    /**
     * Zeroes the records in the live-block map of a heap dropped unclosed, whose mark goes to
     * another heap; its blocks stay allocated. Nothing else may use these blocks at the time.
     */
    public void clearRecords() {
        if (records != null) {
            records.forEach((address, size) -> {
                LiveMarks.clearRecord(address);
                return 0;
            });
        }
    }

    /** Frees every block, the table and the records. */
    public void release() {
        java.util.function.LongBinaryOperator free = (address, size) -> {
            RawAllocator.free(address);
            budget.release(size);
            return 0;
        };
        if (records != null) {
            records.release(free);
        }
        table.forEach(free);
        table.release();
    }

    /** The exception for an address that is not a live block, worded the same everywhere. */
    public InvalidAddressException invalid(String operation, long address) {
        return new InvalidAddressException(operation + "(0x" + Long.toHexString(address)
                + "): not a block allocated by " + owner + "; heap unchanged", address);
    }
}
