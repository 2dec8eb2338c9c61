package org.pymalloc4j.objects.internal;

/**
 * The {@code info} dict 3.11's {@code invoke_gc_callback} builds before a phase's callbacks,
 * when there are any ({@code Py_BuildValue("{sisnsn}", "generation", ..., "collected", ...,
 * "uncollectable", ...)}), and drops after them. The callbacks here get a Java record instead,
 * but the dict is still made: it counts in generation 0 and parks on the dict free list, so
 * {@code gc.get_count()} after a collection with callbacks, and the dicts made next, are
 * CPython's.
 */
public final class GcCallbackInfo {
    private final Builtins b;

    public GcCallbackInfo(Builtins b) {
        this.b = b;
    }

    /**
     * The dict, a new reference, or 0 if the memory refuses it (CPython then reports a
     * MemoryError as unraisable and skips the phase's callbacks; here they still run, since the
     * record they get needs no dict).
     */
    public long make(int generation, long collected, long uncollectable) {
        long d;
        try {
            d = b.dicts.newDict();
        } catch (OutOfMemoryError e) {
            return 0;
        }
        try {
            put(d, "generation", generation);
            put(d, "collected", collected);
            put(d, "uncollectable", uncollectable);
        } catch (OutOfMemoryError e) {
            b.core.decref(d);
            return 0;
        }
        return d;
    }

    /** One pair of do_mkdict: the key (a new str, as PyUnicode_FromString), the value, set, both released. */
    private void put(long d, String key, long value) {
        long k = b.strs.newStr(key);
        long v;
        try {
            v = b.ints.fromLong(value);
        } catch (OutOfMemoryError e) {
            b.core.decref(k);
            throw e;
        }
        try {
            b.dicts.set(d, k, b.protocols.hash(k), v);
        } finally {
            b.core.decref(k);
            b.core.decref(v);
        }
    }
}
