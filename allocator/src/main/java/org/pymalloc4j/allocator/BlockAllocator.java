package org.pymalloc4j.allocator;

/**
 * What a domain allocates with: CPython's {@code PyMemAllocatorEx} on {@code long} addresses.
 * Anyone can implement it; {@link Memory#setAllocator} installs one in a domain.
 *
 * <p>The contract, as CPython's: {@code malloc(0)} returns a distinct non-zero address;
 * {@code free(0)} does nothing; {@code realloc(0, n)} is {@code malloc(n)}; a failed
 * {@code realloc} leaves the old block intact. Unlike C, failure is an exception, never 0:
 * a 0 returned anyway (an allocator written the C way) is refused as an {@link OutOfMemoryError}
 * naming the allocator and the call by the {@link MemoryDomain} it serves, and by the debug hooks
 * and the tracer installed over it, before anything is written to address 0 or counted as a block.
 *
 * <p>A domain calls its allocator from the thread using its {@link Memory}, taking no lock:
 * one installed in memories used on different threads is called from them at once, and must
 * be thread-safe (as CPython asks of an allocator set on its RAW domain, which needs no GIL).
 * Neither {@link PyMalloc} nor {@link LibcAllocator} is; {@link RawAllocator} is libc's alone.
 */
public interface BlockAllocator {
    /**
     * Allocates {@code size} bytes, 16-byte aligned.
     *
     * @return the block's address, never 0
     * @throws IllegalArgumentException if {@code size} is negative
     * @throws OutOfMemoryError         if the memory cannot be had
     */
    long malloc(long size);

    /**
     * Allocates {@code nelem * elsize} zeroed bytes.
     *
     * @return the block's address, never 0
     * @throws IllegalArgumentException if either argument is negative
     * @throws OutOfMemoryError         if the product overflows or the memory cannot be had
     */
    long calloc(long nelem, long elsize);

    /**
     * Resizes a block, moving it if need be; {@code realloc(0, n)} is {@code malloc(n)}.
     *
     * @return the block's (possibly new) address, never 0
     * @throws IllegalArgumentException if {@code newSize} is negative, or (as an
     *                                  {@link InvalidAddressException}) if {@code address} is
     *                                  not a live block of this allocator
     * @throws OutOfMemoryError         if the new block cannot be had; the old block is intact
     */
    long realloc(long address, long newSize);

    /**
     * Frees a block; {@code free(0)} does nothing.
     *
     * @throws InvalidAddressException if {@code address} is not a live block of this allocator
     *                                 (where the allocator can tell)
     */
    void free(long address);

    /**
     * How many bytes of the live block at {@code address} are the caller's: at least what was
     * asked for. An allocator that keeps no sizes need not answer; by default none does.
     *
     * @throws InvalidAddressException       if {@code address} is not a live block of this
     *                                       allocator
     * @throws UnsupportedOperationException if this allocator does not report its blocks' sizes
     */
    default long usableSize(long address) {
        throw new UnsupportedOperationException("usableSize(0x" + Long.toHexString(address) + "): " + this
                + " does not report its blocks' sizes");
    }
}
