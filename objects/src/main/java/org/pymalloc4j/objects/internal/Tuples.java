package org.pymalloc4j.objects.internal;

import java.util.function.LongConsumer;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.BuiltinLayouts.TUPLE_ITEMS_OFFSET;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.OB_SIZE_OFFSET;

/**
 * {@code tuple}: CPython 3.11's {@code PyTupleObject}, items inline after the 24-byte header,
 * with a GC head. The empty tuple is a static singleton. Free lists as 3.11: one per size 1..20,
 * up to 2000 tuples each ({@code PyTuple_MAXSAVESIZE} 20, {@code PyTuple_MAXFREELIST} 2000).
 * 3.11's dealloc parks a 20-item tuple ({@code index < PyTuple_NFREELISTS}) but its allocation
 * takes only sizes under 20 ({@code size < PyTuple_MAXSAVESIZE}), so 20-item tuples stay parked
 * until the free lists are cleared; so here, since they are blocks the statistics count.
 */
public final class Tuples extends TypeBehaviour {
    /** Tuples of 1 to {@code MAX_SAVE_SIZE - 1} items are taken from the free lists. */
    public static final int MAX_SAVE_SIZE = 20;
    /** Tuples of 1 to {@code PARKED_SIZES} items are parked by their dealloc. */
    public static final int PARKED_SIZES = MAX_SAVE_SIZE;
    public static final int MAX_FREE = 2000;

    private final Core core;
    /** {@code free[n]} parks tuples of n items, 1 &lt;= n &lt;= 20; index 0 unused. */
    public final FreeList[] free = new FreeList[PARKED_SIZES + 1];
    /** {@code free[2]}, the commonest, at hand: no array load and range check for {@link #pack2}. */
    private final FreeList pairs;
    private long empty;

    public Tuples(Core core) {
        this.core = core;
        for (int n = 1; n <= PARKED_SIZES; n++) {
            free[n] = new FreeList(MAX_FREE);
        }
        pairs = free[2];
    }

    public void bootstrap() {
        empty = core.newStatic(TUPLE_ITEMS_OFFSET, core.tupleType, true);
        putLong(empty + OB_SIZE_OFFSET, 0);
    }

    /** {@code PyTuple_New(n)}: a new reference; items NULL; tracked (the empty tuple is static, untracked). */
    public long newTuple(int n) {
        if (n == 0) {
            core.incref(empty);
            return empty;
        }
        long o = allocate(n);
        for (int i = 0; i < n; i++) {
            putLong(o + TUPLE_ITEMS_OFFSET + 8L * i, 0);
        }
        core.gc.trackNew(o); // tracked at birth; a collection untracks it once it holds no containers
        return o;
    }

    /**
     * {@code PyTuple_Pack(2, a, b)} for items the caller checked live: a new reference holding
     * new references to both. The items are stored straight away, with no NULLs first.
     */
    public long pack2(long a, long b) {
        long o = allocate(2);
        return fill2(o, a, getLong(a), b, getLong(b));
    }

    /**
     * {@link #pack2(long, long)} for live items whose refcounts the caller has just read (its
     * checks): a tuple taken from the free list writes them incremented without reading them
     * again. Two native reads fewer keep more of a caller's loop within C2's inlining budget
     * (each access parses ~550 IR nodes). A new tuple's allocation may run a collection, which
     * may change the refcounts: that path reads them again.
     */
    public long pack2(long a, long refcountA, long b, long refcountB) {
        long o = pairs.pop();
        long ra = refcountA;
        long rb = refcountB;
        if (o != 0) {
            core.revive(o, core.tupleType);
        } else {
            o = allocateNew(2);
            ra = getLong(a);
            rb = getLong(b);
        }
        return fill2(o, a, ra, b, rb);
    }

    /** Stores the pair's items in {@code o}, each refcount {@code r} written as r + 1, then tracks it. */
    private long fill2(long o, long a, long ra, long b, long rb) {
        putLong(a, ra + 1);
        putLong(o, TUPLE_ITEMS_OFFSET, a);
        putLong(b, a == b ? ra + 2 : rb + 1); // the same object twice: two increfs
        putLong(o, TUPLE_ITEMS_OFFSET + 8, b);
        core.gc.trackNew(o);
        return o;
    }

    /** An untracked tuple of {@code n > 0} items, parked or new; its items are not yet set. */
    private long allocate(int n) {
        long o = n < MAX_SAVE_SIZE ? free[n].pop() : 0;
        if (o != 0) {
            core.revive(o, core.tupleType);
            return o;
        }
        return allocateNew(n);
    }

