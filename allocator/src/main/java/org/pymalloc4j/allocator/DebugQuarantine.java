package org.pymalloc4j.allocator;

/**
 * A FIFO ring of freed debug blocks that have not been returned to their inner allocator yet,
 * so that writes after free can be caught while the bytes are still DEADBYTE and an address
 * freed twice is recognised. The arrays are allocated once: the Java heap does not grow with
 * the number of blocks.
 */
final class DebugQuarantine {
    /** User addresses, oldest at {@code head}. */
    private final long[] addresses;
    /** The live-table value each block had: domain and requested size. */
    private final long[] infos;
    private int head;
    private int size;

    DebugQuarantine(int capacity) {
        addresses = new long[capacity];
        infos = new long[capacity];
    }

    int capacity() {
        return addresses.length;
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size == addresses.length;
    }

    /** Appends a block; the caller has made room. */
    void push(long address, long info) {
        int slot = slot(size);
        addresses[slot] = address;
        infos[slot] = info;
        size++;
    }

    /** The address of the {@code i}-th oldest block. */
    long address(int i) {
        return addresses[slot(i)];
    }

    /** The table value of the {@code i}-th oldest block. */
    long info(int i) {
        return infos[slot(i)];
    }

    /** Removes the {@code i}-th oldest block, keeping the order of the others. */
    void remove(int i) {
        for (int j = i; j > 0; j--) {
            addresses[slot(j)] = addresses[slot(j - 1)];
            infos[slot(j)] = infos[slot(j - 1)];
        }
        addresses[head] = 0;
        infos[head] = 0;
        head = slot(1);
        size--;
    }

    /** The index of {@code address} in age order, or -1; linear, for error paths only. */
    int indexOf(long address) {
        for (int i = 0; i < size; i++) {
            if (addresses[slot(i)] == address) {
                return i;
            }
        }
        return -1;
    }

    void clear() {
        head = 0;
        size = 0;
    }

    private int slot(int i) {
        int s = head + i;
        return s >= addresses.length ? s - addresses.length : s;
    }
}
