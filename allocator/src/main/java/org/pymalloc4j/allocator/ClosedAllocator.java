package org.pymalloc4j.allocator;

/** What a closed {@link Memory}'s domains call: every operation refuses. */
final class ClosedAllocator implements BlockAllocator {
    static final ClosedAllocator INSTANCE = new ClosedAllocator();

    private ClosedAllocator() {
    }

    @Override
    public long malloc(long size) {
        throw closed();
    }

    @Override
    public long calloc(long nelem, long elsize) {
        throw closed();
    }

    @Override
    public long realloc(long address, long newSize) {
        throw closed();
    }

    @Override
    public void free(long address) {
        throw closed();
    }

    @Override
    public long usableSize(long address) {
        throw closed();
    }

    static IllegalStateException closed() {
        return new IllegalStateException("this Memory is closed");
    }

    @Override
    public String toString() {
        return "closed";
    }
}
