package org.pymalloc4j.objects.internal;

import java.util.function.LongConsumer;

import static org.pymalloc4j.allocator.internal.NativeMemory.copy;
import static org.pymalloc4j.allocator.internal.NativeMemory.getLong;
import static org.pymalloc4j.allocator.internal.NativeMemory.putLong;
import static org.pymalloc4j.objects.BuiltinLayouts.LIST_ALLOCATED_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.LIST_ITEMS_OFFSET;
import static org.pymalloc4j.objects.BuiltinLayouts.LIST_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.GC_HEAD_LENGTH;
import static org.pymalloc4j.objects.ObjectHeader.OB_SIZE_OFFSET;

/**
 * {@code list}: CPython 3.11's 40-byte {@code PyListObject} with a GC head; the item array is a
 * separate MEM-domain block ({@code PyMem_Realloc}), resized by 3.9+'s {@code list_resize}.
 * Free list of 80 list headers ({@code PyList_MAXFREELIST}); item arrays are always freed.
 *
 * <pre>
 *  0 &lt;= ob_size &lt;= allocated;  ob_item == NULL ⇒ allocated == 0  (a list popped to empty keeps
 *  the 0-byte array list_resize reallocated it to, which pymalloc leaves to the raw allocator)
 *  growth for appends: 0, 4, 8, 16, 24, 32, 40, 52, 64, 76, ...
 *  an array shrinks when ob_size &lt; allocated / 2 (pops), to ob_size + ob_size / 8 + 6 rounded down to 4s
 * </pre>
 */
public final class Lists extends TypeBehaviour {
    /** {@code PyList_MAXFREELIST}. */
    public static final int MAX_FREE = 80;

    private final Core core;
    public final FreeList free = new FreeList(MAX_FREE);

    public Lists(Core core) {
        this.core = core;
    }

    /** {@code PyList_New(n)}: a new reference; n NULL items, exactly n allocated; tracked. */
    public long newList(int n) {
        long o = free.pop();
        if (o != 0) {
            core.revive(o, core.listType);
        } else {
            o = core.newGcObject(LIST_LENGTH, core.listType);
        }
        long items = 0;
        putLong(o + OB_SIZE_OFFSET, 0);
        putLong(o + LIST_ITEMS_OFFSET, 0); // an empty list until its items exist, so it can be released
        if (n > 0) {
            try {
                items = core.alloc.memCalloc(n, 8);
            } catch (OutOfMemoryError e) {
                core.decref(o); // as PyList_New's Py_DECREF(op): back to the free list, or freed
                throw e;
            }
        }
        putLong(o + OB_SIZE_OFFSET, n);
        putLong(o + LIST_ITEMS_OFFSET, items);
        putLong(o + LIST_ALLOCATED_OFFSET, n);
        core.gc.trackNew(o);
        return o;
    }

    public static long size(long o) {
        return getLong(o + OB_SIZE_OFFSET);
    }

    public static long allocated(long o) {
        return getLong(o + LIST_ALLOCATED_OFFSET);
    }

    public static long item(long o, long i) {
        return getLong(getLong(o + LIST_ITEMS_OFFSET) + 8 * i);
    }

    public static void setItem(long o, long i, long v) {
        putLong(getLong(o + LIST_ITEMS_OFFSET) + 8 * i, v);
    }

    /** {@code PyList_Append}: takes a new reference to {@code v}. */
    public void append(long o, long v) {
        core.incref(v); // first: nothing has changed if v is refused
        long n = size(o);
        if (n == allocated(o)) {
            n = growByOne(o, v);
        } else {
            putLong(o + OB_SIZE_OFFSET, n + 1);
        }
        setItem(o, n, v);
    }

    /**
     * {@code ins1}: takes a new reference to {@code v} and puts it before item {@code where},
     * which counts from the end when negative and is clamped to {@code [0, size]}, as
     * {@code list.insert} does.
     */
    public void insert(long o, long where, long v) {
        core.incref(v);
        long n = growByOne(o, v);
        if (where < 0) {
            where = Math.max(0, where + n);
        }
        where = Math.min(where, n);
        long at = getLong(o + LIST_ITEMS_OFFSET) + 8 * where;
        copy(at, at + 8, 8 * (n - where));
        putLong(at, v);
    }

