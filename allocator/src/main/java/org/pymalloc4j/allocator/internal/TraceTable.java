package org.pymalloc4j.allocator.internal;

/**
 * The tracer's live traces: an open-addressing hash table from block address to requested
 * size, traceback id and a one-byte tag (the domain), in parallel primitive arrays on the Java
 * heap, so that a trace costs no object and no boxing. Also keeps tracemalloc's two counters,
 * the traced bytes and their peak.
 *
 * <pre>
 *  slot i: | addresses[i] (0 = empty) | sizes[i] | tracebacks[i] | tags[i] |
 *  linear probing from mix(address) &amp; (capacity - 1); deletion shifts later entries back,
 *  so no tombstones: every key sits between its home slot and the first empty slot after it.
 *  invariants:  count &lt;= capacity / 2,  current == sum(sizes),  peak &gt;= current
 * </pre>
 *
 * <p>Not thread-safe: its owner (the tracer) has one thread at a time.
 */
public final class TraceTable {
    private static final int INITIAL_CAPACITY = 64;
    /** Bytes of one slot across the four arrays. */
    private static final int SLOT_BYTES = 8 + 8 + 4 + 1;
    /** An array's header, as HotSpot lays it out with compressed class pointers. */
    private static final int ARRAY_HEADER = 16;

    private long[] addresses;
    private long[] sizes;
    private int[] tracebacks;
    private byte[] tags;
    private int count;
    private long current;
    private long peak;

    /** An empty table. */
    public TraceTable() {
        allocate(INITIAL_CAPACITY);
    }

    private void allocate(int capacity) {
        addresses = new long[capacity];
        sizes = new long[capacity];
        tracebacks = new int[capacity];
        tags = new byte[capacity];
    }

    private static int mix(long address) {
        return (int) ((address * 0x9E3779B97F4A7C15L) >>> 32);
    }

    /**
     * Makes room for one more trace, so that the next {@link #put} cannot fail.
     *
     * @throws OutOfMemoryError if the table cannot grow; it is unchanged then
     */
    public void reserve() {
        if ((count + 1) * 2L > addresses.length) {
            grow();
        }
    }

    /**
     * Records the trace of {@code address}, replacing any trace it had, and updates the
     * counters.
     *
     * @throws IllegalArgumentException if {@code address} is 0 or {@code size} negative
     * @throws OutOfMemoryError         if the table must grow and cannot (not after {@link #reserve})
     */
    public void put(long address, long size, int traceback, byte tag) {
        if (address == 0 || size < 0) {
            throw new IllegalArgumentException("trace of address 0x" + Long.toHexString(address) + ", size " + size
                    + (address == 0 ? ": NULL has no trace" : ": negative size"));
        }
        reserve();
        int mask = addresses.length - 1;
        int i = mix(address) & mask;
        while (addresses[i] != 0 && addresses[i] != address) {
            i = (i + 1) & mask;
        }
        if (addresses[i] == 0) {
            addresses[i] = address;
            count++;
        } else {
            current -= sizes[i];
        }
        sizes[i] = size;
        tracebacks[i] = traceback;
        tags[i] = tag;
        current += size;
        if (current > peak) {
            peak = current;
        }
    }

    /**
     * Forgets the trace of {@code address} and subtracts its size.
     *
     * @return false if {@code address} had no trace
     */
    public boolean remove(long address) {
        int hole = find(address);
        if (hole < 0) {
            return false;
        }
        current -= sizes[hole];
        count--;
        int mask = addresses.length - 1;
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            long key = addresses[i];
            if (key == 0) {
                break;
            }
            if (!LinearProbing.staysAfterDeletion(hole, mix(key) & mask, i)) {
                addresses[hole] = key;
                sizes[hole] = sizes[i];
                tracebacks[hole] = tracebacks[i];
                tags[hole] = tags[i];
                hole = i;
            }
        }
        addresses[hole] = 0;
        sizes[hole] = 0;
        tracebacks[hole] = 0;
        tags[hole] = 0;
        return true;
    }

    /** The slot holding the trace of {@code address}, or -1 if it has none. */
    public int find(long address) {
        if (address == 0) {
            return -1;
        }
        int mask = addresses.length - 1;
        int i = mix(address) & mask;
        while (true) {
            long key = addresses[i];
            if (key == address) {
                return i;
            }
            if (key == 0) {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        long[] oldAddresses = addresses;
        long[] oldSizes = sizes;
        int[] oldTracebacks = tracebacks;
        byte[] oldTags = tags;
        allocate(oldAddresses.length * 2);
        int mask = addresses.length - 1;
        for (int j = 0; j < oldAddresses.length; j++) {
            long key = oldAddresses[j];
            if (key != 0) {
                int i = mix(key) & mask;
                while (addresses[i] != 0) {
                    i = (i + 1) & mask;
                }
                addresses[i] = key;
                sizes[i] = oldSizes[j];
                tracebacks[i] = oldTracebacks[j];
                tags[i] = oldTags[j];
            }
        }
    }

    /** The number of slots; iterate {@code 0 <= slot < capacity()} and skip {@code address(slot) == 0}. */
    public int capacity() {
        return addresses.length;
    }

    /** The address traced in {@code slot}, or 0 if the slot is empty. */
    public long address(int slot) {
        return addresses[slot];
    }

    /** The size traced in {@code slot}. */
    public long size(int slot) {
        return sizes[slot];
    }

    /** The traceback id traced in {@code slot}. */
    public int traceback(int slot) {
        return tracebacks[slot];
    }

    /** Replaces the traceback id traced in {@code slot}; its size, tag and the counters stay. */
    public void setTraceback(int slot, int traceback) {
        tracebacks[slot] = traceback;
    }

    /** The tag traced in {@code slot}. */
    public byte tag(int slot) {
        return tags[slot];
    }

    /** The number of traces. */
    public int count() {
        return count;
    }

    /** The sum of the traced sizes. */
    public long current() {
        return current;
    }

    /** The highest {@link #current()} since the table was made, cleared or its peak reset. */
    public long peak() {
        return peak;
    }

    /** Sets the peak to the current traced bytes ({@code tracemalloc.reset_peak()}). */
    public void resetPeak() {
        peak = current;
    }

    /** Forgets every trace, zeroes both counters and shrinks back to the initial capacity. */
    public void clear() {
        allocate(INITIAL_CAPACITY);
        count = 0;
        current = 0;
        peak = 0;
    }

    /** The bytes of the four arrays, headers included. */
    public long footprint() {
        return 4L * ARRAY_HEADER + (long) addresses.length * SLOT_BYTES;
    }

    /**
     * Checks the count, the probe invariant, the load factor and {@code current == sum(sizes)}.
     *
     * @throws IllegalStateException naming the broken invariant
     */
    public void checkInvariants() {
        int seen = 0;
        long sum = 0;
        int mask = addresses.length - 1;
        for (int i = 0; i < addresses.length; i++) {
            long key = addresses[i];
            if (key == 0) {
                continue;
            }
            seen++;
            sum += sizes[i];
            for (int j = mix(key) & mask; j != i; j = (j + 1) & mask) {
                if (addresses[j] == 0) {
                    throw new IllegalStateException("trace table: empty slot " + j
                            + " between the home and the slot " + i + " of 0x" + Long.toHexString(key));
                }
            }
        }
        if (seen != count || sum != current || count * 2L > addresses.length || peak < current) {
            throw new IllegalStateException("trace table: count " + count + ", current " + current + ", peak "
                    + peak + ", but found " + seen + " traces of " + sum + " bytes in " + addresses.length + " slots");
        }
    }
}
