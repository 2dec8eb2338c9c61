package org.pymalloc4j.allocator.internal;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Arrays;

import org.pymalloc4j.allocator.ArenaAllocator;
import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.RawAllocator;

import static org.pymalloc4j.allocator.internal.NativeMemory.getInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putInt;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;

/**
 * CPython's arena bookkeeping: the table of arena objects, the unused-slot list, the
 * {@code usable_arenas} list kept sorted by free pools, and the {@code nfp2lasta} fingers.
 *
 * <p>CPython keeps arena objects in a C vector outside the arenas; here they are parallel Java
 * arrays indexed by slot (the pool header's {@code arenaindex}), with {@code -1} for a null
 * link. They grow with the number of arenas, never with the number of blocks.
 *
 * <pre>
 *  slot state          address   list membership
 *  unused              0         unused_arena_objects (singly linked by nextarena)
 *  has a free pool     != 0      usable_arenas (doubly linked), sorted by nfreepools ascending
 *  every pool in use   != 0      no list
 *
 *  nfreepools(a) == |freepools(a)| + (firstPool(a) + ntotalpools(a) * POOL_SIZE - poolAddress(a)) / POOL_SIZE
 *  nfp2lasta[n]  == the rightmost arena in usable_arenas with nfreepools == n, or -1
 * </pre>
 */
public final class Arenas {
    private static final int INITIAL_ARENA_OBJECTS = 16;
    private static final int NIL = -1;
    /**
     * Whether a freshly carved pool has its pages populated in one call
     * ({@link RawAllocator#populate}) before its first write, where its arena's allocator says
     * so ({@link ArenaAllocator#prefaultPools}): on unless the system property
     * {@code pymalloc4j.prefault} is {@code false}.
     */
    private static final boolean PREFAULT = SwitchProperty.isOn("pymalloc4j.prefault");

    private final long arenaSize;
    private final long poolSize;
    private final int maxPoolsInArena;
    private final ArenaMap map;
    /** This heap's tag in the {@link ArenaOwners} map, from {@link #takeTag}. */
    private int tag;
    private final ByteBudget budget;
    /** Whether each arena's marks in the {@link LiveMarks} map are opened and cleared (checked mode). */
    private final boolean liveMarks;
    /** Whether fresh pools are populated: {@link #PREFAULT}, and pools of more than one page. */
    private final boolean prefaultPools;
    /** Where new arenas come from; each arena remembers its own source, so this may change. */
    private ArenaAllocator source;

    // The arena_object vector, one entry per slot.
    private long[] address = new long[0];
    private ArenaAllocator[] sourceOf = new ArenaAllocator[0];
    /**
     * Whether the arena's fresh pools are populated: {@link #prefaultPools} and its source's
     * answer, asked once when the arena is taken, where an answer that throws can still hand it back.
     */
    private boolean[] prefault = new boolean[0];
    private long[] poolAddress = new long[0];
    private long[] freepools = new long[0];
    private int[] nfreepools = new int[0];
    private int[] ntotalpools = new int[0];
    private int[] nextarena = new int[0];
    private int[] prevarena = new int[0];
    private int maxarenas;

    private int unusedArenaObjects = NIL;
    private int usableArenas = NIL;
    private final int[] nfp2lasta;

    private long ntimesArenaAllocated;
    private long narenasHighwater;
    private long narenasCurrentlyAllocated;
    /** What arena allocators' frees threw before close, which throws it. */
    private final KeptFailures kept = new KeptFailures();

    /**
     * @param liveMarks whether each arena's marks in the {@link LiveMarks} map are made writable
     *                 when it is mapped and zeroed when it is returned (checked mode)
     * @throws OutOfMemoryError if {@code liveMarks} and the map's address space cannot be reserved
     */
    public Arenas(Geometry geometry, ArenaMap map, ArenaAllocator source, ByteBudget budget,
                  boolean liveMarks) {
        if (liveMarks) {
            LiveMarks.require();
        }
        this.liveMarks = liveMarks;
        this.source = source;
        this.budget = budget;
        this.arenaSize = geometry.arenaSize();
        this.poolSize = geometry.poolSize();
        this.maxPoolsInArena = geometry.poolsPerArena();
        this.prefaultPools = PREFAULT && poolSize > RawAllocator.pageSize() && RawAllocator.pageSize() > 0;
        this.map = map;
        this.nfp2lasta = new int[maxPoolsInArena + 1];
        Arrays.fill(nfp2lasta, NIL);
        budget.addReclaimer(new ByteBudget.Reclaimer() {
            @Override
            public long reclaimable() {
                return emptyArenaBytes();
            }

            @Override
            public long reclaim() {
                return releaseEmptyArenas();
            }
        });
    }

