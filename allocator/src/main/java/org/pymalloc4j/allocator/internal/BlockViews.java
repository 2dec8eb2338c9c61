package org.pymalloc4j.allocator.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.pymalloc4j.allocator.BlockAllocator;
import org.pymalloc4j.allocator.Geometry;

/**
 * The {@link MemorySegment} views a heap or a memory manager hands out over its blocks, all in
 * one scope that its close ends: an access after that throws instead of reading unmapped
 * memory. The scope is a shared arena, since a heap may change owners, made with the first view
 * so that an owner never asked for one pays nothing. Freeing a block does not end its views, as
 * in C.
 */
public final class BlockViews {
    private Arena scope;

    /**
     * A {@link java.lang.foreign.SegmentAllocator#allocate(long, long)} served by
     * {@code allocator}'s malloc: a new block as a view of {@code byteSize} bytes. Blocks are
     * 16-byte aligned, so larger alignments are refused before anything is allocated.
     *
     * @throws IllegalArgumentException naming the call, if the size is negative or the alignment
     *                                  not a power of two up to 16
     */
    public MemorySegment allocate(BlockAllocator allocator, long byteSize, long byteAlignment) {
        checkRequest(byteSize, byteAlignment, Geometry.ALIGNMENT);
        return of(allocator.malloc(byteSize), byteSize);
    }

    /**
     * Refuses, before anything is allocated, what {@code allocate(byteSize, byteAlignment)} cannot
     * serve: a negative size, an alignment that is not a power of two or is over
     * {@code maxAlignment}.
     *
     * @throws IllegalArgumentException naming the call and what was wrong
     */
    public static void checkRequest(long byteSize, long byteAlignment, long maxAlignment) {
        if (byteSize < 0 || byteAlignment <= 0 || (byteAlignment & (byteAlignment - 1)) != 0
                || byteAlignment > maxAlignment) {
            throw new IllegalArgumentException("allocate(" + byteSize + ", " + byteAlignment + "): "
                    + (byteSize < 0 ? "negative size" : "the alignment must be a power of two"
                    + (maxAlignment == Geometry.ALIGNMENT ? " up to " + maxAlignment + ", the blocks' alignment" : "")));
        }
    }

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
