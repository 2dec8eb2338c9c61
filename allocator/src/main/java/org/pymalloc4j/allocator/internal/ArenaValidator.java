package org.pymalloc4j.allocator.internal;

import java.util.HashSet;
import java.util.Set;

import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;

/** Checks the arena equations of {@link Arenas}; expensive, for tests and diagnostics. */
final class ArenaValidator {
    private final Arenas arenas;

    ArenaValidator(Arenas arenas) {
        this.arenas = arenas;
    }

    void check(long[] address, long[] freepools, int[] nextarena, int[] prevarena,
               int unusedHead, int usableHead, int[] nfp2lasta, long poolSize) {
        int max = arenas.maxarenas();
        int live = 0;
        for (int a = 0; a < max; a++) {
            if (address[a] != 0) {
                live++;
                checkArena(a, freepools[a], poolSize);
            }
        }
        require(live == arenas.narenasCurrentlyAllocated(), "narenas_currently_allocated %d but %d arenas are live",
                arenas.narenasCurrentlyAllocated(), live);
        require(arenas.narenasHighwater() >= live && arenas.ntimesArenaAllocated() >= live,
                "highwater %d and allocated total %d must be >= %d live arenas",
                arenas.narenasHighwater(), arenas.ntimesArenaAllocated(), live);

        int unused = 0;
        for (int a = unusedHead; a != -1; a = nextarena[a]) {
            require(address[a] == 0, "unused arena slot %d has address 0x%x", a, address[a]);
            require(++unused <= max, "unused_arena_objects has a cycle");
        }
        require(unused == max - live, "unused_arena_objects holds %d slots, expected %d", unused, max - live);

        Set<Integer> inList = new HashSet<>();
        int[] expectedLast = new int[nfp2lasta.length];
        java.util.Arrays.fill(expectedLast, -1);
        int prev = -1;
        for (int a = usableHead; a != -1; a = nextarena[a]) {
            require(inList.add(a), "usable_arenas has a cycle at slot %d", a);
            require(address[a] != 0, "usable arena %d has no address", a);
            require(prevarena[a] == prev, "usable arena %d: prevarena %d, expected %d", a, prevarena[a], prev);
            int nf = arenas.nfreepools(a);
            require(nf > 0, "usable arena %d has no free pool", a);
            require(prev == -1 || arenas.nfreepools(prev) <= nf,
                    "usable_arenas not sorted: arena %d (%d free) after arena %d (%d free)",
                    a, nf, prev, prev == -1 ? 0 : arenas.nfreepools(prev));
            expectedLast[nf] = a;
            prev = a;
        }
        for (int a = 0; a < max; a++) {
            if (address[a] != 0 && arenas.nfreepools(a) > 0) {
                require(inList.contains(a), "arena %d has %d free pools but is not in usable_arenas",
                        a, arenas.nfreepools(a));
            }
        }
        for (int n = 0; n < nfp2lasta.length; n++) {
            require(nfp2lasta[n] == expectedLast[n], "nfp2lasta[%d] is %d, expected %d", n, nfp2lasta[n], expectedLast[n]);
        }
    }

    private void checkArena(int a, long freeHead, long poolSize) {
        long first = arenas.firstPool(a);
        long end = first + arenas.ntotalpools(a) * poolSize;
        long carvedEnd = arenas.poolAddress(a);
        require(first <= carvedEnd && carvedEnd <= end, "arena %d: pool_address 0x%x outside [0x%x, 0x%x]",
                a, carvedEnd, first, end);
        int free = 0;
        for (long pool = freeHead; pool != 0; pool = getLong(pool + PoolHeader.NEXTPOOL_OFFSET)) {
            require(pool >= first && pool < carvedEnd && ((pool - first) % poolSize) == 0,
                    "arena %d: free pool 0x%x is not a carved pool", a, pool);
            require(getInt(pool + PoolHeader.REF_COUNT_OFFSET) == 0, "arena %d: free pool 0x%x has count %d",
                    a, pool, getInt(pool + PoolHeader.REF_COUNT_OFFSET));
            require(getInt(pool + PoolHeader.ARENAINDEX_OFFSET) == a, "free pool 0x%x names arena %d, not %d",
                    pool, getInt(pool + PoolHeader.ARENAINDEX_OFFSET), a);
            require(++free <= arenas.ntotalpools(a), "arena %d: freepools has a cycle", a);
        }
        long uncarved = (end - carvedEnd) / poolSize;
        require(arenas.nfreepools(a) == free + uncarved, "arena %d: nfreepools %d != %d free + %d uncarved",
                a, arenas.nfreepools(a), free, uncarved);
        for (long pool = first; pool < carvedEnd; pool += poolSize) {
            require(getInt(pool + PoolHeader.ARENAINDEX_OFFSET) == a, "pool 0x%x in arena %d names arena %d",
                    pool, a, getInt(pool + PoolHeader.ARENAINDEX_OFFSET));
        }
    }

    static void require(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new IllegalStateException("heap invariant violated: " + String.format(format, args));
        }
    }
}