    /**
     * Takes the heap's tag from {@link ArenaOwners}, which {@link #releaseAll} gives back: the
     * heap's last step of construction, as nothing gives the tag of a heap refused before back.
     *
     * @return the tag, which this heap's arenas are entered with
     */
    public int takeTag() {
        tag = ArenaOwners.newTag();
        return tag;
    }

    /**
     * The allocation half of CPython's {@code allocate_from_new_pool}: a pool from the most
     * used usable arena (an empty one off its free list, else a freshly carved one), creating
     * an arena when none is usable.
     *
     * @return the pool's address, or 0 if a new arena was needed and the OS refused it
     * @throws OutOfMemoryError if a new arena holds no pool (one pool per arena and a base not
     *                          pool-aligned), lies out of the maps' reach, or its metadata (an arena
     *                          map node, owner or live-block map pages) cannot be had, the arena
     *                          given back; or if it overlaps an arena in use, the arena not given
     *                          back; nothing charged either way. All but the metadata's are an
     *                          {@link UnusableArenaError}; a
     *                          {@link org.pymalloc4j.allocator.MemoryLimitExceededError} if the
     *                          arena would cross the memory limit
     */
    public long takePool() {
        if (usableArenas == NIL) {
            int a = newArena();
            if (a == NIL) {
                return 0;
            }
            usableArenas = a;
            nextarena[a] = NIL;
            prevarena[a] = NIL;
            assert nfp2lasta[nfreepools[a]] == NIL;
            nfp2lasta[nfreepools[a]] = a;
        }
        int a = usableArenas;
        // The head has the fewest free pools, so taking one keeps the list sorted.
        if (nfp2lasta[nfreepools[a]] == a) {
            nfp2lasta[nfreepools[a]] = NIL;
        }
        if (nfreepools[a] > 1) {
            assert nfp2lasta[nfreepools[a] - 1] == NIL;
            nfp2lasta[nfreepools[a] - 1] = a;
        }
        long pool = freepools[a];
        if (pool != 0) {
            freepools[a] = getLong(pool + PoolHeader.NEXTPOOL_OFFSET);
        } else {
            pool = poolAddress[a];
            if (prefault[a]) {
                // Its pages, never touched, in one system call instead of a fault each.
                RawAllocator.populate(pool, poolSize);
            }
            putInt(pool + PoolHeader.ARENAINDEX_OFFSET, a);
            putInt(pool + PoolHeader.SZIDX_OFFSET, PoolHeader.DUMMY_SIZE_IDX);
            poolAddress[a] += poolSize;
        }
        if (--nfreepools[a] == 0) {
            // Wholly allocated: leaves the usable list.
            usableArenas = nextarena[a];
            if (usableArenas != NIL) {
                prevarena[usableArenas] = NIL;
            }
        }
        return pool;
    }

    /**
     * The arena half of CPython's {@code insert_to_freepool}: puts an empty pool (already out of
     * its ring) on its arena's free list, keeps {@code usable_arenas} sorted, and returns the
     * arena to the OS when all its pools are free, unless it is the last usable arena; what its
     * allocator's free throws then is kept for {@link #releaseAll}.
     */
    public void returnPool(long pool) {
        int a = getInt(pool + PoolHeader.ARENAINDEX_OFFSET);
        putLong(pool + PoolHeader.NEXTPOOL_OFFSET, freepools[a]);
        freepools[a] = pool;
        int nf = nfreepools[a];
        int lastnf = nfp2lasta[nf];
        dropFinger(a, nf);
        nfreepools[a] = ++nf;

        // An arena that was full (nf == 1 now) is in no list and its links are stale; only
        // one-pool arenas can be both full before and wholly free now.
        boolean wasFull = nf == 1;
        if (nf == ntotalpools[a] && (wasFull ? usableArenas != NIL : nextarena[a] != NIL)) {
            // Case 1: wholly free and not the last usable arena (kept against thrashing).
            releaseArena(a, !wasFull);
            return;
        }
        if (nf == 1) {
            // Case 2: the arena was full, so it was in no list; it becomes the head.
            nextarena[a] = usableArenas;
            prevarena[a] = NIL;
            if (usableArenas != NIL) {
                prevarena[usableArenas] = a;
            }
            usableArenas = a;
            if (nfp2lasta[1] == NIL) {
                nfp2lasta[1] = a;
            }
            return;
        }
        if (nfp2lasta[nf] == NIL) {
            nfp2lasta[nf] = a;
        }
        if (a == lastnf) {
            // Case 4: it was the rightmost with the old count, so it is still in order.
            return;
        }
        // Case 3: slide right, to just after the rightmost arena with the old count.
        if (prevarena[a] != NIL) {
            nextarena[prevarena[a]] = nextarena[a];
        } else {
            usableArenas = nextarena[a];
        }
        prevarena[nextarena[a]] = prevarena[a];
        prevarena[a] = lastnf;
        nextarena[a] = nextarena[lastnf];
        if (nextarena[a] != NIL) {
            prevarena[nextarena[a]] = a;
        }
        nextarena[lastnf] = a;
    }

