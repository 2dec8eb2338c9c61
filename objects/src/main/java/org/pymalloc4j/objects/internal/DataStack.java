package org.pymalloc4j.objects.internal;

import java.util.Arrays;

/**
 * The value stack frames keep their locals on, like CPython 3.11's per-thread data stack: one
 * growing array of owned references; frame k owns the window {@code [base(k), base(k+1))}, the
 * innermost frame the top. Frames close innermost first, releasing their slots in slot order.
 *
 * <pre>
 *  0 &lt;= base(1) &lt;= ... &lt;= base(depth) &lt;= top;   every slot below top is an owned reference or 0,
 *  every slot from top up is 0
 * </pre>
 */
public final class DataStack {
    private final Core core;
    private static final long[] NONE = {};
    private static final int INITIAL_SLOTS = 64;
    private long[] slots = new long[INITIAL_SLOTS];
    /** {@code bases[k]} is base(k), the top when frame k opened, for 1 &lt;= k &lt;= depth. */
    private int[] bases = new int[16];
    private int top;
    private int depth;
    /** Advanced by {@link #closeAll} before each frame it closes: a frame opened in an earlier epoch is closed. */
    private int epoch;

    public DataStack(Core core) {
        this.core = core;
    }

    /** Opens a frame at the top; returns its depth (1 for the outermost). */
    public int open() {
        if (depth + 1 == bases.length) {
            bases = Arrays.copyOf(bases, bases.length * 2);
        }
        bases[++depth] = top;
        return depth;
    }

    /**
     * Where the window of the open frame at depth {@code k} ends: the base of the frame inside
     * it, or the top for the innermost. An outer frame's window stops where an inner one starts.
     */
    public int end(int k) {
        return k >= depth ? top : bases[k + 1];
    }

    public int depth() {
        return depth;
    }

    public int top() {
        return top;
    }

    /** How many slots the stack has room for. */
    public int capacity() {
        return slots.length;
    }

    public int epoch() {
        return epoch;
    }

    public void push(long reference) {
        if (top == slots.length) {
            slots = Arrays.copyOf(slots, top * 2);
        }
        slots[top++] = reference;
    }

    public long get(int i) {
        return slots[i];
    }

    public void set(int i, long reference) {
        slots[i] = reference;
    }

    /**
     * Closes the innermost frame, releasing slots {@code base..top-1} in order. The window is
     * taken off the stack first: a release may run a finalizer that opens frames of its own or
     * gives the enclosing frame locals, all pushed from {@code base} on. A release that throws
     * (a local freed behind the frame's back) does not stop the others: the first exception is
     * thrown at the end, the later ones suppressed in it.
     */
    public void close(int base) {
        int end = top;
        long[] window = end > base ? Arrays.copyOfRange(slots, base, end) : NONE;
        Arrays.fill(slots, base, end, 0);
        top = base;
        depth--;
        if (base < slots.length >> 2 && slots.length > INITIAL_SLOTS) {
            shrink();
        }
        RuntimeException failure = null;
        for (long v : window) {
            if (v != 0) {
                try {
                    core.decrefHeld(v);
                } catch (RuntimeException e) { // release the rest, then report the first problem
                    failure = Refusals.keepFirst(failure, e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Halves the array while the top is under a quarter of it, as 3.11's pop of a frame frees the
     * chunk it started (pystate.c): a large frame's slots go when it closes. It grows when full,
     * so a frame opened and closed at that boundary does not copy each time.
     */
    private void shrink() {
        int n = slots.length;
        while (n > INITIAL_SLOTS && top < n >> 2) {
            n >>= 1;
        }
        slots = Arrays.copyOf(slots, n);
    }

    /**
     * The invariant above, for validators: returns what is broken, or null. Slots from the top
     * up are 0 too (close zeroes them), so nothing stale is read as a local.
     */
    public String check() {
        int previous = 0;
        for (int k = 1; k <= depth; k++) {
            if (bases[k] < previous || bases[k] > top) {
                return "data stack: base " + bases[k] + " of frame " + k + " outside [" + previous + ", " + top + "]";
            }
            previous = bases[k];
        }
        for (int i = top; i < slots.length; i++) {
            if (slots[i] != 0) {
                return String.format("data stack: slot %d above the top %d holds 0x%x", i, top, slots[i]);
            }
        }
        return null;
    }

    /** Each slot below the top, with its frame's depth and its index in that frame, 0 (NULL) ones too. */
    public void forEachLocal(SlotVisitor visit) {
        for (int k = 1; k <= depth; k++) {
            for (int i = bases[k], end = end(k); i < end; i++) {
                visit.accept(k, i - bases[k], slots[i]);
            }
        }
    }

    /** What {@link #forEachLocal} passes on. */
    public interface SlotVisitor {
        void accept(int frame, int local, long reference);
    }

    /**
     * Closes every open frame (the space is closing) as they would close themselves: innermost
     * first, each releasing its slots in order; a release that throws does not stop the others
     * (the first exception is thrown at the end). Each round advances the epoch, so the Frame
     * objects of the frames it closes see themselves closed: a finalizer run here may hold one,
     * and the frames it opens take the same depths.
     */
    public void closeAll() {
        RuntimeException failure = null;
        while (depth > 0) {
            epoch++;
            try {
                close(bases[depth]);
            } catch (RuntimeException e) {
                failure = Refusals.keepFirst(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
