package org.pymalloc4j.objects.internal;

import org.pymalloc4j.objects.FreedObjectException;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.OB_TYPE_OFFSET;
import static org.pymalloc4j.objects.TypeLayout.HAVE_GC;
import static org.pymalloc4j.objects.TypeLayout.TP_FLAGS_OFFSET;
import static org.pymalloc4j.objects.internal.GcHead.PREV_MASK_FINALIZED;

/**
 * CPython 3.11's {@code _gc_runtime_state} for one space: three generations and the permanent
 * one, each a native sentinel {@code PyGC_Head} in the static area, with thresholds, counts,
 * statistics and the long-lived bookkeeping; tracking ({@code _PyObject_GC_TRACK} /
 * {@code _UNTRACK}) and the allocation counting that triggers collections.
 *
 * <pre>
 *  sentinels in the static area, 16 bytes each:
 *  +-------+-------+-------+-----------+-------------+------------+-------------+-----------+------+
 *  | gen 0 | gen 1 | gen 2 | permanent | unreachable | finalizers | wrcb_to_call| still_unr.| seen |
 *  +-------+-------+-------+-----------+-------------+------------+-------------+-----------+------+
 *  (the last five are the scratch lists of one collection)
 *  tracked objects == ⋃ lists of gen 0..2 and permanent, each object in exactly one
 *  count[0] = GC allocations − GC frees since gen 0 was last collected (never below 0)
 *  count[g] (g = 1, 2) = collections of gen g−1 since gen g was last collected
 *  (an automatic collection refused in its first pass counts as collected here)
 *  automatic: an allocation making count[0] &gt; threshold[0] collects, if enabled, threshold[0] != 0
 *             and not collecting; gen 2 is chosen only if pending &gt;= total / 4
 * </pre>
 */
public final class GcState {
    public static final int GENERATIONS = 3;
    public static final int DEBUG_STATS = 1;
    public static final int DEBUG_COLLECTABLE = 2;
    public static final int DEBUG_UNCOLLECTABLE = 4;
    public static final int DEBUG_SAVEALL = 32;
    public static final int DEBUG_LEAK = DEBUG_COLLECTABLE | DEBUG_UNCOLLECTABLE | DEBUG_SAVEALL;
    private static final int SENTINELS = 9;

    private final Core core;
    private final long sentinels;
    public final int[] threshold = {700, 10, 10};
    public final int[] count = new int[GENERATIONS];
    public final long[] collections = new long[GENERATIONS];
    public final long[] collected = new long[GENERATIONS];
    public final long[] uncollectable = new long[GENERATIONS];
    public boolean enabled = true;
    public boolean collecting;
    /** The running collection is one nobody asked for ({@link #collectAutomatically}). */
    public boolean automatic;
    public long longLivedTotal;
    public long longLivedPending;
    /** Full collections run because an allocation ran out of memory. */
    public long memoryCollections;
    /** {@code gc.set_debug} flags. */
    public int debug;
    /** Where the debug flags print ({@code sys.stderr} in CPython); a failing stream cannot abort a collection. */
    public final GcDebugOutput debugOut = new GcDebugOutput();
    /** Set by the space: runs a collection of a generation (with callbacks) and returns its count. */
    public Collect collector;

    /** What the space's collector does for a generation. */
    @FunctionalInterface
    public interface Collect {
        long collect(int generation);
    }

    public GcState(Core core, StaticArea statics) {
        this.core = core;
        this.sentinels = statics.carve(SENTINELS * (long) GC_HEAD_LENGTH);
        for (int i = 0; i < SENTINELS; i++) {
            GcHead.init(sentinels + (long) GC_HEAD_LENGTH * i);
        }
    }

    /** The sentinel of generation {@code g} (0..2). */
    public long generation(int g) {
        return sentinels + (long) GC_HEAD_LENGTH * g;
    }

    public long permanent() {
        return sentinels + GC_HEAD_LENGTH * 3L;
    }

    public long unreachable() {
        return sentinels + GC_HEAD_LENGTH * 4L;
    }

    /** Objects with, and reachable from, legacy finalizers. */
    public long finalizers() {
        return sentinels + GC_HEAD_LENGTH * 5L;
    }

    public long weakrefCallbacks() {
        return sentinels + GC_HEAD_LENGTH * 6L;
    }

    public long stillUnreachable() {
        return sentinels + GC_HEAD_LENGTH * 7L;
    }

    public long seen() {
        return sentinels + GC_HEAD_LENGTH * 8L;
    }

    // ------------------------------------------------------------------ tracking

    /** {@code _PyObject_GC_TRACK}: appends a constructed GC object to generation 0. */
    public void track(long o) {
        GcHead.append(untrackedHead(o), generation(0));
    }

    /**
     * {@link #track} of a new object whose type has no {@code tp_finalize} (list, tuple, dict):
     * the FINALIZED bit is never set on it, so its {@code _gc_prev} holds no flag and is written
     * without being read (asserted), one store-to-load hop fewer than {@code gc_list_append}'s
     * {@code _PyGCHead_SET_PREV}. The object was just allocated or revived, so untracked by
     * construction: asserted, not tested, as CPython's {@code _PyObject_GC_TRACK} asserts it (one
     * native read fewer on every list and tuple made, which matters to C2's node budget).
     */
    public void trackNew(long o) {
        long g = o - GC_HEAD_LENGTH;
        assert GcHead.next(g) == 0 : String.format("new object 0x%x already tracked", o);
        GcHead.appendUnflagged(g, generation(0));
    }