    /**
     * {@code list.pop(index)}, {@code index} in {@code [0, size)}: removes the item and returns
     * it, the list's reference passing to the caller. Like {@code list_ass_slice}, the tail moves
     * down before the array shrinks, and back if the shrinking is refused: the list is then as
     * it was and the {@link OutOfMemoryError} thrown (no collection runs for it).
     */
    public long pop(long o, long index) {
        long n = size(o);
        long at = getLong(o + LIST_ITEMS_OFFSET) + 8 * index;
        long v = getLong(at);
        long tail = 8 * (n - index - 1);
        copy(at + 8, at, tail);
        try {
            resize(o, n - 1);
        } catch (OutOfMemoryError e) {
            copy(at, at + 8, tail);
            putLong(at, v);
            throw e;
        }
        return v;
    }

    /**
     * {@code list_resize(n + 1)} for an append or insert of {@code v}, whose reference is
     * released if the array cannot grow; returns the index of the new last slot. A refused
     * array runs the collection for memory ({@link SpaceAllocation}), whose finalizers and
     * callbacks may change this very list (empty it, freeing its array), so the one retry
     * starts again from the list as it is after the collection.
     */
    private long growByOne(long o, long v) {
        try {
            long n = size(o);
            try {
                resize(o, n + 1);
            } catch (OutOfMemoryError e) {
                core.alloc.collectForMemory(e);
                n = size(o);
                resize(o, n + 1);
            }
            return n;
        } catch (OutOfMemoryError e) {
            core.decrefHeld(v);
            throw e;
        }
    }

    /**
     * CPython 3.9+'s {@code list_resize}: sets ob_size, reallocating only outside [allocated/2, allocated].
     * A refused array leaves the list as it was and runs no collection (see {@link #growByOne}).
     */
    void resize(long o, long newSize) {
        long allocated = allocated(o);
        if (allocated >= newSize && newSize >= (allocated >> 1)) {
            putLong(o + OB_SIZE_OFFSET, newSize);
            return;
        }
        long newAllocated = (newSize + (newSize >> 3) + 6) & ~3L;
        if (newSize - size(o) > newAllocated - newSize) {
            newAllocated = (newSize + 3) & ~3L;
        }
        if (newSize == 0) {
            newAllocated = 0; // realloc to 0 bytes, as 3.11: a 1-byte raw block, raw from then on
        }
        long items = core.mem.realloc(getLong(o + LIST_ITEMS_OFFSET), newAllocated * 8);
        putLong(o + LIST_ITEMS_OFFSET, items);
        putLong(o + OB_SIZE_OFFSET, newSize);
        putLong(o + LIST_ALLOCATED_OFFSET, newAllocated);
    }

    @Override
    public void dealloc(long o) {
        long items = getLong(o + LIST_ITEMS_OFFSET);
        if (items != 0) {
            for (long i = size(o) - 1; i >= 0; i--) {
                long item = getLong(items + 8 * i);
                if (item != 0) {
                    core.decrefHeld(item);
                }
            }
            core.mem.free(items);
        }
        if (free.push(o)) {
            core.park(o);
        } else {
            core.freeGcObject(o);
        }
    }

    @Override
    public boolean isParked(long o) {
        return free.contains(o);
    }

    @Override
    public void traverse(long o, LongConsumer visit) {
        for (long i = size(o) - 1; i >= 0; i--) { // list_traverse: last item first
            long item = item(o, i);
            if (item != 0) {
                visit.accept(item);
            }
        }
    }

    /**
     * {@code _list_clear}: detaches the array first, so decrefs never see a half-cleared list.
     * An item checked mode refuses (freed behind the list's back) does not stop the others'
     * release or the array's: the first refusal is thrown once all are done, later ones
     * suppressed in it, as a deallocation does.
     */
    @Override
    public void clear(long o) {
        long items = getLong(o + LIST_ITEMS_OFFSET);
        long n = size(o);
        putLong(o + LIST_ITEMS_OFFSET, 0);
        putLong(o + OB_SIZE_OFFSET, 0);
        putLong(o + LIST_ALLOCATED_OFFSET, 0);
        if (items == 0) {
            return;
        }
        RuntimeException refused = null;
        for (long i = n - 1; i >= 0; i--) {
            long item = getLong(items + 8 * i);
            if (item != 0) {
                try {
                    core.decrefHeld(item);
                } catch (RuntimeException e) {
                    refused = Refusals.keepFirst(refused, e);
                }
            }
        }
        core.mem.free(items);
        if (refused != null) {
            throw refused;
        }
    }

    @Override
    public long sizeOf(long o) {
        return GC_HEAD_LENGTH + LIST_LENGTH + 8 * allocated(o);
    }

    public int clearFreeList() {
        return free.drain(o -> core.freeParked(o, true));
    }
}
