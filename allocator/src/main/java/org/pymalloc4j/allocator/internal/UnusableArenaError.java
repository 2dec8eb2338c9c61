package org.pymalloc4j.allocator.internal;

/**
 * An arena the allocator gave that the heap refused as unusable: overlapping an arena in use,
 * out of the maps' reach, or holding no whole pool. Unlike a refusal for want of memory (none
 * given, the memory limit, the arena's metadata), which malloc answers with a raw block as
 * CPython does, this one says the allocator misbehaves: a fallback would hide it for good.
 */
final class UnusableArenaError extends OutOfMemoryError {
    private static final long serialVersionUID = 1L;

    UnusableArenaError(String message) {
        super(message);
    }

    /** Whether {@code e}, refusing a pool, is one a raw block may stand in for: memory lacked, nothing else went wrong. */
    static boolean isShortage(OutOfMemoryError e) {
        return !(e instanceof UnusableArenaError) && e.getSuppressed().length == 0;
    }
}
