package org.pymalloc4j.allocator.internal;

import java.util.Arrays;

/**
 * The hot-path answer to "is this address in one of our arenas?": a direct-mapped Java table of
 * arena numbers ({@code address >>> ARENA_BITS}), so {@code free} pays one array load and one
 * compare where CPython's radix tree ({@link ArenaMap}) pays three dependent native loads.
 * Measured in the same JVM, a malloc+free pair costs about 2 ns less with this index
 * ({@code ArenaLookupBenchmark}). The radix tree is kept, as CPython's structure: it answers
 * {@code isArenaAddress}, it is what the statistics report, and the two are cross-checked.
 * Beside each arena number the table keeps the bias of the arena's {@link LiveBits} bitmap, so
 * the same probe that finds the arena finds the word of a block's live bit.
 *
 * <pre>
 *  slot = arenaNumber &amp; (capacity - 1), then linear probing; table[2 slot] = entry, table[2 slot + 1] = bias
 *  entry = EMPTY (-1)
 *  entry = arenaNumber            the whole ideal block [n * ARENA_SIZE, (n+1) * ARENA_SIZE) is an arena
 *  entry = arenaNumber | PARTIAL  part of the block is an arena (an unaligned arena): ask the radix tree,
 *                                 and the list of unaligned arenas for the bias
 *  invariants: count &lt;= capacity / 4;  every entry lies between its home slot and the next EMPTY
 * </pre>
 * Arena numbers of neighbouring mappings are consecutive, so direct indexing spreads them
 * without hashing.
 */
public final class ArenaIndex {
    private static final long EMPTY = -1;
    private static final long PARTIAL = Long.MIN_VALUE;
    private static final int MIN_CAPACITY = 64;

    private final int arenaBits;
    private final ArenaMap map;
    private long[] table = newTable(MIN_CAPACITY);
    private int count;
    /** Bases and biases of the arenas that are not ARENA_SIZE-aligned (usually none). */
    private long[] unalignedBase = new long[0];
    private long[] unalignedBias = new long[0];

    public ArenaIndex(int arenaBits, ArenaMap map) {
        this.arenaBits = arenaBits;
        this.map = map;
    }

    private static long[] newTable(int capacity) {
        long[] t = new long[2 * capacity];
        for (int i = 0; i < t.length; i += 2) {
            t[i] = EMPTY;
        }
        return t;
    }

    /** Whether {@code address} is inside an arena: one load and one compare when it is. */
    public boolean contains(long address) {
        long key = address >>> arenaBits;
        long[] t = table;
        return t[((int) key << 1) & (t.length - 2)] == key || containsSlow(address, key);
    }

    private boolean containsSlow(long address, long key) {
        return find(key) >= 0 || (find(key | PARTIAL) >= 0 && map.contains(address));
    }

    /**
     * The address of the word holding {@code address}'s {@link LiveBits} bit, or 0 if
     * {@code address} is in no arena. One probe of the table when the arena is aligned.
     */
    public long liveWord(long address) {
        long key = address >>> arenaBits;
        long[] t = table;
        int i = ((int) key << 1) & (t.length - 2);
        if (t[i] == key) {
            return LiveBits.word(t[i + 1], address);
        }
        return liveWordSlow(address, key);
    }

    private long liveWordSlow(long address, long key) {
        int i = find(key);
        if (i >= 0) {
            return LiveBits.word(table[i + 1], address);
        }
        if (find(key | PARTIAL) < 0 || !map.contains(address)) {
            return 0;
        }
        long arenaSize = 1L << arenaBits;
        for (int a = 0; a < unalignedBase.length; a++) {
            if (address - unalignedBase[a] >= 0 && address - unalignedBase[a] < arenaSize) {
                return LiveBits.word(unalignedBias[a], address);
            }
        }
        throw new IllegalStateException("arena index: 0x" + Long.toHexString(address)
                + " is in the arena map but in no unaligned arena");
    }

