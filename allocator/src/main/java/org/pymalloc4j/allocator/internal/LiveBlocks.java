package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.Geometry;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;

/**
 * Checked mode's record of which small blocks of a heap are live: their bits in the
 * {@link LiveBits} map, with the setting of the newest block's bit put off until the next block
 * is handed out. The heap keeps {@code newest} in a field of its own, so its hot paths read it
 * with no object in between; these are the operations on it.
 *
 * <pre>
 *  live(x)  ==  bit(x) == 1  ||  x == newest          newest: the block handed out last, if it
 *  bit(newest) == 0                                   has not been freed since; else 0
 * </pre>
 * Why the one deferred bit: a block handed out and soon freed (the commonest pattern there is,
 * a temporary) then costs no access to the map at all, and its free no lookup in the owner
 * map: {@code free(newest)} is one compare with a Java field. A malloc+free pair otherwise
 * sets and clears the same word, a read-modify-write chain through memory from each call to
 * the next. The newest block is live, so its pool is in use and its arena's words are writable.
 */
public final class LiveBlocks {
    private LiveBlocks() {
    }

    /**
     * Records {@code block}, just taken off a free list, as the heap's newest block, setting now
     * the bit of {@code previous}, the newest until then (nothing if it is 0: it was freed).
     *
     * @return {@code block}, the heap's newest block from now on
     */
    public static long handOut(long previous, long block) {
        if (previous != 0) {
            long word = LiveBits.word(previous);
            putLong(word, getLong(word) | LiveBits.bit(previous));
        }
        return block;
    }

    /** Whether {@code address}, inside an arena of the heap whose newest block is {@code newest}, is a live block. */
    public static boolean isLive(long address, long newest) {
        return bitSet(getLong(LiveBits.word(address)), address) | (address == newest);
    }

    /** Whether {@code w}, the word of {@code address}'s bit, says a handed-out block starts at {@code address}. */
    private static boolean bitSet(long w, long address) {
        return ((w & LiveBits.bit(address)) != 0) & ((address & (Geometry.ALIGNMENT - 1)) == 0);
    }

    /**
     * Records the live block {@code address} as freed, given the heap's newest block.
     *
     * @return the heap's newest block afterwards: 0 if it was {@code address}, else unchanged
     */
    public static long release(long address, long newest) {
        if (address == newest) {
            return 0;
        }
        long word = LiveBits.word(address);
        putLong(word, getLong(word) & ~LiveBits.bit(address));
        return newest;
    }

    /**
     * {@code free}'s test and clearing of the bit of {@code address}, a granule start
     * ({@link LiveBits#isGranule}) inside an arena of the heap: clears the bit and returns true
     * if it was set, else changes nothing and returns false.
     */
    public static boolean clearIfSet(long address) {
        long word = LiveBits.word(address);
        long w = getLong(word);
        long bit = LiveBits.bit(address);
        if ((w & bit) == 0) {
            return false;
        }
        putLong(word, w & ~bit);
        return true;
    }
}