    /**
     * Returns to the OS every arena whose pools are all free: the one {@link #returnPool} keeps
     * against thrashing (and a second where arenas differ by a pool lost to alignment), which
     * still count against the memory limit. Only a refused request calls this, through the
     * {@link ByteBudget}: CPython's statistics are unchanged wherever nothing is refused.
     * Never called inside {@link #takePool}'s new arena with one to give: none is usable then.
     *
     * @return the bytes given back; an arena whose allocator's free throws is given back too
     */
    private long releaseEmptyArenas() {
        long released = 0;
        for (int a = usableArenas; a != NIL; ) {
            int next = nextarena[a];
            int nf = nfreepools[a];
            if (nf == ntotalpools[a]) {
                dropFinger(a, nf);
                released += arenaSize;
                releaseArena(a, true);
            }
            a = next;
        }
        return released;
    }

    /**
     * Arena {@code a}, with {@code nf} free pools, leaves the run of arenas with that count: if it
     * was the run's rightmost ({@code nfp2lasta[nf]}), the finger moves to its left neighbour when
     * that one has the same count, else the run is gone.
     */
    private void dropFinger(int a, int nf) {
        if (nfp2lasta[nf] == a) {
            int p = prevarena[a];
            nfp2lasta[nf] = p != NIL && nfreepools[p] == nf ? p : NIL;
        }
    }

    /** The bytes {@link #releaseEmptyArenas} would give back. */
    private long emptyArenaBytes() {
        long bytes = 0;
        for (int a = usableArenas; a != NIL; a = nextarena[a]) {
            if (nfreepools[a] == ntotalpools[a]) {
                bytes += arenaSize;
            }
        }
        return bytes;
    }

    private void releaseArena(int a, boolean inUsableList) {
        if (inUsableList) {
            if (prevarena[a] == NIL) {
                usableArenas = nextarena[a];
            } else {
                nextarena[prevarena[a]] = nextarena[a];
            }
            if (nextarena[a] != NIL) {
                prevarena[nextarena[a]] = prevarena[a];
            }
        }
        nextarena[a] = unusedArenaObjects;
        unusedArenaObjects = a;
        map.markUnused(address[a]);
        narenasCurrentlyAllocated--;
        try {
            freeArena(a);
        } catch (RuntimeException | Error e) { // the heap is without the arena: only the OS's memory is in doubt
            kept.keep(e);
        }
    }

