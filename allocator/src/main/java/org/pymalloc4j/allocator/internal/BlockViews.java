package org.pymalloc4j.allocator.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.pymalloc4j.allocator.BlockAllocator;
import org.pymalloc4j.allocator.Geometry;
import org.pymalloc4j.allocator.InvalidAddressException;
import org.pymalloc4j.allocator.MemoryLimitExceededError;

/**
 * The {@link MemorySegment} views a heap or a memory manager hands out over its blocks, all in
 * one scope that its close ends: an access after that throws instead of reading unmapped
 * memory. The scope is a shared arena, since a heap may change owners, made with the first view
 * so that an owner never asked for one pays nothing. Freeing a block does not end its views, as
 * in C.
 */
public final class BlockViews {
    private Arena scope;
    /** Why the owner of these views may not close them now (a Memory's heap while it is open), or null. */
    private String closeRefusal;

    /**
     * A {@link java.lang.foreign.SegmentAllocator#allocate(long, long)} served by
     * {@code allocator}'s malloc: a new block as a view of {@code byteSize} bytes. Blocks are
     * 16-byte aligned, so larger alignments are refused before anything is allocated.
     *
     * @throws IllegalArgumentException naming the call, if the size is negative or the alignment
     *                                  not a power of two up to 16
     */
    public MemorySegment allocate(BlockAllocator allocator, long byteSize, long byteAlignment) {
        if (byteSize >= 0 && !(isPowerOfTwo(byteAlignment) && byteAlignment <= Geometry.ALIGNMENT)) {
            throw refused(byteSize, byteAlignment, "the alignment must be a power of two up to "
                    + Geometry.ALIGNMENT + ", the blocks' alignment");
        }
        checkRequest(byteSize, byteAlignment);
        long block;
        try {
            block = allocator.malloc(byteSize);
        } catch (OutOfMemoryError e) {
            throw asAllocate(e, byteSize, byteAlignment);
        }
        return of(block, byteSize);
    }

    /**
     * The refusal of the malloc that served {@code allocate(byteSize, byteAlignment)}, worded to
     * name allocate, the call the caller made, as PyMalloc's own allocate does; a
     * MemoryLimitExceededError stays one. A refusal of that malloc itself, as the heap and libc
     * word it ({@code malloc(byteSize): why}), becomes {@code allocate(byteSize, byteAlignment):
     * why}; any other (the debug hooks', of their larger block; a custom allocator's) is led by
     * the call, the refusal its cause. An arena's refusal with the raw block's suppressed in it
     * (a small request's fallback) keeps its message, the raw one renamed. A custom error type
     * is the allocator's own answer, passed on as it is.
     */
    private static OutOfMemoryError asAllocate(OutOfMemoryError e, long byteSize, long byteAlignment) {
        String malloc = "malloc(" + byteSize + "): ";
        String reason = Refusals.withoutPrefix(messageOf(e), "pymalloc4j: ");
        if (!reason.startsWith(malloc) && e.getSuppressed().length == 1 && e.getSuppressed()[0] instanceof OutOfMemoryError) {
            return fallbackAsAllocate(e, byteSize, byteAlignment);
        }
        return Refusals.ledBy(e, "allocate(" + byteSize + ", " + byteAlignment + "): ", malloc, messageOf(e));
    }

    /** The refusal's message; its type's name if it has none. */
    private static String messageOf(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
    }

    /**
     * An arena's refusal with the refusal of the raw block malloc fell back to suppressed in it
     * (PyMalloc's small request with no pool to be had): a copy of it whose suppressed refusal
     * names allocate; else {@code e} as it is.
     */
    private static OutOfMemoryError fallbackAsAllocate(OutOfMemoryError e, long byteSize, long byteAlignment) {
        OutOfMemoryError raw = (OutOfMemoryError) e.getSuppressed()[0];
        OutOfMemoryError renamed = asAllocate(raw, byteSize, byteAlignment);
        OutOfMemoryError copy = e instanceof MemoryLimitExceededError limited
                ? new MemoryLimitExceededError(limited.what(), limited.requested(), limited.inUse(), limited.limit())
                : e.getClass() == OutOfMemoryError.class ? new OutOfMemoryError(e.getMessage()) : null;
        if (renamed == raw || copy == null) {
            return e;
        }
        copy.setStackTrace(e.getStackTrace());
        copy.addSuppressed(renamed);
        return copy;
    }

