package org.pymalloc4j.allocator.internal;

import java.util.HashSet;
import java.util.Set;

import org.pymalloc4j.allocator.Geometry;

import static org.pymalloc4j.allocator.internal.ArenaValidator.require;
import static org.pymalloc4j.allocator.internal.NativeMemory.getByte;
import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;

/**
 * Checks every carved pool and every used-pool ring, and each arena's entries in the arena map
 * and the owner map; expensive, for tests and diagnostics.
 *
 * <pre>
 *  for a carved pool of class c with block size s and capacity N = (POOL_SIZE - 48) / s:
 *    count + |free list| + (POOL_SIZE - nextoffset) / s == N        (every block accounted once)
 *    maxnextoffset == POOL_SIZE - s
 *    count == 0      iff  the pool is on its arena's free-pool list
 *    0 &lt; count &lt; N  iff  the pool is in ring c, exactly once
 *    count == N      iff  freeblock == 0 (full pools are in no list)
 *    every free-list link is a carved block of the same pool
 *
 *  in checked mode, for every granule x of an arena (LiveMarks):
 *    byte(x) == the heap's mark  iff  x is a carved block of a pool in use, not on its free list
 *    byte(x) == 0                otherwise
 * </pre>
 */
public final class HeapValidator {
    private final Geometry g;
    private final Arenas arenas;
    private final ArenaMap map;
    private final int tag;
    private final long usedpools;
    private final long[] rings;
    private final byte mark;

    /**
     * @param rings the heap's Java mirror of each ring: {@code rings[c]} the head pool of class
     *              c (0 for an empty ring)
     * @param mark  the byte the heap's live blocks have in the live-block map (LiveMarks)
     */
    public HeapValidator(Geometry g, Arenas arenas, ArenaMap map, int tag, long usedpools, long[] rings,
                         byte mark) {
        this.mark = mark;
        this.rings = rings;
        this.tag = tag;
        this.g = g;
        this.arenas = arenas;
        this.map = map;
        this.usedpools = usedpools;
    }

    /**
     * The arena's chunks in the owner map: each wholly inside it names this heap, each it covers
     * in part is SHARED (ArenaOwners), unless the map could not be reserved.
     */
    private void checkOwners(int a, long base) {
        if (!ArenaOwners.exists()) {
            return;
        }
        long size = g.arenaSize();
        long last = (base + size - 1) >>> ArenaOwners.CHUNK_BITS;
        for (long chunk = base >>> ArenaOwners.CHUNK_BITS; chunk <= last; chunk++) {
            long at = chunk << ArenaOwners.CHUNK_BITS;
            int expected = ArenaOwners.isWhole(chunk, base, size) ? tag : ArenaOwners.SHARED;
            int owner = ArenaOwners.owner(at);
            require(owner == expected, "arena %d at 0x%x: the owner map says %d for its chunk at 0x%x, not %d",
                    a, base, owner, at, expected);
        }
    }

    public void check() {
        Set<Long> inRings = checkRings();
        long poolSize = g.poolSize();
        for (int a = 0; a < arenas.maxarenas(); a++) {
            long base = arenas.address(a);
            if (base == 0) {
                continue;
            }
            require(map.contains(base) && map.contains(base + g.arenaSize() - 1),
                    "arena %d at 0x%x is not in the arena map", a, base);
            checkOwners(a, base);
            require(!map.contains(base - 1) || isArenaEnd(base - 1), "arena map covers 0x%x before arena %d", base - 1, a);
            boolean marked = arenas.hasLiveMarks(); // unchecked, the map is not even reserved
            // The marks there should be, one a granule from base's: an arena need not be 16-byte aligned.
            byte[] live = marked ? new byte[(int) (((base + g.arenaSize() - 1) >>> 4) - (base >>> 4) + 1)] : null;
            for (long pool = arenas.firstPool(a); pool < arenas.poolAddress(a); pool += poolSize) {
                int count = getInt(pool + PoolHeader.REF_COUNT_OFFSET);
                if (count == 0) {
                    continue; // on the arena's free list, checked by ArenaValidator
                }
                Set<Long> free = checkPool(pool, count, inRings.contains(pool));
                if (marked) {
                    markLive(pool, free, base, live, mark);
                }
            }
            if (marked) {
                checkLiveMarks(a, base, live, mark);
            }
        }
    }

    /** Sets in {@code live} the marks the live-block map should have for {@code pool}'s blocks. */
    private static void markLive(long pool, Set<Long> free, long base, byte[] live, byte mark) {
        int s = Geometry.blockSize(getInt(pool + PoolHeader.SZIDX_OFFSET));
        long end = pool + getInt(pool + PoolHeader.NEXTOFFSET_OFFSET);
        for (long b = pool + Geometry.POOL_OVERHEAD; b < end; b += s) {
            if (!free.contains(b)) {
                live[(int) ((b >>> 4) - (base >>> 4))] = mark;
            }
        }
    }

