package org.pymalloc4j.allocator.internal;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.pymalloc4j.allocator.RawAllocator;

/**
 * The hot-path answer to "is this address in one of this heap's arenas?": one {@code int} per
 * 256 KiB chunk of the user address space, naming the heap whose arena covers the chunk. It is
 * CPython's arena map ({@link ArenaMap}, the radix tree of {@code Objects/obmalloc.c}) flattened
 * to one level, which costs nothing here because reserved address space costs no memory: the
 * entry of an address is one shift and one load from a constant base, where the radix tree
 * makes three dependent loads and a Java hash table four (the table, its length, the slot).
 *
 * <pre>
 *  chunk(address) = address &gt;&gt;&gt; CHUNK_BITS                 256 KiB, the smallest arena of any geometry
 *  entry(chunk) at OWNERS + 4 * (chunk &amp; (ENTRIES - 1))     ENTRIES = COVERED &gt;&gt;&gt; CHUNK_BITS
 *
 *  entry == tag t (&gt; 0)  the whole chunk lies in one arena, of the heap whose tag is t
 *  entry == SHARED (-1)   an arena covers part of the chunk (an arena not aligned to 256 KiB):
 *                         the heap's radix tree answers; such a chunk stays SHARED for good
 *  entry == NONE (0)      no arena covers any of the chunk
 * </pre>
 * Every open heap of the process has its own tag ({@link #newTag}), so the map serves all of them;
 * an address above {@link #COVERED} reads the entry of its alias below, and callers that must
 * refuse it (checked mode) test the range first. The map is {@code ENTRIES * 4} bytes of address
 * space (2 GiB on x86-64), reserved readable once per process, so a read of any entry is safe
 * and an untouched one reads 0; the page holding an arena's entries is made writable when the
 * arena is recorded (16 bytes of entries for a 1 MiB arena). Without the reservation (a
 * limited address space) every entry reads SHARED and the radix tree answers everything.
 */
public final class ArenaOwners {
    /** log2 of the chunk size: 256 KiB, CPython 3.8's arena, the smallest of every geometry. */
    public static final int CHUNK_BITS = 18;
    public static final int NONE = 0;
    public static final int SHARED = -1;
    /**
     * Addresses below this have an entry: the user address space, whose top is found by where
     * the kernel places a mapping (just below the stack): 2^47 on x86-64, 2^48 on AArch64 with
     * 48-bit addresses, 2^39 with 39-bit ones; never less than 2^39.
     */
    public static final long COVERED = userAddressSpace();
    private static final long ENTRIES = COVERED >>> CHUNK_BITS;
    private static final long PAGE = 4096;
    /** The map's address, 0 if the address space could not be reserved. Folded by the JIT. */
    private static final long OWNERS = RawAllocator.reserveReadable(ENTRIES * 4);
    /** What a closed heap compares entries with: no entry's value, since no heap is given it. */
    public static final int RETIRED = Integer.MIN_VALUE;
    /** The last tag issued: it comes round after 2^32 heaps, so tags still held are skipped. */
    private static final AtomicInteger TAGS = new AtomicInteger();
    /**
     * The tags issued and not given back: open heaps', and those of heaps dropped unclosed, whose
     * arenas keep their entries for good. Guarded by the class's lock.
     */
    private static final Set<Integer> HELD = new HashSet<>();

    private ArenaOwners() {
    }

    private static long userAddressSpace() {
        long probe = RawAllocator.mmap(4096);
        if (probe == 0) {
            return 1L << 47;
        }
        RawAllocator.unmap(probe, 4096);
        return Math.max(1L << 39, Long.highestOneBit(probe) << 1);
    }

    /**
     * A tag no other heap of the process holds (none of NONE, SHARED, RETIRED). Give it back
     * with {@link #returnTag} once no entry of the map holds it.
     */
    public static synchronized int newTag() {
        int tag;
        do {
            tag = TAGS.incrementAndGet();
        } while (tag == NONE || tag == SHARED || tag == RETIRED || HELD.contains(tag));
        HELD.add(tag);
        return tag;
    }

    /** Gives back a tag from {@link #newTag}, which no entry holds any more, for the counter to issue again. */
    public static synchronized void returnTag(int tag) {
        HELD.remove(tag);
    }

    /** The entry of {@code address}'s chunk: a heap's tag, SHARED or NONE (see the class comment). */
    public static int owner(long address) {
        if (OWNERS == 0) {
            return SHARED;
        }
        return NativeMemory.getInt(OWNERS, ((address >>> CHUNK_BITS) & (ENTRIES - 1)) << 2);
    }

    /**
     * Records the arena {@code [base, base + size)} as the heap {@code tag}'s: its whole chunks
     * get the tag, its partial ones SHARED. Without the map there is nothing to record.
     *
     * @return false, recording nothing, if the arena is not below {@link #COVERED} or the kernel
     *         refused to make its entries writable
     */
    public static boolean add(long base, long size, int tag) {
        if (!inReach(base, size)) {
            return false;
        }
        if (OWNERS == 0) {
            return true;
        }
        long first = base >>> CHUNK_BITS;
        long last = (base + size - 1) >>> CHUNK_BITS;
        long from = (OWNERS + (first << 2)) & -PAGE;
        long to = (OWNERS + (last << 2) + PAGE) & -PAGE;
        if (!RawAllocator.commit(from, to - from)) {
            return false;
        }
        for (long chunk = first; chunk <= last; chunk++) {
            NativeMemory.putInt(OWNERS, chunk << 2, isWhole(chunk, base, size) ? tag : SHARED);
        }
        return true;
    }

    /**
     * Forgets the arena {@code [base, base + size)}, recorded by {@link #add}: its whole chunks
     * become NONE; its partial ones stay SHARED, since another arena may cover their rest.
     */
    public static void remove(long base, long size) {
        if (OWNERS == 0 || !inReach(base, size)) {
            return; // nothing was recorded
        }
        for (long chunk = base >>> CHUNK_BITS; chunk <= (base + size - 1) >>> CHUNK_BITS; chunk++) {
            if (isWhole(chunk, base, size)) {
                NativeMemory.putInt(OWNERS, chunk << 2, NONE);
            }
        }
    }

    /** Whether {@code [base, base + size)} lies below {@link #COVERED}, where the maps have entries. */
    public static boolean inReach(long base, long size) {
        return base >= 0 && size <= COVERED - base;
    }

    /**
     * Whether {@code [base, base + size)} holds a whole chunk of a heap's arena (not a shared
     * chunk's, which the heaps' radix trees answer for); false out of reach, where nothing is read.
     */
    static boolean holdsAnArena(long base, long size) {
        if (!inReach(base, size)) {
            return false;
        }
        for (long chunk = base >>> CHUNK_BITS; chunk <= (base + size - 1) >>> CHUNK_BITS; chunk++) {
            int owner = owner(chunk << CHUNK_BITS);
            if (isWhole(chunk, base, size) && owner != NONE && owner != SHARED) {
                return true;
            }
        }
        return false;
    }

    /** Whether chunk number {@code chunk} lies wholly inside {@code [base, base + size)}. */
    public static boolean isWhole(long chunk, long base, long size) {
        return chunk << CHUNK_BITS >= base && (chunk + 1) << CHUNK_BITS <= base + size;
    }

    /** Whether the map exists (its address space could be reserved). */
    public static boolean exists() {
        return OWNERS != 0;
    }
}
