package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.Geometry;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;

/**
 * Checked mode's record of which small blocks are live: the arenas' {@link LiveBits} bitmaps,
 * with the clearing of the last freed block's bit put off until the next free.
 *
 * <pre>
 *  live(x)  ==  bit(x) == 1  &amp;&amp;  x != pending          pending: the last block freed, or 0
 * </pre>
 * Why the one deferred bit: a block freed and at once allocated again (the commonest pattern
 * there is) would otherwise clear and set the same word, a read-modify-write chain through
 * memory from each call to the next, about 4 ns a pair on this design. With the deferral the
 * pair reads the word once and writes nothing to it. The pending block is settled before its
 * pool can become empty (so before its arena, bitmap and all, can be returned to the OS).
 */
public final class LiveBlocks {
    private long pending;
    private long pendingWord;

    /**
     * Whether {@code address}, whose bit is in {@code word}, is a live block: aligned, bit set,
     * and not the pending one.
     */
    public boolean isLive(long word, long address) {
        return ((getLong(word) & LiveBits.bit(address)) != 0) & (address != pending)
                & ((address & (Geometry.ALIGNMENT - 1)) == 0);
    }

    /** Records {@code block}, just taken off a free list, as live; {@code bias} is its arena's. */
    public void handOut(long bias, long block) {
        if (block == pending) {
            pending = 0; // its bit was never cleared
        } else {
            long word = LiveBits.word(bias, block);
            putLong(word, getLong(word) | LiveBits.bit(block));
        }
    }

    /** Records the live block {@code address} (bit in {@code word}) as freed. */
    public void release(long word, long address) {
        long previous = pending;
        long previousWord = pendingWord;
        pending = address;
        pendingWord = word;
        if (previous != 0) {
            clear(previousWord, previous);
        }
    }

    /** Clears the pending block's bit now; call before its pool may become empty. */
    public void settle() {
        if (pending != 0) {
            clear(pendingWord, pending);
            pending = 0;
        }
    }

    private static void clear(long word, long address) {
        putLong(word, getLong(word) & ~LiveBits.bit(address));
    }

    /** The block whose bit is still set though it is free, or 0. */
    public long pending() {
        return pending;
    }
}
