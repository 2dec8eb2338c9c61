package org.pymalloc4j.allocator.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Reads and writes native memory at absolute {@code long} addresses.
 *
 * <p>One segment spans the whole address space, so an absolute address is also an offset into
 * it. The JIT folds the segment's liveness check away because the segment is a constant with
 * global scope; the unaligned layouts skip the alignment check. Every address passed here must
 * point at memory the caller owns: nothing stops a read of an unmapped page.
 *
 * <p>Each address is masked to its low 56 bits before the access. Every user-space address on
 * x86-64 and AArch64 is below 2^56 (2^47 with 4-level paging, 2^56 with 5-level), so the mask
 * never changes a valid address; what it changes is what the JIT knows: an offset in
 * {@code [0, 2^56)} provably passes the segment's bounds check ({@code offset <= 2^63 - 1 - size}),
 * which C2 then drops. One {@code and} replaces a compare, a 64-bit constant and a branch on
 * every access (a 64-byte malloc+free pair makes 13), about 0.6 ns a pair in a loop here.
 *
 * <p>The accesses go through the layouts' var handles, not {@code MemorySegment.get}: one layer
 * less for C2 to parse. C2 stops inlining once a compilation has created 18,000 nodes
 * ({@code NodeCountInliningCutoff}), and each access inlined creates about 590 nodes through
 * {@code MemorySegment.get}, 550 through the var handle (eight reads in one method: 4,972
 * against 4,634, {@code -XX:+LogCompilation}). A checked random-mix loop inlines 26 of them,
 * and its last two still become calls.
 */
public final class NativeMemory {
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    /** Clears the bits no user-space address has; see the class comment. */
    private static final long MASK = (1L << 56) - 1;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG_UNALIGNED.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT_UNALIGNED.varHandle();
    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();

    private NativeMemory() {
    }

    /**
     * {@code address} as every accessor here sees it. The JIT knows the result is below 2^56, so
     * an address derived from it by a mask or a small constant offset needs no mask of its own.
     */
    public static long masked(long address) {
        return address & MASK;
    }

    public static long getLong(long address) {
        return (long) LONG.get(ALL, address & MASK);
    }

    public static void putLong(long address, long value) {
        LONG.set(ALL, address & MASK, value);
    }

    /**
     * The long at {@code base + offset}, for a field at a small constant {@code offset} of a
     * structure at {@code base}: the mask is applied to the base alone, so every field access
     * through one base shares one {@code and} (the JIT computes {@code base & MASK} once), and a
     * masked base plus a small constant still provably passes the bounds check.
     */
    public static long getLong(long base, long offset) {
        return (long) LONG.get(ALL, (base & MASK) + offset);
    }

    /** Stores {@code value} at {@code base + offset}; see {@link #getLong(long, long)}. */
    public static void putLong(long base, long offset, long value) {
        LONG.set(ALL, (base & MASK) + offset, value);
    }

    /** The int at {@code base + offset}; see {@link #getLong(long, long)}. */
    public static int getInt(long base, long offset) {
        return (int) INT.get(ALL, (base & MASK) + offset);
    }

    /** Stores {@code value} at {@code base + offset}; see {@link #getLong(long, long)}. */
    public static void putInt(long base, long offset, int value) {
        INT.set(ALL, (base & MASK) + offset, value);
    }

    public static int getInt(long address) {
        return (int) INT.get(ALL, address & MASK);
    }

    public static void putInt(long address, int value) {
        INT.set(ALL, address & MASK, value);
    }

    public static byte getByte(long address) {
        return (byte) BYTE.get(ALL, address & MASK);
    }

    public static void putByte(long address, byte value) {
        BYTE.set(ALL, address & MASK, value);
    }

    /** Copies {@code bytes} bytes; the ranges may overlap. */
    public static void copy(long from, long to, long bytes) {
        MemorySegment.copy(ALL, from, ALL, to, bytes);
    }

    public static void fill(long address, long bytes, byte value) {
        ALL.asSlice(address, bytes).fill(value);
    }

    /** A segment of {@code bytes} bytes at {@code address}, for the API edge only. */
    public static MemorySegment segment(long address, long bytes) {
        return ALL.asSlice(address, bytes);
    }
}
