package org.pymalloc4j.allocator;

import java.util.Objects;

/**
 * The trace of one live block in a {@link Snapshot}: tracemalloc's {@code Trace}.
 *
 * <p>tracemalloc's {@code domain} is the tracking domain of {@code PyTraceMalloc_Track} (0 for
 * every block of the three allocator domains); here it is the allocator domain whose API
 * allocated the block, which the tracer records.
 *
 * @param domain    the domain whose API allocated the block (the outermost traced call)
 * @param size      the requested size in bytes
 * @param traceback where the block was allocated
 */
public record Trace(Domain domain, long size, Traceback traceback) {
    /**
     * @throws NullPointerException     if {@code domain} or {@code traceback} is null
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public Trace {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(traceback, "traceback");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, was " + size);
        }
    }

    /** As tracemalloc's {@code str(Trace)}: {@code Foo.java:12: 133 B}. */
    @Override
    public String toString() {
        return traceback + ": " + SizeFormat.size(size, false);
    }
}
