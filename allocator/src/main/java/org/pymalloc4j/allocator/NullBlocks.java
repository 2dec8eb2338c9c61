package org.pymalloc4j.allocator;

/**
 * The refusal of a 0 that a {@link BlockAllocator} returned for a block: C's way to say the
 * memory cannot be had, which the contract asks to be an {@link OutOfMemoryError} instead. An
 * allocator of the user's written the C way (or around a C allocator) would otherwise have its
 * 0 counted as a live block, traced, or written through by the debug hooks and the object
 * layer: a crash of the JVM at address 0. Built only on that path, so the callers' one test
 * of the result costs nothing else.
 */
final class NullBlocks {
    private NullBlocks() {
    }

    /** The refusal of {@code allocator}'s 0, the allocator of {@code domain}, for {@code call}. */
    static OutOfMemoryError refused(Domain domain, BlockAllocator allocator, String call) {
        return new OutOfMemoryError("pymalloc4j: the " + domain + " domain's allocator " + allocator
                + " returned 0 (NULL) for " + call
                + ": a BlockAllocator throws OutOfMemoryError when the memory cannot be had, never returns 0");
    }

    static String realloc(long address, long newSize) {
        return "realloc(0x" + Long.toHexString(address) + ", " + newSize + ")";
    }
}
