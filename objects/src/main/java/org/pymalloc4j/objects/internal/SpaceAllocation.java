package org.pymalloc4j.objects.internal;

import java.util.function.BooleanSupplier;

import org.pymalloc4j.allocator.MemoryDomain;

/**
 * The object space's allocations in the OBJ domain (objects) and the MEM domain (item arrays,
 * names), each with event-based collection, an addition of this project (CPython 3.11 raises
 * MemoryError without collecting): an allocation that fails for lack of memory (or the memory
 * limit) runs one full collection, if automatic collection is on and none is running, and tries
 * once more. Where no collection may run (collection disabled, or one running), the free lists'
 * parked objects are freed instead, if there are any, and the allocation is tried once more;
 * otherwise the error stands. A list's item array and a dict's keys table are not
 * allocated here: the collection may change their container, so Lists and Dicts allocate without
 * collecting and, refused, call {@link #collectForMemory} and redo the whole step.
 */
public final class SpaceAllocation {
    private final MemoryDomain obj;
    private final MemoryDomain mem;
    private final GcState gc;
    /** Frees the free lists' parked objects: whether there were any. Set once the lists exist. */
    private BooleanSupplier emptyFreeLists = () -> false;

    SpaceAllocation(MemoryDomain obj, MemoryDomain mem, GcState gc) {
        this.obj = obj;
        this.mem = mem;
        this.gc = gc;
    }

    /** {@code obj.malloc}, with one full collection and one more try if memory runs out. */
    public long objMalloc(long size) {
        try {
            return obj.malloc(size);
        } catch (OutOfMemoryError e) {
            collectForMemory(e);
            return obj.malloc(size);
        }
    }

    /** {@code mem.malloc}, with one full collection and one more try if memory runs out. */
    public long memMalloc(long size) {
        try {
            return mem.malloc(size);
        } catch (OutOfMemoryError e) {
            collectForMemory(e);
            return mem.malloc(size);
        }
    }

    /** {@code mem.calloc}, with one full collection and one more try if memory runs out. */
    public long memCalloc(long n, long size) {
        try {
            return mem.calloc(n, size);
        } catch (OutOfMemoryError e) {
            collectForMemory(e);
            return mem.calloc(n, size);
        }
    }

    void freeListsEmptiedBy(BooleanSupplier emptier) {
        this.emptyFreeLists = emptier;
    }

    /**
     * The collection before the retry, or {@code e} rethrown when none may run and the free lists
     * hold nothing. For a caller that retries an operation on a container itself: the collection
     * runs finalizers and callbacks, which may have changed the container, so the retry must read
     * it again. The free lists are a cache, like the empty arena pymalloc keeps, whose blocks the
     * limit counts: emptying them runs no code and changes no live object, so it is safe where a
     * collection is not, and a program that freed its objects gets their memory back (a full
     * collection empties them at its end; they are emptied again in case it stopped short).
     */
    void collectForMemory(OutOfMemoryError e) {
        boolean collected = gc.enabled && !gc.collecting && gc.collector != null;
        if (collected) {
            gc.collectAutomatically(gc.collector, GcState.GENERATIONS - 1);
            gc.memoryCollections++;
        }
        if (!emptyFreeLists.getAsBoolean() && !collected) {
            throw e;
        }
    }
}
