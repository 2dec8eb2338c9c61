package org.pymalloc4j.objects;

import org.pymalloc4j.objects.internal.Core;
import org.pymalloc4j.objects.internal.DataStack;

/**
 * A scope that owns references, as a Python function's frame owns its locals: every reference
 * handed to {@link #local} is released when the frame closes, in slot order, on every exit path.
 *
 * <pre>
 *  long f(ObjectSpace space) {
 *      try (Frame f = space.frame()) {
 *          long x = f.local(space.floats().newFloat(1.5));   // the frame owns x
 *          long t = f.local(space.tuples().of(x, x));         // of took its own references to x
 *          return f.returning(t);                             // the caller gets a new reference to t
 *      }                                                      // x and t's frame references released here
 *  }
 * </pre>
 *
 * <p>Frames live on the space's data stack (CPython 3.11's per-thread stack of frames): only
 * the innermost open frame may take locals, and frames close innermost first, which
 * try-with-resources guarantees. The frames are one stack per space, not one per thread: threads
 * sharing a space under a lock of their own (as CPython's share the interpreter under the GIL)
 * cannot each keep a frame open while another thread opens one, whose frame is then the
 * innermost and the first thread's refused.
 */
public final class Frame implements AutoCloseable {
    private final Core core;
    private final DataStack stack;
    private final int base;
    private final int depth;
    private final int epoch;
    private boolean closed;

    Frame(Core core, DataStack stack) {
        this.core = core;
        this.stack = stack;
        this.base = stack.top();
        this.depth = stack.open();
        this.epoch = stack.epoch();
    }

    /** Closed by its own close, or by the space's closing every frame ({@link DataStack#closeAll}). */
    private boolean isClosed() {
        return closed || epoch != stack.epoch();
    }

    /**
     * Stores a new reference in the frame, which now owns it (steals it, like STORE_FAST of a
     * fresh value), also when it throws: a refused reference is released. 0 (NULL) is allowed
     * and ignored on close.
     *
     * @return {@code reference}, borrowed from the frame
     * @throws IllegalStateException if this frame is closed or not the innermost open frame
     * @throws FreedObjectException  in checked mode, if {@code reference} is not a live object (not
     *                               stolen then)
     */
    public long local(long reference) {
        if (core.checked && reference != 0) {
            core.checkLive(reference);
        }
        checkInnermost(reference);
        stack.push(reference);
        return reference;
    }

    /**
     * Takes a reference of the frame's own to a borrowed object (incref, then store).
     *
     * @return {@code borrowed}
     * @throws IllegalStateException if this frame is closed or not the innermost open frame
     * @throws FreedObjectException  in checked mode, if {@code borrowed} is not a live object
     * @throws NullPointerException  in checked mode, if {@code borrowed} is 0 (NULL, which only
     *                               {@link #local} takes); nothing is stored
     */
    public long hold(long borrowed) {
        checkInnermost(0);
        core.incref(borrowed);
        stack.push(borrowed);
        return borrowed;
    }

    /**
     * Returns {@code o} out of the frame with its ownership: a new reference for the caller that
     * survives the frame's close (which still releases the frame's own reference).
     *
     * @return {@code o}, a new reference
     * @throws IllegalStateException if this frame is closed
     * @throws FreedObjectException  in checked mode, if {@code o} is not a live object
     */
    public long returning(long o) {
        checkNotClosed();
        core.incref(o);
        return o;
    }

    /**
     * How many locals this frame holds (not counting those of frames opened inside it); 0 once
     * it or the space is closed.
     */
    public int size() {
        return isClosed() || core.isClosed() ? 0 : stack.end(depth) - base;
    }

    /**
     * Local {@code i}, borrowed.
     *
     * @throws IllegalStateException     if this frame is closed
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     */
    public long get(int i) {
        checkNotClosed();
        if (Integer.compareUnsigned(i, size()) >= 0) { // one unsigned compare, as Objects.checkIndex
            throw outOfRange(i);
        }
        return stack.get(base + i);
    }

    /**
     * Replaces local {@code i}, stealing {@code reference} (also when it throws: a refused
     * reference is released) and releasing the old value (like STORE_FAST to an existing local).
     *
     * @throws IllegalStateException     if this frame is closed or not the innermost open frame;
     *                                   checked or not, if the local replaced held the last counted
     *                                   reference to a static object ({@code reference} is stored
     *                                   first, the static's refcount put back)
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws FreedObjectException      in checked mode, if {@code reference} is not a live object
     *                                   (not stolen then), or if the local replaced was freed behind
     *                                   the frame's back: {@code reference} is stored first, then
     *                                   that local is named
     */
    public void set(int i, long reference) {
        if (core.checked && reference != 0) {
            core.checkLive(reference);
        }
        checkInnermost(reference);
        if (Integer.compareUnsigned(i, size()) >= 0) {
            throw released(reference, outOfRange(i));
        }
        long old = stack.get(base + i);
        stack.set(base + i, reference);
        core.xdecref(old);
    }

    /**
     * Releases every local in slot order. Closing again, or once the space's close has closed it, does nothing.
     *
     * @throws IllegalStateException if an inner frame is still open (frames close innermost
     *                               first); nothing is released then. Checked or not, if a local
     *                               held the last counted reference to a static object (None, a
     *                               small int...): its refcount is put back and it is refused as a
     *                               freed local is, after the others are released and the frame closed
     * @throws FreedObjectException  in checked mode, if a local was freed behind the frame's back
     *                               (more decrefs than increfs): the other locals are still
     *                               released and the frame closed; the first such local is
     *                               named, later ones suppressed
     */
    @Override
    public void close() {
        if (isClosed() || core.isClosed()) { // a closing space has released every frame
            closed = true;
            return;
        }
        if (stack.depth() != depth) {
            throw new IllegalStateException("frame " + depth + " closed while frame " + stack.depth()
                    + " inside it is open: frames close innermost first");
        }
        closed = true;
        stack.close(base);
    }

    private void checkNotClosed() {
        if (isClosed()) {
            throw new IllegalStateException("this frame is closed");
        }
        core.checkOpen();
    }

    /** Refuses a closed or outer frame, releasing {@code stolen} (0: none) first if the space is open. */
    private void checkInnermost(long stolen) {
        core.checkOpen();
        if (isClosed()) {
            throw released(stolen, new IllegalStateException("this frame is closed"));
        }
        if (stack.depth() != depth) {
            throw released(stolen, new IllegalStateException("frame " + depth + " cannot take locals while frame "
                    + stack.depth() + " inside it is open"));
        }
    }

    /** The refusal of local {@code i} by get and set, worded the same. */
    private IndexOutOfBoundsException outOfRange(int i) {
        return new IndexOutOfBoundsException("local " + i + " of a frame with " + size() + (size() == 1 ? " local" : " locals"));
    }

    /** Releases a stolen reference the frame refuses, as {@code PyTuple_SetItem} does; returns {@code refusal}. */
    private <E extends RuntimeException> E released(long stolen, E refusal) {
        try {
            core.xdecref(stolen);
        } catch (RuntimeException e) {
            refusal.addSuppressed(e);
        }
        return refusal;
    }
}