    private int newArena() {
        if (unusedArenaObjects == NIL) {
            int numarenas = maxarenas == 0 ? INITIAL_ARENA_OBJECTS : maxarenas * 2;
            if (numarenas <= maxarenas) {
                return NIL;
            }
            address = Arrays.copyOf(address, numarenas);
            sourceOf = Arrays.copyOf(sourceOf, numarenas);
            prefault = Arrays.copyOf(prefault, numarenas);
            poolAddress = Arrays.copyOf(poolAddress, numarenas);
            freepools = Arrays.copyOf(freepools, numarenas);
            nfreepools = Arrays.copyOf(nfreepools, numarenas);
            ntotalpools = Arrays.copyOf(ntotalpools, numarenas);
            nextarena = Arrays.copyOf(nextarena, numarenas);
            prevarena = Arrays.copyOf(prevarena, numarenas);
            for (int i = maxarenas; i < numarenas; i++) {
                nextarena[i] = i < numarenas - 1 ? i + 1 : NIL;
                prevarena[i] = NIL;
            }
            unusedArenaObjects = maxarenas;
            maxarenas = numarenas;
        }
        budget.charge(arenaSize, "a new arena");
        long base = 0;
        boolean populate = false;
        try {
            base = source.allocate(arenaSize);
            if (base != 0 && overlapsAnArena(base)) { // first: every other refusal gives the arena back
                long overlapping = base;
                base = 0; // not given back: for the allocator that is the arena in use, which free would free
                throw new UnusableArenaError("pymalloc4j: arena at 0x" + Long.toHexString(overlapping) + " from " + source
                        + " overlaps an arena already in use; it was refused and not given back, which would free that arena");
            }
            if (base != 0 && maxPoolsInArena == 1 && (base & (poolSize - 1)) != 0) {
                // Its one pool is lost to alignment: carving one would run past its end.
                throw new UnusableArenaError("pymalloc4j: arena at 0x" + Long.toHexString(base) + " from "
                        + source + " is not aligned to the " + poolSize + "-byte pool size, so it holds"
                        + " no pool in a geometry of one pool per arena; it was given back");
            }
            populate = base != 0 && prefaultPools && source.prefaultPools(base);
        } catch (RuntimeException | Error e) {
            if (base != 0) { // refused, or the allocator's own answer threw: the arena goes back, nothing recorded
                long refused = base;
                base = 0; // uncharged by the finally even if the allocator's free throws too
                giveBack(refused, e);
            }
            throw e;
        } finally {
            if (base == 0) {
                budget.release(arenaSize);
            }
        }
        if (base == 0) {
            return NIL;
        }
        OutOfMemoryError refusal = record(base);
        if (refusal != null) { // the allocator gave the arena: the error says what the heap lacked
            budget.release(arenaSize); // first: the allocator's free may throw
            giveBack(base, refusal);
            throw refusal;
        }
        int a = unusedArenaObjects;
        unusedArenaObjects = nextarena[a];
        sourceOf[a] = source;
        prefault[a] = populate;
        address[a] = base;
        narenasCurrentlyAllocated++;
        ntimesArenaAllocated++;
        narenasHighwater = Math.max(narenasHighwater, narenasCurrentlyAllocated);
        freepools[a] = 0;
        poolAddress[a] = base;
        nfreepools[a] = maxPoolsInArena;
        long excess = base & (poolSize - 1);
        if (excess != 0) {
            nfreepools[a]--;
            poolAddress[a] += poolSize - excess;
        }
        ntotalpools[a] = nfreepools[a];
        return a;
    }

    /**
     * Enters the new arena at {@code base} in the radix tree, the owner map and the live-block
     * map; the reach is checked first, so that an arena out of it leaves no radix-tree node.
     *
     * @return null, or the refusal saying what could not be had, with nothing entered: an
     *         {@link UnusableArenaError} for an arena out of reach, else the metadata's shortage
     */
    private OutOfMemoryError record(long base) {
        if (!ArenaOwners.inReach(base, arenaSize)) {
            return new UnusableArenaError(refused(base, "it lies out of reach of the owner and live-block maps, which end at 0x"
                    + Long.toHexString(ArenaOwners.COVERED)));
        }
        if (!map.markUsed(base)) {
            return new OutOfMemoryError(refused(base, "cannot allocate an arena map node"));
        }
        if (!ArenaOwners.add(base, arenaSize, tag)) {
            map.markUnused(base);
            return new OutOfMemoryError(refused(base, "cannot make its owner map entries writable"));
        }
        if (liveMarks && !LiveMarks.open(base, arenaSize)) {
            ArenaOwners.remove(base, arenaSize);
            map.markUnused(base);
            return new OutOfMemoryError(refused(base, "cannot make its live-block marks writable"));
        }
        return null;
    }

    /** The message of a refused arena at {@code base}, which is given back. */
    private String refused(long base, String why) {
        return "pymalloc4j: arena at 0x" + Long.toHexString(base) + " from " + source + " refused: " + why
                + "; it was given back";
    }