    /** A new untracked tuple of {@code n} items, not yet set; its allocation may run a collection. */
    private long allocateNew(int n) {
        long o = core.newGcObject(TUPLE_ITEMS_OFFSET + 8L * n, core.tupleType);
        putLong(o, OB_SIZE_OFFSET, n);
        return o;
    }

    public static long size(long o) {
        return getLong(o, OB_SIZE_OFFSET);
    }

    /**
     * Item {@code i}, read off the tuple's masked base, which its other fields share: with a
     * constant {@code i} (a pair's items) the offset is a small constant; a variable one keeps
     * the segment's bounds check, a compare, not a wrong access.
     */
    public static long item(long o, long i) {
        return getLong(o, TUPLE_ITEMS_OFFSET + 8 * i);
    }

    /** {@code PyTuple_SET_ITEM}: stores without touching the previous item. */
    public static void setItem(long o, long i, long v) {
        putLong(o, TUPLE_ITEMS_OFFSET + 8 * i, v);
    }

    /**
     * {@code tupledealloc}: the items released last first, as CPython does, then the tuple parked
     * on its size's free list or freed. The free-listed sizes, 1 to 19, release their items in a
     * fall-through switch, without the pre-, main and post-loop C2 makes of a counted loop.
     *
     * <p>This method is larger than C2's {@code FreqInlineSize} (325 bytes of bytecode) on purpose,
     * and {@code InlineBarrierTest} keeps it so: C2 then calls it rather than inlining it into the
     * caller's decref. Inlined, its 6,000 IR nodes took a create+decref loop past C2's budget of
     * 18,000 a compilation or not, depending on which method C2 happened to compile first, and
     * the 2-tuple loop ran at one of several speeds, 14 to 28 ns, from one JVM to the next.
     * Called, it is one shape (in a real program the call site sees many types and is a call anyway).
     */
    @Override
    @SuppressWarnings("fallthrough")
    public void dealloc(long o) {
        int n = (int) size(o); // at most Integer.MAX_VALUE: newTuple takes an int
        switch (n) {
            case 19:
                core.xdecrefHeld(item(o, 18));
            case 18:
                core.xdecrefHeld(item(o, 17));
            case 17:
                core.xdecrefHeld(item(o, 16));
            case 16:
                core.xdecrefHeld(item(o, 15));
            case 15:
                core.xdecrefHeld(item(o, 14));
            case 14:
                core.xdecrefHeld(item(o, 13));
            case 13:
                core.xdecrefHeld(item(o, 12));
            case 12:
                core.xdecrefHeld(item(o, 11));
            case 11:
                core.xdecrefHeld(item(o, 10));
            case 10:
                core.xdecrefHeld(item(o, 9));
            case 9:
                core.xdecrefHeld(item(o, 8));
            case 8:
                core.xdecrefHeld(item(o, 7));
            case 7:
                core.xdecrefHeld(item(o, 6));
            case 6:
                core.xdecrefHeld(item(o, 5));
            case 5:
                core.xdecrefHeld(item(o, 4));
            case 4:
                core.xdecrefHeld(item(o, 3));
            case 3:
                core.xdecrefHeld(item(o, 2));
            case 2:
                core.xdecrefHeld(item(o, 1));
            case 1:
                core.xdecrefHeld(item(o, 0));
                break;
            default:
                for (int i = n - 1; i >= 0; i--) {
                    core.xdecrefHeld(item(o, i));
                }
        }
        if (n <= PARKED_SIZES && free[n].push(o)) {
            core.park(o);
        } else {
            core.freeGcObject(o);
        }
    }

    @Override
    public boolean isParked(long o) {
        long n = size(o);
        return n > 0 && n <= PARKED_SIZES && free[(int) n].contains(o);
    }

    @Override
    public void traverse(long o, LongConsumer visit) {
        for (long i = size(o) - 1; i >= 0; i--) { // tupletraverse: last item first
            long item = item(o, i);
            if (item != 0) {
                visit.accept(item);
            }
        }
    }

    // No clear(): CPython's tuple has no tp_clear; the collector breaks cycles through tuples by
    // clearing the other containers, and the order of the deallocations that follow depends on it.

    @Override
    public long sizeOf(long o) {
        return GC_HEAD_LENGTH + TUPLE_ITEMS_OFFSET + 8 * size(o);
    }

    public long empty() {
        return empty;
    }

    /** Frees every parked tuple, sizes 1 up; returns how many. */
    public int clearFreeLists() {
        int freed = 0;
        for (int n = 1; n <= PARKED_SIZES; n++) {
            freed += free[n].drain(o -> core.freeParked(o, true));
        }
        return freed;
    }
}