    private static void checkLiveMarks(int a, long base, byte[] live, byte mark) {
        for (int i = 0; i < live.length; i++) {
            long granule = ((base >>> 4) + i) << 4;
            byte actual = getByte(LiveMarks.mark(granule));
            if (actual != live[i]) {
                require(false, "arena %d: live mark of 0x%x is %d, should be %d (the heap's mark %d for a live block)",
                        a, granule, actual & 0xff, live[i] & 0xff, mark & 0xff);
            }
        }
    }

    private boolean isArenaEnd(long address) {
        for (int a = 0; a < arenas.maxarenas(); a++) {
            long base = arenas.address(a);
            if (base != 0 && address >= base && address < base + g.arenaSize()) {
                return true;
            }
        }
        return false;
    }

    /** Checks a pool in use and returns its free list's blocks. */
    private Set<Long> checkPool(long pool, int count, boolean inRing) {
        int c = getInt(pool + PoolHeader.SZIDX_OFFSET);
        require(c >= 0 && c < Geometry.SIZE_CLASSES, "pool 0x%x in use has size class %d", pool, c);
        int s = Geometry.blockSize(c);
        int capacity = g.blocksPerPool(c);
        int nextOffset = getInt(pool + PoolHeader.NEXTOFFSET_OFFSET);
        require(getInt(pool + PoolHeader.MAXNEXTOFFSET_OFFSET) == g.poolSize() - s,
                "pool 0x%x: maxnextoffset %d, expected %d", pool, getInt(pool + PoolHeader.MAXNEXTOFFSET_OFFSET),
                g.poolSize() - s);
        require(nextOffset >= Geometry.POOL_OVERHEAD + s && (nextOffset - Geometry.POOL_OVERHEAD) % s == 0,
                "pool 0x%x: nextoffset %d is not a block boundary", pool, nextOffset);
        Set<Long> free = new HashSet<>();
        long b = getLong(pool + PoolHeader.FREEBLOCK_OFFSET);
        long from = pool;
        while (b != 0) {
            long offset = b - pool;
            require(offset >= Geometry.POOL_OVERHEAD && offset < nextOffset
                            && (offset - Geometry.POOL_OVERHEAD) % s == 0,
                    "pool 0x%x: free-list link 0x%x in 0x%x is not a carved block (written after free?)", pool, b, from);
            require(free.add(b), "pool 0x%x: free list has a cycle at 0x%x", pool, b);
            from = b;
            b = getLong(b);
        }
        int virgin = (g.poolSize() - nextOffset) / s;
        require(count + free.size() + virgin == capacity, "pool 0x%x (class %d): %d in use + %d free + %d virgin != %d",
                pool, c, count, free.size(), virgin, capacity);
        boolean full = count == capacity;
        require(full == (getLong(pool + PoolHeader.FREEBLOCK_OFFSET) == 0),
                "pool 0x%x: count %d of %d but freeblock 0x%x", pool, count, capacity,
                getLong(pool + PoolHeader.FREEBLOCK_OFFSET));
        require(full != inRing, "pool 0x%x: count %d of %d, %s its ring", pool, count, capacity,
                inRing ? "yet in" : "yet not in");
        return free;
    }

    private Set<Long> checkRings() {
        Set<Long> all = new HashSet<>();
        for (int c = 0; c < Geometry.SIZE_CLASSES; c++) {
            // A ring's first pool is kept only in rings[] (0: empty); the sentinel keeps its last.
            long sentinel = UsedPools.sentinel(usedpools, c);
            long prev = sentinel;
            for (long p = rings[c] != 0 ? rings[c] : sentinel; p != sentinel; p = getLong(p + PoolHeader.NEXTPOOL_OFFSET)) {
                require(getLong(p + PoolHeader.PREVPOOL_OFFSET) == prev, "ring %d: pool 0x%x has prevpool 0x%x, expected 0x%x",
                        c, p, getLong(p + PoolHeader.PREVPOOL_OFFSET), prev);
                require(all.add(p), "pool 0x%x is twice in the rings (at class %d)", p, c);
                require(getInt(p + PoolHeader.SZIDX_OFFSET) == c, "ring %d holds pool 0x%x of class %d",
                        c, p, getInt(p + PoolHeader.SZIDX_OFFSET));
                require(arenas.isCarved(p), "ring %d holds 0x%x, which is not a carved pool", c, p);
                int count = getInt(p + PoolHeader.REF_COUNT_OFFSET);
                require(count > 0 && count < g.blocksPerPool(c), "ring %d holds pool 0x%x with count %d", c, p, count);
                prev = p;
            }
            require(getLong(sentinel + PoolHeader.PREVPOOL_OFFSET) == prev, "ring %d: sentinel prevpool is not the last pool", c);
        }
        return all;
    }
}
