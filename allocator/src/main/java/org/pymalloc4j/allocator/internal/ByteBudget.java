package org.pymalloc4j.allocator.internal;

import org.pymalloc4j.allocator.MemoryLimitExceededError;

/**
 * The bytes a heap has taken from the OS (arenas plus raw blocks), against an optional limit.
 * Charged only on cold paths: a new arena, a raw block. Invariant: {@code 0 <= used <= limit}.
 */
public final class ByteBudget {
    /** No limit. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    private final long limit;
    private long used;

    public ByteBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("memory limit must be positive, was " + limit);
        }
        this.limit = limit;
    }

    /**
     * Takes {@code bytes} from the budget.
     *
     * @throws MemoryLimitExceededError if that would cross the limit; nothing is taken
     */
    public void charge(long bytes, String what) {
        if (bytes > limit - used) {
            if (limit == UNLIMITED) { // no limit, but more than a long can count: no OS would give it
                throw new OutOfMemoryError("pymalloc4j: cannot allocate " + what + " of " + bytes + " bytes");
            }
            throw new MemoryLimitExceededError(what, bytes, used, limit);
        }
        used += bytes;
    }

    /** Gives {@code bytes} back. */
    public void release(long bytes) {
        assert bytes >= 0 && bytes <= used : "release(" + bytes + ") with " + used + " used";
        used -= bytes;
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return used;
    }
}
