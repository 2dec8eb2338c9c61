package org.pymalloc4j.objects.internal;

import org.pymalloc4j.allocator.MemoryDomain;

/**
 * The space's "static data": one zeroed RAW-domain block holding what CPython 3.11 allocates
 * statically (built-in type objects, None, True, False, the small ints, the empty tuple, str
 * and bytes, the one-character strings), carved with a bump pointer in 16-byte steps. The
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
        this.base = raw.calloc(1, capacity);
        this.top = base;
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
