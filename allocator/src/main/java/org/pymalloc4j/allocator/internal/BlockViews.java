package org.pymalloc4j.allocator.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The {@link MemorySegment} views a heap hands out over its blocks, all in one scope that the
 * heap's close ends: an access after that throws instead of reading unmapped memory. The scope
 * is a shared arena, since a heap may change owners, made with the first view so that a heap
 * never asked for one pays nothing. Freeing a block does not end its views, as in C.
 */
public final class BlockViews {
    private Arena scope;

    /** A view of {@code size} bytes at {@code address}, which the caller has checked. */
    public MemorySegment of(long address, long size) {
        if (scope == null) {
            scope = Arena.ofShared();
        }
        return MemorySegment.ofAddress(address).reinterpret(size, scope, null);
    }

    /**
     * Ends every view; do it before the memory goes.
     *
     * @throws IllegalStateException if a view is held by a native call in another thread; the
     *                               views then stay usable
     */
    public void close() {
        if (scope != null) {
            scope.close();
        }
    }
}
