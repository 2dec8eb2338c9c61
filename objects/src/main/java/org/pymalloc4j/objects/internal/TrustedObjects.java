package org.pymalloc4j.objects.internal;

import java.util.Arrays;

/**
 * Checked mode's objects known to be live without a probe of the arena index or the type
 * table: the newest object (born or revived last), the two objects found live last, and a few
 * objects found live lately, kept direct-mapped by address. An object found here needs only its
 * refcount tested.
 *
 * <pre>
 *  every nonzero entry (newest, lastFound, foundBefore, each of cached[]) is a live object of
 *      the space: born or revived and not forgotten since, so its block is allocated and its
 *      arena mapped
 *  cached[slot(o)] == o  for each nonzero cached entry o
 *  no entry but newest is the newest object;  lastFound != foundBefore unless both are 0
 *  cached[slot(lastFound)] == lastFound  if lastFound != 0   (found() writes both; only found() writes a slot)
 *  all entries 0 once the space is closed
 * </pre>
 * No entry is the newest object because an object is found only while it is not the newest,
 * and it becomes the newest only when it is born or revived, after {@link #forgotten} dropped
 * whatever entry it had. So {@link #forgotten} of the newest object (a temporary, the commonest
 * death) reads no table.
 *
 * <p>Why the table: a container's items are checked when it takes them and again when it lets
 * go of them (they may have been freed behind its back by unbalanced decrefs). For long-lived
 * items, the same few objects over and over, each probe cost a chain of about nine dependent
 * loads; a hit costs one. A 2-tuple create+decref makes four such checks.
 *
 * <p>Why the two fields before it: a pair's items (a 2-tuple's, a dict entry's key and value)
 * are the two objects found last, and a field compare is cheaper than a table hit, which loads
 * the array, its length and the slot, and masks and tests the index. Asked first, they took
 * the 2-tuple create+decref from 1.04 to 0.95 times CPython's time ({@code pymalloc4j versus
 * tuple}, single JVMs alternated, 2026-12-06).
 */
public final class TrustedObjects {
    /** Entries of the table: a power of two. Consecutive 16-byte blocks take consecutive slots. */
    static final int CACHED = 8;

    private long newest;
    private long lastFound;
    private long foundBefore;
    private final long[] cached = new long[CACHED];

    private static int slot(long o) {
        return (int) (o >>> 4) & (CACHED - 1);
    }

    /**
     * Whether {@code o} is known live: the newest object, one of the two found last, or a cached one (never 0, NULL). The slot
     * is masked with the array's own length, not the constant: C2 then knows the index is in
     * bounds ({@code (x & (n - 1)) < n} for n &gt; 0) and drops the range check, from a path a
     * container's items take at every check.
     */
    public boolean contains(long o) {
        long[] c = cached;
        return (o == newest || o == lastFound || o == foundBefore || c[(int) (o >>> 4) & (c.length - 1)] == o)
                && o != 0;
    }

    /** {@code o} was just born or revived: it is the newest object. */
    public void born(long o) {
        newest = o;
    }

    /** {@code o}, in no entry, was just found live by the full check: the object found last, and cached. */
    public void found(long o) {
        assert o != 0 && o != newest && o != lastFound && o != foundBefore;
        foundBefore = lastFound;
        lastFound = o;
        cached[slot(o)] = o;
    }

    /** {@code o} is freed or parked: no entry names it any more. */
    public void forgotten(long o) {
        if (o == newest) {
            newest = 0;
            return;
        }
        if (o == lastFound) {
            lastFound = 0;
        } else if (o == foundBefore) {
            foundBefore = 0;
        }
        int slot = slot(o);
        if (cached[slot] == o) {
            cached[slot] = 0;
        }
    }

    /** The space closed: nothing is trusted. */
    public void clear() {
        newest = 0;
        lastFound = 0;
        foundBefore = 0;
        Arrays.fill(cached, 0);
    }

    /** The newest object, or 0. */
    public long newest() {
        return newest;
    }

    /** The object found live last, or 0; for validators. */
    public long lastFound() {
        return lastFound;
    }

    /** The object found live before {@link #lastFound()}, or 0; for validators. */
    public long foundBefore() {
        return foundBefore;
    }

    /** The cached objects, 0 for an empty slot, in slot order; for validators. */
    public long[] cached() {
        return cached.clone();
    }

    /** The table slot of {@code o}; for validators. */
    public static int slotOf(long o) {
        return slot(o);
    }
}
