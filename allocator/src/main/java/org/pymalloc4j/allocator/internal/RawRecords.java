package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.RawAllocator;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;

/**
 * A heap's raw blocks found through the live-block map: each block's record there
 * ({@link LiveMarks#putRecord}) holds its index in a native array of entries, so that
 * {@code free} reads the record and the entry and puts the entry on a list of free ones, which
 * the next malloc takes first: no probing and no loop, where the {@link RawBlockTable} probes
 * and shifts, and no other block's record to rewrite, where moving the last entry into the hole
 * did (a third cold line a free, of a block at random). Blocks the records cannot take stay in
 * the table: libc blocks under {@link LiveMarks#RECORD_BYTES}, a map run the kernel would not
 * make writable, or more than {@link LiveMarks#RECORD_INDEXES} blocks.
 *
 * <pre>
 *  entry i (16 bytes at entries + 16 i), 0 &lt;= i &lt; used:
 *    live:  | address != 0 | requested size |    LiveMarks.recordIndex(address, rawMark) == i
 *    free:  |      0       | next free entry, or -1 |
 *  the free list from freeHead visits every free entry once;  count + free entries == used
 *  bytes == the sum of the live entries' sizes;  used &lt;= capacity
 * </pre>
 * A record is zeroed before its block goes back to libc, which may hand the address to another
 * heap at once, and that heap writes its own record there.
 */
public final class RawRecords {
    private static final int ENTRY = 16;
    private static final int INITIAL_CAPACITY = 64;
    /** Map runs this heap knows writable, direct-mapped by run: an {@link LiveMarks#openRun} spared per raw malloc. */
    private static final int RUN_CACHE = 64;

    private final byte rawMark;
    private final long[] openRuns = new long[RUN_CACHE];
    private long entries;
    private int capacity;
    /** Entries ever taken: live or on the free list. */
    private int used;
    private int freeHead = -1;
    private int count;
    private long bytes;

    /**
     * Records for a heap whose mark is {@code mark} (its own, SHARED, or 0 unchecked); the map
     * must be {@link LiveMarks#available}.
     *
     * @throws OutOfMemoryError if the entries cannot be allocated
     */
    public RawRecords(byte mark) {
        this.rawMark = LiveMarks.rawMark(mark);
        this.entries = RawAllocator.malloc((long) INITIAL_CAPACITY * ENTRY);
        if (entries == 0) {
            throw new OutOfMemoryError("pymalloc4j: cannot allocate the raw block records (" + INITIAL_CAPACITY * ENTRY + " bytes)");
        }
        this.capacity = INITIAL_CAPACITY;
    }

    /**
     * Records {@code block}, a libc block of {@code libcBytes} bytes, requested as {@code size}.
     *
     * @return false if it cannot, and nothing changed: the caller's table takes the block
     */
    public boolean add(long block, long size, long libcBytes) {
        if (!canCarry(block, libcBytes) || freeHead < 0 && used == capacity && !grow()) {
            return false;
        }
        int index;
        if (freeHead >= 0) { // the entry freed last: its line is the one free just wrote
            index = freeHead;
            freeHead = (int) sizeAt(index);
        } else {
            index = used++;
        }
        count++;
        long entry = entries + (long) index * ENTRY;
        putLong(entry, block);
        putLong(entry + 8, size);
        bytes += size;
        LiveMarks.putRecord(block, rawMark, index);
        return true;
    }

    /** Whether a libc block of {@code libcBytes} bytes at {@code block} can carry a record, its map runs opened. */
    private boolean canCarry(long block, long libcBytes) {
        return libcBytes >= LiveMarks.RECORD_BYTES && LiveMarks.canRecord(block)
                && openRun(LiveMarks.runOf(block)) && openRun(LiveMarks.runOf(block + LiveMarks.RECORD_BYTES - 16));
    }

    private boolean openRun(long run) {
        int slot = (int) (run >>> 16) & (RUN_CACHE - 1);
        if (openRuns[slot] == run) {
            return true;
        }
        if (!LiveMarks.openRun(run)) {
            return false;
        }
        openRuns[slot] = run;
        return true;
    }

    private boolean grow() {
        if (capacity >= LiveMarks.RECORD_INDEXES) {
            return false;
        }
        long bigger = RawAllocator.realloc(entries, 2L * capacity * ENTRY);
        if (bigger == 0) {
            return false;
        }
        entries = bigger;
        capacity *= 2;
        return true;
    }

    /** The index of {@code address}'s entry, or -1 if it is no block of these records. Any address. */
    public int indexOf(long address) {
        int i = LiveMarks.recordIndex(address, rawMark);
        return i >= 0 && i < used && getLong(entries + (long) i * ENTRY) == address ? i : -1;
    }

