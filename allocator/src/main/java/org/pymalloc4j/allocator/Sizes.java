package org.pymalloc4j.allocator;

/** Argument checks shared by the allocators, worded the same everywhere. */
final class Sizes {
    private Sizes() {
    }

    /**
     * {@code nelem * elsize}, checked.
     *
     * @throws IllegalArgumentException if either is negative
     * @throws OutOfMemoryError         if the product overflows a long
     */
    static long callocSize(long nelem, long elsize) {
        if (nelem < 0 || elsize < 0) {
            throw new IllegalArgumentException("calloc(" + nelem + ", " + elsize + "): negative size");
        }
        try {
            return Math.multiplyExact(nelem, elsize);
        } catch (ArithmeticException e) {
            throw new OutOfMemoryError("pymalloc4j: calloc(" + nelem + ", " + elsize + "): size overflows a long");
        }
    }
}
