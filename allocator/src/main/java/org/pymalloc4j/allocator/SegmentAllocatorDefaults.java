package org.pymalloc4j.allocator;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.charset.Charset;
import java.util.Objects;

/**
 * {@link SegmentAllocator}'s default methods for the heap and a Memory's domains. Each refuses
 * first if its owner is closed, whatever its arguments, as every other call of theirs does;
 * the JDK's check the arguments first. And a call refused once its block is allocated (a copy
 * past its source's end, a heap segment stored as an address) frees the block, which the JDK's
 * would leave allocated, unreachable to the caller.
 */
abstract class SegmentAllocatorDefaults implements SegmentAllocator {
    /** Throws the owner's {@link IllegalStateException} if it is closed. */
    abstract void checkOpen();

    /** Frees the block of a segment from {@link #allocate(long, long)}. */
    public abstract void free(MemorySegment segment);

    @Override
    public MemorySegment allocateFrom(String str) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(str);
    }

    @Override
    public MemorySegment allocateFrom(String str, Charset charset) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(str, charset);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfByte layout, byte value) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(layout, value);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfChar layout, char value) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(layout, value);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfShort layout, short value) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(layout, value);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfInt layout, int value) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(layout, value);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfFloat layout, float value) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(layout, value);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfLong layout, long value) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(layout, value);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfDouble layout, double value) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(layout, value);
    }

    /** As the JDK's, but a value the layout cannot store (a heap segment) frees the block. */
    @Override
    public MemorySegment allocateFrom(AddressLayout layout, MemorySegment value) {
        checkOpen();
        Objects.requireNonNull(value);
        Objects.requireNonNull(layout);
        MemorySegment segment = allocate(layout);
        try {
            segment.set(layout, 0, value);
        } catch (RuntimeException e) {
            free(segment);
            throw e;
        }
        return segment;
    }

    /** As the JDK's, but a copy refused (out of the source's bounds, element sizes that differ) frees the block. */
    @Override
    public MemorySegment allocateFrom(ValueLayout elementLayout, MemorySegment source, ValueLayout sourceElementLayout,
                                      long sourceOffset, long elementCount) {
        checkOpen();
        Objects.requireNonNull(source);
        Objects.requireNonNull(sourceElementLayout);
        Objects.requireNonNull(elementLayout);
        MemorySegment dest = allocate(elementLayout, elementCount);
        try {
            MemorySegment.copy(source, sourceElementLayout, sourceOffset, dest, elementLayout, 0, elementCount);
        } catch (RuntimeException e) {
            free(dest);
            throw e;
        }
        return dest;
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfByte elementLayout, byte... elements) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(elementLayout, elements);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfShort elementLayout, short... elements) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(elementLayout, elements);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfChar elementLayout, char... elements) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(elementLayout, elements);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfInt elementLayout, int... elements) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(elementLayout, elements);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfFloat elementLayout, float... elements) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(elementLayout, elements);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfLong elementLayout, long... elements) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(elementLayout, elements);
    }

    @Override
    public MemorySegment allocateFrom(ValueLayout.OfDouble elementLayout, double... elements) {
        checkOpen();
        return SegmentAllocator.super.allocateFrom(elementLayout, elements);
    }

    @Override
    public MemorySegment allocate(MemoryLayout layout) {
        checkOpen();
        return SegmentAllocator.super.allocate(layout);
    }

    @Override
    public MemorySegment allocate(MemoryLayout elementLayout, long count) {
        checkOpen();
        return SegmentAllocator.super.allocate(elementLayout, count);
    }

    @Override
    public MemorySegment allocate(long byteSize) {
        checkOpen();
        return SegmentAllocator.super.allocate(byteSize);
    }
}