    /**
     * Refuses, before anything is allocated, what no {@code allocate(byteSize, byteAlignment)}
     * can serve: a negative size or an alignment that is not a power of two.
     *
     * @throws IllegalArgumentException naming the call and what was wrong
     */
    public static void checkRequest(long byteSize, long byteAlignment) {
        if (byteSize < 0) {
            throw refused(byteSize, byteAlignment, "negative size");
        }
        if (!isPowerOfTwo(byteAlignment)) {
            throw refused(byteSize, byteAlignment, "the alignment must be a power of two");
        }
    }

    private static boolean isPowerOfTwo(long n) {
        return n > 0 && (n & (n - 1)) == 0;
    }

    private static IllegalArgumentException refused(long byteSize, long byteAlignment, String why) {
        return new IllegalArgumentException("allocate(" + byteSize + ", " + byteAlignment + "): " + why);
    }

    /**
     * A view of the live block at {@code address}, {@code allocator.usableSize} bytes long. A
     * refused address is refused as a call to {@code segment}, the one the caller made, not the
     * {@code usableSize} that found it out.
     *
     * @throws InvalidAddressException if {@code address} is not a live block of {@code allocator}
     */
    public MemorySegment ofBlock(BlockAllocator allocator, long address) {
        long size;
        try {
            size = allocator.usableSize(address);
        } catch (InvalidAddressException | UnsupportedOperationException e) {
            throw asSegment(e, address);
        }
        return of(address, size);
    }

    /**
     * The refusal of the usableSize that served {@code segment(address)}, worded to name segment:
     * {@code usableSize(address): why} becomes {@code segment(address): why}; any other is led
     * by the call. The refusal is the cause of the new one.
     */
    private static RuntimeException asSegment(RuntimeException e, long address) {
        String call = "segment(0x" + Long.toHexString(address) + "): ";
        String why = Refusals.withoutPrefix(messageOf(e), "usableSize(0x" + Long.toHexString(address) + "): ");
        RuntimeException named = e instanceof InvalidAddressException ? new InvalidAddressException(call + why, address)
                : new UnsupportedOperationException(call + why);
        named.initCause(e);
        return named;
    }

    /**
     * The address {@code free(segment)} frees: the segment's, if it is native. A segment over
     * Java heap memory is refused: its address() is an offset in its array, 0 for the whole
     * array, which free would take for NULL and ignore.
     *
     * @throws InvalidAddressException if {@code segment} is not native
     */
    public static long blockAddress(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new InvalidAddressException("free(" + segment + "): a segment of Java heap memory, no native block;"
                    + " nothing freed", segment.address());
        }
        return segment.address();
    }

    /** A view of {@code size} bytes at {@code address}, which the caller has checked. */
    public MemorySegment of(long address, long size) {
        if (scope == null) {
            scope = Arena.ofShared();
        }
        return MemorySegment.ofAddress(address).reinterpret(size, scope, null);
    }

    /**
     * Ends every view; do it before the memory goes. Views made after it (the owner's close
     * stopped after this, leaving it open) are in a new scope, which the next close ends.
     *
     * @throws IllegalStateException if a view is held by a native call, in another thread or in
     *                               this one (this close called from its upcall), or
     *                               {@link #refuseClose} says why not; the views then stay usable
     */
    public void close() {
        if (closeRefusal != null) {
            throw new IllegalStateException(closeRefusal);
        }
        if (scope != null) {
            try {
                scope.close();
            } catch (IllegalStateException e) { // the JDK's says only "Session is acquired by 1 clients"
                throw new IllegalStateException("cannot close while a segment it handed out is held by a native"
                        + " call (in another thread, or in this one, from whose upcall close was called); close again"
                        + " once the call has returned", e);
            }
            scope = null; // a scope closed twice is refused, and views cannot be made in it
        }
    }

    /**
     * Has {@link #close} refuse with {@code why} until called again with null: the views of a
     * heap another owner closes (a Memory's), so that the heap's own close, which starts here,
     * refuses before anything changes.
     */
    public void refuseClose(String why) {
        closeRefusal = why;
    }
}
