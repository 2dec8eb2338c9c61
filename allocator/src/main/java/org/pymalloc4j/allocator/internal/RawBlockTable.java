package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.RawAllocator;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;

/**
 * The raw blocks a heap handed out (requests of 0 or more than 512 bytes, aligned beyond 16, or small ones no arena could be had for), as a native
 * open-addressing hash table from address to requested size.
 *
 * <p>It lets {@code free} refuse addresses the heap never gave out, lets {@code close} return
 * every raw block, and keeps the Java heap the same size however many blocks are live.
 *
 * <pre>
 *  entry (16 bytes): | address (0 = empty slot) | requested size |
 *  linear probing from  mix(address) &amp; (capacity - 1);  deletion shifts later entries back,
 *  so no tombstones:  every key sits between its home slot and the first empty slot after it.
 *  invariant:  count &lt;= capacity / 2
 * </pre>
 */
public final class RawBlockTable {
    private static final int ENTRY = 16;
    private static final int INITIAL_CAPACITY = 64;

    private long table;
    private int capacity;
    private int count;
    private long bytes;

    /**
     * @throws OutOfMemoryError if the table cannot be allocated
     */
    public RawBlockTable() {
        table = allocateTable(INITIAL_CAPACITY);
        capacity = INITIAL_CAPACITY;
    }

    private static long allocateTable(int capacity) {
        long t = RawAllocator.calloc(capacity, ENTRY);
        if (t == 0) {
            throw new OutOfMemoryError("pymalloc4j: cannot allocate the raw block table (" + (long) capacity * ENTRY + " bytes)");
        }
        return t;
    }

    private static int mix(long address) {
        long h = address * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32);
    }

    /**
     * Records a block, or its new size if it is recorded already. Grows the table first when a
     * new entry needs the room, and only then.
     *
     * @throws OutOfMemoryError if the table cannot grow; nothing is recorded then
     */
    public void put(long address, long size) {
        long slot = probe(address);
        if (getLong(slot) == address) {
            setSize(slot, size);
            return;
        }
        if (oneMoreNeedsGrowth()) {
            grow();
            slot = probe(address);
        }
        putLong(slot, address);
        putLong(slot + 8, size);
        count++;
        bytes += size;
    }

    /**
     * Grows the table now if one more entry would need it, so that the next {@link #put} of a
     * new block cannot fail.
     *
     * @throws OutOfMemoryError if the table cannot grow; nothing changed then
     */
    public void makeRoomForOne() {
        if (oneMoreNeedsGrowth()) {
            grow();
        }
    }

    /** Whether one more entry would fill the table past half its slots. */
    private boolean oneMoreNeedsGrowth() {
        return (count + 1) * 2L > capacity;
    }

    /**
     * Changes the recorded size of a recorded block, in place: never grows the table, so it
     * cannot fail after libc has resized the block.
     *
     * @return false if {@code address} is not recorded
     */
    public boolean resize(long address, long size) {
        long slot = find(address);
        if (slot == 0) {
            return false;
        }
        setSize(slot, size);
        return true;
    }

    private void setSize(long slot, long size) {
        bytes += size - getLong(slot + 8);
        putLong(slot + 8, size);
    }

    /** The recorded size of {@code address}, or -1 if it is not recorded. */
    public long sizeOf(long address) {
        long slot = find(address);
        return slot == 0 ? -1 : getLong(slot + 8);
    }

    /** Whether the block is recorded. */
    public boolean contains(long address) {
        return find(address) != 0;
    }

    /**
     * Forgets a block.
     *
     * @return its recorded size, or -1 if it was not recorded
     */
    public long remove(long address) {
        long slot = find(address);
        if (slot == 0) {
            return -1;
        }
        long size = getLong(slot + 8);
        bytes -= size;
        count--;
        int mask = capacity - 1;
        int hole = (int) ((slot - table) / ENTRY);
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            long next = table + (long) i * ENTRY;
            long key = getLong(next);
            if (key == 0) {
                break;
            }
            int home = mix(key) & mask;
            if (!LinearProbing.staysAfterDeletion(hole, home, i)) {
                long h = table + (long) hole * ENTRY;
                putLong(h, key);
                putLong(h + 8, getLong(next + 8));
                hole = i;
            }
        }
        long h = table + (long) hole * ENTRY;
        putLong(h, 0);
        putLong(h + 8, 0);
        return size;
    }

    /** The slot of {@code address}, or 0 if it is not recorded (0 never is). */
    private long find(long address) {
        if (address == 0) {
            return 0;
        }
        long slot = probe(address);
        return getLong(slot) == address ? slot : 0;
    }

    /** The slot holding {@code address}, or the empty slot where linear probing would put it. */
    private long probe(long address) {
        int mask = capacity - 1;
        int i = mix(address) & mask;
        while (true) {
            long slot = table + (long) i * ENTRY;
            long key = getLong(slot);
            if (key == address || key == 0) {
                return slot;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        long old = table;
        int oldCapacity = capacity;
        table = allocateTable(oldCapacity * 2);
        capacity = oldCapacity * 2;
        count = 0;
        bytes = 0;
        for (int i = 0; i < oldCapacity; i++) {
            long key = getLong(old + (long) i * ENTRY);
            if (key != 0) {
                put(key, getLong(old + (long) i * ENTRY + 8));
            }
        }
        RawAllocator.free(old);
    }

    /** Calls {@code action} with every recorded address and size. */
    public void forEach(java.util.function.LongBinaryOperator action) {
        for (int i = 0; i < capacity; i++) {
            long key = getLong(table + (long) i * ENTRY);
            if (key != 0) {
                action.applyAsLong(key, getLong(table + (long) i * ENTRY + 8));
            }
        }
    }

    public int count() {
        return count;
    }

    /** Sum of the requested sizes of all recorded blocks. */
    public long bytes() {
        return bytes;
    }

    /** Bytes of native memory the table itself occupies. */
    public long tableBytes() {
        return (long) capacity * ENTRY;
    }

    /** Checks {@code count == |non-empty slots|}, the probe invariant and the byte sum. */
    public void checkInvariants() {
        int seen = 0;
        long sum = 0;
        int mask = capacity - 1;
        for (int i = 0; i < capacity; i++) {
            long key = getLong(table + (long) i * ENTRY);
            if (key == 0) {
                continue;
            }
            seen++;
            sum += getLong(table + (long) i * ENTRY + 8);
            for (int j = mix(key) & mask; j != i; j = (j + 1) & mask) {
                if (getLong(table + (long) j * ENTRY) == 0) {
                    throw new IllegalStateException("raw block table: empty slot " + j
                            + " between the home and the slot " + i + " of 0x" + Long.toHexString(key));
                }
            }
        }
        if (seen != count || sum != bytes || count * 2L > capacity) {
            throw new IllegalStateException("raw block table: count " + count + " bytes " + bytes
                    + " but found " + seen + " entries of " + sum + " bytes in " + capacity + " slots");
        }
    }

    /** Frees the table (not the blocks); the table must not be used afterwards. */
    public void release() {
        RawAllocator.free(table);
        table = 0;
        capacity = 0;
        count = 0;
        bytes = 0;
    }
}
