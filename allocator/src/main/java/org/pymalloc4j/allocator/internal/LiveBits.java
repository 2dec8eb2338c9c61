package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.RawAllocator;

/**
 * Checked mode's answer to "is a live block starting here?": one bit per 16-byte granule of an
 * arena, in a native bitmap beside the arena (8 KiB per 1 MiB arena, 0.8%), set by malloc and
 * cleared by free. {@code free} tests one bit instead of reading the block, so refusing a double
 * free or an interior pointer costs no load of a cold block, and no free-list walk.
 *
 * <pre>
 *  granule g = address &gt;&gt;&gt; 4           bit (g &amp; 63) of the 8-byte word at
 *  word(address) = bias + ((address &gt;&gt;&gt; 7) &amp; -8)      bias = bitmap - ((arenaBase &gt;&gt;&gt; 7) &amp; -8)
 *
 *  bit(address) == 1  iff  address is the start of a block handed out and not yet freed,
 *                          except the newest block, whose setting {@link LiveBlocks} puts off
 * </pre>
 * The bitmap covers the arena's whole range (plus one word, for an arena not 1 KiB-aligned), so
 * every address inside the arena has a word, and the bits of pool headers, uncarved or free
 * blocks and block interiors are 0. A {@code long} shift uses only the low 6 bits of its count,
 * so {@code 1L << (address >>> 4)} is the granule's bit in its word.
 */
public final class LiveBits {
    private LiveBits() {
    }

    /** The bitmap's length in bytes for an arena of {@code arenaSize} bytes. */
    public static long bytesFor(long arenaSize) {
        return (arenaSize >>> 7) + 8;
    }

    /** A zeroed bitmap for the arena at {@code base}, or 0 if the memory cannot be had. */
    public static long allocate(long arenaSize) {
        return RawAllocator.calloc(1, bytesFor(arenaSize));
    }

    /** The bias of a bitmap at {@code bitmap} for the arena at {@code arenaBase}. */
    public static long bias(long bitmap, long arenaBase) {
        return bitmap - ((arenaBase >>> 7) & -8L);
    }

    /** The bitmap's own address, from its bias and its arena's base. */
    public static long bitmap(long bias, long arenaBase) {
        return bias + ((arenaBase >>> 7) & -8L);
    }

    /** The address of the word holding {@code address}'s bit. */
    public static long word(long bias, long address) {
        return bias + ((address >>> 7) & -8L);
    }

    /** The bit of {@code address}'s granule in its word. */
    public static long bit(long address) {
        return 1L << (address >>> 4);
    }

}
