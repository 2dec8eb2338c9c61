package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.Geometry;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;

/**
 * Checked mode's record of which small blocks are live: the arenas' {@link LiveBits} bitmaps,
 * with the setting of the newest block's bit put off until the next block is handed out.
 *
 * <pre>
 *  live(x)  ==  bit(x) == 1  ||  x == newest          newest: the block handed out last, if it
 *  bit(newest) == 0                                   has not been freed since; else 0
 * </pre>
 * Why the one deferred bit: a block handed out and soon freed (the commonest pattern there is,
 * a temporary) then costs no bitmap access at all, and its free no probe of the arena index:
 * {@code free(newest)} is one compare with a Java field. A malloc+free pair otherwise sets and
 * clears the same word, a read-modify-write chain through memory from each call to the next.
 * The newest block is live, so its pool is in use and its arena (bitmap and all) stays mapped.
 */
public final class LiveBlocks {
    private final ArenaIndex index;
    private long newest;

    public LiveBlocks(ArenaIndex index) {
        this.index = index;
    }

    /**
     * Whether {@code address}, whose bit is in {@code word}, is a live block: the newest, or
     * aligned with its bit set.
     */
    public boolean isLive(long word, long address) {
        return bitSet(getLong(word), address) | (address == newest);
    }

    /** Whether {@code w}, the word of {@code address}'s bit, says a handed-out block starts at {@code address}. */
    private static boolean bitSet(long w, long address) {
        return ((w & LiveBits.bit(address)) != 0) & ((address & (Geometry.ALIGNMENT - 1)) == 0);
    }

    /**
     * Records {@code block}, just taken off a free list, as live. The previous newest block's bit
     * is set now, its word found by a probe of the arena index (a Java array load). Keeping each
     * ring head's bias at hand instead cost a probe at every change of a ring's head, which a
     * random mix makes twice an op; this way costs one probe a malloc and nothing when the
     * newest block was freed, as a temporary is.
     */
    public void handOut(long block) {
        long previous = newest;
        if (previous != 0) {
            long word = index.liveWord(previous);
            putLong(word, getLong(word) | LiveBits.bit(previous));
        }
        newest = block;
    }

    /**
     * If {@code address} is the newest block, records it as freed (its bit is already 0) and
     * returns true: its free needs no bitmap access.
     */
    public boolean releaseIfNewest(long address) {
        if (address != newest) {
            return false;
        }
        newest = 0;
        return true;
    }

    /**
     * Records the live block {@code address} (bit in {@code word}, which is not read if it is
     * the newest block) as freed.
     */
    public void release(long word, long address) {
        if (!releaseIfNewest(address)) {
            clear(word, address);
        }
    }

    /** Records the live block {@code address}, which is not the newest, as freed. */
    public void clear(long word, long address) {
        putLong(word, getLong(word) & ~LiveBits.bit(address));
    }

    /**
     * {@link #isLive} and {@link #clear} with one read of the word, for {@code free} of an
     * {@code address} that is not the newest block: clears its bit and returns true if it is a
     * live block, else changes nothing and returns false. (Each native access the JIT inlines
     * costs about 550 IR nodes; see {@code PyMalloc}.)
     */
    public boolean clearIfLive(long word, long address) {
        assert address != newest;
        long w = getLong(word);
        if (!bitSet(w, address)) {
            return false;
        }
        putLong(word, w & ~LiveBits.bit(address));
        return true;
    }

    /** The live block whose bit is not yet set, or 0. */
    public long newest() {
        return newest;
    }
}