    private static long untrackedHead(long o) {
        long g = o - GC_HEAD_LENGTH;
        if (GcHead.next(g) != 0) {
            throw new IllegalStateException(String.format("object 0x%x already tracked", o));
        }
        return g;
    }

    /**
     * {@code PyObject_GC_UnTrack}: idempotent; keeps only the FINALIZED bit of {@code _gc_prev}.
     * The head's two words are read once each (native access sites are what C2's inlining budget
     * runs out of, see {@link Core#liveRefcount}).
     */
    public void untrack(long o) {
        long g = o - GC_HEAD_LENGTH;
        long next = GcHead.next(g);
        if (next == 0) {
            return;
        }
        long prevWord = GcHead.prevWord(g);
        long fromSentinels = next - sentinels; // next may carry NEXT_MASK_UNREACHABLE: then no sentinel
        if (Long.compareUnsigned(fromSentinels, SENTINELS * (long) GC_HEAD_LENGTH) < 0
                && (fromSentinels & (GC_HEAD_LENGTH - 1)) == 0) {
            // The last of its list (made last, freed first, the commonest case): next is a sentinel.
            GcHead.removeBeforeSentinel(g, next, prevWord);
        } else {
            GcHead.remove(g);
        }
        GcHead.setPrevWord(g, prevWord & PREV_MASK_FINALIZED);
    }

    /**
     * {@code _PyObject_IS_GC}: the type has GC, and a type object is a class (built-in types
     * are static, CPython's {@code type_is_gc}).
     */
    public boolean isGc(long o) {
        long type = getLong(o + OB_TYPE_OFFSET);
        // tp_flags, as PyType_IS_GC reads it: one load instead of a probe of the type table
        if ((getLong(type + TP_FLAGS_OFFSET) & HAVE_GC) == 0) {
            return false;
        }
        return type != core.typeType || Instances.isClass(o);
    }

    /** {@code _PyObject_GC_MAY_BE_TRACKED}: GC, and if an exact tuple, tracked now. */
    public boolean mayBeTracked(long o) {
        if (!isGc(o)) {
            return false;
        }
        return getLong(o + OB_TYPE_OFFSET) != core.tupleType || GcHead.isTracked(o);
    }

    // ------------------------------------------------------------------ counting

    /** {@code _PyObject_GC_Link}'s count and trigger, for a new (untracked) GC object. */
    public void linked() {
        count[0]++;
        if (count[0] > threshold[0] && enabled && threshold[0] != 0 && !collecting && collector != null) {
            int generation = generationToCollect();
            if (generation >= 0) {
                collectAutomatically(collector, generation);
            }
        }
    }

    /**
     * {@link #whileCollecting} for a collection nobody asked for (the allocation threshold,
     * memory running out, the space closing): its refusal (a dangling reference in checked mode,
     * a tracked object at refcount 0 in either; see {@link GcCollection}) is reported as
     * unraisable, as CPython reports what it cannot raise, and the allocation or close that set
     * it off goes on. Refused in its first pass, it still leaves the counts as the collection
     * would have: with count[0] left over the threshold, every later allocation would walk a
     * generation 0 that only grows and report the same refusal again.
     */
    public void collectAutomatically(Collect collection, int generation) {
        automatic = true;
        try {
            whileCollecting(collection, generation);
        } catch (FreedObjectException e) {
            Unraisable.report(e);
        } finally {
            automatic = false;
        }
    }

    /**
     * Runs {@code collection} of {@code generation} with the collecting flag set, cleared however
     * it ends; the caller has made sure no collection is running.
     */
    public long whileCollecting(Collect collection, int generation) {
        collecting = true;
        debugOut.collectionStarts();
        try {
            return collection.collect(generation);
        } finally {
            collecting = false;
        }
    }

    /**
     * Runs {@code allocation} as one CPython makes at start-up, before counting begins: it counts
     * in no generation and starts no collection, automatic or for memory.
     */
    public long uncounted(java.util.function.LongSupplier allocation) {
        int count0 = count[0];
        boolean wasCollecting = collecting;
        collecting = true;
        try {
            return allocation.getAsLong();
        } finally {
            collecting = wasCollecting;
            count[0] = count0;
        }
    }

    /** {@code PyObject_GC_Del}'s count: never below 0. */
    public void deleted() {
        if (count[0] > 0) {
            count[0]--;
        }
    }

    /** {@code gc_collect_generations}' choice: the oldest generation over its threshold, quarter rule for gen 2; -1 if none. */
    private int generationToCollect() {
        for (int i = GENERATIONS - 1; i >= 0; i--) {
            if (count[i] > threshold[i]) {
                if (i == GENERATIONS - 1 && longLivedPending < longLivedTotal / 4) {
                    continue;
                }
                return i;
            }
        }
        return -1;
    }
}
