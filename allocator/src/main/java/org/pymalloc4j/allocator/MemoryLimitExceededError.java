package org.pymalloc4j.allocator;

/**
 * A request that would take a heap past its memory limit (CPython's {@code WITH_MEMORY_LIMITS},
 * Arrow's allocation limits). The live blocks are unchanged and the heap stays usable: freeing
 * memory makes room again: the empty arena a heap keeps against thrashing counts against the
 * limit, so a request that would fit without it has it given back to the OS and is tried once
 * more. A request refused is one that would not fit even so, and that arena is kept.
 */
public final class MemoryLimitExceededError extends OutOfMemoryError {
    private static final long serialVersionUID = 1L;

    private final long limit;
    private final long requested;
    private final long inUse;
    private final String what;

    public MemoryLimitExceededError(String what, long requested, long inUse, long limit) {
        super(String.format(java.util.Locale.ROOT,
                "pymalloc4j: %s of %,d bytes would exceed the memory limit of %,d bytes (%,d in use)",
                what, requested, limit, inUse));
        this.limit = limit;
        this.requested = requested;
        this.inUse = inUse;
        this.what = what;
    }

    /** What was refused, as the message names it: e.g. {@code "malloc(5000): a raw block"}. */
    public String what() {
        return what;
    }

    /** The limit, in bytes taken from the OS. */
    public long limit() {
        return limit;
    }

    /** The bytes the refused request would have taken from the OS. */
    public long requested() {
        return requested;
    }

    /** The bytes taken from the OS when the request was refused. */
    public long inUse() {
        return inUse;
    }
}
