package org.pymalloc4j.objects;

import org.pymalloc4j.objects.internal.Builtins;
import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.Tuples;

import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;

/**
 * {@code tuple} ({@code PyTuple_*}) of one {@link ObjectSpace}: {@code space.tuples()}.
 * Ownership and checked mode as the space's class comment says.
 */
public final class TupleApi {
    private final Core core;
    private final Tuples tuples;
    private final boolean checked;

    TupleApi(Builtins b) {
        this.core = b.core;
        this.tuples = b.tuples;
        this.checked = b.core.checked;
    }

    /**
     * {@code PyTuple_Check}: whether {@code o} is a tuple. Classes made by {@link ObjectSpace#classes()}
     * derive from {@code object} alone, so no other type passes.
     *
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public boolean check(long o) {
        return core.args.hasType(o, core.tupleType, 0);
    }

    /**
     * {@code PyTuple_New(n)}: a new reference to a tuple of {@code n} NULL items, to be filled
     * with {@link #set} before it is shared; {@code n == 0} gives the static empty tuple.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException    in checked mode, if the space is closed
     * @throws OutOfMemoryError         if the memory cannot be had, even after a full collection
     *                                  (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long newTuple(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative tuple size " + n);
        }
        if (checked) {
            core.checkOpen();
        }
        return tuples.newTuple(n);
    }

    /**
     * {@code PyTuple_Pack}: a new reference to a tuple of the given items, each increfed
     * (nothing stolen).
     *
     * @throws FreedObjectException  in checked mode, if an item is not a live object (nothing changed)
     * @throws IllegalStateException in checked mode, if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long of(long... items) {
        if (items.length == 2) {
            return of(items[0], items[1]);
        }
        if (checked) {
            core.checkOpen();
            for (long item : items) {
                core.checkLive(item);
            }
        }
        long t = tuples.newTuple(items.length);
        for (int i = 0; i < items.length; i++) {
            core.increfLive(items[i]); // each checked above, before anything changed
            Tuples.setItem(t, i, items[i]);
        }
        return t;
    }

    /**
     * {@code PyTuple_Pack(2, a, b)}: {@link #of(long...)} for a pair, without the array that a
     * varargs call allocates on the Java heap when the JIT does not inline it away.
     *
     * @throws FreedObjectException  in checked mode, if {@code a} or {@code b} is not a live object (nothing changed)
     * @throws IllegalStateException in checked mode, if the space is closed
     * @throws OutOfMemoryError      if the memory cannot be had, even after a full collection
     *                               (a {@code MemoryLimitExceededError} over the memory's limit); nothing is made
     */
    public long of(long a, long b) {
        if (checked) {
            core.checkOpen();
            long refcountA = core.liveRefcount(a);
            long refcountB = core.liveRefcount(b);
            return tuples.pack2(a, refcountA, b, refcountB); // the checks' reads feed the increfs
        }
        return tuples.pack2(a, b);
    }

    /**
     * {@code PyTuple_GetItem}: item {@code i}, <b>borrowed</b> (0 if not yet set).
     *
     * @throws IndexOutOfBoundsException in checked mode, if {@code i} is out of range
     * @throws WrongTypeException        in checked mode, if {@code tuple} is not a tuple
     * @throws FreedObjectException      in checked mode, if {@code tuple} is not a live object
     * @throws IllegalStateException     in checked mode, if the space is closed
     */
    public long get(long tuple, long i) {
        if (checked) {
            core.args.checkIndex(tuple, core.tupleType, "tuples().get", i);
        }
        return Tuples.item(tuple, i);
    }

    /**
     * {@code PyTuple_SetItem}: <b>steals</b> {@code item} (0 allowed) into slot {@code i},
     * releasing what was there. Only legal while the tuple is unshared (refcount 1). In checked
     * mode a bad tuple or index releases {@code item} and throws, as CPython does.
     *
     * @throws IndexOutOfBoundsException in checked mode, if {@code i} is out of range
     * @throws WrongTypeException        in checked mode, if {@code tuple} is not a tuple
     * @throws IllegalStateException     in checked mode, if the tuple's refcount is not 1 or the
     *                                   space is closed; checked or not, if the item replaced held
     *                                   the last counted reference to a static object ({@code item}
     *                                   is stored first, the static's refcount put back)
     * @throws FreedObjectException      in checked mode, if {@code tuple} or {@code item} is not a
     *                                   live object ({@code item} is not stolen if it is the bad one),
     *                                   or if the item replaced was freed behind the tuple's back:
     *                                   {@code item} is stored first, then that item is named
     */
    public void set(long tuple, long i, long item) {
        if (checked) {
            core.args.checkSetItem(tuple, core.tupleType, "tuples().set", i, item);
            if (getLong(tuple) != 1) {
                IllegalStateException e = new IllegalStateException(String.format(
                        "tuples().set on the shared tuple at 0x%x (refcount %d): tuples are immutable once shared",
                        tuple, getLong(tuple)));
                core.xdecref(item); // stolen all the same, as for a bad index
                throw e;
            }
        }
        long old = Tuples.item(tuple, i);
        Tuples.setItem(tuple, i, item);
        core.xdecref(old);
    }

    /**
     * The number of items of a tuple.
     *
     * @throws WrongTypeException    in checked mode, if {@code tuple} is not a tuple
     * @throws FreedObjectException  in checked mode, if {@code tuple} is not a live object
     * @throws IllegalStateException in checked mode, if the space is closed
     */
    public long size(long tuple) {
        if (checked) {
            core.args.checkType(tuple, core.tupleType, "tuples().size");
        }
        return Tuples.size(tuple);
    }
}
