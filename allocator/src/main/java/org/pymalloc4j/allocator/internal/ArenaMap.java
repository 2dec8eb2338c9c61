package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.RawAllocator;

import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;

/**
 * CPython 3.11's radix tree over all 64 address bits, answering "is this address inside one of
 * this heap's arenas?" in three dependent loads, without reading memory the heap does not own.
 *
 * <pre>
 *  address bits:  | top (T) | mid (M) | bot (B) | low ARENA_BITS |
 *                  T = M = (64 - ARENA_BITS + 2) / 3,  B = 64 - ARENA_BITS - 2T
 *                  (1 MiB arenas: 15 / 15 / 14 / 20)
 *
 *  root: 2^T pointers -> mid node: 2^M pointers -> bot node: 2^B leaves
 *  leaf (8 bytes):  | tail_hi (int32) | tail_lo (int32) |
 * </pre>
 *
 * <p>Each leaf covers one ARENA_SIZE-aligned "ideal block" of addresses. An arena need not be
 * aligned, so it may straddle two ideal blocks; at most one arena ends inside an ideal block,
 * covering {@code [0, tail_lo)}, and at most one starts in it, covering {@code [tail_hi, ARENA_SIZE)}
 * ({@code tail_hi = -1} when the arena starts exactly at the block). So with
 * {@code u = address mod ARENA_SIZE}:
 * <pre>  inArena(address) == (u &lt; tail_lo) || (tail_hi != 0 &amp;&amp; u &gt;= tail_hi)</pre>
 *
 * <p>Nodes live in native memory from {@code calloc}, are created on demand and, as in
 * CPython, are not freed until the heap closes.
 */
public final class ArenaMap {
    private static final long TAIL_HI_OFFSET = 0;
    private static final long TAIL_LO_OFFSET = 4;
    private static final int LEAF_LENGTH = 8;

    private final int arenaBits;
    private final int topShift;
    private final int midShift;
    private final long midMask;
    private final long botMask;
    private final long rootBytes;
    private final long midBytes;
    private final long botBytes;
    private final long root;
    private long[] nodes = new long[8];
    private int nodeCount;
    private int midCount;
    private int botCount;

    /**
     * @throws OutOfMemoryError if the root node cannot be allocated
     */
    public ArenaMap(int arenaBits) {
        this.arenaBits = arenaBits;
        int interiorBits = (64 - arenaBits + 2) / 3;
        int botBits = 64 - arenaBits - 2 * interiorBits;
        this.midShift = arenaBits + botBits;
        this.topShift = midShift + interiorBits;
        this.midMask = (1L << interiorBits) - 1;
        this.botMask = (1L << botBits) - 1;
        this.rootBytes = 8L << interiorBits;
        this.midBytes = 8L << interiorBits;
        this.botBytes = (long) LEAF_LENGTH << botBits;
        this.root = RawAllocator.calloc(1, rootBytes);
        if (root == 0) {
            throw new OutOfMemoryError("pymalloc4j: cannot allocate the arena map root (" + rootBytes + " bytes)");
        }
    }

    /** Whether {@code address} lies inside an arena marked used. */
    public boolean contains(long address) {
        // Constant shifts for the preset geometries let the JIT fold the key split.
        return switch (arenaBits) {
            case 20 -> lookup(root, address, 20);
            case 18 -> lookup(root, address, 18);
            default -> lookup(root, address, arenaBits);
        };
    }

    private static boolean lookup(long root, long address, int arenaBits) {
        int interiorBits = (64 - arenaBits + 2) / 3;
        int botBits = 64 - arenaBits - 2 * interiorBits;
        int midShift = arenaBits + botBits;
        long mid = getLong(root + ((address >>> (midShift + interiorBits)) << 3));
        if (mid == 0) {
            return false;
        }
        long bot = getLong(mid + (((address >>> midShift) & ((1L << interiorBits) - 1)) << 3));
        if (bot == 0) {
            return false;
        }
        // One 8-byte read of the leaf: tail_hi in the low half, tail_lo in the high half.
        long leaf = getLong(bot + (((address >>> arenaBits) & ((1L << botBits) - 1)) << 3));
        int tailHi = (int) leaf;
        int tailLo = (int) (leaf >>> 32);
        int u = (int) (address & ((1L << arenaBits) - 1));
        return u < tailLo || (tailHi != 0 && u >= tailHi);
    }

    /**
     * Marks {@code [base, base + ARENA_SIZE)} as an arena.
     *
     * @return false if a node could not be allocated; nothing is marked then
     */
    public boolean markUsed(long base) {
        long hi = leaf(base, true);
        if (hi == 0) {
            return false;
        }
        long arenaMask = (1L << arenaBits) - 1;
        int tail = (int) (base & arenaMask);
        if (tail == 0) {
            putInt(hi + TAIL_HI_OFFSET, -1);
            return true;
        }
        long lo = leaf(base + arenaMask + 1, true);
        if (lo == 0) {
            return false;
        }
        putInt(hi + TAIL_HI_OFFSET, tail);
        putInt(lo + TAIL_LO_OFFSET, tail);
        return true;
    }

    /** Clears the marks {@link #markUsed} set for the arena at {@code base}. */
    public void markUnused(long base) {
        long hi = leaf(base, false);
        long arenaSize = 1L << arenaBits;
        int tail = (int) (base & (arenaSize - 1));
        putInt(hi + TAIL_HI_OFFSET, 0);
        if (tail != 0) {
            putInt(leaf(base + arenaSize, false) + TAIL_LO_OFFSET, 0);
        }
    }

    /** Whether any arena covers part of the ARENA_SIZE-aligned block holding {@code address}. */
    public boolean coversPartOf(long address) {
        long leaf = leaf(address, false);
        return leaf != 0 && getLong(leaf) != 0;
    }

    private long leaf(long address, boolean create) {
        long midSlot = root + ((address >>> topShift) << 3);
        long mid = getLong(midSlot);
        if (mid == 0) {
            if (!create || (mid = newNode(midBytes)) == 0) {
                return 0;
            }
            putLong(midSlot, mid);
            midCount++;
        }
        long botSlot = mid + (((address >>> midShift) & midMask) << 3);
        long bot = getLong(botSlot);
        if (bot == 0) {
            if (!create || (bot = newNode(botBytes)) == 0) {
                return 0;
            }
            putLong(botSlot, bot);
            botCount++;
        }
        return bot + (((address >>> arenaBits) & botMask) << 3);
    }

    private long newNode(long bytes) {
        long node = RawAllocator.calloc(1, bytes);
        if (node != 0) {
            if (nodeCount == nodes.length) {
                nodes = java.util.Arrays.copyOf(nodes, nodeCount * 2);
            }
            nodes[nodeCount++] = node;
        }
        return node;
    }

    public int midCount() {
        return midCount;
    }

    public int botCount() {
        return botCount;
    }

    public long rootBytes() {
        return rootBytes;
    }

    public long midBytes() {
        return midBytes;
    }

    public long botBytes() {
        return botBytes;
    }

    /** Frees every node; the map must not be used afterwards. */
    public void release() {
        for (int i = 0; i < nodeCount; i++) {
            RawAllocator.free(nodes[i]);
        }
        nodeCount = 0;
        RawAllocator.free(root);
    }
}
