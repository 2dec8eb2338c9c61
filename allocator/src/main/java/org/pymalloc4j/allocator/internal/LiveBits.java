package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.RawAllocator;

/**
 * Checked mode's answer to "is a live block starting here?": one bit per 16-byte granule of
 * the address space, in one shadow map shared by every checked heap of the process, set by
 * malloc and cleared by free. {@code free} tests one bit instead of reading the block, so
 * refusing a double free or an interior pointer costs no load of a cold block, and no
 * free-list walk.
 *
 * <pre>
 *  granule g = address &gt;&gt;&gt; 4           bit (g &amp; 63) of the 8-byte word at
 *  word(address) = SHADOW + ((address &gt;&gt;&gt; 7) &amp; WORD_OFFSETS)       for address &lt; COVERED (2^47 on x86-64)
 *
 *  bit(address) == 1  iff  address is the start of a block a heap handed out and has not freed,
 *                          except each heap's newest block, whose setting {@link LiveBlocks} puts off
 * </pre>
 * Why one map at a fixed place, as AddressSanitizer's shadow memory: a block's word is two
 * instructions from its address, with no lookup of its arena. Each heap only ever sets bits of
 * its own pools, and pools are at least 4 KiB aligned, so no word (1 KiB of address space)
 * holds bits of two arenas, and heaps used from different threads never write one word. A
 * heap reads a bit only once the owner map ({@link ArenaOwners}) said the address is in one of
 * its arenas, so another heap's bits never answer it.
 *
 * <p>The map is {@code COVERED / 128} bytes of address space (1 TiB on x86-64), reserved with
 * no access once per process, when the first checked heap is built: it costs no memory. The
 * pages over an arena are made writable when the arena is mapped ({@link #open}); 8 KiB a
 * 1 MiB arena, as the per-arena bitmaps before it. An arena returned to the OS has its words
 * zeroed ({@link #clear}); the pages stay, for the next arena mapped there. A {@code long}
 * shift uses only the low 6 bits of its count, so {@code 1L << (address >>> 4)} is the
 * granule's bit.
 */
public final class LiveBits {
    /** Addresses below this have a word: the user address space ({@link ArenaOwners#COVERED}). */
    public static final long COVERED = ArenaOwners.COVERED;
    /** The word offsets inside the map, a multiple of 8 below {@code COVERED >>> 7}. */
    private static final long WORD_OFFSETS = (COVERED >>> 7) - 8;
    /** Pages are made writable in aligned runs of this many bytes of map, a multiple of any page size. */
    private static final long RUN = 64 * 1024;
    /** The map's address, 0 if the address space could not be reserved. Folded by the JIT. */
    private static final long SHADOW = RawAllocator.reserve(COVERED >>> 7);

    private LiveBits() {
    }

    /**
     * Makes sure the map exists; call before a checked heap takes its first arena.
     *
     * @throws OutOfMemoryError if the map's address space could not be reserved
     */
    public static void require() {
        if (SHADOW == 0) {
            throw new OutOfMemoryError("pymalloc4j: checked mode cannot reserve " + (COVERED >>> 7 >>> 30)
                    + " GiB of address space for its live-block map (address space only, no memory);"
                    + " is the address space limited (ulimit -v)? -Dpymalloc4j.checks=false runs without it");
        }
    }

    /** Clears the bits no granule start below {@link #COVERED} has: the top ones and the low four. */
    private static final long NOT_A_GRANULE = -COVERED | (Geometry.ALIGNMENT - 1);

    /** Whether {@code address} is below {@link #COVERED} and 16-byte aligned: one test. */
    public static boolean isGranule(long address) {
        return (address & NOT_A_GRANULE) == 0;
    }

    /** The address of the word holding {@code address}'s bit; {@code address} must be below {@link #COVERED}. */
    public static long word(long address) {
        return SHADOW + ((address >>> 7) & WORD_OFFSETS);
    }

    /** The bit of {@code address}'s granule in its word. */
    public static long bit(long address) {
        return 1L << (address >>> 4);
    }

    /** The address of the granule whose bit is bit {@code bit} of the word at {@code word}. */
    public static long granule(long word, int bit) {
        return (((word - SHADOW) << 3) + bit) << 4;
    }

    /**
     * Makes the words of {@code [base, base + size)} writable, an arena about to be used.
     *
     * @return false if the range is not below {@link #COVERED} or the kernel refused
     */
    public static boolean open(long base, long size) {
        if (!ArenaOwners.inReach(base, size)) {
            return false;
        }
        // Whole 64 KiB runs, clamped to the map: the reservation is only page-aligned, and
        // mprotect must touch no byte outside it.
        long from = Math.max(SHADOW, word(base) & -RUN);
        long to = Math.min(SHADOW + (COVERED >>> 7), (word(base + size - 1) + RUN) & -RUN);
        return RawAllocator.commit(from, to - from);
    }

    /**
     * Zeroes the words that lie wholly inside {@code [base, base + size)}, an arena returned to
     * the OS. A word reaching outside covers no pool, so none of its bits is ever set.
     */
    public static void clear(long base, long size) {
        long from = word((base + 1023) & -1024L);
        long to = word((base + size) & -1024L);
        if (to > from) {
            NativeMemory.fill(from, to - from, (byte) 0);
        }
    }
}
