package org.pymalloc4j.objects.internal;

/**
 * {@code gc.garbage}: a native list the collector owns, made on first use (uncounted), holding
 * what a collection could not free (tp_del cycles) or, under DEBUG_SAVEALL, everything it found.
 */
public final class GcGarbageList {
    private final Core core;
    private final Lists lists;
    /** The list, or 0 before first use. */
    private long list;

    public GcGarbageList(Core core, Lists lists) {
        this.core = core;
        this.lists = lists;
    }

    /**
     * The list, made now if it does not exist yet; borrowed. CPython makes it once at start-up
     * ({@code _PyGC_Init}), so reading or filling {@code gc.garbage} allocates no GC object: made
     * here on first use, it is not counted in generation 0 and starts no collection.
     */
    public long list() {
        if (list == 0) {
            list = core.gc.uncounted(() -> lists.newList(0));
        }
        return list;
    }

    /**
     * Appends {@code o}; false if memory ran out (CPython clears the error of
     * {@code PyList_Append}): throwing here would leave the collection half done, its objects
     * in scratch lists outside every generation.
     */
    public boolean save(long o) {
        try {
            lists.append(list(), o);
            return true;
        } catch (OutOfMemoryError e) {
            return false;
        }
    }

    /**
     * Drops the collector's reference to the list (the space is closing). An item freed behind the
     * list's back (checked mode refuses its decref once the rest are released) is reported as
     * unraisable, as a frame's dangling local is: thrown, it would skip the shutdown collection.
     */
    public void release() {
        long l = list;
        list = 0;
        if (l != 0) {
            try {
                core.decref(l);
            } catch (RuntimeException e) {
                Unraisable.report(e);
            }
        }
    }
}