    /** Hands a refused arena back to the current source; a failure of its free is added to {@code cause}. */
    private void giveBack(long base, Throwable cause) {
        try {
            source.free(base, arenaSize);
        } catch (RuntimeException | Error e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Whether {@code [base, base + arenaSize)} overlaps a live arena: one of this heap's (two
     * arenas of one size overlap iff one holds an end of the other), or one of another heap's
     * that has a whole owner-map chunk inside it.
     */
    private boolean overlapsAnArena(long base) {
        return map.contains(base) || map.contains(base + arenaSize - 1) || ArenaOwners.holdsAnArena(base, arenaSize);
    }

    /**
     * Forgets arena {@code a}, then hands it to the allocator that gave it: last, so that an
     * allocator whose free throws finds the heap already without the arena (its slot empty, its
     * bytes no longer counted), and the exception only reports the allocator's failure.
     */
    private void freeArena(int a) {
        long base = address[a];
        ArenaAllocator from = sourceOf[a];
        ArenaOwners.remove(base, arenaSize); // before the memory goes: no lookup may then read it
        if (liveMarks) {
            LiveMarks.clearRange(base, arenaSize);
        }
        budget.release(arenaSize);
        sourceOf[a] = null;
        prefault[a] = false;
        address[a] = 0;
        from.free(base, arenaSize);
    }

    /**
     * Zeroes the {@link LiveMarks} bytes of every arena still mapped, leaving the arenas as they
     * are: what a heap dropped without {@code close()} does before its mark is taken again.
     */
    public void clearLiveMarks() {
        if (!liveMarks) {
            return;
        }
        for (int a = 0; a < maxarenas; a++) {
            if (address[a] != 0) {
                LiveMarks.clearRange(address[a], arenaSize);
            }
        }
    }

    /** The allocator new arenas come from. */
    public ArenaAllocator source() {
        return source;
    }

    /** Takes new arenas from {@code source}; arenas already mapped go back where they came from. */
    public void setSource(ArenaAllocator source) {
        this.source = source;
    }

    /**
     * Returns every arena to the allocator that gave it and the heap's tag to
     * {@link ArenaOwners}, then runs {@code then} (if not null);
     * the arenas must not be used afterwards. An allocator's free that throws stops neither:
     * the first failure since the heap was made (kept by {@link #returnPool}) is thrown at the end,
     * later ones suppressed in it.
     *
     * @param owner the object whose cleaner {@code then} is, kept reachable until {@code then}
     *              has run: a heap closed as its last use is otherwise unreachable during this
     *              call in compiled code, and its cleaner could give its mark back, and zero the
     *              marks of arenas this call is unmapping, while the call still runs
     */
    public void releaseAll(Cleaner.Cleanable then, Object owner) {
        Throwable failure = null;
        for (int a = 0; a < maxarenas; a++) {
            if (address[a] != 0) {
                try {
                    freeArena(a);
                } catch (RuntimeException | Error e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        narenasCurrentlyAllocated = 0;
        usableArenas = NIL;
        unusedArenaObjects = NIL;
        ArenaOwners.returnTag(tag); // freeArena has cleared every whole chunk holding it, even if a free threw
        if (then != null) {
            then.clean();
        }
        Reference.reachabilityFence(owner);
        failure = kept.takeWith(failure);
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure != null) {
            throw (Error) failure;
        }
    }

    // ---- read access for statistics and validation ----

    public int maxarenas() {
        return maxarenas;
    }

    public long address(int a) {
        return address[a];
    }

    /** The first pool-aligned address in arena {@code a}. */
    public long firstPool(int a) {
        return (address[a] + poolSize - 1) & -poolSize;
    }

    /** Whether arenas have marks in the {@link LiveMarks} map (checked mode). */
    public boolean hasLiveMarks() {
        return liveMarks;
    }

    public long poolAddress(int a) {
        return poolAddress[a];
    }

    public int nfreepools(int a) {
        return nfreepools[a];
    }

    public int ntotalpools(int a) {
        return ntotalpools[a];
    }

    public long ntimesArenaAllocated() {
        return ntimesArenaAllocated;
    }

    public long narenasHighwater() {
        return narenasHighwater;
    }

    public long narenasCurrentlyAllocated() {
        return narenasCurrentlyAllocated;
    }

    /**
     * Whether {@code pool} is a carved pool of a live arena: its header's arena index names a
     * live arena whose carved range holds it. Safe on any pool-aligned address inside an arena.
     */
    public boolean isCarved(long pool) {
        int a = getInt(pool + PoolHeader.ARENAINDEX_OFFSET);
        return a >= 0 && a < maxarenas && address[a] != 0
                && pool >= firstPool(a) && pool < poolAddress[a];
    }

    /** Checks the list, finger and counter equations in the class comment. */
    public void checkInvariants() {
        new ArenaValidator(this).check(address, freepools, nextarena, prevarena,
                unusedArenaObjects, usableArenas, nfp2lasta, poolSize);
    }
}
