package org.pymalloc4j.objects.internal;

import org.pymalloc4j.allocator.MemoryDomain;
import org.pymalloc4j.allocator.MemoryLimitExceededError;

/**
 * The space's "static data": one zeroed RAW-domain block holding what CPython 3.11 allocates
 * statically (built-in type objects, None, True, False, the small ints, the empty tuple, str
 * and bytes, the one-character strings and one-byte bytes), carved with a bump pointer in 16-byte steps. The
 * pymalloc heap thus holds only objects made at run time, and a closed space has returned
 * every block.
 *
 * <pre>
 *  base &lt;= o &lt; base + capacity  ⇔  o is a static object (never deallocated)
 * </pre>
 */
public final class StaticArea {
    private final MemoryDomain raw;
    private final long base;
    private final long capacity;
    private long top;

    public StaticArea(MemoryDomain raw, long capacity) {
        this.raw = raw;
        this.capacity = capacity;
        this.base = allocate(raw, capacity);
        this.top = base;
    }

    /** The area's block; a refusal names what it was for, which the RAW domain's message cannot. */
    private static long allocate(MemoryDomain raw, long capacity) {
        String what = "the object space's static objects";
        try {
            return raw.calloc(1, capacity);
        } catch (MemoryLimitExceededError e) { // still the limit's error, for a caller that catches it
            MemoryLimitExceededError named = new MemoryLimitExceededError(what, e.requested(), e.inUse(), e.limit());
            named.initCause(e);
            throw named;
        } catch (OutOfMemoryError e) {
            // String.concat, not +: linking a concatenation spins classes, which an address space
            // full enough to refuse this block may refuse in turn.
            OutOfMemoryError named = new OutOfMemoryError("pymalloc4j: cannot allocate ".concat(what).concat(" (")
                    .concat(Long.toString(capacity)).concat(" bytes)"));
            named.initCause(e);
            throw named;
        }
    }

    /** {@code bytes} zeroed bytes, 16-byte aligned. */
    public long carve(long bytes) {
        long at = top;
        long next = at + ((bytes + 15) & -16L);
        if (next > base + capacity) {
            throw new IllegalStateException("static area of " + capacity + " bytes is full");
        }
        top = next;
        return at;
    }

    public boolean contains(long address) {
        return Long.compareUnsigned(address - base, capacity) < 0;
    }

    public long usedBytes() {
        return top - base;
    }

    public void release() {
        raw.free(base);
    }
}
