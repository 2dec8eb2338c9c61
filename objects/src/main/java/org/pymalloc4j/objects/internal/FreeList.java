package org.pymalloc4j.objects.internal;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * A free list of parked objects of one kind ({@code float}, {@code tuple} of size n, ...):
 * a Java stack of addresses, at most {@code max} long, growing on demand.
 *
 * <p>CPython links parked objects through the objects themselves; a Java stack leaves their
 * headers free to carry the freed-object marker in checked mode, and costs no native access.
 * <pre>
 *  0 &lt;= size() &lt;= max;  entries distinct, each a block of this kind not live as an object
 * </pre>
 */
public final class FreeList {
    private final int max;
    private long[] stack;
    private int size;

    public FreeList(int max) {
        this.max = max;
        this.stack = new long[Math.min(max, 16)];
    }

    /** Parks {@code o}; false if the list is full (the caller frees the block). */
    public boolean push(long o) {
        int n = size;
        if (n == stack.length) {
            if (n == max) {
                return false;
            }
            stack = Arrays.copyOf(stack, Math.min(max, n * 2));
        }
        stack[n] = o;
        size = n + 1;
        return true;
    }

    /** Pops every parked address into {@code free}, the most recently parked first; returns how many. */
    public int drain(LongConsumer free) {
        int n = 0;
        for (long o = pop(); o != 0; o = pop()) {
            free.accept(o);
            n++;
        }
        return n;
    }

    /** An object to reuse, or 0 if the list is empty. */
    public long pop() {
        int n = size;
        if (n == 0) {
            return 0;
        }
        size = --n;
        return stack[n];
    }

    public int size() {
        return size;
    }

    public int max() {
        return max;
    }

    /** Whether {@code o} is parked here: a linear search, for error messages and validators. */
    public boolean contains(long o) {
        for (int i = 0; i < size; i++) {
            if (stack[i] == o) {
                return true;
            }
        }
        return false;
    }

    /** The i-th parked address, for validators. */
    public long get(int i) {
        return stack[i];
    }
}