    /**
     * Forgets a block, its record zeroed; the caller then gives the block back to libc.
     *
     * @return its requested size, or -1 if it is no block of these records
     */
    public long remove(long address) {
        int i = indexOf(address);
        if (i < 0) {
            return -1;
        }
        long size = sizeAt(i);
        LiveMarks.clearRecord(address);
        freeEntry(i);
        bytes -= size;
        return size;
    }

    /** The requested size of entry {@code index} ({@link #indexOf}). */
    public long sizeAt(int index) {
        return getLong(entries + (long) index * ENTRY + 8);
    }

    /**
     * The first half of a realloc of a recorded block at {@code address}: zeroes its record
     * (libc may hand the old address to another heap at once), its entry kept for
     * {@link #endMove} or {@link #undoMove}.
     */
    public void beginMove(long address) {
        LiveMarks.clearRecord(address);
    }

    /** libc refused the realloc: the block at {@code address} keeps entry {@code index}, its record rewritten. */
    public void undoMove(int index, long address) {
        LiveMarks.putRecord(address, rawMark, index);
    }

    /**
     * libc moved (or kept) entry {@code index}'s block to {@code moved}, of {@code libcBytes}
     * bytes, now requested as {@code newSize}: the entry follows it, its record written there.
     *
     * @return false if {@code moved} cannot carry a record: the entry is gone then, for the
     *         caller's table to take the block
     */
    public boolean endMove(int index, long moved, long newSize, long libcBytes) {
        long entry = entries + (long) index * ENTRY;
        if (!canCarry(moved, libcBytes)) {
            bytes -= getLong(entry + 8);
            freeEntry(index);
            return false;
        }
        bytes += newSize - getLong(entry + 8);
        putLong(entry, moved);
        putLong(entry + 8, newSize);
        LiveMarks.putRecord(moved, rawMark, index);
        return true;
    }

    /** Puts entry {@code index} at the head of the free entries. */
    private void freeEntry(int index) {
        long entry = entries + (long) index * ENTRY;
        putLong(entry, 0);
        putLong(entry + 8, freeHead);
        freeHead = index;
        count--;
    }

    /** The requested size of a recorded block, or -1 if {@code address} is none. */
    public long sizeOf(long address) {
        int i = indexOf(address);
        return i < 0 ? -1 : sizeAt(i);
    }

    public int count() {
        return count;
    }

    /** Sum of the requested sizes of all recorded blocks. */
    public long bytes() {
        return bytes;
    }

    /** Calls {@code action} with every recorded address and size. */
    public void forEach(java.util.function.LongBinaryOperator action) {
        for (int i = 0; i < used; i++) {
            long entry = entries + (long) i * ENTRY;
            long address = getLong(entry);
            if (address != 0) {
                action.applyAsLong(address, getLong(entry + 8));
            }
        }
    }

    /**
     * Checks that every live entry's record names it, that the free list visits every free
     * entry once, the counts and the byte sum, and that no address is recorded here and in
     * {@code table} both.
     */
    public void checkInvariants(RawBlockTable table) {
        long sum = 0;
        int live = 0;
        for (int i = 0; i < used; i++) {
            long entry = entries + (long) i * ENTRY;
            long address = getLong(entry);
            if (address == 0) {
                continue;
            }
            if (LiveMarks.recordIndex(address, rawMark) != i) {
                throw new IllegalStateException("raw block records: the record of 0x" + Long.toHexString(address)
                        + " does not give index " + i);
            }
            if (table.contains(address)) {
                throw new IllegalStateException("raw block 0x" + Long.toHexString(address)
                        + " is in the records and in the table");
            }
            sum += getLong(entry + 8);
            live++;
        }
        int free = 0;
        for (int i = freeHead; i >= 0; i = (int) sizeAt(i)) {
            if (i >= used || getLong(entries + (long) i * ENTRY) != 0 || ++free > used - live) {
                throw new IllegalStateException("raw block records: the free entries' list reaches entry " + i
                        + ", which is live, past the " + used + " used, or seen twice");
            }
        }
        if (live != count || live + free != used || sum != bytes || used > capacity) {
            throw new IllegalStateException("raw block records: " + live + " live entries of " + sum + " bytes and "
                    + free + " free, but count " + count + ", bytes " + bytes + ", used " + used
                    + ", capacity " + capacity);
        }
    }

    /**
     * Zeroes each record and then calls {@code action} with its block's address and size (to
     * free it: a block goes back to libc only once its record is gone), then frees the entries.
     * Not usable afterwards.
     */
    public void release(java.util.function.LongBinaryOperator action) {
        forEach((address, size) -> {
            LiveMarks.clearRecord(address);
            return action.applyAsLong(address, size);
        });
        RawAllocator.free(entries);
        entries = 0;
        capacity = 0;
        used = 0;
        freeHead = -1;
        count = 0;
        bytes = 0;
    }
}
