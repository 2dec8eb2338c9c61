package org.pymalloc4j.allocator.testkit;

import org.pymalloc4j.allocator.BlockAllocator;

/**
 * A wrapper that passes malloc, calloc, realloc and free to {@code inner}, for tests that
 * install one over a domain ({@code Memory.wrapAllocator}) and change only a call or two.
 * {@code usableSize} keeps the interface's default, as a wrapper written out in full did.
 */
public class ForwardingAllocator implements BlockAllocator {
    protected final BlockAllocator inner;

    public ForwardingAllocator(BlockAllocator inner) {
        this.inner = inner;
    }

    @Override
    public long malloc(long size) {
        return inner.malloc(size);
    }

    @Override
    public long calloc(long nelem, long elsize) {
        return inner.calloc(nelem, elsize);
    }

    @Override
    public long realloc(long address, long newSize) {
        return inner.realloc(address, newSize);
    }

    @Override
    public void free(long address) {
        inner.free(address);
    }
}
