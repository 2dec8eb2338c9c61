package org.pymalloc4j.allocator;

import org.pymalloc4j.allocator.internal.NativeMemory;

/**
 * Runs code in a process left with exactly {@code room} bytes of address space and a libc heap
 * that cannot grow, so that the code's native allocations are refused one after another as the
 * OS would refuse them: then measures how much of the room the code left taken. For a child JVM
 * under {@code ulimit -v} (RLIMIT_AS), interpreted only: the JVM must not need memory of its own
 * while squeezed, so everything run squeezed must have run once before (classes, call sites).
 *
 * <p>How: the room is reserved, every other byte of address space is reserved (PROT_NONE, no
 * memory), libc's arenas are drained by mallocs of every size down to 16 bytes, and the room is
 * unmapped. A refused arena then falls back to mmap, one page for a small block, 65 for the
 * 256 KiB arena map root: so a room of k pages lets the first few metadata allocations succeed
 * and refuses the next. Seven spare blocks of each size under 1,000 bytes go back to libc's
 * per-thread cache last, where the JVM's own small mallocs (an interned string) find them and
 * a 1 KiB metadata block does not.
 */
final class AddressSpaceSqueeze {
    static final long PAGE = 4096;
    private static final int SPARES_PER_SIZE = 7;
    private static final long[] SPARES = new long[SPARES_PER_SIZE * 62];
    private static final long[] RESERVED = new long[2 * 1024];
    private static int reserved;
    /** The drained blocks, a list linked through their first word. */
    private static long drained;

    private AddressSpaceSqueeze() {
    }

    /** Runs every step once unsqueezed, so that none links or loads anything while squeezed. */
    static void warm() {
        for (int i = 0; i < 300; i++) { // past MethodHandle customization (127 calls): no class spun later
            RawAllocator.free(RawAllocator.malloc(16));
            RawAllocator.free(RawAllocator.calloc(1, 16));
            RawAllocator.unmap(RawAllocator.reserve(PAGE), PAGE);
        }
        takeSpares();
        drain(2);
        giveSparesBack();
        fillAddressSpace();
        release();
    }

    /** Runs {@code action} with the address space full, and libc's arenas as they are. */
    static void withAddressSpaceFull(Runnable action) {
        fillAddressSpace();
        try {
            action.run();
        } finally {
            release();
        }
    }

    /**
     * Runs {@code action} with {@code room} bytes of address space left; the pages of the room
     * it left taken, measured once all it allocated should have gone back.
     */
    static long run(long room, Runnable action) {
        long r = room > 0 ? RawAllocator.reserve(room) : 0;
        if (room > 0 && r == 0) {
            throw new IllegalStateException("no room of " + room + " bytes to begin with");
        }
        takeSpares();
        fillAddressSpace();
        drain(Integer.MAX_VALUE);
        giveSparesBack();
        if (r != 0) {
            RawAllocator.unmap(r, room);
        }
        try {
            action.run();
            return (room - fillAddressSpace()) / PAGE;
        } finally {
            release();
        }
    }

    /** Reserves all the address space it can; the bytes reserved. */
    private static long fillAddressSpace() {
        long total = 0;
        for (long size = 1L << 46; size >= PAGE; size >>= 1) {
            long a;
            while (reserved < RESERVED.length && (a = RawAllocator.reserve(size)) != 0) {
                RESERVED[reserved++] = a;
                RESERVED[reserved++] = size;
                total += size;
            }
        }
        return total;
    }

    /** Mallocs blocks of every size, large to small, each until libc refuses (at most {@code max}). */
    private static void drain(int max) {
        int n = 0;
        for (long size = 64L << 20; size >= 16; size = size > 2048 ? size >> 1 : size == 2048 ? 1024 : size - 16) {
            long b;
            while (n < max && (b = RawAllocator.malloc(size)) != 0) {
                NativeMemory.putLong(b, drained);
                drained = b;
                n++;
            }
        }
    }

    private static void takeSpares() {
        for (int i = 0; i < SPARES.length; i++) {
            SPARES[i] = RawAllocator.malloc(16L * (1 + i / SPARES_PER_SIZE));
        }
    }

    private static void giveSparesBack() {
        for (long spare : SPARES) {
            RawAllocator.free(spare);
        }
    }

    private static void release() {
        while (drained != 0) {
            long next = NativeMemory.getLong(drained);
            RawAllocator.free(drained);
            drained = next;
        }
        for (int i = 0; i < reserved; i += 2) {
            RawAllocator.unmap(RESERVED[i], RESERVED[i + 1]);
        }
        reserved = 0;
    }
}
