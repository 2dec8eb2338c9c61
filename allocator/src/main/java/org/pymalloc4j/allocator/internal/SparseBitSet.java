package org.pymalloc4j.allocator.internal;

/**
 * A set of the integers {@code 0 .. capacity - 1} as bits in leaves of {@value #LEAF_BITS},
 * made on first use: memory grows with how far apart the members lie, a leaf per
 * {@value #LEAF_BITS} of the range, never with how many there are. Where a hash set of boxed
 * keys takes about 56 bytes a member, a leaf takes {@value #LEAF_BYTES} bytes for up to
 * {@value #LEAF_BITS} members.
 *
 * <pre>
 *  member i:  leaves[i &gt;&gt;&gt; LEAF_SHIFT]  bit (i &amp; (LEAF_BITS - 1)) of that leaf's words
 *
 *  size() == the number of bits set in all leaves
 *  a leaf is null  =&gt;  none of its LEAF_BITS members is in the set
 * </pre>
 * Not thread-safe: the caller guards it.
 */
final class SparseBitSet {
    private static final int LEAF_SHIFT = 15;
    static final int LEAF_BITS = 1 << LEAF_SHIFT;
    static final int LEAF_BYTES = LEAF_BITS / 8;

    private final long capacity;
    private final long[][] leaves;
    private long size;

    /**
     * A set that may hold {@code 0 .. capacity - 1}.
     *
     * @throws IllegalArgumentException if {@code capacity} is not positive or needs more than
     *                                  {@link Integer#MAX_VALUE} leaves
     */
    SparseBitSet(long capacity) {
        long leafCount = (capacity + LEAF_BITS - 1) >>> LEAF_SHIFT;
        if (capacity <= 0 || leafCount > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("SparseBitSet: capacity " + capacity + " is not in 1.."
                    + ((long) Integer.MAX_VALUE << LEAF_SHIFT));
        }
        this.capacity = capacity;
        this.leaves = new long[(int) leafCount][];
    }

    /**
     * Whether {@code member} is in the set.
     *
     * @throws IllegalArgumentException if {@code member} is not in {@code 0 .. capacity - 1}
     */
    boolean contains(long member) {
        long[] leaf = leaves[leafIndex(member)];
        return leaf != null && (leaf[wordIndex(member)] & (1L << member)) != 0;
    }

    /**
     * Adds {@code member}.
     *
     * @return true if it was not in the set
     * @throws IllegalArgumentException if {@code member} is not in {@code 0 .. capacity - 1}
     */
    boolean add(long member) {
        int l = leafIndex(member);
        long[] leaf = leaves[l];
        if (leaf == null) {
            leaf = new long[LEAF_BITS / Long.SIZE];
            leaves[l] = leaf;
        }
        int w = wordIndex(member);
        long bit = 1L << member;
        if ((leaf[w] & bit) != 0) {
            return false;
        }
        leaf[w] |= bit;
        size++;
        return true;
    }

    /** How many members the set holds. */
    long size() {
        return size;
    }

    /** How many leaves exist: the set's memory, {@value #LEAF_BYTES} bytes each beside the leaf table. */
    int leafCount() {
        int n = 0;
        for (long[] leaf : leaves) {
            n += leaf == null ? 0 : 1;
        }
        return n;
    }

    /**
     * Checks that {@link #size} is the number of bits set.
     *
     * @throws IllegalStateException if it is not
     */
    void checkInvariants() {
        long bits = 0;
        for (long[] leaf : leaves) {
            if (leaf != null) {
                for (long word : leaf) {
                    bits += Long.bitCount(word);
                }
            }
        }
        if (bits != size) {
            throw new IllegalStateException("SparseBitSet: " + bits + " bits set, size says " + size);
        }
    }

    private int leafIndex(long member) {
        if (member < 0 || member >= capacity) {
            throw new IllegalArgumentException("SparseBitSet: " + member + " is not in 0.." + (capacity - 1));
        }
        return (int) (member >>> LEAF_SHIFT);
    }

    private static int wordIndex(long member) {
        return (int) (member & (LEAF_BITS - 1)) >>> 6;
    }
}
