package org.pymalloc4j.objects.internal;

import org.pymalloc4j.allocator.MemoryDomain;

/**
 * The object space's allocations in the OBJ domain (objects) and the MEM domain (item arrays,
 * names), each with event-based collection, an addition of this project (CPython 3.11 raises
 * MemoryError without collecting): an allocation that fails for lack of memory (or the memory
 * limit) runs one full collection, if automatic collection is on and none is running, and tries
 * once more; otherwise the error stands. A list's item array and a dict's keys table are not
 * allocated here: the collection may change their container, so Lists and Dicts allocate without
 * collecting and, refused, call {@link #collectForMemory} and redo the whole step.
 */
public final class SpaceAllocation {
    private final MemoryDomain obj;
    private final MemoryDomain mem;
    private final GcState gc;

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

    /**
     * The collection before the retry, or {@code e} rethrown when none may run. For a caller
     * that retries an operation on a container itself: the collection runs finalizers and
     * callbacks, which may have changed the container, so the retry must read it again.
     */
    void collectForMemory(OutOfMemoryError e) {
        if (!gc.enabled || gc.collecting || gc.collector == null) {
            throw e;
        }
        gc.collectAutomatically(gc.collector, GcState.GENERATIONS - 1);
        gc.memoryCollections++;
    }
}