    /** The table index of {@code entry}'s key word, or -1. */
    private int find(long entry) {
        long[] t = table;
        int mask = t.length - 2;
        for (int i = ((int) entry << 1) & mask; ; i = (i + 2) & mask) {
            long e = t[i];
            if (e == entry) {
                return i;
            }
            if (e == EMPTY) {
                return -1;
            }
        }
    }

    /** Records the arena at {@code base} of {@code 1 << arenaBits} bytes, with no live bitmap. */
    public void add(long base) {
        add(base, 0);
    }

    /** Records the arena at {@code base}, whose {@link LiveBits} bitmap has {@code bias}. */
    public void add(long base, long bias) {
        long arenaSize = 1L << arenaBits;
        if ((base & (arenaSize - 1)) == 0) {
            put(base >>> arenaBits, bias);
        } else {
            put((base >>> arenaBits) | PARTIAL, 0);
            put(((base + arenaSize) >>> arenaBits) | PARTIAL, 0);
            int n = unalignedBase.length;
            unalignedBase = Arrays.copyOf(unalignedBase, n + 1);
            unalignedBias = Arrays.copyOf(unalignedBias, n + 1);
            unalignedBase[n] = base;
            unalignedBias[n] = bias;
        }
    }

    /**
     * Forgets the arena at {@code base}; call after the radix tree unmarked it. A partial block
     * is forgotten only when no other arena still covers part of it.
     */
    public void remove(long base) {
        long arenaSize = 1L << arenaBits;
        if ((base & (arenaSize - 1)) == 0) {
            delete(base >>> arenaBits);
            return;
        }
        for (long block : new long[] {base, base + arenaSize}) {
            if (!map.coversPartOf(block)) {
                delete((block >>> arenaBits) | PARTIAL);
            }
        }
        for (int a = 0; a < unalignedBase.length; a++) {
            if (unalignedBase[a] == base) {
                int last = unalignedBase.length - 1;
                unalignedBase[a] = unalignedBase[last];
                unalignedBias[a] = unalignedBias[last];
                unalignedBase = Arrays.copyOf(unalignedBase, last);
                unalignedBias = Arrays.copyOf(unalignedBias, last);
                return;
            }
        }
    }

    private static int home(long entry, int mask) {
        return ((int) (entry & ~PARTIAL) << 1) & mask;
    }

    private void put(long entry, long bias) {
        if ((count + 1) * 8L > table.length) {
            long[] old = table;
            table = newTable(old.length);
            count = 0;
            for (int i = 0; i < old.length; i += 2) {
                if (old[i] != EMPTY) {
                    put(old[i], old[i + 1]);
                }
            }
        }
        int mask = table.length - 2;
        int i = home(entry, mask);
        while (table[i] != EMPTY) {
            if (table[i] == entry) {
                return; // two unaligned arenas can share a partial block
            }
            i = (i + 2) & mask;
        }
        table[i] = entry;
        table[i + 1] = bias;
        count++;
    }

    private void delete(long entry) {
        int mask = table.length - 2;
        int hole = find(entry);
        if (hole < 0) {
            return;
        }
        count--;
        for (int i = (hole + 2) & mask; table[i] != EMPTY; i = (i + 2) & mask) {
            if (!LinearProbing.staysAfterDeletion(hole, home(table[i], mask), i)) {
                table[hole] = table[i];
                table[hole + 1] = table[i + 1];
                hole = i;
            }
        }
        table[hole] = EMPTY;
        table[hole + 1] = 0;
    }

    /** Checks the load bound and the probe invariant. */
    public void checkInvariants() {
        int seen = 0;
        int mask = table.length - 2;
        for (int i = 0; i < table.length; i += 2) {
            if (table[i] == EMPTY) {
                continue;
            }
            seen++;
            for (int j = home(table[i], mask); j != i; j = (j + 2) & mask) {
                ArenaValidator.require(table[j] != EMPTY, "arena index: empty slot %d before entry %x at %d",
                        j / 2, table[i], i / 2);
            }
        }
        ArenaValidator.require(seen == count && count * 8L <= table.length,
                "arena index: count %d, %d entries in %d slots", count, seen, table.length / 2);
    }
}
