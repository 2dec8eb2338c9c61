package org.pymalloc4j.allocator;

import java.util.function.LongSupplier;

/**
 * The wrapper {@link Tracer#start} installs over a domain's allocator: tracemalloc's
 * {@code tracemalloc_alloc}, {@code tracemalloc_realloc} and {@code tracemalloc_free}.
 *
 * <p>Ordering, as tracemalloc's: the inner allocator runs first and the trace is added after
 * it returns; a realloc removes the old trace if the block moved and adds (or replaces) the new
 * one; a free frees first and then removes the trace. An exception from the inner allocator
 * propagates and leaves the traces as they were.
 *
 * <p>The traceback is captured, and the trace table grown, just <em>before</em> the inner call:
 * the stack is the same, and so nothing that can fail (the Java heap running out) is left to do
 * once the inner allocator has handed out or moved a block, a case tracemalloc answers by
 * freeing the block or, for realloc, with a fatal error. If the inner allocator refuses, a
 * traceback newly interned for the call is forgotten again, since tracemalloc, which calls the
 * allocator first, interns none for a refused call.
 *
 * <p>Calls made while the tracer is already inside a traced call are passed through untraced
 * (tracemalloc's re-entrancy flag), so that a block is attributed to the API its caller used;
 * a free or realloc among them still removes the trace of the block it frees or resizes, as
 * tracemalloc 3.11 does, so that no trace outlives its block.
 */
final class TracingAllocator implements BlockAllocator {
    private final Tracer tracer;
    private final Domain domain;
    private final BlockAllocator inner;

    TracingAllocator(Tracer tracer, Domain domain, BlockAllocator inner) {
        this.tracer = tracer;
        this.domain = domain;
        this.inner = inner;
    }

    /** {@code allocator} with a tracer's wrapper taken off, if it is one. */
    static BlockAllocator beneath(BlockAllocator allocator) {
        return allocator instanceof TracingAllocator t ? t.inner : allocator;
    }

    /** The allocator this one wraps. */
    BlockAllocator inner() {
        return inner;
    }

    @Override
    public long malloc(long size) {
        return tracer.busy ? inner.malloc(size) : traced(size, () -> {
            long block = inner.malloc(size);
            if (block == 0) { // an allocator written the C way: refused before it is traced
                throw NullBlocks.refused(domain, inner, "malloc(" + size + ")");
            }
            return block;
        });
    }

    @Override
    public long calloc(long nelem, long elsize) {
        // the product is recorded only once the inner allocator has accepted it (no overflow)
        return tracer.busy ? inner.calloc(nelem, elsize) : traced(nelem * elsize, () -> {
            long block = inner.calloc(nelem, elsize);
            if (block == 0) {
                throw NullBlocks.refused(domain, inner, "calloc(" + nelem + ", " + elsize + ")");
            }
            return block;
        });
    }

    /** A traced allocation of a new block of {@code size} bytes. */
    private long traced(long size, LongSupplier allocate) {
        Tracer t = tracer;
        t.busy = true;
        try {
            Traceback traceback = t.prepare();
            long block;
            try {
                block = allocate.getAsLong();
            } catch (Throwable e) {
                t.refused();
                throw e;
            }
            t.record(domain, block, size, traceback);
            return block;
        } finally {
            t.busy = false;
        }
    }

    @Override
    public long realloc(long address, long newSize) {
        Tracer t = tracer;
        if (t.busy) {
            // Untraced, but the old block is gone or no longer traced: tracemalloc 3.11 removes its trace.
            long block = inner.realloc(address, newSize);
            if (address != 0 && block != 0) { // a 0 (C's failed realloc, which the domain refuses) left it intact
                t.forget(address);
            }
            return block;
        }
        t.busy = true;
        try {
            Traceback traceback = t.prepare();
            long block;
            try {
                block = inner.realloc(address, newSize);
                if (block == 0) { // C's failed realloc: the old block and its trace stay
                    throw NullBlocks.refused(domain, inner, NullBlocks.realloc(address, newSize));
                }
            } catch (Throwable e) {
                t.refused();
                throw e;
            }
            if (address != 0 && block != address) {
                t.forget(address);
            }
            t.record(domain, block, newSize, traceback);
            return block;
        } finally {
            t.busy = false;
        }
    }

    @Override
    public void free(long address) {
        inner.free(address);
        if (address != 0) { // even inside a traced call, as tracemalloc 3.11's tracemalloc_free
            tracer.forget(address);
        }
    }

    @Override
    public long usableSize(long address) {
        return inner.usableSize(address);
    }

    @Override
    public String toString() {
        return "tracing(" + inner + ")";
    }
}
